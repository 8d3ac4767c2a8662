"""Tables of an ecosystem: tables, table/{name} and history/{name}/{id}."""

from __future__ import annotations

from aiohttp import web

from api.appkeys import ENGINE, READS
from api.jsonenc import Struct
from api.request import caller_of, client_of, form_values, int64_text, page_of
from api.responses import json_response
from chain.storage.engine import read_connection


async def list_tables(request: web.Request) -> web.Response:
    """GET /tables?limit=&offset=: the ecosystem's tables (from 1_tables) and their row counts."""
    limit, offset = page_of(await form_values(request))
    ecosystem = client_of(request).ecosystem_id
    async with read_connection(request.app[ENGINE]) as conn:
        total, counted = await request.app[READS].list_tables(
            conn, ecosystem, limit=limit, offset=offset
        )
    items = [Struct(name=name, count=str(count)) for name, count in counted]
    return json_response(Struct(count=total, list=items))


async def fetch_table(request: web.Request) -> web.Response:
    """GET /table/{name}: a table's permissions and its columns' types and permissions."""
    ecosystem = client_of(request).ecosystem_id
    async with read_connection(request.app[ENGINE]) as conn:
        entry, types = await request.app[READS].describe_table(
            conn, ecosystem, request.match_info["name"]
        )
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


async def list_history(request: web.Request) -> web.Response:
    """GET /history/{name}/{id}: a row's previous values before each change, newest first."""
    row_id = int64_text(request.match_info["id"], "row id")
    async with read_connection(request.app[ENGINE]) as conn:
        found = await request.app[READS].row_history(
            conn, caller_of(request), request.match_info["name"], row_id
        )
    return json_response(Struct(list=found))
