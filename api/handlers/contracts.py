"""contract/{name} and contracts: what clients need to build contract transactions."""

from __future__ import annotations

from aiohttp import web

from api.appkeys import CONTRACTS, ENGINE
from api.errors import ApiError, E
from api.jsonenc import Struct
from api.request import client_of, form_values, go_int64, int_field
from api.responses import json_response
from chain.address import address_to_string
from chain.contract_registry import ContractInfo
from chain.storage.repo.contracts import ContractRow, list_contracts

MAX_LIST = 1000
DEFAULT_LIST = 25


def _split_name(text: str, default_ecosystem: int) -> tuple[int, str]:
    """`@5Name` -> (5, Name); `@Name` -> (1, Name); `Name` -> the client's ecosystem."""
    if not text.startswith("@"):
        return default_ecosystem, text
    rest = text[1:]
    digits = rest[: len(rest) - len(rest.lstrip("0123456789"))]
    # Clamped as StrToInt64 would: an ecosystem past int64 is simply one that does not exist.
    return (go_int64(digits) if digits else 1), rest[len(digits) :]


def _describe(info: ContractInfo, row: ContractRow) -> Struct:
    return Struct(
        id=info.id,
        state=info.ecosystem,
        tableid=str(info.table_id),
        walletid=str(row.wallet_id),
        tokenid=str(row.token_id),
        address=address_to_string(row.wallet_id),
        fields=[Struct(name=f.name, type=f.type, optional=f.optional) for f in info.fields],
        name=info.full_name,
        app_id=row.app_id,
        ecosystem=info.ecosystem,
        conditions=row.conditions,
    )


async def fetch_contract(request: web.Request) -> web.Response:
    """GET /contract/{name}: id (table id + 5000, the tx Header.ID), fields and their types."""
    text = request.match_info["name"]
    ecosystem, name = _split_name(text, client_of(request).ecosystem_id)
    async with request.app[ENGINE].connect() as conn:
        found = await request.app[CONTRACTS].describe_name(conn, ecosystem, name)
    if found is None:
        raise ApiError(E.CONTRACT, text)
    return json_response(_describe(*found))


async def list_contracts_page(request: web.Request) -> web.Response:
    """GET /contracts?limit=&offset=: the client ecosystem's stored contracts."""
    values = await form_values(request)
    limit = int_field(values, "limit") or DEFAULT_LIST
    limit = min(max(limit, 1), MAX_LIST)
    offset = max(int_field(values, "offset"), 0)
    async with request.app[ENGINE].connect() as conn:
        total, rows = await list_contracts(conn, client_of(request).ecosystem_id, limit, offset)
    items = [
        {
            "id": str(r.id),
            "name": r.name,
            "value": r.value,
            "wallet_id": str(r.wallet_id),
            "token_id": str(r.token_id),
            "conditions": r.conditions,
            "app_id": str(r.app_id),
            "ecosystem_id": str(r.ecosystem),
            "address": address_to_string(r.wallet_id),
        }
        for r in rows
    ]
    return json_response(Struct(count=total, list=items or None))


async def node_contract(request: web.Request) -> web.Response:
    """POST /node/{name}: the reference never implemented node-signed contract calls (501)."""
    raise ApiError(E.NOTIMPLEMENTED)
