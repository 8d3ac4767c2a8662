"""Running a block's queued transactions, as planned, inside the block's database transaction."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncConnection

from chain.accounts import preload_accounts
from chain.blockstate import BlockState, RowMemory
from chain.execute import ContractBook, TxContext, TxFailure, charge_contract, execute
from chain.fees import FEE_PARAMETERS, FeeSchedule, NotEnoughFee
from chain.identity import NodeIdentity
from chain.ledger import BlockLedger
from chain.planning import TOO_BIG, BlockLimits, Candidate, fuel_left, out_of_time, plan_block
from chain.storage.repo.money import RollbackRow
from chain.storage.repo.params import get_platform_parameters
from chain.storage.repo.txs import LogRow, StatusRow, logged_hashes
from chain.storage.schema import keys
from chain.txcheck import TxRejected, check_tx_time, contract_name
from chain.txcodec import DecodedTx, TxDecodeError, TxType

logger = logging.getLogger(__name__)

# Let the event loop serve requests every this many transactions of a block.
YIELD_EVERY = 50

Decode = Callable[[bytes, bytes], DecodedTx]  # (hash, queued bytes) -> decoded tx


@dataclass
class BlockContents:
    """What running the queue gave the block: included txs, statuses, log rows, rollbacks."""

    included: list[bytes] = field(default_factory=list)
    raw: list[bytes] = field(default_factory=list)  # the included txs' bytes, in block order
    statuses: list[StatusRow] = field(default_factory=list)
    logs: list[LogRow] = field(default_factory=list)
    rollbacks: list[RollbackRow] = field(default_factory=list)
    drop: list[bytes] = field(default_factory=list)  # leaves the queue without a block
    fuel: int = 0  # contract fuel the included txs used


@dataclass(frozen=True)
class BlockContext:
    """What every tx of the block being formed runs against."""

    node: NodeIdentity
    book: ContractBook | None
    block_id: int
    block_time: int


def _rejected(tx_hash: bytes, message: str) -> StatusRow:
    return StatusRow(tx_hash, 0, TxFailure("txError", message).errmsg(), 0, "")


class BlockFull(Exception):
    """A tx needed more fuel than the block had left: it waits for the next block."""


async def _run_tx(ctx: TxContext, fuel_left: int | None) -> tuple[str, TxFailure | None]:
    if ctx.decoded.tx.tx_type != TxType.SMART_CONTRACT or ctx.state is None:
        # Native transfers check before they change the ledger view, so a failure leaves
        # nothing behind; they need no database savepoint.
        try:
            result = await execute(ctx)
        except TxFailure as failure:
            return "", failure
        if ctx.state is not None:
            await ctx.state.end_tx(True)  # its history row (TransferSelf), written last
        return result, None
    # A contract's writes wait in the block state (in a savepoint once it used the database
    # directly): its failure drops them.
    try:
        result = await execute(ctx)
    except TxFailure as failure:
        await ctx.state.end_tx(False)
        return "", await _pay_failed(ctx, failure)
    except Exception:  # a bug or a DB error inside one contract must not sink the block
        logger.exception("transaction %s failed unexpectedly", ctx.hash.hex())
        await ctx.state.end_tx(False)
        ctx.rollbacks.clear()
        return "", TxFailure("panic", "internal error while executing the transaction")
    if fuel_left is not None and ctx.fuel_used > fuel_left:
        # As the reference: a tx that does not fit the block's fuel is undone and waits.
        await ctx.state.end_tx(False)
        raise BlockFull()
    try:
        await charge_contract(ctx, penalty=False)
    except NotEnoughFee as exc:
        await ctx.state.end_tx(False)
        return "", await _pay_failed(ctx, TxFailure("panic", str(exc)))
    await ctx.state.end_tx(True)
    return result, None


async def _pay_failed(ctx: TxContext, failure: TxFailure) -> TxFailure:
    """A failed contract tx still pays its fee (penalty), in a layer of its own."""
    ctx.rollbacks.clear()  # its writes are gone, and so are their rollback records
    if ctx.state is None:
        return failure
    try:
        await charge_contract(ctx, penalty=True)
    except Exception:  # the fee of a failed tx must not sink the block either
        logger.exception("fee of failed transaction %s not taken", ctx.hash.hex())
        await ctx.state.end_tx(False)
        ctx.rollbacks.clear()
        return failure
    await ctx.state.end_tx(True)
    return failure


async def run_queued(
    conn: AsyncConnection,
    block: BlockContext,
    queued: Sequence[tuple[bytes, bytes]],
    limits: BlockLimits,
    memory: RowMemory,
    decode: Decode,
) -> BlockContents:
    """Run the queued (hash, bytes) txs the plan takes, in order, until the block is full."""
    out = BlockContents()
    replayed = await logged_hashes(conn, [h for h, _ in queued])
    candidates: list[tuple[bytes, bytes, DecodedTx]] = []
    for tx_hash, data in queued:
        if tx_hash in replayed:
            out.drop.append(tx_hash)  # already in a block: never executed twice
            continue
        try:
            decoded = decode(tx_hash, data)
            check_tx_time(decoded.tx.header.time, block.block_time)
        except (TxDecodeError, TxRejected) as exc:
            out.drop.append(tx_hash)
            out.statuses.append(_rejected(tx_hash, str(exc)))
            continue
        candidates.append((tx_hash, data, decoded))
    ledger = BlockLedger(conn)
    await ledger.preload(
        (c[2].tx.header.ecosystem_id or 1, c[2].tx.header.key_id) for c in candidates
    )
    state = BlockState(conn, memory)
    await preload_accounts(state, (c[2] for c in candidates))  # new recipients: one query
    params = await get_platform_parameters(conn)
    fees = FeeSchedule.from_parameters({n: params.get(n) for n in FEE_PARAMETERS})
    steps = plan_block(
        [Candidate(d.tx.header.key_id, len(raw)) for _, raw, d in candidates], limits
    )
    started = time.monotonic()
    last_native: bool | None = None
    for step in steps:
        tx_hash, _, decoded = candidates[step.index]
        if out_of_time(limits, time.monotonic() - started, len(out.included)):
            break
        if not step.run:
            out.drop.append(tx_hash)
            out.statuses.append(_rejected(tx_hash, TOO_BIG))
            continue
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
        fuel = fuel_left(limits, out.fuel, len(out.included))
        try:
            await _include(conn, block, ledger, state, out, decoded, fuel, fees)
        except BlockFull:
            break
        if len(out.included) % YIELD_EVERY == 0:
            await asyncio.sleep(0)  # a block of in-memory work must not starve HTTP
    await ledger.flush()
    await state.flush_block()
    if last_native:
        state.forget(keys)  # native transfers wrote accounts behind the memory's back
    return out


async def _include(
    conn: AsyncConnection,
    block: BlockContext,
    ledger: BlockLedger,
    state: BlockState,
    out: BlockContents,
    decoded: DecodedTx,
    fuel: int | None,
    fees: FeeSchedule,
) -> None:
    block_id = block.block_id
    ctx = TxContext(
        conn,
        block.node,
        block_id,
        block.block_time,
        decoded,
        ledger,
        block.book,
        state=state,
        fees=fees,
    )
    result, failure = await _run_tx(ctx, fuel)
    out.fuel += ctx.fuel_used
    header = decoded.tx.header
    out.included.append(decoded.hash)
    out.raw.append(decoded.raw)
    out.rollbacks.extend(ctx.rollbacks)  # a failed tx's are its fee's only
    if failure is None:
        out.statuses.append(StatusRow(decoded.hash, block_id, "", 0, result[:255]))
    else:
        out.statuses.append(StatusRow(decoded.hash, block_id, failure.errmsg(), 1, ""))
    out.logs.append(
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
