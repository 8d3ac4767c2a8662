"""The block producer's loop: it stops when cancelled, whatever wakes it at the same moment."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from chain.producer import BlockProducer
from tests.chain.conftest import NODE


@pytest.mark.parametrize("backend", ["sqlite"])
async def test_a_stop_that_comes_with_a_wake_up_is_not_lost(
    genesis_engine: AsyncEngine,
) -> None:
    # Cancel the loop at each of its first steps, the wake-up already set: on Python 3.11
    # asyncio.wait_for returned the event's result for a cancel landing as it fired, and the
    # producer (and the app's shutdown waiting for it) ran on forever. The batching window
    # keeps a cancel that is not lost away from the database.
    for steps in range(8):
        wake = asyncio.Event()
        wake.set()
        producer = BlockProducer(genesis_engine, NODE, window_ms=1000, poll_s=0.5, wake=wake)
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
