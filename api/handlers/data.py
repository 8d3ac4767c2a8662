"""Rows of any table: list, listWhere, nodelistWhere, sumWhere and row."""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web
from multidict import MultiDict

from api.errors import ApiError, E, server_error
from api.handlers.access import (
    column_list,
    open_table,
    page_of,
    read_rows,
    readable,
    reading,
    rights_key,
    shared_ecosystem,
)
from api.jsonenc import Struct
from api.request import form_values
from api.responses import json_response
from chain.storage.repo.tabledata import RowPage, get_row, list_rows, sum_rows
from chain.tables import TableRef


def _page(page: RowPage) -> web.Response:
    # Go marshals an empty slice of rows as null.
    return json_response(Struct(count=page.count, list=page.rows or None))


def _json_field(text: str, what: str) -> Any:
    try:
        return json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise server_error(f"{what} is not valid JSON") from exc


def _where(text: str) -> dict[str, Any] | None:
    """The `where` form field: a DBFind where object as JSON ("" for no condition)."""
    if not text.strip():
        return None
    where = _json_field(text, "where")
    if where == "":
        return None
    if not isinstance(where, dict):
        raise server_error("Where has wrong format")
    return where


def _order(text: str) -> Any:
    """The `order` form field: JSON ("name", {"name": -1}, ["a", {"b": 1}]); "" for by id."""
    return _json_field(text, "order") if text.strip() else None


async def list_table(request: web.Request) -> web.Response:
    """GET /list/{name}?limit=&offset=&columns=: a page of rows by id, every value a string."""
    return await _list(request, await form_values(request), None, None)


async def list_where(request: web.Request) -> web.Response:
    """POST /listWhere/{name} (and nodelistWhere): form limit, offset, columns, where, order."""
    values = await form_values(request)
    where = _where(values.get("where", ""))
    return await _list(request, values, where, _order(values.get("order", "")))


async def _list(
    request: web.Request, values: MultiDict[str], where: Any, order: Any
) -> web.Response:
    limit, offset = page_of(values)
    columns = column_list(values.get("columns", ""))
    async with reading(request) as conn:

        async def fetch(ref: TableRef) -> RowPage:
            return await list_rows(
                conn,
                ref.table,
                columns=columns,
                where=where,
                order=order,
                limit=limit,
                offset=offset,
                ecosystem=shared_ecosystem(ref),
                rights_of=rights_key(ref),
            )

        page = await read_rows(request, conn, request.match_info["name"], columns, fetch)
    return _page(page)


async def sum_where(request: web.Request) -> web.Response:
    """POST /sumWhere/{name}: form column, where; {"sum": "<total>"} ("" when no row matches)."""
    values = await form_values(request)
    column = values.get("column", "").strip().lower()
    where = _where(values.get("where", ""))
    async with reading(request) as conn:
        ref = await open_table(request, conn, request.match_info["name"])
        ref, _ = await readable(request, conn, ref, [column] if column else [])
        total = await sum_rows(conn, ref.table, column, where=where, scope=ref.scope)
    return json_response(Struct(sum=total))


async def fetch_row(request: web.Request) -> web.Response:
    """GET /row/{name}/{id} and /row/{name}/{column}/{id}?columns=: one row as strings."""
    values = await form_values(request)
    columns = column_list(values.get("columns", ""))
    lookup = request.match_info.get("column", "id")
    async with reading(request) as conn:

        async def fetch(ref: TableRef) -> RowPage:
            return await get_row(
                conn,
                ref.table,
                lookup,
                request.match_info["id"],
                columns=columns,
                ecosystem=shared_ecosystem(ref),
                rights_of=rights_key(ref),
            )

        page = await read_rows(request, conn, request.match_info["name"], columns, fetch)
    if not page.rows:
        raise ApiError(E.NOTFOUND)
    return json_response(Struct(value=page.rows[0]))
