"""The route table under /api/v2: one line per endpoint, auth marked explicitly."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

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
from api.readcache import Lasting, block_answer_lasts, block_range_lasts, cached

API_PREFIX = "/api/v2"


class Cache(Enum):
    """How long a route's 200 answers are kept (api/readcache.py)."""

    NO = "no"
    HEAD = "head"  # until the next block
    BLOCK = "block"  # for good once the block is in the chain: /block/{id}
    BLOCKS = "blocks"  # for good once every block of the range is: ?block_id=&count=


LASTING: dict[Cache, Lasting] = {Cache.BLOCK: block_answer_lasts, Cache.BLOCKS: block_range_lasts}


@dataclass(frozen=True)
class Route:
    """One endpoint; `auth` means a login token is required (the reference's authRequire)."""

    method: str
    path: str
    handler: Handler
    auth: bool = False
    cache: Cache = Cache.NO


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
    Route("GET", "/maxblockid", explorer.get_max_block_id, cache=Cache.HEAD),
    Route("GET", "/block/{id}", explorer.fetch_block, cache=Cache.BLOCK),
    Route("GET", "/blocks", explorer.list_blocks_txs, cache=Cache.BLOCKS),
    Route("GET", "/detailed_blocks", explorer.list_detailed_blocks, cache=Cache.BLOCKS),
    Route("GET", "/txinfo/{hash}", explorer.get_tx_info, cache=Cache.HEAD),
    Route("GET", "/txinfomultiple", explorer.get_tx_info_multiple),
    Route("GET", "/tx_record/{hashes}", explorer.get_tx_record),
    Route("GET", "/balance/{wallet}", wallets.get_balance, cache=Cache.HEAD),
    Route("GET", "/keyinfo/{wallet}", wallets.get_key_info, cache=Cache.HEAD),
    Route("GET", "/ecosystemname", wallets.get_ecosystem_name),
    Route("GET", "/ecosystems", wallets.count_ecosystems_legacy),
    Route("GET", "/metrics/keys", stats.count_keys_metric, cache=Cache.HEAD),
    Route("GET", "/metrics/blocks", stats.count_blocks_metric, cache=Cache.HEAD),
    Route("GET", "/metrics/transactions", stats.count_transactions_metric, cache=Cache.HEAD),
    Route("GET", "/metrics/ecosystems", stats.count_ecosystems_metric, cache=Cache.HEAD),
    Route("GET", "/metrics/honornodes", stats.count_honor_nodes_metric),
    Route("GET", "/metrics/mem", stats.memory_metric),
    Route("GET", "/metrics/ban", stats.ban_metric),
    Route("GET", "/metrics/blockper/{node}/{mode}", stats.count_blocks_by_node_metric),
    Route("GET", "/config/{option}", system.get_config_option),
    # The ecosystem data model: tables, rows, parameters, interface, members and files.
    Route("GET", "/tables", tables.list_tables, auth=True),
    Route("GET", "/table/{name}", tables.fetch_table, auth=True),
    Route("GET", "/history/{name}/{id}", tables.list_history, auth=True),
    Route("GET", "/list/{name}", data.list_table, auth=True, cache=Cache.HEAD),
    Route("POST", "/listWhere/{name}", data.list_where, auth=True),
    Route("POST", "/nodelistWhere/{name}", data.list_where, auth=True),
    Route("POST", "/sumWhere/{name}", data.sum_where, auth=True),
    Route("GET", "/row/{name}/{id}", data.fetch_row, auth=True, cache=Cache.HEAD),
    Route("GET", "/row/{name}/{column}/{id}", data.fetch_row, auth=True, cache=Cache.HEAD),
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
        handler = route.handler
        if route.cache is not Cache.NO:
            handler = cached(handler, LASTING.get(route.cache))
        if route.auth:
            handler = require_auth(handler)
        app.router.add_route(route.method, API_PREFIX + route.path, handler)
