"""Account and ecosystem reads: balance, keyinfo, ecosystemname, ecosystems."""

from __future__ import annotations

from aiohttp import web

from api.appkeys import ENGINE
from api.errors import ApiError, E
from api.jsonenc import Struct
from api.request import client_of, form_values, int_field
from api.responses import json_response
from chain.address import address_to_string, string_to_address
from chain.notifications import account_notices
from chain.storage.repo.chainview import list_ecosystems, next_ecosystem_id
from chain.storage.repo.money import get_amount, sum_unspent
from chain.storage.repo.params import count_ecosystems, get_ecosystem


def _wallet(request: web.Request) -> int:
    text = request.match_info["wallet"]
    key_id = string_to_address(text)
    if key_id == 0:
        raise ApiError(E.INVALIDWALLET, text)
    return key_id


async def get_balance(request: web.Request) -> web.Response:
    """GET /balance/{wallet}[?ecosystem=N]: account amount, unspent outputs and their total."""
    key_id = _wallet(request)
    ecosystem = int_field(await form_values(request), "ecosystem")
    if ecosystem <= 0:
        ecosystem = client_of(request).ecosystem_id
    async with request.app[ENGINE].connect() as conn:
        if ecosystem >= await next_ecosystem_id(conn):
            raise ApiError(E.ECOSYSTEM, ecosystem)
        eco = await get_ecosystem(conn, ecosystem)
        amount = await get_amount(conn, ecosystem, key_id)
        utxo = await sum_unspent(conn, key_id, ecosystem)
    if eco is None:
        raise ApiError(E.ECOSYSTEM, ecosystem)
    return json_response(
        Struct(
            amount="" if amount is None else str(amount),
            digits=eco.digits,
            total=str((amount or 0) + utxo),
            utxo=str(utxo),
            token_symbol=eco.token_symbol,
            token_name=eco.token_name,
        )
    )


async def get_key_info(request: web.Request) -> web.Response:
    """GET /keyinfo/{wallet}: the ecosystems where the account exists, its roles, unread counts."""
    key_id = _wallet(request)
    account = address_to_string(key_id)
    async with request.app[ENGINE].connect() as conn:
        all_ecosystems = await list_ecosystems(conn)
        notices = {n.ecosystem: n for n in await account_notices(conn, key_id)}
    found = []
    for eco_id, name, digits in all_ecosystems:
        notice = notices.get(eco_id)
        if notice is None:
            continue
        entry = Struct(ecosystem=str(eco_id), name=name, digits=digits)
        if notice.roles:
            entry["roles"] = [Struct(id=str(rid), name=rname) for rid, rname in notice.roles]
        # As the reference: role "0" (the account's own) always, then one per role it holds.
        entry["notifications"] = [
            Struct(role_id=str(role_id), count=count) for role_id, count in notice.counts
        ]
        found.append(entry)
    if not found:
        # The reference's shape for an account that exists nowhere.
        eco_id, name, _ = all_ecosystems[0]
        found.append(
            Struct(
                ecosystem=str(eco_id),
                name=name,
                digits=0,
                notifications=[Struct(role_id="", count=0)],
            )
        )
    return json_response(Struct(account=account, ecosystems=found))


async def get_ecosystem_name(request: web.Request) -> web.Response:
    """GET /ecosystemname?id=N."""
    values = await form_values(request)
    ecosystem = int_field(values, "id") or int_field(values, "ecosystem")
    async with request.app[ENGINE].connect() as conn:
        eco = await get_ecosystem(conn, ecosystem)
    if eco is None:
        raise ApiError(E.PARAMNOTFOUND, "name")
    return json_response(Struct(ecosystem_name=eco.name))


async def count_ecosystems_legacy(request: web.Request) -> web.Response:
    """GET /ecosystems: the seed's (Apla-era) {"number": N}."""
    async with request.app[ENGINE].connect() as conn:
        number = await count_ecosystems(conn)
    return json_response(Struct(number=number))
