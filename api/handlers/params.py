"""Parameters: ecosystemparams, ecosystemparam, systemparams, appparams, appparam, appcontent."""

from __future__ import annotations

from aiohttp import web
from multidict import MultiDict
from sqlalchemy.ext.asyncio import AsyncConnection

from api.appkeys import ENGINE
from api.errors import ApiError, E
from api.handlers.interface import omit_empty
from api.jsonenc import Struct
from api.request import client_of, form_values, int64_text, int_field
from api.responses import json_response
from chain.storage.engine import read_connection
from chain.storage.repo.chainview import next_ecosystem_id
from chain.storage.repo.interface import get_app_content
from chain.storage.repo.param_rows import (
    ParamRow,
    get_app_param,
    get_ecosystem_param,
    list_app_params,
    list_ecosystem_params,
    list_platform_params,
)


def _param(row: ParamRow) -> Struct:
    return Struct(id=str(row.id), name=row.name, value=row.value, conditions=row.conditions)


def _names(values: MultiDict[str]) -> list[str] | None:
    """`names=a,b`: only these parameters; absent or empty: all of them."""
    names = [name for name in values.get("names", "").split(",") if name]
    return names or None


async def _ecosystem(request: web.Request, conn: AsyncConnection, values: MultiDict[str]) -> int:
    """The `ecosystem` form field, validated as the reference does (<= 0: the caller's)."""
    ecosystem = int_field(values, "ecosystem")
    if ecosystem <= 0:
        return client_of(request).ecosystem_id
    if ecosystem >= await next_ecosystem_id(conn):
        raise ApiError(E.ECOSYSTEM, ecosystem)
    return ecosystem


def _app_id(request: web.Request) -> int:
    return int64_text(request.match_info["appID"], "application id")


async def list_ecosystem_parameters(request: web.Request) -> web.Response:
    """GET /ecosystemparams?ecosystem=&names=: the ecosystem's parameters (all without names)."""
    values = await form_values(request)
    async with read_connection(request.app[ENGINE]) as conn:
        ecosystem = await _ecosystem(request, conn, values)
        rows = await list_ecosystem_params(conn, ecosystem, _names(values))
    return json_response(Struct(list=[_param(row) for row in rows]))


async def fetch_ecosystem_parameter(request: web.Request) -> web.Response:
    """GET /ecosystemparam/{name}?ecosystem=: one ecosystem parameter."""
    values = await form_values(request)
    name = request.match_info["name"]
    async with read_connection(request.app[ENGINE]) as conn:
        ecosystem = await _ecosystem(request, conn, values)
        row = await get_ecosystem_param(conn, ecosystem, name)
    if row is None:
        raise ApiError(E.PARAMNOTFOUND, name)
    return json_response(_param(row))


async def list_platform_parameters(request: web.Request) -> web.Response:
    """GET /systemparams?names=: the platform parameters (all without names)."""
    values = await form_values(request)
    async with read_connection(request.app[ENGINE]) as conn:
        rows = await list_platform_params(conn, _names(values))
    if not rows:
        raise ApiError(E.PARAMNOTFOUND, values.get("names", ""), status=400)
    return json_response(Struct(list=[_param(row) for row in rows]))


async def list_app_parameters(request: web.Request) -> web.Response:
    """GET /appparams/{appID}?ecosystem=&names=: an application's parameters."""
    values = await form_values(request)
    app_id = _app_id(request)
    async with read_connection(request.app[ENGINE]) as conn:
        ecosystem = await _ecosystem(request, conn, values)
        rows = await list_app_params(conn, ecosystem, app_id, _names(values))
    return json_response(
        Struct(app_id=request.match_info["appID"], list=[_param(row) for row in rows])
    )


async def fetch_app_parameter(request: web.Request) -> web.Response:
    """GET /appparam/{appID}/{name}?ecosystem=: one application parameter."""
    values = await form_values(request)
    app_id = _app_id(request)
    name = request.match_info["name"]
    async with read_connection(request.app[ENGINE]) as conn:
        ecosystem = await _ecosystem(request, conn, values)
        row = await get_app_param(conn, ecosystem, app_id, name)
    if row is None:
        raise ApiError(E.PARAMNOTFOUND, name)
    return json_response(_param(row))


async def fetch_app_content(request: web.Request) -> web.Response:
    """GET /appcontent/{appID}?ecosystem=: (id, name) of the app's snippets, pages, contracts."""
    values = await form_values(request)
    app_id = _app_id(request)
    async with read_connection(request.app[ENGINE]) as conn:
        ecosystem = await _ecosystem(request, conn, values)
        content = await get_app_content(conn, ecosystem, app_id)

    def items(pairs: list[tuple[int, str]]) -> list[Struct] | None:
        # Go's omitempty drops a zero id or empty name; an empty slice is null.
        found = [omit_empty(id=i, name=n) for i, n in pairs]
        return found or None

    return json_response(
        Struct(
            snippets=items(content.snippets),
            pages=items(content.pages),
            contracts=items(content.contracts),
        )
    )
