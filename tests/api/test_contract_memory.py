"""A contract that hoards memory fails in its block at the cap, and the node goes on."""

from __future__ import annotations

import time
from typing import Any

from aiohttp.test_utils import TestClient

from chain.storage.engine import make_engine, write_transaction
from chain.storage.repo.txs import QueuedTx, enqueue
from chain.txcodec import build_client_tx, decode_tx
from node.app import create_app
from node.config import Config
from tests.api.test_contracts import HELLO, call
from tests.api.test_error_texts import deployed_id
from tests.helpers import Wallet, smart_tx, wait_status

Client = TestClient[Any, Any]

HOG = """contract Hog {
    action {
        var s string
        var parts array
        var i int
        s = "x"
        while Size(s) < 500000 { s = s + s }
        while true {
            parts[i] = s + Str(i)
            i = i + 1
        }
    }
}"""


async def test_a_memory_hog_fails_at_the_cap(client: Client, founder: Wallet) -> None:
    hog = await deployed_id(client, founder, HOG)
    failed = await call(client, founder, hog, {})
    assert failed["penalty"] == 1
    assert failed["errmsg"] == {"type": "panic", "error": "Memory limit exceeded [@1Hog:9]"}
    # The node goes on: it answers, and the next contract tx runs in a later block.
    resp = await client.get("/api/v2/version")
    assert resp.status == 200
    hello = await deployed_id(client, founder, HELLO)
    done = await call(client, founder, hello, {"Name": "after"})
    assert done["penalty"] == 0 and done["result"].startswith("hello after x1")
    assert int(done["blockid"]) > int(failed["blockid"])


async def test_a_memory_hog_left_queued_by_a_dead_node_fails_at_its_restart(
    aiohttp_client: Any, client: Client, config: Config, founder: Wallet
) -> None:
    hog = await deployed_id(client, founder, HOG)
    hello = await deployed_id(client, founder, HELLO)
    await client.close()
    # What a node killed while running the hog leaves: the tx queued, in no block. A node
    # that died of the hog would die again at each start on it; at the cap it fails instead.
    raw = build_client_tx(smart_tx(founder, contract_id=hog), founder.private, founder.crypto)
    tx = decode_tx(raw, config.crypto)
    queued = QueuedTx(tx.hash, raw, founder.key_id, 1, int(tx.tx.tx_type), int(time.time() * 1000))
    engine = make_engine(config.db_url)
    try:
        async with write_transaction(engine) as conn:
            await enqueue(conn, [queued])
    finally:
        await engine.dispose()
    restarted = await aiohttp_client(create_app(config))
    failed = await wait_status(restarted, founder, tx.hash.hex())
    assert failed["penalty"] == 1
    assert failed["errmsg"] == {"type": "panic", "error": "Memory limit exceeded [@1Hog:9]"}
    done = await call(restarted, founder, hello, {"Name": "after"})
    assert done["penalty"] == 0 and int(done["blockid"]) > int(failed["blockid"])
