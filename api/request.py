"""Request helpers: form values from query and body, the calling client, typed fields."""

from __future__ import annotations

from aiohttp import web
from aiohttp.http_exceptions import BadHttpMessage
from aiohttp.multipart import BadContentDispositionHeader
from multidict import MultiDict, MultiDictProxy

from api.auth import Client
from api.errors import server_error
from chain.numbers import NumberError, NumberRangeError, clamp_int64, parse_int
from chain.storage.values import show
from contracts.reads import Caller

CLIENT = web.RequestKey("client", Client)
DEFAULT_LIMIT = 25
MAX_LIMIT = 1000


async def form_values(request: web.Request, *, body_first: bool = False) -> MultiDict[str]:
    """Form fields as Go's ParseForm sees them: query string, plus the body for POST.

    With `body_first`, as Go's FormValue reads them: a body value before a query value.
    """
    values: MultiDict[str] = MultiDict() if body_first else MultiDict(request.query)
    if request.method == "POST" and request.content_type in (
        "application/x-www-form-urlencoded",
        "multipart/form-data",
    ):
        for key, value in (await posted_form(request)).items():
            if isinstance(value, str):
                values.add(key, value)
    if body_first:
        values.extend(request.query)
    return values


async def posted_form(
    request: web.Request,
) -> MultiDictProxy[str | bytes | bytearray | web.FileField]:
    """request.post(), with a body that is not a form (bad UTF-8, broken multipart) a 400."""
    try:
        return await request.post()
    # BadContentDispositionHeader is a warning aiohttp emits before it refuses the part with a
    # ValueError; where warnings are errors (the tests) it arrives as the exception itself.
    # BadHttpMessage: a part's headers that HTTP's parser refuses (control characters in them).
    except (ValueError, BadContentDispositionHeader, BadHttpMessage) as exc:
        raise server_error(f"the request body is not a valid form: {type(exc).__name__}") from exc


def int_field(values: MultiDict[str], name: str, default: int = 0) -> int:
    """An int64 form field; an unparsable one is a 400 like gorilla/schema's."""
    raw = values.get(name, "").strip()
    if raw == "":
        return default
    try:
        return parse_int(raw)
    except NumberError as exc:
        raise server_error(f'schema: error converting value for "{name}"') from exc


def int64_text(text: str, what: str) -> int:
    """A path value that must be an int64; else a 400 naming `what`."""
    try:
        return parse_int(text)
    except NumberRangeError as exc:
        raise server_error(f"{what} {show(text)} is out of range") from exc
    except NumberError as exc:
        raise server_error(f"{what} {show(text)} is not a number") from exc


def page_of(values: MultiDict[str], default: int = DEFAULT_LIMIT) -> tuple[int, int]:
    """(limit, offset) as the reference's paginator: limit <= 0 is the default, at most 1000."""
    limit = int_field(values, "limit")
    if limit <= 0:
        limit = default
    offset = int_field(values, "offset")
    if offset < 0:
        raise server_error("offset must not be negative")
    return min(limit, MAX_LIMIT), offset


def column_list(text: str) -> list[str]:
    """The `columns` field: `a, b,c` -> ["a", "b", "c"], empty parts dropped ([]: all)."""
    return [part.strip() for part in text.split(",") if part.strip()]


def go_int64(text: str) -> int:
    """converter.StrToInt64 of a path value: ParseInt's result, 0 for bad syntax.

    Like strconv.ParseInt, a number out of range gives the nearest int64 (its error ignored).
    """
    return clamp_int64(text)


def hex_field(name: str, value: str) -> bytes:
    """A hex-encoded form value; anything else is a 400 naming the field."""
    try:
        return bytes.fromhex(value.strip())
    except ValueError as exc:
        raise server_error(f"encoding/hex: invalid byte in field {name!r}") from exc


def client_of(request: web.Request) -> Client:
    """The caller identity the auth middleware attached."""
    return request[CLIENT]


def caller_of(request: web.Request) -> Caller:
    """The caller as the read use cases know it: ecosystem, key and role."""
    client = request[CLIENT]
    return Caller(client.ecosystem_id, client.key_id, client.role_id)
