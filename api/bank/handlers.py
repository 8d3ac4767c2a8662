"""CCash endpoints: each checks its filters in the original's order, calls the bank, answers."""

from __future__ import annotations

import asyncio
import json

from aiohttp import web

from api.bank.http import (
    BAD_CREDENTIALS,
    LOGS_DISABLED,
    accepts_json,
    basic_credentials,
    error,
    int64_arg,
    json_object,
    no_content,
    number,
    raw_json,
    sends_json,
    text_arg,
    uint32_arg,
)
from api.bank.keys import BANK, BANK_HTTP, BANK_STOP
from chain.bank.rules import Fault
from chain.bank.service import Bank
from chain.bank.view import UserLog

SHUTDOWN_DELAY_S = 0.05  # lets the 204 go out before the node starts stopping


async def _user(request: web.Request) -> str:
    """UserFilter: a registered user with the right password (401 otherwise)."""
    bank = request.app[BANK]
    name, password = basic_credentials(request)
    if not bank.rules.valid_name(name) or not await bank.authenticate(
        name, password, request.remote or ""
    ):
        raise BAD_CREDENTIALS
    return name


async def _admin(request: web.Request) -> str:
    """AdminFilter: the configured admin account with its password."""
    bank = request.app[BANK]
    name, password = basic_credentials(request)
    if name != bank.rules.admin or not await bank.authenticate(
        name, password, request.remote or ""
    ):
        raise BAD_CREDENTIALS
    return name


def _logs_on(bank: Bank) -> None:
    if bank.rules.max_log <= 0:
        raise LOGS_DISABLED


# ---- usage -------------------------------------------------------------------------------


async def get_balance(request: web.Request) -> web.StreamResponse:
    """GET user/balance?name= -> the balance, a bare number."""
    accepts_json(request)
    return number(await request.app[BANK].balance(request.query.get("name", "")))


def _v2(log: UserLog) -> str:
    if log.v2 is None:
        entries = [
            {
                "counterparty": e.counterparty,
                "receiving": e.receiving,
                "amount": e.amount,
                "time": e.time,
            }
            for e in reversed(log.entries)
        ]
        log.v2 = _render(entries)
    return log.v2


def _v1(log: UserLog, name: str) -> str:
    if log.v1 is None:
        entries = [
            {
                "to": name if e.receiving else e.counterparty,
                "from": e.counterparty if e.receiving else name,
                "amount": e.amount,
                "time": e.time,
            }
            for e in log.entries
        ]
        log.v1 = _render(entries)
    return log.v1


def _render(entries: list[dict[str, object]]) -> str:
    # CCash answers null, not [], for a user without log entries; clients test for it.
    if not entries:
        return "null"
    return json.dumps(entries, ensure_ascii=False, separators=(",", ":"))


async def get_log(request: web.Request) -> web.StreamResponse:
    """GET /api/v1/user/log: oldest first, {"to","from","amount","time"}."""
    accepts_json(request)
    bank = request.app[BANK]
    _logs_on(bank)
    name = await _user(request)
    return raw_json(_v1(await bank.user_log(name), name))


async def get_log_v2(request: web.Request) -> web.StreamResponse:
    """GET /api/v2/user/log: newest first, {"counterparty","receiving","amount","time"}."""
    accepts_json(request)
    bank = request.app[BANK]
    _logs_on(bank)
    name = await _user(request)
    return raw_json(_v2(await bank.user_log(name)))


async def admin_get_log(request: web.Request) -> web.StreamResponse:
    """GET admin/user/log?name=: a user's v2 log, for the admin."""
    accepts_json(request)
    bank = request.app[BANK]
    _logs_on(bank)
    await _admin(request)
    return raw_json(_v2(await bank.user_log(request.query.get("name", ""))))


async def send_funds(request: web.Request) -> web.StreamResponse:
    """POST user/transfer {"name","amount"} -> the sender's new balance."""
    sends_json(request)
    name = await _user(request)
    body = await json_object(request)
    receiver, amount = text_arg(body, "name"), uint32_arg(body, "amount")
    return number(await request.app[BANK].transfer(name, receiver, amount))


async def verify_password(request: web.Request) -> web.StreamResponse:
    """POST user/verify_password -> 204."""
    await _user(request)
    accepts_json(request)
    return no_content()


# ---- meta usage --------------------------------------------------------------------------


