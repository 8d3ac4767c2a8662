"""CCash's HTTP conventions: 406/401 filters, JSON bodies, bare bodies, its error envelope.

Errors on CCash paths are a JSON string literal (`"User not found"`), never the IBAX
envelope; the middleware here answers CCash paths itself (preflights, unknown paths, wrong
methods) and runs their handlers without the IBAX middlewares.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from api import jsonparse
from chain.bank.rules import UINT32_MAX, BankError, Fault
from chain.golang.ints import INT64_MAX, INT64_MIN

logger = logging.getLogger(__name__)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

JSON_TYPE = "application/json"
CORS = {"Access-Control-Allow-Origin": "*"}
PREFLIGHT = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "GET, HEAD, POST, PATCH, DELETE, OPTIONS",
    "Access-Control-Allow-Headers": "Authorization, Content-Type, Accept",
    "Access-Control-Max-Age": "600",
}
CCASH_PREFIXES = ("/api/v1/", "/api/v2/user/", "/api/v2/admin/", "/api/properties", "/api/help")
MAX_AUTH_HEADER = 8192  # aiohttp refuses longer header lines anyway

STATUS = {
    Fault.USER_NOT_FOUND: 404,
    Fault.AMOUNT_ZERO: 400,
    Fault.NAMES_MATCH: 400,
    Fault.RECEIVER_MISSING: 404,
    Fault.SENDER_MISSING: 404,
    Fault.INSUFFICIENT: 400,
    Fault.OVERFLOW: 400,
    Fault.INVALID_NAME: 400,
    Fault.USER_EXISTS: 409,
    Fault.ADD_USER_DISABLED: 404,
    Fault.UNAVAILABLE: 503,
    Fault.PROTECTED: 403,
    Fault.TOO_MANY_TRIES: 429,
}


class CCashError(Exception):
    """An answer in CCash's error envelope: status and a JSON string body."""

    def __init__(self, status: int, message: str) -> None:
        self.status = status
        self.message = message
        super().__init__(message)


NOT_ACCEPT = CCashError(406, "Client must Accept JSON")
NOT_JSON = CCashError(406, "Client must Accept and have content-type of JSON")
BAD_CREDENTIALS = CCashError(401, "Invalid Credentials")
INVALID_JSON = CCashError(400, "Invalid JSON")
BAD_ARGS = CCashError(400, "Missing/Invalid JSON arg(s)")
LOGS_DISABLED = CCashError(404, "Logs are Disabled")


# ---- responses ---------------------------------------------------------------------------


def raw_json(body: bytes | str, status: int = 200) -> web.Response:
    """A JSON body sent as is (bare number, null, array, object)."""
    data = body.encode() if isinstance(body, str) else body
    return web.Response(
        body=data, status=status, content_type=JSON_TYPE, charset="utf-8", headers=CORS
    )


def number(value: int) -> web.Response:
    return raw_json(str(value))


def no_content() -> web.Response:
    return web.Response(status=204, headers=CORS)


def error(status: int, message: str) -> web.Response:
    return raw_json(json.dumps(message, ensure_ascii=False), status)


# ---- filters -----------------------------------------------------------------------------


def accepts_json(request: web.Request) -> None:
    """Jresp: Accept must name application/json or */* (else 406)."""
    accept = request.headers.get("Accept", "").lower()
    if "application/json" not in accept and "*/*" not in accept:
        raise NOT_ACCEPT


def sends_json(request: web.Request) -> None:
    """Jreq: Content-Type application/json (a charset parameter is fine) and Jresp."""
    media = request.headers.get("Content-Type", "").split(";", 1)[0].strip().lower()
    accept = request.headers.get("Accept", "").lower()
    if media != JSON_TYPE or ("application/json" not in accept and "*/*" not in accept):
        raise NOT_JSON


def basic_credentials(request: web.Request) -> tuple[str, bytes]:
    """(name, password) from `Authorization: Basic ...`; anything malformed is a 401."""
    header = request.headers.get("Authorization", "")
    if not 6 < len(header) <= MAX_AUTH_HEADER or header[:6].lower() != "basic ":
        raise BAD_CREDENTIALS
    try:
        decoded = base64.b64decode(header[6:].strip(), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise BAD_CREDENTIALS from exc
    name, sep, password = decoded.partition(b":")
    if not sep:
        raise BAD_CREDENTIALS
    try:
        return name.decode("ascii"), password
    except UnicodeDecodeError as exc:
        raise BAD_CREDENTIALS from exc


# ---- JSON bodies -------------------------------------------------------------------------


def _first_wins(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for key, value in pairs:
        found.setdefault(key, value)  # a duplicate key keeps its first value, as simdjson
    return found


async def json_object(request: web.Request) -> dict[str, Any]:
    """The body as a JSON object: 400 Invalid JSON, or Missing/Invalid for a non-object."""
    raw = await request.read()
    try:
        value = jsonparse.loads(raw, object_pairs_hook=_first_wins)
    except jsonparse.JsonError as exc:
        raise INVALID_JSON from exc
    if not isinstance(value, dict):
        raise BAD_ARGS
    return value


def text_arg(body: dict[str, Any], key: str) -> str:
    value = body.get(key)
    if not isinstance(value, str):
        raise BAD_ARGS
    return value


def int_arg(body: dict[str, Any], key: str, low: int, high: int) -> int:
    value = body.get(key)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise BAD_ARGS
    return value


def uint32_arg(body: dict[str, Any], key: str) -> int:
    return int_arg(body, key, 0, UINT32_MAX)


def int64_arg(body: dict[str, Any], key: str) -> int:
    return int_arg(body, key, INT64_MIN, INT64_MAX)


# ---- wrapping ----------------------------------------------------------------------------


def ccash(handler: Handler) -> Handler:
    """Answer the handler's CCash and bank errors in CCash's envelope; hide the unexpected."""

    async def wrapped(request: web.Request) -> web.StreamResponse:
        try:
            return await handler(request)
        except CCashError as exc:
            return error(exc.status, exc.message)
        except BankError as exc:
            return error(STATUS[exc.fault], exc.fault.value)
        except web.HTTPException:
            raise
        except Exception:
            logger.exception("unhandled error on %s %s", request.method, request.path)
            return error(500, "Internal Server Error")

    wrapped.__name__ = getattr(handler, "__name__", "handler")
    wrapped.__doc__ = handler.__doc__
    return wrapped


def is_ccash_path(path: str) -> bool:
    return path.startswith(CCASH_PREFIXES)


async def answer_ccash(request: web.Request) -> web.StreamResponse:
    """A CCash path's answer: preflights, 404/405 and its handler, without the IBAX steps."""
    match = request.match_info
    failure = match.http_exception
    if request.method == "OPTIONS":
        allowed = failure.allowed_methods if isinstance(failure, web.HTTPMethodNotAllowed) else ()
        if failure is not None and not allowed:
            return error(404, "Not Found")
        headers = dict(PREFLIGHT)
        requested = request.headers.get("Access-Control-Request-Headers")
        if requested:
            headers["Access-Control-Allow-Headers"] = requested
        headers["Allow"] = ", ".join(sorted(set(allowed) | {"OPTIONS"}))
        return web.Response(status=204, headers=headers)
    if failure is not None:
        if isinstance(failure, web.HTTPMethodNotAllowed):
            allow = ", ".join(sorted(failure.allowed_methods))
            return web.Response(status=405, headers={"Allow": allow, **CORS})
        return error(404, "Not Found")
    return await match.handler(request)
