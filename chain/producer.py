"""The block producer: takes queued transactions, executes them, seals one block per commit."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from chain.bans import NO_BAD_TXS, BadTxs
from chain.block import BlockHeader, rollbacks_hash, seal_block
from chain.blockexec import BlockContents, BlockContext, run_queued
from chain.blockstate import RowMemory
from chain.delayed import delayed_txs
from chain.execute import ContractBook
from chain.identity import NodeIdentity
from chain.internal import InternalBlock, InternalWork, NoInternalWork
from chain.observer import NO_NOTICES, NO_OBSERVER, BlockStats, ChainObserver, Notices, settled
from chain.planning import BlockLimits
from chain.rollback import hash_rows
from chain.storage.engine import take_writer_lock, write_transaction
from chain.storage.repo.blocks import BlockRow, block_row, get_head, insert_block
from chain.storage.repo.delayed import list_due_delayed
from chain.storage.repo.money import insert_rollbacks, list_block_outputs
from chain.storage.repo.params import get_platform_parameters
from chain.storage.repo.txs import (
    StatusRow,
    delete_queued,
    get_statuses,
    insert_log,
    list_queue,
    update_statuses,
)
from chain.txcodec import DecodedTx, decode_tx

logger = logging.getLogger(__name__)

# Bounds the memo of decoded txs (another process may be the one that includes them).
MAX_REMEMBERED = 100_000
# How often a paced pause looks for internal work that should end it.
PACE_STEP_S = 0.005


def gathering_pause(window_s: float, last_block_s: float, paced: bool, cap_s: float) -> float:
    """How long txs gather before the next block: the window; paced, at least the last block's
    time (at most `cap_s`). No window, no pause: a block as soon as there is work.

    Paced is SQLite's producer: its block holds the event loop and the one write lock, which
    sendTx needs in between to check and queue txs. Blocks straight after each other left it
    20 ms, so blocks took a third of what PostgreSQL's took, each paying a block's fixed cost.
    """
    if not window_s:
        return 0.0
    return min(max(window_s, last_block_s), cap_s) if paced else window_s


class BlockProducer:
    """One writer per network: forms a block whenever transactions are queued."""

    def __init__(
        self,
        engine: AsyncEngine,
        node: NodeIdentity,
        window_ms: int,
        poll_s: float = 0.5,
        book: ContractBook | None = None,
        internal: InternalWork | None = None,
        wake: asyncio.Event | None = None,
        observer: ChainObserver = NO_OBSERVER,
        notices: Callable[[], Notices] | None = None,
        bad_txs: BadTxs = NO_BAD_TXS,
        paced: bool = False,
    ) -> None:
        self._engine = engine
        self._book = book
        # What the block's contracts asked to publish (the book's take_notices), read after
        # the commit: a block that fails asks nothing.
        self._notices = notices
        self._node = node
        self._window = window_ms / 1000
        self._poll = poll_s
        # A paced producer waits as long as its last block took before the next (gathering_pause).
        self.paced = paced
        self._last_block_s = 0.0
        # Set when there is something to put in a block; whoever feeds `internal` sets it too.
        self._wake = wake if wake is not None else asyncio.Event()
        self._internal: InternalWork = internal if internal is not None else NoInternalWork()
        self._processed = asyncio.Condition()
        # Txs this process accepted, already decoded: saves decoding them again per block.
        self._decoded: dict[bytes, DecodedTx] = {}
        # Rows contracts read by key, valid while the head is the block this process sealed.
        self._memory = RowMemory()
        self._memory_head: int | None = None
        self._observer = observer  # the node's metrics (NO_OBSERVER: none)
        self._bad_txs = bad_txs  # the node's ban list hears of every tx that failed

    def accepted(self, txs: Sequence[DecodedTx]) -> None:
        """Txs were just queued by this process: remember their decoded form and wake up."""
        if len(self._decoded) < MAX_REMEMBERED:
            self._decoded.update((tx.hash, tx) for tx in txs)
        self._wake.set()

    def _decode(self, tx_hash: bytes, data: bytes) -> DecodedTx:
        known = self._decoded.pop(tx_hash, None)
        if known is not None and known.raw == data:
            return known
        return decode_tx(data, self._node.crypto)

    async def run(self) -> None:
        """Form blocks until cancelled; polls too, for txs queued by other processes."""
        while True:
            # asyncio.timeout, not wait_for: on Python 3.11, wait_for swallows a cancellation
            # that arrives as the event fires, and the app's shutdown then waits forever.
            try:
                async with asyncio.timeout(self._poll):
                    await self._wake.wait()
            except TimeoutError:
                pass
            self._wake.clear()
            await self._gather()
            try:
                while await self._timed_block():
                    if self.paced:  # else the next block at once: the queue still holds work
                        await self._gather()
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.exception("block production failed; retrying")
                await asyncio.sleep(1)

    async def _gather(self) -> None:
        # Internal work is batched by its waiting submitters (group commit): no window.
        if self._internal.pending():
            return
        pause = gathering_pause(self._window, self._last_block_s, self.paced, self._poll)
        if not self.paced:
            if pause:
                await asyncio.sleep(pause)
            return
        # A paced pause can last a block's time (up to the poll): internal work arriving in it
        # (a bank write, whose client waits for its block) ends it, as it skips the window.
        deadline = time.monotonic() + pause
        while not self._internal.pending():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return
            await asyncio.sleep(min(remaining, PACE_STEP_S))

    async def _timed_block(self) -> bool:
        started = time.monotonic()
        more = await self.produce_block()
        self._last_block_s = time.monotonic() - started
        return more

    async def wait_processed(self, tx_hash: bytes, timeout: float) -> StatusRow | None:
        """Wait until a tx is in a block or rejected; None on timeout."""
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            async with self._engine.connect() as conn:
                status = (await get_statuses(conn, [tx_hash])).get(tx_hash)
            if status is not None and (status.block_id or status.error):
                return status
            remaining = deadline - asyncio.get_running_loop().time()
            if remaining <= 0:
                return None
            async with self._processed:
                try:
                    async with asyncio.timeout(min(remaining, self._poll)):
                        await self._processed.wait()
                except TimeoutError:
                    pass

    async def produce_block(self) -> bool:
        """Form at most one block; True when the queue may still hold work."""
        batch: list[Any] = []
        internal: InternalBlock | None = None
        started = time.monotonic()  # observer
        try:
            async with write_transaction(self._engine) as conn:
                await take_writer_lock(conn)
                limits = BlockLimits.from_parameters(await get_platform_parameters(conn))
                head = await get_head(conn)
                if head is None:
                    raise RuntimeError("no genesis block")
                queued = await list_queue(conn, limits.max_tx_block * 2)
                batch = self._internal.take(limits.max_tx_block)
                # As the reference's generator, a scheduled contract due at the next block
                # makes that block even when nothing is queued.
                scheduled_only = not queued and not batch
                if scheduled_only and (
                    self._book is None or not await list_due_delayed(conn, head.id + 1)
                ):
                    return False
                if head.id != self._memory_head:
                    self._memory.clear()  # another writer's blocks came in between
                self._memory.trim()
                block_id, block_time = head.id + 1, max(int(time.time()), head.time)
                if self._book is not None:
                    self._book.begin_block(block_id)
                    # Scheduled contracts due at this block run first (high rate).
                    queued = await delayed_txs(conn, self._node, block_id, block_time) + queued
                context = BlockContext(self._node, self._book, block_id, block_time)
                contents = await run_queued(
                    conn, context, queued, limits, self._memory, self._decode
                )
                bad = [log.address for log in contents.logs if log.status]  # before the bank's
                if batch:
                    internal = await self._add_internal(conn, contents, batch, block_id, block_time)
                if contents.raw:
                    await self._seal(conn, head, contents, block_id, block_time)
                await update_statuses(conn, contents.statuses)
                await delete_queued(conn, contents.included + contents.drop)
                built = time.monotonic()  # observer
        except BaseException:
            # Rolled back: what memory learnt in this block is not in the database.
            self._memory.clear()
            self._memory_head = None
            if batch:
                self._internal.abandoned(batch)
            raise
        if contents.raw:  # observer
            committed = time.monotonic() - built
            stats = BlockStats(
                block_id, len(contents.raw), built - started, committed, contents.fuel
            )
            self._observer.block_committed(stats)
        if contents.statuses:  # observer: live events hear of every status now committed
            self._observer.txs_settled(
                settled(
                    block_id if contents.raw else 0,
                    block_time,
                    contents.statuses,
                    contents.logs,
                    contents.rollbacks,
                    self._notices() if self._notices is not None else NO_NOTICES,
                )
            )
        self._memory_head = block_id if contents.raw else head.id
        for key_id in bad:
            self._bad_txs.bad_tx(key_id)
        if internal is not None:
            self._internal.committed(internal.done)
        async with self._processed:
            self._processed.notify_all()
        # Without progress (e.g. every queued tx waits on a per-user limit) wait for a wake-up
        # instead of spinning.
        # A block of scheduled calls alone waits for the next wake-up or poll before another
        # (one due every block must not make blocks as fast as the machine can).
        return bool(contents.included or contents.drop or batch) and not scheduled_only

    async def _add_internal(
        self,
        conn: AsyncConnection,
        contents: BlockContents,
        batch: list[Any],
        block_id: int,
        block_time: int,
    ) -> InternalBlock:
        """Run node-made transactions after the queued ones; they join the block's seal."""
        internal = await self._internal.execute(conn, batch, block_id, block_time)
        contents.raw.extend(internal.raw)
        contents.logs.extend(internal.logs)
        contents.rollbacks.extend(internal.rollbacks)
        for table in internal.touched:
            self._memory.tables.pop(table, None)
        return internal

    async def _seal(
        self,
        conn: AsyncConnection,
        head: BlockRow,
        contents: BlockContents,
        block_id: int,
        block_time: int,
    ) -> None:
        await insert_rollbacks(conn, contents.rollbacks)
        await insert_log(conn, contents.logs)
        rows = hash_rows(contents.rollbacks, await list_block_outputs(conn, block_id))
        crypto = self._node.crypto
        raw_txs = contents.raw
        header = BlockHeader(
            block_id=block_id,
            timestamp=block_time,
            key_id=self._node.node_key_id,
            network_id=self._node.network_id,
            rollbacks_hash=rollbacks_hash(rows, crypto),
        )
        block = seal_block(
            header,
            prev_hash=head.hash,
            prev_rollbacks_hash=head.rollbacks_hash,
            txs=raw_txs,
            node_private_key=self._node.node_private,
            crypto=crypto,
        )
        # The block row goes last: a reader that sees it sees everything the block did.
        await insert_block(conn, block_row(block))
        logger.info("block %d sealed with %d txs", block_id, len(raw_txs))
