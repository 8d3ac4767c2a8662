"""Rows of any table: list, listWhere, nodelistWhere, sumWhere and row."""

from __future__ import annotations

from typing import Any

from aiohttp import web
from multidict import MultiDict

from api import jsonparse
from api.appkeys import ENGINE, READS
from api.errors import ApiError, E, server_error
from api.jsonenc import Struct
from api.request import caller_of, column_list, form_values, page_of
from api.responses import json_response
from chain.storage.engine import read_connection
from chain.storage.repo.tabledata import RowPage


def _page(page: RowPage) -> web.Response:
    # Go marshals an empty slice of rows as null.
    return json_response(Struct(count=page.count, list=page.rows or None))


def _json_field(text: str, what: str) -> Any:
    try:
        return jsonparse.loads(text)
    except jsonparse.JsonError as exc:
        raise server_error(f"{what} is not valid JSON ({exc})") from exc


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
    async with read_connection(request.app[ENGINE]) as conn:
        page = await request.app[READS].list_rows(
            conn,
            caller_of(request),
            request.match_info["name"],
            columns=column_list(values.get("columns", "")),
            where=where,
            order=order,
            limit=limit,
            offset=offset,
        )
    return _page(page)


async def sum_where(request: web.Request) -> web.Response:
    """POST /sumWhere/{name}: form column, where; {"sum": "<total>"} ("" when no row matches)."""
    values = await form_values(request)
    where = _where(values.get("where", ""))
    async with read_connection(request.app[ENGINE]) as conn:
        total = await request.app[READS].sum_rows(
            conn,
            caller_of(request),
            request.match_info["name"],
            values.get("column", ""),
            where=where,
        )
    return json_response(Struct(sum=total))


async def fetch_row(request: web.Request) -> web.Response:
    """GET /row/{name}/{id} and /row/{name}/{column}/{id}?columns=: one row as strings."""
    values = await form_values(request)
    async with read_connection(request.app[ENGINE]) as conn:
        row = await request.app[READS].get_row(
            conn,
            caller_of(request),
            request.match_info["name"],
            request.match_info["id"],
            column=request.match_info.get("column", "id"),
            columns=column_list(values.get("columns", "")),
        )
    if row is None:
        raise ApiError(E.NOTFOUND)
    return json_response(Struct(value=row))
