"""The head signal: read once per connection; caches never outlive the head they were made at."""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy.ext.asyncio import AsyncEngine

from chain.freshness import NO_HEAD, Head, HeadKeyed, Heads, read_head
from chain.storage.repo.blocks import get_head, insert_block


def test_a_cache_per_head() -> None:
    caches: HeadKeyed[dict[str, int]] = HeadKeyed(dict)
    first, second = Head(1, b"a"), Head(2, b"b")
    old = caches.at(first)
    old["x"] = 1
    assert caches.at(first) is old
    new = caches.at(second)
    assert new == {} and new is not old
    # A slower request of the old head fills only its own cache, not the new head's.
    old["y"] = 2
    assert caches.at(second) == {}
    # The same block id with another hash (a block made again after a rollback) is another head.
    assert caches.at(Head(2, b"c")) == {}


async def test_the_head_is_read_once_per_connection(genesis_engine: AsyncEngine) -> None:
    engine = genesis_engine
    heads = Heads()
    async with engine.connect() as conn:
        genesis = await heads.of(conn)
        block = await get_head(conn)
        assert block is not None and genesis == Head(block.id, block.hash)
        async with engine.begin() as writer:
            await insert_block(writer, replace(block, id=2, hash=b"\x02" * 32))
        assert await heads.of(conn) == genesis  # this request keeps the head it read first
    async with engine.connect() as conn:
        assert await heads.of(conn) == Head(2, b"\x02" * 32)
        assert await read_head(conn) == await heads.of(conn)


async def test_no_head_before_genesis(migrated_engine: AsyncEngine) -> None:
    async with migrated_engine.connect() as conn:
        assert await read_head(conn) == NO_HEAD
