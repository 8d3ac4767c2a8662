"""Cached reads: the same answer again until the next block, then the new one."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from chain.address import address_to_string
from chain.crypto import Crypto
from chain.freshness import Coalesced
from tests.helpers import Wallet, send_txs, utxo_tx, wait_status

Client = TestClient[Any, Any]


async def cache_counts(client: Client) -> tuple[float, float]:
    """The answer cache's hits and misses so far, from /metrics."""
    resp = await client.get("/metrics")
    text = await resp.text()
    counts = {"hit": 0.0, "miss": 0.0}
    for line in text.splitlines():
        if line.startswith('ibax_cache_lookups_total{cache="answers"'):
            result = line.split('result="', 1)[1].split('"', 1)[0]
            counts[result] = float(line.rsplit(" ", 1)[1])
    return counts["hit"], counts["miss"]


async def get(client: Client, path: str, wallet: Wallet | None = None) -> Any:
    resp = await client.get("/api/v2/" + path, headers=wallet.auth if wallet else None)
    body = await resp.json()
    assert resp.status == 200, body
    return body


async def block_with_transfer(client: Client, founder: Wallet, to: Wallet, amount: int) -> int:
    status, body = await send_txs(client, founder, utxo_tx(founder, to.key_id, amount))
    assert status == 200, body
    tx_hash = next(iter(body["hashes"].values()))
    result = await wait_status(client, founder, tx_hash)
    assert "errmsg" not in result, result
    return int(result["blockid"])


async def test_head_answers_are_kept_until_the_next_block(client: Client, founder: Wallet) -> None:
    other = Wallet(Crypto())
    address = address_to_string(other.key_id)
    head = (await get(client, "maxblockid"))["max_block_id"]
    hits, misses = await cache_counts(client)
    assert (await get(client, "maxblockid"))["max_block_id"] == head
    assert (await get(client, f"balance/{address}"))["total"] == "0"
    assert (await get(client, f"balance/{address}"))["total"] == "0"
    # The second maxblockid and the second balance came from the cache.
    assert await cache_counts(client) == (hits + 2, misses + 1)

    block_id = await block_with_transfer(client, founder, other, 7)
    assert (await get(client, "maxblockid"))["max_block_id"] == block_id > head
    assert (await get(client, f"balance/{address}"))["total"] == "7"


async def test_blocks_in_the_chain_outlive_the_head(client: Client, founder: Wallet) -> None:
    first = await get(client, "blocks?block_id=1&count=1")
    detailed = await get(client, "detailed_blocks?block_id=1&count=1")
    await block_with_transfer(client, founder, Wallet(Crypto()), 1)
    hits, misses = await cache_counts(client)
    assert await get(client, "blocks?block_id=1&count=1") == first
    assert await get(client, "detailed_blocks?block_id=1&count=1") == detailed
    assert await cache_counts(client) == (hits + 2, misses)


async def test_a_range_past_the_head_is_answered_again_after_a_block(
    client: Client, founder: Wallet
) -> None:
    head = (await get(client, "maxblockid"))["max_block_id"]
    before = await get(client, f"blocks?block_id={head}&count=5")
    assert sorted(before) == [str(head)]
    block_id = await block_with_transfer(client, founder, Wallet(Crypto()), 1)
    after = await get(client, f"blocks?block_id={head}&count=5")
    assert str(block_id) in after


async def test_concurrent_head_reads_share_one_that_began_after_they_asked() -> None:
    reads: list[int] = []
    gate = asyncio.Event()

    async def read() -> int:
        reads.append(len(reads) + 1)
        number = len(reads)
        await gate.wait()
        return number

    coalesced = Coalesced(read)
    first = asyncio.ensure_future(coalesced())
    while not reads:  # the first read is under way
        await asyncio.sleep(0)
    # These came after it began: they must not take its (possibly older) answer.
    later = [asyncio.ensure_future(coalesced()) for _ in range(5)]
    await asyncio.sleep(0)
    gate.set()
    assert await first == 1
    assert await asyncio.gather(*later) == [2] * 5
    assert reads == [1, 2]  # six callers, two reads


async def test_a_failed_read_fails_its_callers_and_the_next_read_runs() -> None:
    outcomes = iter([RuntimeError("database gone"), 7])

    async def read() -> int:
        outcome = next(outcomes)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    coalesced = Coalesced(read)
    with pytest.raises(RuntimeError, match="database gone"):
        await coalesced()
    assert await coalesced() == 7


async def test_a_cancelled_caller_cancels_nothing_shared() -> None:
    gate = asyncio.Event()
    reads: list[int] = []

    async def read() -> int:
        reads.append(1)
        await gate.wait()
        return len(reads)

    coalesced = Coalesced(read)
    first = asyncio.ensure_future(coalesced())
    await asyncio.sleep(0)
    # Two callers that share the next read; one leaves before it is done.
    leaving, staying = asyncio.ensure_future(coalesced()), asyncio.ensure_future(coalesced())
    await asyncio.sleep(0)
    leaving.cancel()
    gate.set()
    assert await first == 1
    assert await staying == 2
    assert leaving.cancelled() and reads == [1, 1]
