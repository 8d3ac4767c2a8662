"""getuid, login and auth/status: the reference's challenge-response login with JWTs."""

from __future__ import annotations

import secrets
import time

from aiohttp import web

from api.appkeys import ENGINE, NODE, REGISTRAR, SETTINGS
from api.auth import issue
from api.errors import ApiError, E, server_error
from api.events.hub import EVENTS
from api.jsonenc import Struct
from api.request import client_of, form_values, hex_field, int_field
from api.responses import json_response
from chain.accounts import LoginRequest, authenticate
from chain.address import address_to_string, string_to_address
from chain.crypto import cut_pub
from chain.errors import CryptoError
from chain.golang.time import duration_string


def random_uid() -> str:
    """A uid nobody can predict (the reference seeds math/rand with the current second)."""
    return str(secrets.randbits(63))


async def get_uid(request: web.Request) -> web.Response:
    """GET /getuid: a uid and a 5-second token to sign it with, or the current login's facts."""
    node = request.app[NODE]
    settings = request.app[SETTINGS]
    client = client_of(request)
    tail = Struct(
        network_id=str(node.network_id),
        cryptoer=node.crypto.cryptoer.value,
        hasher=node.crypto.hasher.value,
    )
    if client.authenticated:
        return json_response(
            Struct(
                expire=duration_string(max(int((client.exp - time.time()) * 1e9), 0)),
                ecosystem_id=str(client.ecosystem_id),
                key_id=str(client.key_id),
                address=address_to_string(client.key_id),
                **tail,
            )
        )
    uid = random_uid()
    token = issue({"uid": uid, "ecosystem_id": "1"}, settings.jwt_key, settings.uid_token_ttl)
    return json_response(Struct(uid=uid, token=token, **tail))


async def login(request: web.Request) -> web.Response:
    """POST /login: verify the signed uid, register a new key if needed, issue a login token."""
    client = client_of(request)
    if not client.uid:
        raise ApiError(E.UNKNOWNUID)
    values = await form_values(request)
    node = request.app[NODE]
    settings = request.app[SETTINGS]
    ecosystem = int_field(values, "ecosystem") or client.ecosystem_id
    expire = int_field(values, "expire") or settings.token_expire
    if expire < 0:
        raise server_error("expire must not be negative")
    # The reference takes any lifetime; a token that never expires cannot be taken back.
    expire = min(expire, settings.max_token_expire)
    role_id = int_field(values, "role_id")
    pubkey = hex_field("pubkey", values.get("pubkey", ""))
    signature = hex_field("signature", values.get("signature", ""))
    key_text = values.get("key_id", "").strip()
    try:
        if pubkey:
            pubkey = cut_pub(pubkey)
        if key_text:
            wallet = string_to_address(key_text)
            if wallet == 0:
                raise ApiError(E.INVALIDWALLET, key_text)
        else:
            wallet = node.crypto.address(pubkey) if pubkey else 0
        outcome = await authenticate(
            request.app[ENGINE],
            node,
            LoginRequest(ecosystem, wallet, pubkey, signature, client.uid, role_id),
            request.app[REGISTRAR],
        )
    except CryptoError as exc:
        raise server_error(str(exc)) from exc
    account = address_to_string(outcome.key_id)
    token = issue(
        {
            "ecosystem_id": str(outcome.ecosystem),
            "key_id": str(outcome.key_id),
            "account_id": account,
            "role_id": str(outcome.role_id),
        },
        settings.jwt_key,
        expire,
    )
    body = Struct(
        token=token,
        ecosystem_id=str(outcome.ecosystem),
        key_id=str(outcome.key_id),
        account=account,
    )
    hub = request.app.get(EVENTS)
    if hub is not None:
        # The reference's Centrifugo token (claims sub and exp): Weaver connects to the live
        # events with it only when it has one, and the timestamp beside it.
        body["notify_key"] = issue({"sub": str(outcome.key_id)}, hub.token_key, expire)
    body.update(
        isnode=outcome.is_node,
        isowner=outcome.is_owner,
        clb=False,
        timestamp=str(int(time.time())),
    )
    if outcome.roles:
        body["roles"] = [Struct(role_id=rid, role_name=name) for rid, name in outcome.roles]
    return json_response(body)


async def auth_status(request: web.Request) -> web.Response:
    """GET /auth/status: whether the bearer token is valid, and when it expires."""
    client = client_of(request)
    if client.exp:
        return json_response(Struct(active=True, exp=client.exp))
    return json_response(Struct(active=False))
