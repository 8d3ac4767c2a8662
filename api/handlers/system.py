"""version, network and config/{option}: what this node is and what it offers."""

from __future__ import annotations

from aiohttp import web

from api.appkeys import NODE, SETTINGS
from api.errors import ApiError, E, server_error
from api.events.hub import EVENTS
from api.events.socket import socket_url
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
            # The reference names its Centrifugo's http URL; ours is the node itself.
            centrifugo_url=f"{request.scheme}://{request.host}" if EVENTS in request.app else "",
            test=settings.test_network,
            private=settings.private_network,
            honor_nodes=[honor],
        )
    )


async def get_config_option(request: web.Request) -> web.Response:
    """GET /config/{option}: only `centrifugo`: the node's own live-events URL, when they are on.

    The reference answers its Centrifugo's URL (ws:// for http://) once that server answers,
    and E_SERVER with the client's error while it does not (go-ibax's own text when no client
    was set up): what this node answers with its live events off.
    """
    if request.match_info["option"] != "centrifugo":
        raise ApiError(E.NOTFOUND)
    if EVENTS not in request.app:
        raise server_error("publisher not initialized")
    return json_response(socket_url(request))
