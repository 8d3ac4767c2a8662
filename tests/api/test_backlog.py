"""sendTx's backpressure: past max_backlog unsettled txs a request waits for blocks, then 503."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from api.ops.metrics import NodeMetrics
from chain.observer import Settled, SettledTx
from chain.txcodec import decode_tx
from chain.txpool import Backlog, BacklogFull
from node.app import create_app
from node.config import Config
from tests.api.test_metrics import scrape, value
from tests.helpers import Wallet, send_txs, tx_status, utxo_tx, wait_status

Client = TestClient[Any, Any]


def settled(*hashes: bytes) -> Settled:
    """The event of a block that settled `hashes`."""
    txs = tuple(SettledTx(h, 1, 2, "", 0, "") for h in hashes)
    return Settled(2, 0, txs, frozenset())


def tx_hashes(count: int, tag: str = "") -> list[bytes]:
    return [f"{tag}{i}".encode().ljust(32, b".") for i in range(count)]


# ---- the backlog on its own -------------------------------------------------------------


async def test_requests_past_the_limit_wait_for_settled_txs_first_come_first_served() -> None:
    waits: list[int] = []
    backlog = Backlog(3, wait_s=5, waited=lambda: waits.append(1))
    first = tx_hashes(3, "a")
    await backlog.admit(first)
    assert len(backlog) == 3
    big = asyncio.create_task(backlog.admit(tx_hashes(2, "b")))
    small = asyncio.create_task(backlog.admit(tx_hashes(1, "c")))
    await asyncio.sleep(0.05)
    assert not big.done() and not small.done()
    assert len(waits) == 2
    # One settled tx makes room for the small request only, which came second: it waits.
    backlog.txs_settled(settled(first[0]))
    await asyncio.sleep(0.05)
    assert not big.done() and not small.done()
    backlog.txs_settled(settled(first[1]))
    await asyncio.sleep(0.05)
    assert big.done() and not small.done()
    backlog.txs_settled(settled(first[2]))
    await asyncio.sleep(0.05)
    assert small.done()
    assert len(backlog) == 3


async def test_a_request_that_gets_no_room_in_time_is_refused_and_counts_nothing() -> None:
    backlog = Backlog(2, wait_s=0.1)
    await backlog.admit(tx_hashes(2))
    with pytest.raises(BacklogFull, match="queue is full"):
        await backlog.admit(tx_hashes(1, "late"))
    assert len(backlog) == 2
    # Hashes it never let in are not its to settle: they change nothing.
    backlog.txs_settled(settled(*tx_hashes(1, "late")))
    assert len(backlog) == 2


async def test_a_request_larger_than_the_limit_goes_into_an_empty_backlog() -> None:
    backlog = Backlog(2, wait_s=0.1)
    await backlog.admit(tx_hashes(50))
    assert len(backlog) == 50
    with pytest.raises(BacklogFull):
        await backlog.admit(tx_hashes(1, "next"))


async def test_released_forgotten_and_old_txs_make_room() -> None:
    backlog = Backlog(2, wait_s=1, forget_s=0.2)
    first = tx_hashes(2)
    await backlog.admit(first)
    waiting = asyncio.create_task(backlog.admit(tx_hashes(1, "w")))
    await asyncio.sleep(0.02)
    backlog.release(first[:1])  # their commit failed: they will never settle
    await asyncio.wait_for(waiting, 1)
    backlog.forget_all()  # the link to the producer came back: what it settled went unheard
    assert len(backlog) == 0
    await backlog.admit(tx_hashes(2, "x"))
    await asyncio.sleep(0.25)
    # Nothing settled them (a duplicate leaves the queue without a status): after forget_s
    # they count no more.
    await asyncio.wait_for(backlog.admit(tx_hashes(2, "y")), 1)


async def test_a_cancelled_request_gives_back_the_room_it_was_granted() -> None:
    backlog = Backlog(1, wait_s=5)
    await backlog.admit(tx_hashes(1))
    waiting = asyncio.create_task(backlog.admit(tx_hashes(1, "w")))
    await asyncio.sleep(0.02)
    waiting.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiting
    backlog.txs_settled(settled(*tx_hashes(1)))
    assert len(backlog) == 0


async def test_no_limit_never_waits_and_counts_nothing() -> None:
    backlog = Backlog(0, wait_s=0.01)
    for k in range(5):
        await backlog.admit(tx_hashes(1000, str(k)))
    assert len(backlog) == 0


# ---- through the node -------------------------------------------------------------------


async def _node(
    aiohttp_client: Callable[..., Any], config: Config
) -> tuple[Client, Wallet]:
    client = await aiohttp_client(create_app(config))
    private = bytes.fromhex((config.data_dir / "PrivateKey").read_text())
    founder = Wallet(config.crypto, private=private)
    await founder.login(client)
    return client, founder


async def test_send_tx_waits_until_blocks_settle_the_backlog(
    aiohttp_client: Callable[..., Any], make_config: Callable[..., Config]
) -> None:
    # Blocks come 1.5 s after txs arrive: without backpressure the third request would be
    # answered at once, its two predecessors still in the queue.
    config = make_config(max_backlog=2, block_window_ms=1500)
    client, founder = await _node(aiohttp_client, config)
    to = Wallet(config.crypto).key_id
    before = await scrape(client)
    sent = []
    for amount in (1, 2):
        status, body = await send_txs(client, founder, utxo_tx(founder, to, amount))
        assert status == 200, body
        sent.append(body["hashes"]["tx0"])
    status, body = await send_txs(client, founder, utxo_tx(founder, to, 3))
    assert status == 200, body
    for tx_hash in sent:
        assert (await tx_status(client, founder, tx_hash))["blockid"], tx_hash
    assert (await wait_status(client, founder, body["hashes"]["tx0"]))["blockid"]
    after = await scrape(client)
    assert value(after, "ibax_tx_backlog_waits_total") - value(
        before, "ibax_tx_backlog_waits_total"
    ) == 1


async def test_send_tx_without_room_in_time_is_a_503_that_queues_nothing(
    aiohttp_client: Callable[..., Any], make_config: Callable[..., Config]
) -> None:
    config = make_config(max_backlog=1, backlog_wait=0.3, block_window_ms=3000)
    client, founder = await _node(aiohttp_client, config)
    to = Wallet(config.crypto).key_id
    status, _ = await send_txs(client, founder, utxo_tx(founder, to, 1))
    assert status == 200
    late = utxo_tx(founder, to, 2)
    status, body = await send_txs(client, founder, late)
    assert status == 503, body
    assert body["error"] == "E_SERVER"
    assert "queue is full" in body["msg"] and "try again later" in body["msg"], body
    late_hash = decode_tx(late, config.crypto).hash.hex()
    resp = await client.post(
        "/api/v2/txstatus",
        data={"data": json.dumps({"hashes": [late_hash]})},
        headers=founder.auth,
    )
    assert (resp.status, (await resp.json())["error"]) == (400, "E_HASHNOTFOUND")
    scraped = await scrape(client)
    assert value(scraped, "ibax_txs_refused_total", reason="BacklogFull") == 1
    # Once the first tx's block makes room, the same tx is accepted and lands.
    for _ in range(100):
        status, body = await send_txs(client, founder, late)
        if status == 200:
            break
        assert status == 503, body
    assert status == 200, body
    assert (await wait_status(client, founder, body["hashes"]["tx0"]))["blockid"]


def test_metrics_name_backlog_waits() -> None:
    assert "ibax_tx_backlog_waits" in NodeMetrics(None).render().decode()
