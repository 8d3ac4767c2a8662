"""Prometheus metrics at /metrics: scraped over HTTP and parsed with prometheus_client's parser."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from aiohttp.test_utils import TestClient
from prometheus_client.parser import text_string_to_metric_families

from api.bank.keys import BANK_STOP
from api.ops.metrics import NodeMetrics
from chain.address import address_to_string
from chain.observer import BlockStats
from node.app import create_app
from node.config import Config
from tests.helpers import Wallet, call_contract, send_txs, utxo_tx, wait_status

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def parse(text: str) -> Samples:
    """Every sample of an exposition text, keyed by (name, labels)."""
    found: Samples = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found[(sample.name, frozenset(sample.labels.items()))] = sample.value
    return found


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


async def scrape(client: TestClient[Any, Any]) -> Samples:
    resp = await client.get("/metrics")
    assert resp.status == 200
    assert resp.headers["Content-Type"].startswith("text/plain")
    return parse(await resp.text())


async def test_requests_transactions_and_blocks_are_counted(
    aiohttp_client: Callable[..., Any], config: Config
) -> None:
    # One app only: a second producer on the database could form the blocks counted here.
    client: TestClient[Any, Any] = await aiohttp_client(create_app(config))
    private = bytes.fromhex((config.data_dir / "PrivateKey").read_text())
    founder = Wallet(config.crypto, private=private)
    await founder.login(client)
    for _ in range(2):
        assert (await client.get("/api/v2/version")).status == 200
    assert (await client.get("/api/v2/block/999")).status == 404
    assert (await client.get("/no/such/path")).status == 404
    assert (await client.get("/api/v2/version/")).status == 200  # after a 301

    status, body = await send_txs(
        client, founder, utxo_tx(founder, Wallet(config.crypto).key_id, 5)
    )
    assert status == 200, body
    tx_hash = next(h for h in body["hashes"] if len(h) == 64)
    assert (await wait_status(client, founder, tx_hash))["blockid"]
    status, _ = await send_txs(client, founder, b"not a transaction")
    assert status == 400
    # The founder's money is in outputs, not the account: the contract fails in its block,
    # after using fuel, which counts all the same.
    result = await call_contract(
        client,
        founder,
        "@1TokensSend",
        {"Recipient": address_to_string(Wallet(config.crypto).key_id), "Amount": "1"},
    )
    assert result["blockid"], result

    samples = await scrape(client)
    requests = "ibax_http_requests_total"
    assert value(samples, requests, method="GET", route="/api/v2/version", status="200") == 3
    assert value(samples, requests, method="GET", route="/api/v2/block/{id}", status="404") == 1
    assert value(samples, requests, method="GET", route="<unmatched>", status="404") == 1
    assert value(samples, requests, method="GET", route="<unmatched>", status="301") == 1
    latency = "ibax_http_request_duration_seconds_count"
    assert value(samples, latency, method="GET", route="/api/v2/version") == 3
    assert value(samples, "ibax_txs_accepted_total") == 2
    assert value(samples, "ibax_txs_refused_total", reason="TxDecodeError") == 1
    assert value(samples, "ibax_blocks_produced_total") >= 2
    assert value(samples, "ibax_block_transactions_count") >= 2
    assert value(samples, "ibax_block_transactions_sum") >= 2
    assert value(samples, "ibax_block_build_seconds_count") >= 2
    assert value(samples, "ibax_block_commit_seconds_count") >= 2
    assert value(samples, "ibax_contract_fuel_used_total") > 0
    assert value(samples, "ibax_tx_queue_depth") == 0
    assert value(samples, "ibax_head_block_id") >= 3
    assert 0 <= value(samples, "ibax_head_age_seconds") < 60
    key_id = value(samples, "ibax_cache_lookups_total", cache="key_id", result="hit")
    key_id += value(samples, "ibax_cache_lookups_total", cache="key_id", result="miss")
    assert key_id > 0
    assert value(samples, "process_cpu_seconds_total") > 0
    # The scrape itself is counted by the next one.
    again = await scrape(client)
    assert value(again, requests, method="GET", route="/metrics", status="200") == 1


async def test_bank_operations_and_caches_are_counted(
    aiohttp_client: Callable[..., Any], make_config: Callable[..., Config]
) -> None:
    config = make_config(bank_admin="admin", bank_admin_password="adminpw", bank_hash_cost=10)
    app = create_app(config)
    app[BANK_STOP] = lambda: None
    client: TestClient[Any, Any] = await aiohttp_client(app)
    jsonh = {"Accept": "application/json", "Content-Type": "application/json"}
    for name in ("alice", "bob"):
        resp = await client.post("/api/v1/user/register", json={"name": name, "pass": "pw"})
        assert resp.status == 204
    alice = {"Authorization": "Basic YWxpY2U6cHc=", **jsonh}  # alice:pw
    resp = await client.post(
        "/api/v1/user/transfer", json={"name": "bob", "amount": 5}, headers=alice
    )
    assert resp.status == 400  # insufficient funds: refused in its block
    for _ in range(2):
        assert (await client.get("/api/v2/user/log", headers=alice)).status == 200

    samples = await scrape(client)
    ops = "ibax_bank_operations_total"
    assert value(samples, ops, operation="Register", outcome="ok") >= 2
    assert value(samples, ops, operation="Transfer", outcome="Insufficient funds") == 1
    lookups = "ibax_cache_lookups_total"
    assert value(samples, lookups, cache="bank_auth", result="miss") >= 1
    assert value(samples, lookups, cache="bank_auth", result="hit") >= 2
    assert value(samples, lookups, cache="bank_log", result="miss") == 1
    assert value(samples, lookups, cache="bank_log", result="hit") == 1


def test_each_app_has_its_own_registry() -> None:
    first, second = NodeMetrics(), NodeMetrics()
    first.observe_request("GET", "/x", 200, 0.01)
    first.block_committed(BlockStats(2, 3, 0.1, 0.01, 70))
    a, b = parse(first.render().decode()), parse(second.render().decode())
    assert value(a, "ibax_http_requests_total", method="GET", route="/x", status="200") == 1
    assert value(b, "ibax_http_requests_total", method="GET", route="/x", status="200") == 0
    assert value(a, "ibax_contract_fuel_used_total") == 70
    assert value(a, "ibax_block_transactions_sum") == 3


WORKER = """
import sys
from api.ops.metrics import NodeMetrics
from chain.observer import BlockStats
metrics = NodeMetrics(sys.argv[1])
metrics.observe_request("GET", "/api/v2/version", 200, 0.002)
metrics.tx_accepted(int(sys.argv[2]))
metrics.block_committed(BlockStats(2, 4, 0.05, 0.01, 10))
if len(sys.argv) > 3:
    sys.stdout.write(metrics.render().decode())
"""


def test_multiprocess_mode_sums_every_worker(tmp_path: Path) -> None:
    # As a later `--workers N` will run it: the variable is set before the workers import
    # prometheus_client, each worker writes its own files, any worker's scrape sums them.
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path)}
    root = str(Path(__file__).resolve().parents[2])

    def worker(*args: str) -> str:
        done = subprocess.run(
            [sys.executable, "-c", WORKER, str(tmp_path), *args],
            env=env,
            cwd=root,
            capture_output=True,
            text=True,
            check=True,
            timeout=60,
        )
        return done.stdout

    worker("2")
    worker("3")
    samples = parse(worker("4", "scrape"))
    assert value(samples, "ibax_txs_accepted_total") == 9
    assert value(samples, "ibax_blocks_produced_total") == 3
    assert value(samples, "ibax_block_transactions_sum") == 12
    requests = "ibax_http_requests_total"
    assert value(samples, requests, method="GET", route="/api/v2/version", status="200") == 3
    assert list(tmp_path.glob("*.db")), "samples were kept in the multiprocess directory"
