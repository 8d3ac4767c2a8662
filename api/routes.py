"""The route table under /api/v2: one line per endpoint, auth marked explicitly."""

from __future__ import annotations

from dataclasses import dataclass

from aiohttp import web

from api.handlers import auth, contracts, explorer, stats, system, tx, wallets
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
    Route("GET", "/contract/{name}", contracts.fetch_contract, auth=True),
    Route("GET", "/contracts", contracts.list_contracts_page, auth=True),
    Route("POST", "/node/{name}", contracts.node_contract),
    Route("GET", "/maxblockid", explorer.get_max_block_id),
    Route("GET", "/block/{id}", explorer.fetch_block),
    Route("GET", "/blocks", explorer.list_blocks_txs),
    Route("GET", "/detailed_blocks", explorer.list_detailed_blocks),
    Route("GET", "/txinfo/{hash}", explorer.get_tx_info),
    Route("GET", "/txinfomultiple", explorer.get_tx_info_multiple),
    Route("GET", "/tx_record/{hashes}", explorer.get_tx_record),
    Route("GET", "/balance/{wallet}", wallets.get_balance),
    Route("GET", "/keyinfo/{wallet}", wallets.get_key_info),
    Route("GET", "/ecosystemname", wallets.get_ecosystem_name),
    Route("GET", "/ecosystems", wallets.count_ecosystems_legacy),
    Route("GET", "/metrics/keys", stats.count_keys_metric),
    Route("GET", "/metrics/blocks", stats.count_blocks_metric),
    Route("GET", "/metrics/transactions", stats.count_transactions_metric),
    Route("GET", "/metrics/ecosystems", stats.count_ecosystems_metric),
    Route("GET", "/metrics/honornodes", stats.count_honor_nodes_metric),
    Route("GET", "/metrics/mem", stats.memory_metric),
    Route("GET", "/metrics/ban", stats.ban_metric),
)


def setup_routes(app: web.Application, routes: tuple[Route, ...] = ROUTES) -> None:
    """Register every route under the API prefix."""
    for route in routes:
        handler = require_auth(route.handler) if route.auth else route.handler
        app.router.add_route(route.method, API_PREFIX + route.path, handler)
