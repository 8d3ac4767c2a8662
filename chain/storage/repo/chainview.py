"""Read-only queries of the explorer endpoints that no other repository module answers."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from chain.storage.repo.money import RollbackRow
from chain.storage.schema import block_chain, ecosystems, keys, rollback_tx


async def sum_block_txs(conn: AsyncConnection) -> int:
    """Transactions in all blocks."""
    result = await conn.execute(select(func.coalesce(func.sum(block_chain.c.tx), 0)))
    return int(result.scalar_one())


async def next_ecosystem_id(conn: AsyncConnection) -> int:
    """The id the next ecosystem would get."""
    result = await conn.execute(select(func.coalesce(func.max(ecosystems.c.id), 0)))
    return int(result.scalar_one()) + 1


async def list_ecosystems(conn: AsyncConnection) -> list[tuple[int, str, int]]:
    """(id, name, digits) of every ecosystem, by id."""
    result = await conn.execute(
        select(ecosystems.c.id, ecosystems.c.name, ecosystems.c.digits).order_by(ecosystems.c.id)
    )
    return [(row.id, row.name, row.digits) for row in result]


async def list_key_ecosystems(conn: AsyncConnection, key_id: int) -> list[int]:
    """Ecosystems in which an account exists, by id."""
    result = await conn.execute(
        select(keys.c.ecosystem).where(keys.c.id == key_id).order_by(keys.c.ecosystem)
    )
    return list(result.scalars())


async def list_tx_rollbacks(conn: AsyncConnection, tx_hashes: Sequence[bytes]) -> list[RollbackRow]:
    """Rollback records of the given transactions, in insertion order."""
    if not tx_hashes:
        return []
    result = await conn.execute(
        select(rollback_tx)
        .where(rollback_tx.c.tx_hash.in_(list(tx_hashes)))
        .order_by(rollback_tx.c.id)
    )
    return [
        RollbackRow(r.block_id, bytes(r.tx_hash), r.table_name, r.table_id, r.data) for r in result
    ]


async def count_blocks_by_node(conn: AsyncConnection, node_position: int, mode: int) -> int:
    """Blocks signed by the node at `node_position` under consensus mode `mode`."""
    result = await conn.execute(
        select(func.count())
        .select_from(block_chain)
        .where(block_chain.c.node_position == node_position, block_chain.c.consensus_mode == mode)
    )
    return int(result.scalar_one())