async def change_password(request: web.Request) -> web.StreamResponse:
    """PATCH user/change_password {"pass"} -> 204."""
    sends_json(request)
    name = await _user(request)
    password = text_arg(await json_object(request), "pass")
    await request.app[BANK].change_password(name, password.encode())
    return no_content()


async def admin_change_password(request: web.Request) -> web.StreamResponse:
    """PATCH admin/user/change_password {"name","pass"} -> 204."""
    sends_json(request)
    await _admin(request)
    body = await json_object(request)
    name, password = text_arg(body, "name"), text_arg(body, "pass")
    await request.app[BANK].change_password(name, password.encode())
    return no_content()


async def set_balance(request: web.Request) -> web.StreamResponse:
    """PATCH admin/set_balance {"name","amount"} -> 204."""
    sends_json(request)
    await _admin(request)
    body = await json_object(request)
    name, amount = text_arg(body, "name"), uint32_arg(body, "amount")
    await request.app[BANK].set_balance(name, amount)
    return no_content()


async def impact_balance(request: web.Request) -> web.StreamResponse:
    """POST admin/impact_balance {"name","amount": int64} -> the new balance."""
    sends_json(request)
    await _admin(request)
    body = await json_object(request)
    name, amount = text_arg(body, "name"), int64_arg(body, "amount")
    return number(await request.app[BANK].impact_balance(name, amount))


# ---- system ------------------------------------------------------------------------------


async def get_help(request: web.Request) -> web.StreamResponse:
    """GET /api/help -> 301 to the documentation."""
    return web.Response(status=301, headers={"Location": request.app[BANK_HTTP].help_url})


async def get_properties(request: web.Request) -> web.StreamResponse:
    """GET /api/properties -> the instance's settings."""
    return raw_json(request.app[BANK_HTTP].properties)


async def close(request: web.Request) -> web.StreamResponse:
    """POST admin/shutdown -> 204, then the node stops as on SIGTERM (nothing is lost)."""
    await _admin(request)
    accepts_json(request)
    asyncio.get_running_loop().call_later(SHUTDOWN_DELAY_S, request.app[BANK_STOP])
    return no_content()


async def contains(request: web.Request) -> web.StreamResponse:
    """GET user/exists?name= -> 204 or 404."""
    accepts_json(request)
    if not await request.app[BANK].exists(request.query.get("name", "")):
        return _not_found()
    return no_content()


def _not_found() -> web.StreamResponse:
    return error(404, Fault.USER_NOT_FOUND.value)


async def admin_verify_account(request: web.Request) -> web.StreamResponse:
    """POST admin/verify_account -> 204 for the admin."""
    await _admin(request)
    accepts_json(request)
    return no_content()


async def prune_users(request: web.Request) -> web.StreamResponse:
    """POST admin/prune_users {"time"?, "amount"} -> the number of users deleted."""
    await _admin(request)
    sends_json(request)
    body = await json_object(request)
    amount = uint32_arg(body, "amount")
    before = None if body.get("time") is None else int64_arg(body, "time")
    return number(await request.app[BANK].prune(amount, before))


# ---- user management ---------------------------------------------------------------------


async def add_user(request: web.Request) -> web.StreamResponse:
    """POST user/register {"name","pass"} -> 204 (no filters: clients send no Content-Type)."""
    body = await json_object(request)
    name, password = text_arg(body, "name"), text_arg(body, "pass")
    await request.app[BANK].register(name, password.encode(), 0, by_admin=False)
    return no_content()


async def admin_add_user(request: web.Request) -> web.StreamResponse:
    """POST admin/user/register {"name","amount","pass"} -> 204."""
    sends_json(request)
    await _admin(request)
    body = await json_object(request)
    name, amount = text_arg(body, "name"), uint32_arg(body, "amount")
    password = text_arg(body, "pass")
    await request.app[BANK].register(name, password.encode(), amount, by_admin=True)
    return no_content()


async def del_self(request: web.Request) -> web.StreamResponse:
    """DELETE user/delete -> 204; always deletes (the original's cached 204 did not)."""
    name = await _user(request)
    accepts_json(request)
    await request.app[BANK].delete(name)
    return no_content()


async def admin_del_user(request: web.Request) -> web.StreamResponse:
    """DELETE admin/user/delete {"name"} -> 204 or 404."""
    sends_json(request)
    await _admin(request)
    name = text_arg(await json_object(request), "name")
    await request.app[BANK].delete(name)
    return no_content()
