"""Admission of checked transactions into the durable queue, and node-signed internal txs."""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from chain.errors import ChainError
from chain.identity import NodeIdentity
from chain.observer import NullObserver, Settled
from chain.storage.engine import write_transaction
from chain.storage.repo.txs import QueuedTx, enqueue
from chain.txcheck import AcceptedTx, check_tx, expedite_of
from chain.txcodec import Header, SmartTransaction, build_client_tx


def queued_rows(txs: Sequence[AcceptedTx], high_rate: bool = False) -> list[QueuedTx]:
    """The queue rows of accepted transactions, stamped with the time of admission."""
    now_ms = int(time.time() * 1000)
    return [
        QueuedTx(
            hash=tx.hash,
            data=tx.decoded.raw,
            key_id=tx.key_id,
            ecosystem=tx.decoded.tx.header.ecosystem_id or 1,
            type=int(tx.decoded.tx.tx_type),
            time_ms=now_ms,
            expedite=expedite_of(tx),
            high_rate=int(high_rate),
        )
        for tx in txs
    ]


async def submit(engine: AsyncEngine, txs: Sequence[AcceptedTx], high_rate: bool = False) -> None:
    """Make accepted transactions durable (queue + status) in one commit, before any answer."""
    async with write_transaction(engine) as conn:
        await enqueue(conn, queued_rows(txs, high_rate))


# Told of every group commit: (requests it answered, rows it queued).
CommitObserver = Callable[[int, int], None]

# A tx acknowledged this long ago counts no more, settled or not: a tx that leaves the queue
# without a status (a duplicate of one in a block) or whose block this process never heard of
# (its link to worker 0 was down) must not hold the backlog full for ever.
FORGET_S = 60.0


class BacklogFull(ChainError):
    """sendTx waited for room in the backlog and none came in time."""

    def __init__(self, waiting: int, wait_s: float) -> None:
        super().__init__(
            f"the node's transaction queue is full ({waiting} txs wait for a block and "
            f"none left it within {wait_s:g} s); try again later"
        )


class Backlog(NullObserver):
    """The txs this process acknowledged that no block has settled yet, bounded: backpressure.

    Without a bound a node accepts txs faster than its blocks take them whenever the load is
    heavier than a block's work (batches, transfers that create accounts, an API worker beside
    the producer's), and every tx then waits longer: latency grows without bound while the
    clients see quick answers. With it, a request whose txs do not fit waits, first come first
    served, until settled blocks make room, and gives up after `wait_s`. A request always fits
    into an empty backlog, however many txs it has. It hears of settled txs as a ChainObserver
    (the producer's, or worker 0's relay in an API worker).
    """

    def __init__(
        self,
        limit: int,
        wait_s: float,
        waited: Callable[[], None] | None = None,
        forget_s: float = FORGET_S,
    ) -> None:
        self.limit = limit  # 0: no bound
        self._wait_s = wait_s
        self._waited = waited  # told of each request that had to wait
        self._forget_s = forget_s
        self._since: dict[bytes, float] = {}  # acknowledged tx hash -> when it was let in
        self._waiters: deque[tuple[Sequence[bytes], asyncio.Future[None]]] = deque()

    def __len__(self) -> int:
        return len(self._since)

    async def admit(self, hashes: Sequence[bytes]) -> None:
        """Count `hashes` in, once they fit; raise BacklogFull after waiting `wait_s`."""
        if not self.limit:
            return  # no bound: nothing to count
        self._forget_old()
        if not self._waiters and self._fits(len(hashes)):
            self._add(hashes)
            return
        if self._waited is not None:
            self._waited()
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.append((hashes, future))
        try:
            async with asyncio.timeout(self._wait_s):
                await future
        except TimeoutError:
            if future.done() and not future.cancelled():
                return  # let in as the time ran out: it is counted, so it goes ahead
            raise BacklogFull(len(self._since), self._wait_s) from None
        except asyncio.CancelledError:
            if future.done() and not future.cancelled():
                self.release(hashes)
            raise
        finally:
            if not future.done():
                future.cancel()  # _grant skips it

    def release(self, hashes: Sequence[bytes]) -> None:
        """Uncount txs that were let in but not acknowledged (their commit failed)."""
        for tx_hash in hashes:
            self._since.pop(tx_hash, None)
        self._grant()

    def forget_all(self) -> None:
        """Count nothing: settled blocks went unheard (the link to worker 0 was down)."""
        self._since.clear()
        self._grant()

    def txs_settled(self, event: Settled) -> None:
        if not self._since:
            return
        for tx in event.txs:
            self._since.pop(tx.hash, None)
        self._grant()

    def _fits(self, count: int) -> bool:
        # Only asked with a bound: admit returns at once without one, and nothing waits.
        return not self._since or len(self._since) + count <= self.limit

    def _add(self, hashes: Sequence[bytes]) -> None:
        now = time.monotonic()
        for tx_hash in hashes:
            self._since.pop(tx_hash, None)  # kept in the order they were let in
            self._since[tx_hash] = now

    def _forget_old(self) -> None:
        too_old = time.monotonic() - self._forget_s
        while self._since:
            tx_hash, since = next(iter(self._since.items()))
            if since > too_old:
                return
            del self._since[tx_hash]

    def _grant(self) -> None:
        self._forget_old()
        while self._waiters:
            hashes, future = self._waiters[0]
            if future.done():  # gave up or was cancelled
                self._waiters.popleft()
                continue
            if not self._fits(len(hashes)):
                return
            self._waiters.popleft()
            self._add(hashes)
            future.set_result(None)


