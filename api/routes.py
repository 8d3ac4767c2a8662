"""The route table under /api/v2: one line per endpoint, auth marked explicitly."""

from __future__ import annotations

from dataclasses import dataclass

from aiohttp import web

from api.handlers import auth, system, tx
from api.middleware import Handler, require_auth

API_PREFIX = "/api/v2"


@dataclass(frozen=True)
class Route:
    """One endpoint; `auth` means a login token is required (the reference's authRequire)."""

    method: str
    path: str
    handler: Handler
    auth: bool = False


ROUTES: tuple[Route, ...] = (
    Route("GET", "/version", system.get_version),
    Route("GET", "/network", system.get_network),
    Route("GET", "/getuid", auth.get_uid),
    Route("POST", "/login", auth.login),
    Route("GET", "/auth/status", auth.auth_status),
    Route("POST", "/sendTx", tx.send_tx, auth=True),
    Route("POST", "/txstatus", tx.tx_status, auth=True),
)


def setup_routes(app: web.Application, routes: tuple[Route, ...] = ROUTES) -> None:
    """Register every route under the API prefix."""
    for route in routes:
        handler = require_auth(route.handler) if route.auth else route.handler
        app.router.add_route(route.method, API_PREFIX + route.path, handler)
