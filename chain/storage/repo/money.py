"""Unspent outputs (spent_info), account balances and rollback records."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from chain.storage.schema import keys, rollback_tx, spent_info


@dataclass(frozen=True, slots=True)
class Output:
    """One row of spent_info."""

    output_tx_hash: bytes
    output_index: int
    output_key_id: int
    output_value: int
    ecosystem: int
    block_id: int
    type: int
    input_tx_hash: bytes | None = None
    input_index: int = 0


@dataclass(frozen=True, slots=True)
class RollbackRow:
    """What a transaction changed in a table row, so a block can be undone."""

    block_id: int
    tx_hash: bytes
    table_name: str
    table_id: str
    data: str


async def list_unspent(conn: AsyncConnection, key_id: int, ecosystem: int) -> list[Output]:
    """A key's unspent outputs in an ecosystem, oldest first."""
    result = await conn.execute(
        select(spent_info)
        .where(
            spent_info.c.output_key_id == key_id,
            spent_info.c.ecosystem == ecosystem,
            spent_info.c.input_tx_hash.is_(None),
        )
        .order_by(spent_info.c.block_id, spent_info.c.output_tx_hash, spent_info.c.output_index)
    )
    return [_output(r) for r in result]


def _output(row: Any) -> Output:
    return Output(
        output_tx_hash=bytes(row.output_tx_hash),
        output_index=row.output_index,
        output_key_id=row.output_key_id,
        output_value=row.output_value,
        ecosystem=row.ecosystem,
        block_id=row.block_id,
        type=row.type,
        input_tx_hash=(bytes(row.input_tx_hash) if row.input_tx_hash is not None else None),
        input_index=row.input_index or 0,
    )


async def sum_unspent(conn: AsyncConnection, key_id: int, ecosystem: int) -> int:
    """Total of a key's unspent outputs, summed exactly in Python (SQLite has no decimal)."""
    result = await conn.execute(
        select(spent_info.c.output_value).where(
            spent_info.c.output_key_id == key_id,
            spent_info.c.ecosystem == ecosystem,
            spent_info.c.input_tx_hash.is_(None),
        )
    )
    return sum(result.scalars())


async def spend_outputs(conn: AsyncConnection, outputs: Sequence[Output], tx_hash: bytes) -> None:
    """Mark outputs as inputs of a transaction; refuses an output that is already spent."""
    if not outputs:
        return
    stmt = (
        update(spent_info)
        .where(
            and_(
                spent_info.c.output_tx_hash == bindparam("b_out"),
                spent_info.c.output_index == bindparam("b_idx"),
                spent_info.c.input_tx_hash.is_(None),
            )
        )
        .values(input_tx_hash=bindparam("b_in"), input_index=bindparam("b_in_idx"))
    )
    for i, out in enumerate(outputs):
        result = await conn.execute(
            stmt,
            {
                "b_out": out.output_tx_hash,
                "b_idx": out.output_index,
                "b_in": tx_hash,
                "b_in_idx": i,
            },
        )
        if result.rowcount != 1:
            raise RuntimeError("output already spent")  # guarded by the caller's selection


async def insert_outputs(conn: AsyncConnection, outputs: Sequence[Output]) -> None:
    """Create new unspent outputs."""
    if outputs:
        await conn.execute(
            spent_info.insert(),
            [
                {
                    "output_tx_hash": o.output_tx_hash,
                    "output_index": o.output_index,
                    "output_key_id": o.output_key_id,
                    "output_value": o.output_value,
                    "ecosystem": o.ecosystem,
                    "block_id": o.block_id,
                    "type": o.type,
                }
                for o in outputs
            ],
        )


async def list_block_outputs(conn: AsyncConnection, block_id: int) -> list[Output]:
    """Outputs created in a block (part of its rollback hash)."""
    result = await conn.execute(
        select(spent_info)
        .where(spent_info.c.block_id == block_id)
        .order_by(spent_info.c.output_tx_hash, spent_info.c.output_index)
    )
    return [_output(r) for r in result]


async def get_amount(conn: AsyncConnection, ecosystem: int, key_id: int) -> int | None:
    """An account's balance, or None when the account does not exist."""
    result = await conn.execute(
        select(keys.c.amount).where(keys.c.ecosystem == ecosystem, keys.c.id == key_id)
    )
    return result.scalar_one_or_none()


async def set_amount(conn: AsyncConnection, ecosystem: int, key_id: int, amount: int) -> None:
    """Set an account's balance (callers check it never goes negative)."""
    if amount < 0:
        raise ValueError("negative balance")
    await conn.execute(
        update(keys).where(keys.c.ecosystem == ecosystem, keys.c.id == key_id).values(amount=amount)
    )


async def insert_rollbacks(conn: AsyncConnection, rows: Sequence[RollbackRow]) -> None:
    """Record how to undo row changes."""
    if rows:
        await conn.execute(
            rollback_tx.insert(),
            [
                {
                    "block_id": r.block_id,
                    "tx_hash": r.tx_hash,
                    "table_name": r.table_name,
                    "table_id": r.table_id,
                    "data": r.data,
                }
                for r in rows
            ],
        )


async def list_block_rollbacks(conn: AsyncConnection, block_id: int) -> list[RollbackRow]:
    """Rollback records of a block, in insertion order."""
    result = await conn.execute(
        select(rollback_tx).where(rollback_tx.c.block_id == block_id).order_by(rollback_tx.c.id)
    )
    return [
        RollbackRow(r.block_id, bytes(r.tx_hash), r.table_name, r.table_id, r.data) for r in result
    ]
