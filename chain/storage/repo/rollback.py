"""Undoing blocks: the rows, outputs and bookkeeping a block wrote, removed or restored."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Table, and_, delete, null, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from chain.storage.repo.blocks import BlockRow
from chain.storage.repo.txs import QueuedTx, insert_queue_rows
from chain.storage.schema import (
    STATIC_TABLES,
    block_chain,
    ecosystems,
    info_block,
    log_transactions,
    queue_tx,
    rollback_tx,
    spent_info,
    transactions_status,
)

# Bound parameters per IN list: well below every backend's limit on a statement's parameters.
CHUNK = 1000


@dataclass(frozen=True, slots=True)
class RollbackRecord:
    """One rollback_tx row: a row a transaction inserted (data "") or changed, or a marker."""

    id: int
    tx_hash: bytes
    table_name: str
    table_id: str
    data: str


def _chunks(items: Sequence[bytes]) -> list[list[bytes]]:
    return [list(items[i : i + CHUNK]) for i in range(0, len(items), CHUNK)]


async def list_block_records(conn: AsyncConnection, block_id: int) -> list[RollbackRecord]:
    """A block's rollback records, newest first: the order that undoes them."""
    result = await conn.execute(
        select(rollback_tx)
        .where(rollback_tx.c.block_id == block_id)
        .order_by(rollback_tx.c.id.desc())
    )
    return [
        RollbackRecord(r.id, bytes(r.tx_hash), r.table_name, r.table_id, r.data) for r in result
    ]


def _match(table: Table, key: Mapping[str, Any]) -> Any:
    if not key:
        raise ValueError("a row key needs at least one column")
    return and_(*(table.c[name] == value for name, value in key.items()))


async def delete_row(conn: AsyncConnection, table: Table, key: Mapping[str, Any]) -> int:
    """Delete the row with this key (undoes its insert); how many rows went."""
    result = await conn.execute(delete(table).where(_match(table, key)))
    return int(result.rowcount)


async def restore_row(
    conn: AsyncConnection, table: Table, key: Mapping[str, Any], values: Mapping[str, Any]
) -> int:
    """Set columns of the row with this key back to typed values (None is NULL); how many."""
    sets = {name: null() if value is None else value for name, value in values.items()}
    result = await conn.execute(update(table).where(_match(table, key)).values(sets))
    return int(result.rowcount)


async def delete_ecosystem_rows(conn: AsyncConnection, ecosystem: int) -> int:
    """Delete an ecosystem's rows from every shared 1_* table, then its 1_ecosystems row.

    Returns how many 1_ecosystems rows went (1, or 0 when there was none).
    """
    for table in STATIC_TABLES.values():
        if "ecosystem" in table.c:
            await conn.execute(delete(table).where(table.c.ecosystem == ecosystem))
    result = await conn.execute(delete(ecosystems).where(ecosystems.c.id == ecosystem))
    return int(result.rowcount)


async def unspend_outputs(conn: AsyncConnection, tx_hashes: Sequence[bytes]) -> None:
    """Outputs the given transactions spent become unspent again."""
    for chunk in _chunks(tx_hashes):
        await conn.execute(
            update(spent_info)
            .where(spent_info.c.input_tx_hash.in_(chunk))
            .values(input_tx_hash=None, input_index=0)
        )


async def delete_block_outputs(conn: AsyncConnection, block_id: int) -> None:
    """Delete the outputs a block created."""
    await conn.execute(delete(spent_info).where(spent_info.c.block_id == block_id))


async def delete_block(conn: AsyncConnection, block_id: int) -> None:
    """Delete a block's row with its log_transactions and rollback_tx rows."""
    await conn.execute(delete(log_transactions).where(log_transactions.c.block == block_id))
    await conn.execute(delete(rollback_tx).where(rollback_tx.c.block_id == block_id))
    await conn.execute(delete(block_chain).where(block_chain.c.id == block_id))


async def set_head(conn: AsyncConnection, block: BlockRow) -> None:
    """Point info_block at a block already stored."""
    await conn.execute(
        update(info_block)
        .where(info_block.c.id == 1)
        .values(
            hash=block.hash,
            rollbacks_hash=block.rollbacks_hash,
            block_id=block.id,
            node_position=block.node_position,
            key_id=block.key_id,
            time=block.time,
            consensus_mode=block.consensus_mode,
        )
    )


async def reset_statuses(conn: AsyncConnection, tx_hashes: Sequence[bytes]) -> None:
    """Statuses of transactions that are no longer in a block: not processed yet."""
    for chunk in _chunks(tx_hashes):
        await conn.execute(
            update(transactions_status)
            .where(transactions_status.c.hash.in_(chunk))
            .values(block_id=0, error="", penalty=0, result="")
        )


async def delete_statuses(conn: AsyncConnection, tx_hashes: Sequence[bytes]) -> None:
    """Forget transactions entirely (they will not be included again)."""
    for chunk in _chunks(tx_hashes):
        await conn.execute(delete(transactions_status).where(transactions_status.c.hash.in_(chunk)))


async def delete_queued_many(conn: AsyncConnection, tx_hashes: Sequence[bytes]) -> None:
    """Remove transactions from the queue, however many."""
    for chunk in _chunks(tx_hashes):
        await conn.execute(delete(queue_tx).where(queue_tx.c.hash.in_(chunk)))


async def requeue_txs(conn: AsyncConnection, txs: Sequence[QueuedTx]) -> None:
    """Queue transactions again, in the given order; a hash still queued stays as it is."""
    if txs:
        await insert_queue_rows(conn, txs)
