"""The block producer: takes queued transactions, executes them, seals one block per commit."""

from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from chain.block import rollback_tx_row, rollbacks_hash, seal_block, spent_info_row
from chain.blockstate import BlockState, RowMemory
from chain.execute import ContractBook, TxContext, TxFailure, execute
from chain.identity import NodeIdentity
from chain.ledger import BlockLedger
from chain.observer import NO_OBSERVER, BlockStats, ChainObserver
from chain.storage.engine import take_writer_lock, write_transaction
from chain.storage.repo.blocks import BlockRow, block_row, get_head, insert_block
from chain.storage.repo.money import (
    RollbackRow,
    insert_rollbacks,
    list_block_outputs,
)
from chain.storage.repo.params import get_platform_parameters
from chain.storage.repo.txs import (
    LogRow,
    StatusRow,
    delete_queued,
    get_statuses,
    insert_log,
    list_queue,
    logged_hashes,
    update_statuses,
)
from chain.storage.schema import keys
from chain.txcheck import TxRejected, check_tx_time, contract_name
from chain.txcodec import DecodedTx, TxDecodeError, TxType, decode_tx

logger = logging.getLogger(__name__)

# Bounds the memo of decoded txs (another process may be the one that includes them).
MAX_REMEMBERED = 100_000
# Let the event loop serve requests every this many transactions of a block.
YIELD_EVERY = 50


@dataclass(frozen=True)
class BlockLimits:
    """The platform parameters that bound one block."""

    max_tx_block: int = 5000
    max_tx_block_per_user: int = 5000
    max_block_size: int = 64 << 20
    max_block_generation_time: int = 2000  # ms: txs beyond it wait for the next block
    max_fuel_block: int = 200_000_000  # contract fuel of a block, in the reference's units

    @classmethod
    def from_parameters(cls, params: dict[str, str]) -> BlockLimits:
        def value(name: str, default: int) -> int:
            try:
                return max(int(params.get(name, default)), 1)
            except ValueError:
                return default

        return cls(
            max_tx_block=value("max_tx_block", cls.max_tx_block),
            max_tx_block_per_user=value("max_tx_block_per_user", cls.max_tx_block_per_user),
            max_block_size=value("max_block_size", cls.max_block_size),
            max_block_generation_time=value(
                "max_block_generation_time", cls.max_block_generation_time
            ),
            max_fuel_block=value("max_fuel_block", cls.max_fuel_block),
        )


@dataclass
class BlockPlan:
    """What one pass over the queue decided: included txs, statuses, log rows, rollbacks."""

    included: list[bytes] = field(default_factory=list)
    raw: list[bytes] = field(default_factory=list)  # the included txs' bytes, in block order
    statuses: list[StatusRow] = field(default_factory=list)
    logs: list[LogRow] = field(default_factory=list)
    rollbacks: list[RollbackRow] = field(default_factory=list)
    drop: list[bytes] = field(default_factory=list)  # leaves the queue without a block
    fuel: int = 0  # contract fuel the included txs used


@dataclass
class InternalBlock:
    """What node-made transactions (the bank's) add to the block being formed."""

    raw: list[bytes]
    logs: list[LogRow]
    rollbacks: list[RollbackRow]
    touched: tuple[str, ...]  # tables changed behind the row memory's back
    done: Any  # handed back to `committed`


class InternalWork(Protocol):
    """Transactions the node makes and keeps in memory until their block is committed.

    They skip queue_tx: their submitters are answered only after the commit, so one lost in
    a crash was never acknowledged. They run after the queued transactions of the block.
    """

    def pending(self) -> bool:
        """Is anything waiting?"""

    def take(self, limit: int) -> list[Any]:
        """Remove up to `limit` waiting items for the block being formed."""

    async def execute(
        self, conn: AsyncConnection, batch: list[Any], block_id: int, block_time: int
    ) -> InternalBlock:
        """Check and apply the batch inside the block's database transaction."""

    def committed(self, done: Any) -> None:
        """The block holding them is committed: answer their submitters."""

    def abandoned(self, batch: list[Any]) -> None:
        """The block was rolled back: put the batch back in front."""


def _rejected(tx_hash: bytes, message: str) -> StatusRow:
    return StatusRow(tx_hash, 0, TxFailure("txError", message).errmsg(), 0, "")


class BlockFull(Exception):
    """A tx needed more fuel than the block had left: it waits for the next block."""


async def _run_tx(ctx: TxContext, fuel_left: int | None) -> tuple[str, TxFailure | None]:
    if ctx.decoded.tx.tx_type != TxType.SMART_CONTRACT or ctx.state is None:
        # Native transfers check before they change the ledger view, so a failure leaves
        # nothing behind; they need no database savepoint.
        try:
            return await execute(ctx), None
        except TxFailure as failure:
            return "", failure
    # A contract's writes wait in the block state (in a savepoint once it used the database
    # directly): its failure drops them.
    try:
        result = await execute(ctx)
    except TxFailure as failure:
        await ctx.state.end_tx(False)
        return "", failure
    except Exception:  # a bug or a DB error inside one contract must not sink the block
        logger.exception("transaction %s failed unexpectedly", ctx.hash.hex())
        await ctx.state.end_tx(False)
        return "", TxFailure("panic", "internal error while executing the transaction")
    if fuel_left is not None and ctx.fuel_used > fuel_left:
        # As the reference: a tx that does not fit the block's fuel is undone and waits.
        await ctx.state.end_tx(False)
        raise BlockFull()
    await ctx.state.end_tx(True)
    return result, None


