"""Scheduled (delayed) contracts: which are due at a block."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncConnection

from chain.storage.schema import delayed_contracts


@dataclass(frozen=True, slots=True)
class DelayedContract:
    """A row of 1_delayed_contracts that the producer runs."""

    id: int
    contract: str
    key_id: int
    high_rate: int


_CANDIDATES = (
    select(
        delayed_contracts.c.id,
        delayed_contracts.c.contract,
        delayed_contracts.c.key_id,
        delayed_contracts.c.high_rate,
        delayed_contracts.c.every_block,
    )
    .where(
        delayed_contracts.c.deleted == 0,
        delayed_contracts.c.every_block > 0,
        or_(
            delayed_contracts.c.limit == 0,
            delayed_contracts.c.counter < delayed_contracts.c.limit,
        ),
    )
    .order_by(delayed_contracts.c.high_rate.desc(), delayed_contracts.c.id)
)


async def list_due_delayed(conn: AsyncConnection, block_id: int) -> list[DelayedContract]:
    """Live contracts due at `block_id`: started by then, and the block a multiple of their
    period (the reference's `block_id <= N AND N % every_block = 0`), highest rate first."""
    rows = await conn.execute(_CANDIDATES.where(delayed_contracts.c.block_id <= block_id))
    # The period is checked here: SQL may divide before it filters out a period of 0.
    return [
        DelayedContract(r.id, r.contract, r.key_id, r.high_rate)
        for r in rows
        if block_id % r.every_block == 0
    ]
