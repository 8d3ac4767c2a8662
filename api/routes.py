"""The route table under /api/v2: one line per endpoint, auth marked explicitly."""

from __future__ import annotations

from dataclasses import dataclass

from aiohttp import web

from api.handlers import (
    auth,
    content,
    contracts,
    data,
    explorer,
    interface,
    members,
    params,
    stats,
    system,
    tables,
    tx,
    wallets,
)
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
    Route("GET", "/metrics/blockper/{node}/{mode}", stats.count_blocks_by_node_metric),
    Route("GET", "/config/{option}", system.get_config_option),
    # The ecosystem data model: tables, rows, parameters, interface, members and files.
    Route("GET", "/tables", tables.list_tables, auth=True),
    Route("GET", "/table/{name}", tables.fetch_table, auth=True),
    Route("GET", "/history/{name}/{id}", tables.list_history, auth=True),
    Route("GET", "/list/{name}", data.list_table, auth=True),
    Route("POST", "/listWhere/{name}", data.list_where, auth=True),
    Route("POST", "/nodelistWhere/{name}", data.list_where, auth=True),
    Route("POST", "/sumWhere/{name}", data.sum_where, auth=True),
    Route("GET", "/row/{name}/{id}", data.fetch_row, auth=True),
    Route("GET", "/row/{name}/{column}/{id}", data.fetch_row, auth=True),
    Route("GET", "/sections", interface.list_sections_page, auth=True),
    Route("GET", "/interface/page/{name}", interface.fetch_page, auth=True),
    Route("GET", "/interface/menu/{name}", interface.fetch_menu, auth=True),
    Route("GET", "/interface/snippet/{name}", interface.fetch_snippet, auth=True),
    # The name before 2021-12, which Weaver still calls.
    Route("GET", "/interface/block/{name}", interface.fetch_snippet, auth=True),
    Route("GET", "/ecosystemparams", params.list_ecosystem_parameters, auth=True),
    Route("GET", "/ecosystemparam/{name}", params.fetch_ecosystem_parameter, auth=True),
    Route("GET", "/systemparams", params.list_platform_parameters, auth=True),
    Route("GET", "/appparams/{appID}", params.list_app_parameters, auth=True),
    Route("GET", "/appparam/{appID}/{name}", params.fetch_app_parameter, auth=True),
    Route("GET", "/appcontent/{appID}", params.fetch_app_content, auth=True),
    Route("GET", "/member/{ecosystem}/{account}", members.fetch_member),
    Route("GET", "/avatar/{ecosystem}/{account}", members.fetch_avatar),
    Route("GET", "/data/{id}/data/{hash}", members.fetch_binary),
    Route("GET", "/data/{table}/{id}/{column}/{hash}", members.fetch_cell),
    # Logicor pages (POST only, as the reference routes them).
    Route("POST", "/content", content.render_template),
    Route("POST", "/content/page/{name}", content.fetch_page_content, auth=True),
    Route("POST", "/content/menu/{name}", content.fetch_menu_content, auth=True),
    Route("POST", "/content/source/{name}", content.fetch_page_source, auth=True),
    Route("POST", "/content/hash/{name}", content.fetch_page_hash),
    Route("GET", "/page/validators_count/{name}", content.count_page_validators),
)


def setup_routes(app: web.Application, routes: tuple[Route, ...] = ROUTES) -> None:
    """Register every route under the API prefix."""
    for route in routes:
        handler = require_auth(route.handler) if route.auth else route.handler
        app.router.add_route(route.method, API_PREFIX + route.path, handler)
