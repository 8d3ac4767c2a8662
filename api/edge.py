"""The one middleware every request passes: id, metrics, body deadline, CORS, errors, caller."""

# aiohttp runs each middleware as its own coroutine frame (two with its app wrapper), and on a
# read served from a cache those frames cost more than the read: eight separate middlewares
# took a third of a cached read's CPU. Here the same steps run in one frame, in the order the
# separate middlewares had: the request id and metrics see every answer (the bank's too), the
# body deadline covers every body, and CCash paths leave for the bank's own conventions
# before the IBAX envelope, CORS and caller identity apply.

from __future__ import annotations

import asyncio
import errno
import logging
import time
from collections.abc import Awaitable, Callable

from aiohttp import web
from aiohttp.typedefs import Middleware

from api.appkeys import TOKENS
from api.auth import Client, TokenError, bearer_token
from api.errors import ApiError, E
from api.middleware import CORS_HEADERS, PREFLIGHT_HEADERS, Handler, domain_to_api, http_error
from api.ops.metrics import METRICS, route_label
from api.ops.requestid import (
    ACCESS_LOG,
    HEADER,
    REQUEST_ID,
    REQUEST_ID_KEY,
    log_access,
    request_id_for,
)
from api.request import CLIENT
from api.responses import error_response
from chain import errors as chain_errors
from pages import PageError

logger = logging.getLogger(__name__)

# CCash's paths: whether a path is one, and its answer (the bank keeps its own envelope).
CCashPath = Callable[[str], bool]
CCashAnswer = Callable[[web.Request], Awaitable[web.StreamResponse]]


def edge_middleware(
    body_timeout: float, ccash: tuple[CCashPath, CCashAnswer] | None = None
) -> Middleware:
    """The middleware of the whole app; `ccash` when the bank's routes are served."""
    normalize = web.normalize_path_middleware(
        append_slash=False, remove_slash=True, redirect_class=web.HTTPMovedPermanently
    )

    async def ibax(request: web.Request, handler: Handler) -> web.StreamResponse:
        if request.method == "OPTIONS" and "Access-Control-Request-Method" in request.headers:
            return web.Response(status=200, headers=PREFLIGHT_HEADERS)
        try:
            request[CLIENT] = _caller(request)
            if request.match_info.http_exception is not None:
                # A path no route has: redirect `/x/` and `//x` to a path one has, else 404.
                response = await normalize(request, handler)
            else:
                response = await handler(request)
        except ApiError as exc:
            response = error_response(exc.code, exc.msg, exc.status)
        except chain_errors.ChainError as exc:
            mapped = domain_to_api(exc)
            response = error_response(mapped.code, mapped.msg, mapped.status)
        except PageError as exc:
            # A page past its bounds (time, nesting, size): the reference's heavy page answer.
            logger.info("heavy page on %s: %s", request.path, exc)
            response = error_response(E.HEAVYPAGE.code, E.HEAVYPAGE.template, E.HEAVYPAGE.status)
        except web.HTTPException as exc:
            if exc.status < 400:
                raise  # redirects are answers, not errors
            response = http_error(exc)
        except OSError as exc:
            if exc.errno != errno.ENAMETOOLONG:
                logger.exception("unhandled error on %s %s", request.method, request.path)
                response = error_response(E.RECOVERED.code, E.RECOVERED.template, 500)
            else:
                # A static file's name past the file system's limit (aiohttp's static handler
                # lets the OSError out): there is no such file, as for any other name.
                response = http_error(web.HTTPNotFound())
        except Exception:
            logger.exception("unhandled error on %s %s", request.method, request.path)
            response = error_response(E.RECOVERED.code, E.RECOVERED.template, 500)
        if "Origin" in request.headers:
            response.headers.update(CORS_HEADERS)
        return response

    @web.middleware
    async def edge(request: web.Request, handler: Handler) -> web.StreamResponse:
        request_id = request_id_for(request.headers.get(HEADER))
        REQUEST_ID.set(request_id)
        request[REQUEST_ID_KEY] = request_id
        started = time.perf_counter()
        status = 500
        timer = None if request.content.is_eof() else _body_deadline(request, body_timeout)
        try:
            if ccash is not None and ccash[0](request.path):
                response = await ccash[1](request)
            else:
                response = await ibax(request, handler)
            status = response.status
            if not response.prepared:  # a streamed answer has sent its headers already
                response.headers[HEADER] = request_id
            return response
        except web.HTTPException as exc:  # redirects raised by the path normaliser
            status = exc.status
            exc.headers[HEADER] = request_id
            raise
        finally:
            if timer is not None:
                timer.cancel()
            seconds = time.perf_counter() - started
            request.app[METRICS].observe_request(
                request.method, route_label(request), status, seconds
            )
            if request.app.get(ACCESS_LOG, False):
                log_access(request, status, seconds)

    return edge


def _caller(request: web.Request) -> Client:
    """A valid token's client, else anonymous (an invalid token is ignored, as the reference)."""
    token = bearer_token(request.headers.get("Authorization", ""))
    if token is None:
        return Client()
    try:
        return request.app[TOKENS].client(token)
    except TokenError:
        return Client()


def _body_deadline(request: web.Request, seconds: float) -> asyncio.TimerHandle:
    """Fail the body `seconds` from now if it has not all arrived: the answer is then a 408.

    aiohttp waits for a body as long as the client keeps the socket open, so a client that
    sends headers and then nothing would hold its connection (and a place under the
    connection cap) forever.
    """
    body = request.content

    def expire() -> None:
        if not body.is_eof():
            # The handler's next read raises it; the error handling answers 408.
            body.set_exception(web.HTTPRequestTimeout())

    return asyncio.get_running_loop().call_later(seconds, expire)
