"""The event hub: who listens to which topic, and what the producer's committed blocks say."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from api.events.channels import Kind, Topic
from api.events.protocol import SLOW, Disconnect, publication
from api.handlers.explorer import block_struct
from api.jsonenc import Struct
from api.txstatus import status_entry
from chain.address import address_to_string
from chain.notifications import account_notices
from chain.observer import BlockStats, Notices, Settled, SettledTx
from chain.storage.engine import read_connection
from chain.storage.repo.blocks import get_block
from chain.storage.repo.keys import list_member_roles
from chain.storage.repo.txs import get_senders, get_statuses

logger = logging.getLogger(__name__)

# A block that changes these may change someone's notification counts.
NOTIFICATION_TABLES = frozenset({"1_notifications", "1_roles_participants"})
MAX_WAITING_EVENTS = 10_000  # committed blocks not yet published (the hub is behind)


@dataclass(frozen=True)
class EventLimits:
    """How much the live events may hold; every bound a client could otherwise push."""

    max_clients: int = 500  # open WebSockets; more are refused (503)
    max_channels: int = 128  # subscriptions of one connection
    max_pending: int = 1000  # frames waiting to be written to one client; past it: "slow"
    connect_timeout: float = 10.0  # seconds to send the connect command after the upgrade
    max_frame: int = 64 * 1024  # bytes of one frame from a client
    heartbeat: float = 25.0  # WebSocket ping interval; a client that never answers is dropped


class Session:
    """One connected client: its subscriptions and the frames waiting to be written to it."""

    def __init__(
        self,
        send: Callable[[str], Awaitable[None]],
        close: Callable[[Disconnect], Awaitable[None]],
        limits: EventLimits,
    ) -> None:
        self.id = str(uuid.uuid4())
        self.user = ""  # the token's subject, when it came with one
        self.connected = False
        self.closing = False  # a close is queued: read no more commands
        self.channels: dict[Topic, str] = {}  # each topic under the name the client used
        self._send = send
        self._close = close
        self._outbox: asyncio.Queue[str | Disconnect] = asyncio.Queue(limits.max_pending)

    def push(self, frame: str) -> None:
        """Queue a frame; a client that lets max_pending pile up is dropped as slow."""
        try:
            self._outbox.put_nowait(frame)
        except asyncio.QueueFull:
            self.drop(SLOW)

    def drop(self, why: Disconnect) -> None:
        """Close after what is queued (or at once, when the queue is full)."""
        if self.closing:
            return
        self.closing = True
        while True:
            try:
                self._outbox.put_nowait(why)
                return
            except asyncio.QueueFull:
                self._outbox.get_nowait()  # a slow client loses its backlog, not the close

    async def write_loop(self) -> None:
        """Write queued frames in order until a close is queued (run as the session's task)."""
        try:
            while True:
                item = await self._outbox.get()
                if isinstance(item, Disconnect):
                    await self._close(item)
                    return
                await self._send(item)
        except ConnectionError:  # the client went away while we wrote: nothing left to do
            self.closing = True


class EventHub:
    """Every session and subscription of this process; a ChainObserver fed by the producer.

    The producer's calls only queue the event (cheap, never raising); `run` publishes them.
    Only this process's producer is heard: with several processes, clients of a process
    that does not produce hear no blocks (the producer is elected per network).
    """

    def __init__(
        self, engine: AsyncEngine, limits: EventLimits, token_key: bytes, version: str = ""
    ) -> None:
        self.limits = limits
        self.version = version  # the node's, told in the connect reply
        self.token_key = token_key  # verifies connect tokens (login's notify_key)
        self._engine = engine
        self.sessions: set[Session] = set()
        self._topics: dict[Topic, set[Session]] = {}
        self._events: asyncio.Queue[Settled] = asyncio.Queue(MAX_WAITING_EVENTS)

    # ---- sessions ------------------------------------------------------------------------

    def full(self) -> bool:
        return len(self.sessions) >= self.limits.max_clients

    def join(self, session: Session) -> None:
        self.sessions.add(session)

    def leave(self, session: Session) -> None:
        self.sessions.discard(session)
        for topic in list(session.channels):
            self.unsubscribe(session, topic)

    def subscribe(self, session: Session, topic: Topic, channel: str) -> None:
        session.channels[topic] = channel
        self._topics.setdefault(topic, set()).add(session)

    def unsubscribe(self, session: Session, topic: Topic) -> None:
        session.channels.pop(topic, None)
        listeners = self._topics.get(topic)
        if listeners is not None:
            listeners.discard(session)
            if not listeners:
                del self._topics[topic]

    def close_all(self, why: Disconnect) -> None:
        for session in list(self.sessions):
            session.drop(why)

    def _publish(self, topic: Topic, payload: object) -> None:
        for session in self._topics.get(topic, ()):
            session.push(publication(session.channels[topic], payload))

    def _listened(self, kind: Kind) -> list[Topic]:
        return [topic for topic in self._topics if topic.kind is kind]

    # ---- what a new subscription is told at once ---------------------------------------

    async def current_status(self, tx_hash: bytes) -> Struct | None:
        """A tx already in a block or refused: its status, for a new `tx:` subscriber."""
        async with read_connection(self._engine) as conn:
            status = (await get_statuses(conn, [tx_hash])).get(tx_hash)
        if status is None or not (status.block_id or status.error):
            return None
        return tx_payload(
            SettledTx(tx_hash, 0, status.block_id, status.error, status.penalty, status.result)
        )

    # ---- chain.observer.ChainObserver ----------------------------------------------------

    def block_committed(self, stats: BlockStats) -> None:
        pass  # txs_settled says all the events need

    def txs_settled(self, event: Settled) -> None:
        try:
            self._events.put_nowait(event)
        except asyncio.QueueFull:  # the hub is far behind: its listeners miss this block
            logger.warning("live events: dropped block %d, the hub is behind", event.block_id)

    def bank_operation(self, operation: str, outcome: str) -> None:
        pass

    def cache_lookup(self, cache: str, hit: bool) -> None:
        pass

    # ---- publishing ----------------------------------------------------------------------

    async def run(self) -> None:
        """Publish committed blocks to their listeners, in order, until cancelled."""
        while True:
            event = await self._events.get()
            if not self._topics:
                continue
            try:
                await self.publish(event)
            except Exception:  # a database hiccup loses this block's events, not the hub
                logger.exception("live events: publishing block %d failed", event.block_id)

    async def publish(self, event: Settled) -> None:
        """Tell each listener what this event means to it."""
        keys = self._listened(Kind.KEY)
        notify = self._listened(Kind.NOTIFY)
        blocks = event.block_id and Topic(Kind.BLOCKS) in self._topics
        senders: dict[bytes, int] = {}
        async with read_connection(self._engine) as conn:
            if not event.tables & NOTIFICATION_TABLES:  # only those contracts asked for
                notify = [t for t in notify if await asked(conn, t.key_id, event.notices)]
            if blocks:
                row = await get_block(conn, event.block_id)
                if row is not None:
                    self._publish(Topic(Kind.BLOCKS), Struct(id=row.id, **block_struct(row)))
            unsigned = [tx.hash for tx in event.txs if not tx.key_id]
            if keys and unsigned:  # refused before they were read: their sender is on record
                senders = await get_senders(conn, unsigned)
            counts = {topic: await notification_payload(conn, topic.key_id) for topic in notify}
        for tx in event.txs:
            payload = tx_payload(tx)
            self._publish(Topic(Kind.TX, tx_hash=tx.hash), payload)
            key_id = tx.key_id or senders.get(tx.hash, 0)
            if key_id:
                self._publish(Topic(Kind.KEY, key_id=key_id), payload)
        for topic, notices in counts.items():
            self._publish(topic, notices)


EVENTS = web.AppKey("events", EventHub)


def tx_payload(tx: SettledTx) -> Struct:
    """A tx's publication: its hash, then its txstatus answer."""
    return Struct(hash=tx.hash.hex(), **status_entry(tx.block_id, tx.error, tx.result, tx.penalty))


async def notification_payload(conn: AsyncConnection, key_id: int) -> list[Struct]:
    """What go-ibax's notificator publishes on `client<address>`: counts per ecosystem, role."""
    return [
        Struct(ecosystem=str(notice.ecosystem), role_id=str(role_id), count=count)
        for notice in await account_notices(conn, key_id)
        for role_id, count in notice.counts
    ]


async def asked(conn: AsyncConnection, key_id: int, notices: Notices) -> bool:
    """Did UpdateNotifications name this key's account, or UpdateRolesNotifications a role
    it holds?"""
    account = address_to_string(key_id)
    if any(named == account for _, named in notices.accounts):
        return True
    for ecosystem, role_id in notices.roles:
        if any(held == role_id for held, _ in await list_member_roles(conn, ecosystem, key_id)):
            return True
    return False


async def cancel(task: asyncio.Task[None]) -> None:
    """Cancel a task and wait for it to end."""
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
