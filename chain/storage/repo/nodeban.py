"""Bad blocks that honor nodes reported, for the periodic node-ban sweep."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from chain.storage.schema import bad_blocks


@dataclass(frozen=True, slots=True)
class BadBlock:
    """One report: `consumer` found block `block_id` of `producer` bad."""

    id: int
    producer: int
    block_id: int
    consumer: int


async def list_bad_blocks_since(conn: AsyncConnection, since: datetime) -> list[BadBlock]:
    """Live reports of blocks made after `since`, oldest id first."""
    rows = await conn.execute(
        select(
            bad_blocks.c.id,
            bad_blocks.c.producer_node_id,
            bad_blocks.c.block_id,
            bad_blocks.c.consumer_node_id,
        )
        .where(bad_blocks.c.block_time > since, bad_blocks.c.deleted == 0)
        .order_by(bad_blocks.c.id)
    )
    return [BadBlock(r.id, r.producer_node_id, r.block_id, r.consumer_node_id) for r in rows]
