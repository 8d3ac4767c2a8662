"""sendTx's group commit: concurrent requests share one queue commit, none answered before it."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from aiohttp.test_utils import TestClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from chain.crypto import Crypto
from chain.storage.engine import make_engine
from chain.storage.migrate import upgrade
from chain.storage.repo.txs import known_hashes
from chain.storage.schema import queue_tx
from chain.txcheck import AcceptedTx, check_tx
from chain.txpool import TxQueue
from node.config import Config
from tests.api.test_metrics import scrape, value
from tests.helpers import Wallet, send_txs, utxo_tx, wait_status

Client = TestClient[Any, Any]
REQUESTS = 24


async def test_concurrent_single_tx_requests_share_commits_and_all_land(
    client: Client, config: Config, founder: Wallet
) -> None:
    to = Wallet(config.crypto).key_id
    raws = [utxo_tx(founder, to, value) for value in range(1, REQUESTS + 1)]
    before = await scrape(client)
    answers = await asyncio.gather(*(send_txs(client, founder, raw) for raw in raws))
    assert all(status == 200 for status, _ in answers), answers
    hashes = [next(h for h in body["hashes"] if h != "tx0") for _, body in answers]
    assert len(set(hashes)) == REQUESTS
    for tx_hash in hashes:
        status = await wait_status(client, founder, tx_hash)
        assert status["blockid"] and "errmsg" not in status, status
    after = await scrape(client)
    commits = value(after, "ibax_tx_queue_commits_total") - value(
        before, "ibax_tx_queue_commits_total"
    )
    grouped = value(after, "ibax_tx_queue_requests_total") - value(
        before, "ibax_tx_queue_requests_total"
    )
    assert grouped == REQUESTS
    # A commit per request would make REQUESTS commits: requests arriving during a commit
    # wait for the next one and share it.
    assert 1 <= commits < REQUESTS


async def _checked(crypto: Crypto, count: int) -> list[AcceptedTx]:
    wallet = Wallet(crypto)
    now = int(time.time())
    raws = [utxo_tx(wallet, 1, value, time_s=now) for value in range(1, count + 1)]
    return [
        await check_tx(raw, crypto=crypto, network_id=1, max_tx_size=1 << 20, now=now)
        for raw in raws
    ]


async def _queued(engine: AsyncEngine) -> int:
    async with engine.connect() as conn:
        return int((await conn.execute(select(func.count()).select_from(queue_tx))).scalar_one())


async def test_waiting_requests_share_one_commit(db_url: str) -> None:
    engine = make_engine(db_url)
    try:
        await upgrade(engine)
        queue = TxQueue(engine)
        txs = await _checked(Crypto(), 10)
        # Ten requests waiting at once: the writer starts after all of them joined.
        await asyncio.gather(*(queue.submit([tx]) for tx in txs))
        assert queue.commits == 1
        assert await _queued(engine) == 10
        async with engine.connect() as conn:
            assert await known_hashes(conn, [tx.hash for tx in txs]) == {tx.hash for tx in txs}
        # Alone, a request still commits at once.
        await queue.submit(await _checked(Crypto(), 1))
        assert queue.commits == 2
    finally:
        await engine.dispose()


async def test_a_failed_commit_fails_every_request_waiting_for_it(db_url: str) -> None:
    # A database without the node's tables: the commit fails as a lost disk or server would.
    engine = make_engine(db_url)
    try:
        queue = TxQueue(engine)
        txs = await _checked(Crypto(), 5)
        outcomes = await asyncio.gather(
            *(queue.submit([tx]) for tx in txs), return_exceptions=True
        )
        assert all(isinstance(o, Exception) for o in outcomes), outcomes
        assert queue.commits == 0
        # Nothing is left waiting: the next request gets a commit of its own (and fails too).
        outcome = await asyncio.gather(queue.submit(txs[:1]), return_exceptions=True)
        assert isinstance(outcome[0], Exception)
    finally:
        await engine.dispose()


async def test_an_answered_request_is_stored_even_if_the_next_commit_fails(db_url: str) -> None:
    engine = make_engine(db_url)
    try:
        await upgrade(engine)
        queue = TxQueue(engine)
        first, second = await _checked(Crypto(), 2)
        await queue.submit([first])
        async with engine.begin() as conn:
            await conn.run_sync(lambda sync: queue_tx.drop(sync))
        failed = await asyncio.gather(queue.submit([second]), return_exceptions=True)
        assert isinstance(failed[0], Exception)
        async with engine.connect() as conn:
            # The first was answered: its status row survived; the second left none.
            assert await known_hashes(conn, [first.hash, second.hash]) == {first.hash}
    finally:
        await engine.dispose()
