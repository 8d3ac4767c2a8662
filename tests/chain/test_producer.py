"""The block producer's loop: it stops when cancelled, whatever wakes it at the same moment."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from chain.crypto import Crypto
from chain.genesis import GenesisOptions, create_genesis
from chain.identity import NodeIdentity
from chain.producer import BlockProducer
from chain.storage.engine import make_engine
from chain.storage.migrate import upgrade

CRYPTO = Crypto()
NODE = NodeIdentity(
    network_id=1,
    crypto=CRYPTO,
    founder_public=CRYPTO.public_key(bytes.fromhex("11" * 32)),
    node_public=CRYPTO.public_key(bytes.fromhex("22" * 32)),
    node_private=bytes.fromhex("22" * 32),
)


@pytest.fixture
async def engine(db_url: str) -> AsyncIterator[AsyncEngine]:
    """A migrated database holding block 1."""
    eng = make_engine(db_url)
    try:
        await upgrade(eng)
        async with eng.begin() as conn:
            await create_genesis(conn, NODE, GenesisOptions(timestamp=1_700_000_000))
        yield eng
    finally:
        await eng.dispose()


@pytest.mark.parametrize("backend", ["sqlite"])
async def test_a_stop_that_comes_with_a_wake_up_is_not_lost(engine: AsyncEngine) -> None:
    # Cancel the loop at each of its first steps, the wake-up already set: on Python 3.11
    # asyncio.wait_for returned the event's result for a cancel landing as it fired, and the
    # producer (and the app's shutdown waiting for it) ran on forever. The batching window
    # keeps a cancel that is not lost away from the database.
    for steps in range(8):
        wake = asyncio.Event()
        wake.set()
        producer = BlockProducer(engine, NODE, window_ms=1000, poll_s=0.5, wake=wake)
        task = asyncio.create_task(producer.run())
        for _ in range(steps):
            await asyncio.sleep(0)
        task.cancel()
        try:
            with pytest.raises(asyncio.CancelledError):
                async with asyncio.timeout(5):
                    await task
        finally:
            task.cancel()
