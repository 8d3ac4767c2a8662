"""What the block explorer pages read: blocks by hash, an account's history and transactions."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncConnection

from chain.storage.repo.blocks import BlockRow, get_block
from chain.storage.repo.txs import LogRow
from chain.storage.schema import block_chain, history, log_transactions


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    """One money movement of 1_history."""

    ecosystem: int
    sender_id: int
    recipient_id: int
    amount: int
    comment: str
    block_id: int
    tx_hash: bytes
    created_at: int


async def get_block_by_hash(conn: AsyncConnection, block_hash: bytes) -> BlockRow | None:
    """The block with this hash, or None."""
    result = await conn.execute(select(block_chain.c.id).where(block_chain.c.hash == block_hash))
    block_id = result.scalar_one_or_none()
    return await get_block(conn, block_id) if block_id is not None else None


async def list_account_history(
    conn: AsyncConnection, key_id: int, limit: int
) -> list[HistoryEntry]:
    """Money the account sent or received, newest first."""
    h = history.c
    result = await conn.execute(
        select(
            h.ecosystem,
            h.sender_id,
            h.recipient_id,
            h.amount,
            h.comment,
            h.block_id,
            h.txhash,
            h.created_at,
        )
        .where(or_(h.sender_id == key_id, h.recipient_id == key_id))
        .order_by(h.id.desc())
        .limit(limit)
    )
    return [
        HistoryEntry(
            int(r.ecosystem),
            int(r.sender_id),
            int(r.recipient_id),
            int(r.amount),
            r.comment,
            int(r.block_id),
            bytes(r.txhash),
            int(r.created_at),
        )
        for r in result
    ]


async def list_key_txs(conn: AsyncConnection, key_id: int, limit: int) -> list[LogRow]:
    """Transactions the key signed that are in blocks, newest first."""
    log = log_transactions.c
    result = await conn.execute(
        select(log_transactions)
        .where(log.address == key_id)
        .order_by(log.block.desc(), log.timestamp.desc())
        .limit(limit)
    )
    return [LogRow.of(r) for r in result]
