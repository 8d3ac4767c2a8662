"""The CCash route table: every endpoint of the seed on its versions, and the two unversioned."""

from __future__ import annotations

import json
from dataclasses import dataclass

from aiohttp import web

from api.bank import handlers as h
from api.bank.http import Handler, ccash
from api.bank.keys import BankHttp
from chain.bank.rules import BankRules

API_VERSION = 2
MIN_API_VERSION = 1


@dataclass(frozen=True)
class Route:
    """One endpoint under /api/v{n}/ for each n in `versions`."""

    method: str
    path: str
    handler: Handler
    versions: tuple[int, ...] = (1, 2)


ROUTES: tuple[Route, ...] = (
    Route("GET", "user/balance", h.get_balance),
    Route("GET", "user/log", h.get_log, (1,)),
    Route("GET", "user/log", h.get_log_v2, (2,)),
    Route("GET", "admin/user/log", h.admin_get_log),
    Route("POST", "user/transfer", h.send_funds),
    Route("POST", "user/verify_password", h.verify_password),
    Route("PATCH", "user/change_password", h.change_password),
    Route("PATCH", "admin/user/change_password", h.admin_change_password),
    Route("PATCH", "admin/set_balance", h.set_balance),
    Route("POST", "admin/impact_balance", h.impact_balance),
    Route("POST", "admin/shutdown", h.close),
    Route("GET", "user/exists", h.contains),
    Route("POST", "admin/verify_account", h.admin_verify_account),
    Route("POST", "admin/prune_users", h.prune_users),
    Route("POST", "user/register", h.add_user),
    Route("POST", "admin/user/register", h.admin_add_user),
    Route("DELETE", "user/delete", h.del_self),
    Route("DELETE", "admin/user/delete", h.admin_del_user),
)


def setup_bank_routes(app: web.Application) -> None:
    """Register the CCash endpoints (the bank middleware runs them)."""
    for route in ROUTES:
        for version in route.versions:
            app.router.add_route(
                route.method, f"/api/v{version}/{route.path}", ccash(route.handler)
            )
    app.router.add_get("/api/properties", ccash(h.get_properties))
    app.router.add_get("/api/help", ccash(h.get_help), allow_head=False)


def properties(rules: BankRules) -> bytes:
    """The /api/properties body, in the original's key order."""
    body = {
        "version": API_VERSION,
        "min_version": MIN_API_VERSION,
        "max_log": rules.max_log,
        "add_user_open": rules.add_user_open,
        "return_on_del": rules.return_on_del or None,
        "min_name_size": rules.min_name,
        "max_name_size": rules.max_name,
    }
    return json.dumps(body, separators=(",", ":")).encode()


def bank_http(rules: BankRules, help_url: str) -> BankHttp:
    return BankHttp(properties=properties(rules), help_url=help_url)
