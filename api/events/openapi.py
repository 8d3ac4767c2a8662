"""The description of the live-events endpoint (api/events/socket.py) for the OpenAPI document."""

from __future__ import annotations

from api.events.socket import PATH
from api.openapi.schema import Answer, Op

DESCRIPTIONS: dict[tuple[str, str], Op] = {
    ("GET", PATH): Op(
        "Live events over WebSocket (Centrifugo's JSON client protocol)",
        "events",
        (Answer(101, "switching to the WebSocket protocol"),),
        description="Commands, one JSON object a line: connect `{'id': 1}` (a login's "
        "`notify_key` as `params.token` is optional), subscribe `{'id': 2, 'method': 1, "
        "'params': {'channel': 'blocks'}}`, unsubscribe (2), ping (7); in JSON, with double "
        "quotes. Channels: `blocks`, `tx:<hash>`, `key:<address>`, `client<address>` "
        "(notification counts). Publications: `{'result': {'channel': C, 'data': {'data': "
        "...}}}`. See the README's Live events.",
        errors={
            400: "not a WebSocket upgrade request",
            503: "too many live-event connections",
        },
    ),
}
