"""Tables of an ecosystem: tables, table/{name} and history/{name}/{id}."""

from __future__ import annotations

import json

from aiohttp import web

from api.errors import ApiError, E, server_error
from api.handlers.access import find_table, page_of, readable, reading
from api.jsonenc import Struct
from api.request import client_of, form_values
from api.responses import json_response
from chain.golang.ints import in_int64
from chain.storage.repo.tabledata import (
    NULL_TEXT,
    count_scoped,
    get_table_entry,
    list_row_history,
    list_table_names,
    row_exists,
)
from chain.storage.values import (
    show,
)
from chain.tables import split_name

HISTORY_LIMIT = 100  # the reference's rollbackHistoryLimit


async def list_tables(request: web.Request) -> web.Response:
    """GET /tables?limit=&offset=: the ecosystem's tables (from 1_tables) and their row counts."""
    limit, offset = page_of(await form_values(request))
    ecosystem = client_of(request).ecosystem_id
    items = []
    async with reading(request) as conn:
        total, names = await list_table_names(conn, ecosystem, limit=limit, offset=offset)
        for name in names:
            ref = await find_table(request, conn, name)
            count = await count_scoped(conn, ref.table, ref.scope) if ref is not None else 0
            items.append(Struct(name=name, count=str(count)))
    return json_response(Struct(count=total, list=items))


async def fetch_table(request: web.Request) -> web.Response:
    """GET /table/{name}: a table's permissions and its columns' types and permissions."""
    text = request.match_info["name"]
    ecosystem, name = split_name(text, client_of(request).ecosystem_id)
    async with reading(request) as conn:
        entry = await get_table_entry(conn, ecosystem, name)
        ref = await find_table(request, conn, text) if entry is not None else None
    if entry is None:
        raise ApiError(E.TABLENOTFOUND, text)
    types = ref.types if ref is not None else {}
    perms = entry.permissions
    body = Struct(
        name=entry.name,
        insert=perms.get("insert", ""),
        new_column=perms.get("new_column", ""),
        update=perms.get("update", ""),
    )
    for optional in ("read", "filter"):  # omitempty in the reference
        if perms.get(optional):
            body[optional] = perms[optional]
    body.update(
        conditions=entry.conditions,
        app_id=str(entry.app_id),
        columns=[
            Struct(name=column, type=types.get(column, ""), perm=perm)
            for column, perm in entry.columns.items()
        ],
    )
    return json_response(body)


def _row_id(text: str) -> int:
    try:
        value = int(text, 10)
    except ValueError as exc:
        raise server_error(f"row id {show(text)} is not a number") from exc
    if not in_int64(value):
        raise server_error(f"row id {show(text)} is out of range")
    return value


def history_entry(data: str, selected: list[str] | None) -> dict[str, str]:
    """One rollback record's previous values as text, only the `selected` columns (None: all)."""
    try:
        values = json.loads(data)
    except ValueError:
        values = {}
    if not isinstance(values, dict):
        values = {}
    if selected is not None:  # columns the caller may not read are left out
        values = {k: v for k, v in values.items() if k in selected}
    return {str(k): _as_text(v) for k, v in values.items()}


def _as_text(value: object) -> str:
    # Rollback records keep NULL as null: shown as the list endpoint shows it.
    if value is None:
        return NULL_TEXT
    return value if isinstance(value, str) else json.dumps(value, separators=(",", ":"))


async def list_history(request: web.Request) -> web.Response:
    """GET /history/{name}/{id}: a row's previous values before each change, newest first."""
    row_id = _row_id(request.match_info["id"])
    found: list[str] = []
    selected: list[str] | None = None
    async with reading(request) as conn:
        ref = await find_table(request, conn, request.match_info["name"])
        # An unknown table has no history (the reference answers an empty list too).
        if ref is not None:
            ref, selected = await readable(request, conn, ref, [])
            # Ids of a shared table run across ecosystems: only this ecosystem's row is shown.
            if await row_exists(conn, ref.table, row_id, ref.scope):
                key = f"{row_id},{ref.ecosystem}" if ref.name == "keys" else str(row_id)
                found = await list_row_history(conn, ref.full_name, key, limit=HISTORY_LIMIT)
    return json_response(Struct(list=[history_entry(data, selected) for data in found]))
