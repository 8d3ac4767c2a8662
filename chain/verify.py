"""Re-hash and re-verify every stored block, from genesis to the head."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine

from chain.block import (
    Block,
    BlockVerifyError,
    genesis_prev_hash,
    genesis_rollbacks_hash,
    verify_block,
)
from chain.identity import NodeIdentity
from chain.observer import Progress
from chain.storage.repo.blocks import get_head, list_blocks


async def verify_chain(
    engine: AsyncEngine, node: NodeIdentity, batch: int = 500, progress: Progress | None = None
) -> int:
    """Check links, merkle roots, hashes and signatures of all blocks; returns the height.

    Raises BlockVerifyError naming the first bad block.
    """
    crypto = node.crypto
    prev_hash, prev_rollbacks = genesis_prev_hash(crypto), genesis_rollbacks_hash(crypto)
    expected_id = 1
    async with engine.connect() as conn:
        head = await get_head(conn)
        while True:
            rows = await list_blocks(conn, expected_id - 1, batch)
            if not rows:
                break
            for row in rows:
                if row.id != expected_id:
                    raise BlockVerifyError(f"block {expected_id} is missing")
                block = Block.deserialize(row.data)
                if block.header.block_id != row.id or block.header.block_hash != row.hash:
                    raise BlockVerifyError(f"block {row.id}: stored row disagrees with its data")
                try:
                    verify_block(block, prev_hash, prev_rollbacks, node.node_public, crypto)
                except BlockVerifyError as exc:
                    raise BlockVerifyError(f"block {row.id}: {exc}") from exc
                prev_hash, prev_rollbacks = row.hash, row.rollbacks_hash
                expected_id += 1
            if progress is not None:
                progress(expected_id - 1, head.id if head is not None else expected_id - 1)
    height = expected_id - 1
    if head is None or head.id != height:
        raise BlockVerifyError(f"head says {head.id if head else None}, chain ends at {height}")
    return height
