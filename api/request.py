"""Request helpers: form values from query and body, the calling client, integer fields."""

from __future__ import annotations

from aiohttp import web
from multidict import MultiDict

from api.auth import Client
from api.errors import server_error
from chain.golang.ints import in_int64

CLIENT = web.RequestKey("client", Client)


async def form_values(request: web.Request) -> MultiDict[str]:
    """Form fields as Go's ParseForm sees them: query string, plus the body for POST."""
    values: MultiDict[str] = MultiDict(request.query)
    if request.method == "POST" and request.content_type in (
        "application/x-www-form-urlencoded",
        "multipart/form-data",
    ):
        body = await request.post()
        for key, value in body.items():
            if isinstance(value, str):
                values.add(key, value)
    return values


def int_field(values: MultiDict[str], name: str, default: int = 0) -> int:
    """An int64 form field; an unparsable one is a 400 like gorilla/schema's."""
    raw = values.get(name, "").strip()
    if raw == "":
        return default
    try:
        value = int(raw, 10)
    except ValueError as exc:
        raise server_error(f'schema: error converting value for "{name}"') from exc
    if not in_int64(value):
        raise server_error(f'schema: error converting value for "{name}"')
    return value


def hex_field(name: str, value: str) -> bytes:
    """A hex-encoded form value; anything else is a 400 naming the field."""
    try:
        return bytes.fromhex(value.strip())
    except ValueError as exc:
        raise server_error(f"encoding/hex: invalid byte in field {name!r}") from exc


def client_of(request: web.Request) -> Client:
    """The caller identity the auth middleware attached."""
    return request[CLIENT]
