"""SQLite's producer paces its blocks (sendTx gets the loop and the write lock in between)."""

from __future__ import annotations

from typing import Any

from aiohttp.test_utils import TestClient

from api.appkeys import PRODUCER
from chain.producer import gathering_pause
from node.config import Config
from tests.helpers import Wallet, send_txs, utxo_tx, wait_status

Client = TestClient[Any, Any]


async def test_only_the_sqlite_producer_is_paced_and_its_txs_still_land(
    client: Client, config: Config, founder: Wallet, backend: str
) -> None:
    # SQLite's producer has an inline engine (it holds the event loop while it builds);
    # PostgreSQL's awaits its server, so sendTx runs beside its blocks and nothing is paced.
    assert client.app[PRODUCER].paced == (backend == "sqlite")
    to = Wallet(config.crypto).key_id
    hashes = []
    for amount in (1, 2, 3):  # one block after another: the paced pause comes between them
        status, body = await send_txs(client, founder, utxo_tx(founder, to, amount))
        assert status == 200, body
        hashes.append(next(h for h in body["hashes"] if h != "tx0"))
    for tx_hash in hashes:
        settled = await wait_status(client, founder, tx_hash)
        assert settled["blockid"] and "errmsg" not in settled, settled


def test_a_paced_pause_is_at_least_the_last_block_and_at_most_the_cap() -> None:
    window, cap = 0.02, 0.5
    assert gathering_pause(window, 0.08, paced=True, cap_s=cap) == 0.08
    assert gathering_pause(window, 0.005, paced=True, cap_s=cap) == window
    assert gathering_pause(window, 3.0, paced=True, cap_s=cap) == cap
    # Unpaced (PostgreSQL): the window whatever the last block took.
    assert gathering_pause(window, 0.08, paced=False, cap_s=cap) == window
    # No window (tests, `--block-window-ms 0`): never a pause, paced or not.
    assert gathering_pause(0, 0.08, paced=True, cap_s=cap) == 0
