"""What the edge and the routes share: the E_* error mapping, CORS headers, the login gate."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from aiohttp import web

from api.errors import ApiError, E, server_error
from api.request import CLIENT
from api.responses import error_response
from chain import errors as chain_errors

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


def http_error(exc: web.HTTPException) -> web.StreamResponse:
    """The E_* answer to an aiohttp HTTP error (no route, wrong method, body too large...)."""
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


def require_auth(handler: Handler) -> Handler:
    """Wrap a handler that needs a logged-in key (the reference's authRequire)."""

    async def wrapped(request: web.Request) -> web.StreamResponse:
        if not request[CLIENT].authenticated:
            raise ApiError(E.UNAUTHORIZED)
        return await handler(request)

    wrapped.__name__ = getattr(handler, "__name__", "handler")
    wrapped.__doc__ = handler.__doc__
    return wrapped
