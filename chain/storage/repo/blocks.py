"""Blocks, the chain head and the genesis outputs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from chain.block import Block
from chain.storage.schema import block_chain, info_block


@dataclass(frozen=True, slots=True)
class BlockRow:
    """A stored block as the block_chain table has it."""

    id: int
    hash: bytes
    rollbacks_hash: bytes
    data: bytes
    ecosystem_id: int
    key_id: int
    node_position: int
    time: int
    tx: int
    consensus_mode: int


def block_row(block: Block) -> BlockRow:
    """The block_chain row of a sealed block."""
    header = block.header
    return BlockRow(
        id=header.block_id,
        hash=header.block_hash,
        rollbacks_hash=header.rollbacks_hash,
        data=block.serialize(),
        ecosystem_id=header.ecosystem_id,
        key_id=header.key_id,
        node_position=header.node_position,
        time=header.timestamp,
        tx=len(block.txs),
        consensus_mode=header.consensus_mode,
    )


def _row(row: Any) -> BlockRow:
    return BlockRow(
        id=row.id,
        hash=bytes(row.hash),
        rollbacks_hash=bytes(row.rollbacks_hash),
        data=bytes(row.data),
        ecosystem_id=row.ecosystem_id,
        key_id=row.key_id,
        node_position=row.node_position,
        time=row.time,
        tx=row.tx,
        consensus_mode=row.consensus_mode,
    )


async def get_block(conn: AsyncConnection, block_id: int) -> BlockRow | None:
    """One block, or None."""
    result = await conn.execute(select(block_chain).where(block_chain.c.id == block_id))
    row = result.first()
    return _row(row) if row is not None else None


async def list_blocks(conn: AsyncConnection, after: int, limit: int) -> list[BlockRow]:
    """Blocks with id > after, ascending, at most limit."""
    result = await conn.execute(
        select(block_chain).where(block_chain.c.id > after).order_by(block_chain.c.id).limit(limit)
    )
    return [_row(row) for row in result]


HEAD_MARK = select(info_block.c.block_id, info_block.c.hash).where(info_block.c.id == 1)


async def get_head_mark(conn: AsyncConnection) -> tuple[int, bytes] | None:
    """The head block's id and hash, or None before genesis (what caches key on)."""
    row = (await conn.execute(HEAD_MARK)).first()
    return (int(row.block_id), bytes(row.hash)) if row is not None else None


async def get_head(conn: AsyncConnection) -> BlockRow | None:
    """The newest block, from info_block, or None before genesis."""
    result = await conn.execute(select(info_block.c.block_id).where(info_block.c.id == 1))
    block_id = result.scalar_one_or_none()
    if block_id is None:
        return None
    return await get_block(conn, block_id)


async def insert_block(conn: AsyncConnection, block: BlockRow) -> None:
    """Write the block row and move the head to it; callers do this last in the block's commit."""
    values = {
        "id": block.id,
        "hash": block.hash,
        "rollbacks_hash": block.rollbacks_hash,
        "data": block.data,
        "ecosystem_id": block.ecosystem_id,
        "key_id": block.key_id,
        "node_position": block.node_position,
        "time": block.time,
        "tx": block.tx,
        "consensus_mode": block.consensus_mode,
    }
    await conn.execute(insert(block_chain).values(**values))
    head = {
        "hash": block.hash,
        "rollbacks_hash": block.rollbacks_hash,
        "block_id": block.id,
        "node_position": block.node_position,
        "key_id": block.key_id,
        "time": block.time,
        "consensus_mode": block.consensus_mode,
    }
    moved = await conn.execute(update(info_block).where(info_block.c.id == 1).values(**head))
    if moved.rowcount == 0:
        await conn.execute(insert(info_block).values(id=1, **head))