class BlockProducer:
    """One writer per network: forms a block whenever transactions are queued."""

    def __init__(
        self,
        engine: AsyncEngine,
        node: NodeIdentity,
        window_ms: int,
        poll_s: float = 0.5,
        book: ContractBook | None = None,
    ) -> None:
        self._engine = engine
        self._book = book
        self._node = node
        self._window = window_ms / 1000
        self._poll = poll_s
        self._wake = asyncio.Event()
        self._processed = asyncio.Condition()
        # Txs this process accepted, already decoded: saves decoding them again per block.
        self._decoded: dict[bytes, DecodedTx] = {}
        # Rows contracts read by key, valid while the head is the block this process sealed.
        self._memory = RowMemory()
        self._memory_head: int | None = None
        self.internal: InternalWork | None = None  # the bank's node-made transactions
        self.observer: ChainObserver = NO_OBSERVER  # the node's metrics, when wired

    def wake(self) -> None:
        """Something to put in a block arrived (internal work uses this)."""
        self._wake.set()

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
            try:
                await asyncio.wait_for(self._wake.wait(), self._poll)
            except TimeoutError:
                pass
            self._wake.clear()
            # Internal work is batched by its waiting submitters (group commit): no window.
            if self._window and not (self.internal is not None and self.internal.pending()):
                await asyncio.sleep(self._window)
            try:
                while await self.produce_block():
                    pass
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.exception("block production failed; retrying")
                await asyncio.sleep(1)

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
                    await asyncio.wait_for(self._processed.wait(), min(remaining, self._poll))
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
                if self.internal is not None:
                    batch = self.internal.take(limits.max_tx_block)
                if not queued and not batch:
                    return False
                if head.id != self._memory_head:
                    self._memory.clear()  # another writer's blocks came in between
                self._memory.trim()
                block_id, block_time = head.id + 1, max(int(time.time()), head.time)
                if self._book is not None:
                    self._book.begin_block(block_id)
                plan = await self._plan(conn, queued, limits, block_id, block_time)
                if batch and self.internal is not None:
                    internal = await self._add_internal(conn, plan, batch, block_id, block_time)
                if plan.raw:
                    await self._seal(conn, head, plan, block_id, block_time)
                await update_statuses(conn, plan.statuses)
                await delete_queued(conn, plan.included + plan.drop)
                built = time.monotonic()  # observer
        except BaseException:
            # Rolled back: what memory learnt in this block is not in the database.
            self._memory.clear()
            self._memory_head = None
            if batch and self.internal is not None:
                self.internal.abandoned(batch)
            raise
        if plan.raw:  # observer
            committed = time.monotonic() - built
            stats = BlockStats(block_id, len(plan.raw), built - started, committed, plan.fuel)
            self.observer.block_committed(stats)
        self._memory_head = block_id if plan.raw else head.id
        if internal is not None and self.internal is not None:
            self.internal.committed(internal.done)
        async with self._processed:
            self._processed.notify_all()
        # Without progress (e.g. every queued tx waits on a per-user limit) wait for a wake-up
        # instead of spinning.
        return bool(plan.included or plan.drop or batch)

    async def _add_internal(
        self,
        conn: AsyncConnection,
        plan: BlockPlan,
        batch: list[Any],
        block_id: int,
        block_time: int,
    ) -> InternalBlock:
        """Run node-made transactions after the queued ones; they join the block's seal."""
        if self.internal is None:
            raise RuntimeError("no internal work source")
        internal = await self.internal.execute(conn, batch, block_id, block_time)
        plan.raw.extend(internal.raw)
        plan.logs.extend(internal.logs)
        plan.rollbacks.extend(internal.rollbacks)
        for table in internal.touched:
            self._memory.tables.pop(table, None)
        return internal

    async def _plan(
        self,
        conn: AsyncConnection,
        queued: Sequence[tuple[bytes, bytes]],
        limits: BlockLimits,
        block_id: int,
        block_time: int,
    ) -> BlockPlan:
        plan = BlockPlan()
        replayed = await logged_hashes(conn, [h for h, _ in queued])
        candidates: list[tuple[bytes, bytes, DecodedTx]] = []
        for tx_hash, data in queued:
            if tx_hash in replayed:
                plan.drop.append(tx_hash)  # already in a block: never executed twice
                continue
            try:
                decoded = self._decode(tx_hash, data)
                check_tx_time(decoded.tx.header.time, block_time)
            except (TxDecodeError, TxRejected) as exc:
                plan.drop.append(tx_hash)
                plan.statuses.append(_rejected(tx_hash, str(exc)))
                continue
            candidates.append((tx_hash, data, decoded))
        ledger = BlockLedger(conn)
        await ledger.preload(
            (c[2].tx.header.ecosystem_id or 1, c[2].tx.header.key_id) for c in candidates
        )
        state = BlockState(conn, self._memory)
        per_user: Counter[int] = Counter()
        size = 0
        started = time.monotonic()
        last_native: bool | None = None
        for tx_hash, data, decoded in candidates:
            key_id = decoded.tx.header.key_id
            if len(plan.included) >= limits.max_tx_block:
                break
            elapsed = time.monotonic() - started
            if plan.included and elapsed * 1000 > limits.max_block_generation_time:
                break  # the rest wait for the next block, which comes right after this one
            if per_user[key_id] >= limits.max_tx_block_per_user:
                continue  # stays queued for the next block
            if len(data) > limits.max_block_size:
                plan.drop.append(tx_hash)
                plan.statuses.append(
                    _rejected(tx_hash, "transaction is bigger than max_block_size")
                )
                continue
            if size + len(data) > limits.max_block_size:
                continue
            per_user[key_id] += 1
            size += len(data)
            native = decoded.tx.tx_type != TxType.SMART_CONTRACT
            # Native transfers and contracts keep 1_keys in two different views: whenever the
            # kind changes, the one that ran writes its view and the other reads afresh.
            if native and last_native is False:
                await state.flush_block()
            elif not native and last_native is not False:
                await ledger.flush()  # also drops what it preloaded: contracts change accounts
                if last_native:
                    state.forget(keys)
            last_native = native
            # The first tx always fits: a block must make progress whatever its fuel.
            fuel_left = limits.max_fuel_block - plan.fuel if plan.included else None
            try:
                await self._include(
                    conn, ledger, state, plan, decoded, block_id, block_time, fuel_left
                )
            except BlockFull:
                break
            if len(plan.included) % YIELD_EVERY == 0:
                await asyncio.sleep(0)  # a block of in-memory work must not starve HTTP
        await ledger.flush()
        await state.flush_block()
        if last_native:
            state.forget(keys)  # native transfers wrote accounts behind the memory's back
        return plan

    async def _include(
        self,
        conn: AsyncConnection,
        ledger: BlockLedger,
        state: BlockState,
        plan: BlockPlan,
        decoded: DecodedTx,
        block_id: int,
        block_time: int,
        fuel_left: int | None = None,
    ) -> None:
        ctx = TxContext(
            conn, self._node, block_id, block_time, decoded, ledger, self._book, state=state
        )
        result, failure = await _run_tx(ctx, fuel_left)
        plan.fuel += ctx.fuel_used
        header = decoded.tx.header
        plan.included.append(decoded.hash)
        plan.raw.append(decoded.raw)
        if failure is None:
            plan.rollbacks.extend(ctx.rollbacks)
            plan.statuses.append(StatusRow(decoded.hash, block_id, "", 0, result[:255]))
        else:
            plan.statuses.append(StatusRow(decoded.hash, block_id, failure.errmsg()[:255], 1, ""))
        plan.logs.append(
            LogRow(
                hash=decoded.hash,
                block=block_id,
                timestamp=decoded.timestamp_ms or header.time * 1000,
                contract_name=ctx.contract_name or contract_name(decoded),
                address=header.key_id,
                ecosystem_id=header.ecosystem_id or 1,
                status=0 if failure is None else 1,
            )
        )

    async def _seal(
        self,
        conn: AsyncConnection,
        head: BlockRow,
        plan: BlockPlan,
        block_id: int,
        block_time: int,
    ) -> None:
        await insert_rollbacks(conn, plan.rollbacks)
        await insert_log(conn, plan.logs)
        rows = [
            rollback_tx_row(
                block_id=r.block_id,
                tx_hash=r.tx_hash,
                table_name=r.table_name,
                table_id=r.table_id,
                data=r.data,
                data_hash=b"",
            )
            for r in plan.rollbacks
        ]
        rows += [
            spent_info_row(
                input_tx_hash=o.input_tx_hash,
                input_index=o.input_index,
                output_tx_hash=o.output_tx_hash,
                output_index=o.output_index,
                output_key_id=o.output_key_id,
                output_value=str(o.output_value),
                ecosystem=o.ecosystem,
                block_id=o.block_id,
                type=o.type,
            )
            for o in await list_block_outputs(conn, block_id)
        ]
        crypto = self._node.crypto
        raw_txs = plan.raw
        block = seal_block(
            block_id=block_id,
            timestamp=block_time,
            key_id=self._node.node_key_id,
            network_id=self._node.network_id,
            prev_hash=head.hash,
            prev_rollbacks_hash=head.rollbacks_hash,
            txs=raw_txs,
            node_private_key=self._node.node_private,
            crypto=crypto,
            rollbacks_hash=rollbacks_hash(rows, crypto),
        )
        # The block row goes last: a reader that sees it sees everything the block did.
        await insert_block(conn, block_row(block))
        logger.info("block %d sealed with %d txs", block_id, len(raw_txs))
