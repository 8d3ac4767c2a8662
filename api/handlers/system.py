"""version and network: what this node is."""

from __future__ import annotations

from aiohttp import web

from api.appkeys import NODE, SETTINGS
from api.jsonenc import Struct
from api.responses import json_response
from chain.crypto import pub_to_hex


async def get_version(request: web.Request) -> web.Response:
    """GET /version: a bare JSON string, as the reference."""
    return json_response(f"{request.app[SETTINGS].version} node server status is running")


async def get_network(request: web.Request) -> web.Response:
    """GET /network: network id and the honor nodes (this node is the only one)."""
    node = request.app[NODE]
    settings = request.app[SETTINGS]
    honor = Struct(
        tcp_address="",
        api_address=settings.api_address,
        public_key=pub_to_hex(node.node_public),
        unban_time="0",
        stopped=False,
    )
    return json_response(
        Struct(
            network_id=str(node.network_id),
            centrifugo_url="",
            test=settings.test_network,
            private=settings.private_network,
            honor_nodes=[honor],
        )
    )