class TxQueue:
    """Group commit into the durable queue: one database commit for every request waiting.

    The first request commits at once; requests arriving meanwhile wait and share the next
    commit. Each is answered only after the commit holding its rows, or with its error: a
    commit per request (an fsync on SQLite, a round trip and WAL flush on PostgreSQL) was
    what bounded single-tx requests.
    """

    def __init__(
        self,
        engine: AsyncEngine,
        observe: CommitObserver | None = None,
        backlog: Backlog | None = None,
    ) -> None:
        self._engine = engine
        self._observe = observe
        # What this process acknowledged and no block has settled: submit waits for room.
        self.backlog = backlog if backlog is not None else Backlog(0, 0.0)
        self._waiting: list[tuple[list[QueuedTx], asyncio.Future[None]]] = []
        self._writer: asyncio.Task[None] | None = None
        self.commits = 0  # successful group commits, for the metrics and tests

    async def submit(self, txs: Sequence[AcceptedTx], high_rate: bool = False) -> None:
        """Return once the txs are committed to the queue; raise if their commit failed, or
        BacklogFull if the backlog had no room for them in time (nothing is queued then)."""
        hashes = [tx.hash for tx in txs]
        await self.backlog.admit(hashes)
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting.append((queued_rows(txs, high_rate), future))
        if self._writer is None:
            self._writer = asyncio.create_task(self._write_all(), name="tx-queue-commit")
        # A cancelled request leaves its rows in the group: they may still be committed
        # (never acknowledged, so nothing is promised), as a single commit could have been.
        # Its txs stay counted in the backlog until settled or forgotten, for the same reason.
        try:
            await future
        except asyncio.CancelledError:
            raise
        except BaseException:
            self.backlog.release(hashes)  # not queued: they will never settle
            raise

    async def _write_all(self) -> None:
        try:
            while self._waiting:
                group, self._waiting = self._waiting, []
                rows = [row for rows, _ in group for row in rows]
                try:
                    async with write_transaction(self._engine) as conn:
                        await enqueue(conn, rows)
                except Exception as exc:  # every request of the group gets the failure
                    _settle(group, exc)
                    continue
                except BaseException:
                    _settle(group, asyncio.CancelledError())
                    raise
                self.commits += 1
                if self._observe is not None:
                    self._observe(len(group), len(rows))
                _settle(group, None)
        finally:
            self._writer = None
            # Shut down mid-write: whoever still waits is told, not left hanging.
            pending, self._waiting = self._waiting, []
            _settle(pending, asyncio.CancelledError())


def _settle(
    group: list[tuple[list[QueuedTx], asyncio.Future[None]]], error: BaseException | None
) -> None:
    for _, future in group:
        if future.done():
            continue  # its request was cancelled
        if error is None:
            future.set_result(None)
        elif isinstance(error, asyncio.CancelledError):
            future.cancel()
        else:
            future.set_exception(error)


def node_call(node: NodeIdentity, contract_id: int, params: dict[str, Any], at: int) -> bytes:
    """A contract call of ecosystem 1 signed by the node key, dated `at`: the raw tx."""
    tx = SmartTransaction(
        header=Header(
            id=contract_id,
            ecosystem_id=1,
            key_id=node.node_key_id,
            time=at,
            network_id=node.network_id,
            public_key=node.node_public,
        ),
        signed_by=node.node_key_id,
        params=params,
    )
    return build_client_tx(tx, node.node_private, node.crypto)


async def node_signed_tx(
    node: NodeIdentity, contract_id: int, params: dict[str, Any]
) -> AcceptedTx:
    """A contract call signed by the node key (how the node registers new accounts)."""
    now = int(time.time())
    raw = node_call(node, contract_id, params, now)
    return await check_tx(
        raw, crypto=node.crypto, network_id=node.network_id, max_tx_size=len(raw), now=now
    )
