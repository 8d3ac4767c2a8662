"""Middlewares: CORS, error mapping to the E_* envelope, and the calling client's identity."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from aiohttp import web
from aiohttp.typedefs import Middleware

from api.appkeys import TOKENS
from api.auth import Client, TokenError, bearer_token
from api.errors import ApiError, E, server_error
from api.request import CLIENT
from api.responses import error_response
from chain import errors as chain_errors
from pages import PageError

logger = logging.getLogger(__name__)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
}
PREFLIGHT_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "GET, HEAD, POST",
    "Access-Control-Allow-Headers": "Authorization, Content-Type, X-Requested-With",
    "Access-Control-Max-Age": "600",
}


def domain_to_api(exc: chain_errors.ChainError) -> ApiError:
    """Map a ledger error to its API error; the ledger knows nothing about HTTP."""
    match exc:
        case chain_errors.EcosystemNotOpen(ecosystem=eco):
            return ApiError(E.ECONOTOPEN, eco)
        case chain_errors.KeyDeleted():
            return ApiError(E.DELETEDKEY)
        case chain_errors.EmptyPublicKey():
            return ApiError(E.EMPTYPUBLIC)
        case chain_errors.NotMember(key_id=key_id, ecosystem=eco):
            return ApiError(E.STATELOGIN, key_id, eco)
        case chain_errors.RoleDenied():
            return ApiError(E.CHECKROLE)
        case chain_errors.BadSignature():
            return ApiError(E.SIGNATURE)
        case chain_errors.RegistrationPending():
            return ApiError(E.NEWUSER)
        case chain_errors.RegistrationFailed():
            return server_error("encountered some problems when login account")
        case chain_errors.UnknownEcosystem(ecosystem=eco):
            return ApiError(E.ECOSYSTEM, eco)
        case chain_errors.TableNotFound(name=name):
            return ApiError(E.TABLENOTFOUND, name)
        case chain_errors.ReadDenied():
            return server_error(str(exc))  # the reference's 400 E_SERVER "Access denied"
        case _:
            return server_error(str(exc))


def _http_error(exc: web.HTTPException) -> web.StreamResponse:
    if exc.status == 404:
        return error_response(E.NOTFOUND.code, E.NOTFOUND.template, 404)
    if exc.status == 405:
        response = error_response(E.SERVER.code, "Method not allowed", 405)
        allow = exc.headers.get("Allow")
        if allow:
            response.headers["Allow"] = allow
        return response
    if exc.status == 413:
        return error_response(E.SERVER.code, "http: request body too large", 413)
    if exc.status == 408:
        return error_response(E.SERVER.code, "request body not received in time", 408)
    return error_response(E.SERVER.code, exc.reason or "Server error", exc.status)


def body_deadline_middleware(seconds: float) -> Middleware:
    """Answer 408 when a request's body has not fully arrived `seconds` after its head.

    aiohttp waits for a body as long as the client keeps the socket open, so a client that
    sends headers and then nothing would hold its connection (and a place under the
    connection cap) forever. Runs first, so the bank's paths are covered too.
    """

    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        body = request.content
        if body.is_eof():
            return await handler(request)

        def expire() -> None:
            if not body.is_eof():
                # The handler's next read raises it; the error middlewares answer 408.
                body.set_exception(web.HTTPRequestTimeout())

        timer = asyncio.get_running_loop().call_later(seconds, expire)
        try:
            return await handler(request)
        finally:
            timer.cancel()

    return middleware


@web.middleware
async def cors_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Answer preflights and allow any origin, as the reference's gorilla CORS handler."""
    if request.method == "OPTIONS" and "Access-Control-Request-Method" in request.headers:
        return web.Response(status=200, headers=PREFLIGHT_HEADERS)
    response = await handler(request)
    if "Origin" in request.headers:
        response.headers.update(CORS_HEADERS)
    return response


@web.middleware
async def error_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Turn every failure into the one JSON error envelope; unknown ones into an opaque 500."""
    try:
        return await handler(request)
    except ApiError as exc:
        return error_response(exc.code, exc.msg, exc.status)
    except chain_errors.ChainError as exc:
        mapped = domain_to_api(exc)
        return error_response(mapped.code, mapped.msg, mapped.status)
    except PageError as exc:
        # A page past its bounds (time, nesting, size): the reference's heavy page answer.
        logger.info("heavy page on %s: %s", request.path, exc)
        return error_response(E.HEAVYPAGE.code, E.HEAVYPAGE.template, E.HEAVYPAGE.status)
    except web.HTTPException as exc:
        if exc.status < 400:
            raise  # redirects are answers, not errors
        return _http_error(exc)
    except Exception:
        logger.exception("unhandled error on %s %s", request.method, request.path)
        return error_response(E.RECOVERED.code, E.RECOVERED.template, 500)


@web.middleware
async def client_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Attach the caller: a valid token's claims, else anonymous (invalid tokens are ignored)."""
    client = Client()
    token = bearer_token(request.headers.get("Authorization", ""))
    if token is not None:
        try:
            client = request.app[TOKENS].client(token)
        except TokenError:
            client = Client()
    request[CLIENT] = client
    return await handler(request)


def require_auth(handler: Handler) -> Handler:
    """Wrap a handler that needs a logged-in key (the reference's authRequire)."""

    async def wrapped(request: web.Request) -> web.StreamResponse:
        if not request[CLIENT].authenticated:
            raise ApiError(E.UNAUTHORIZED)
        return await handler(request)

    wrapped.__name__ = getattr(handler, "__name__", "handler")
    wrapped.__doc__ = handler.__doc__
    return wrapped
