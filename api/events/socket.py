"""GET /connection/websocket: the live-events endpoint (Centrifugo's path, so Weaver finds it)."""

from __future__ import annotations

import asyncio
import logging

from aiohttp import WSMsgType, web

from api.auth import TokenError, verify
from api.errors import server_error
from api.events import protocol
from api.events.channels import Kind, topic_of
from api.events.hub import EVENTS, EventHub, Session, cancel
from api.events.protocol import (
    Code,
    Command,
    CommandError,
    Method,
    ProtocolError,
    error_reply,
    publication,
    reply,
    string_param,
)

logger = logging.getLogger(__name__)

PATH = "/connection/websocket"
# Methods of Centrifugo's protocol that this node does not offer, and the error each gets.
REFUSED = {
    Method.PUBLISH: (Code.PERMISSION_DENIED, "clients cannot publish here"),
    Method.PRESENCE: (Code.NOT_AVAILABLE, "no presence on this node"),
    Method.PRESENCE_STATS: (Code.NOT_AVAILABLE, "no presence on this node"),
    Method.HISTORY: (Code.NOT_AVAILABLE, "no history on this node: read the API"),
}


def socket_url(request: web.Request) -> str:
    """The node's own Centrifugo-style URL as a client reaches it (config/centrifugo)."""
    scheme = "wss" if request.scheme == "https" else "ws"
    return f"{scheme}://{request.host}"


async def serve_events(request: web.Request) -> web.StreamResponse:
    """Upgrade to a WebSocket and speak the protocol until either side closes."""
    hub = request.app[EVENTS]
    limits = hub.limits
    ws = web.WebSocketResponse(heartbeat=limits.heartbeat, max_msg_size=limits.max_frame)
    if not ws.can_prepare(request).ok:
        raise server_error(f"{PATH} is a WebSocket endpoint: send an Upgrade request")
    if hub.full():
        raise server_error("too many live-event connections, try again later", status=503)
    await ws.prepare(request)

    async def close(why: protocol.Disconnect) -> None:
        await ws.close(code=why.code, message=why.advice().encode())

    session = Session(ws.send_str, close, limits)
    hub.join(session)
    writer = asyncio.create_task(session.write_loop(), name=f"events-{session.id}")
    stale = asyncio.get_running_loop().call_later(
        limits.connect_timeout,
        lambda: None if session.connected else session.drop(protocol.STALE),
    )
    try:
        async for message in ws:
            if message.type is WSMsgType.TEXT:
                await _on_frame(hub, session, message.data)
            else:
                _refuse_frame(session, "frames are JSON text")
            if session.closing:
                break
        if session.closing:  # let the writer send what is queued, then the close frame
            await asyncio.wait_for(asyncio.shield(writer), timeout=5)
    except (TimeoutError, ConnectionError):
        pass  # the client is gone or not reading; nothing more to say to it
    finally:
        stale.cancel()
        hub.leave(session)
        await cancel(writer)
        if not ws.closed:
            await ws.close()
    return ws


def _refuse_frame(session: Session, message: str) -> None:
    session.push(protocol.error_frame(message))
    session.drop(protocol.BAD_REQUEST)


async def _on_frame(hub: EventHub, session: Session, text: str) -> None:
    try:
        commands = protocol.parse_frame(text)
    except ProtocolError as exc:
        _refuse_frame(session, str(exc))
        return
    for command in commands:
        if session.closing:
            return
        try:
            await _on_command(hub, session, command)
        except CommandError as exc:
            session.push(error_reply(command.id, exc.code, exc.message))


async def _on_command(hub: EventHub, session: Session, command: Command) -> None:
    method = command.method
    if method == Method.CONNECT:
        _connect(hub, session, command)
        return
    if not session.connected:
        raise CommandError(Code.BAD_REQUEST, "send connect (method 0) first")
    if method == Method.SUBSCRIBE:
        await _subscribe(hub, session, command)
    elif method == Method.UNSUBSCRIBE:
        topic = topic_of(string_param(command, "channel"))
        hub.unsubscribe(session, topic)
        session.push(reply(command.id, {}))
    elif method == Method.PING:
        session.push(reply(command.id, {}))
    elif method in REFUSED:
        code, message = REFUSED[Method(method)]
        raise CommandError(code, message)
    else:
        raise CommandError(Code.METHOD_NOT_FOUND, f"method {method} is not offered here")


def _connect(hub: EventHub, session: Session, command: Command) -> None:
    if session.connected:
        raise CommandError(Code.BAD_REQUEST, "already connected")
    token = command.params.get("token")
    if token is not None:
        # As Centrifugo: a token that does not verify ends the connection; none is anonymous.
        try:
            if not isinstance(token, str):
                raise TokenError("not a string")
            claims = verify(token, hub.token_key)
        except TokenError as exc:
            logger.info("live events: connect token refused: %s", exc)
            session.drop(protocol.INVALID_TOKEN)
            return
        session.user = str(claims.get("sub", ""))
    session.connected = True
    session.push(reply(command.id, {"client": session.id, "version": hub.version}))


async def _subscribe(hub: EventHub, session: Session, command: Command) -> None:
    channel = string_param(command, "channel")
    topic = topic_of(channel)
    if topic in session.channels:
        raise CommandError(Code.ALREADY_SUBSCRIBED, f"already subscribed to {channel}")
    if len(session.channels) >= hub.limits.max_channels:
        raise CommandError(
            Code.LIMIT_EXCEEDED, f"at most {hub.limits.max_channels} channels a connection"
        )
    hub.subscribe(session, topic, channel)
    session.push(reply(command.id, {}))
    if topic.kind is Kind.TX:
        # A tx that settled before it was asked about is told at once (maybe twice, if its
        # block is being published right now: a status is the same news both times).
        status = await hub.current_status(topic.tx_hash)
        if status is not None:
            session.push(publication(channel, status))
