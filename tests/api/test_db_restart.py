"""A PostgreSQL server that drops every connection (a restart): the node serves again by itself."""

from __future__ import annotations

from typing import Any

import asyncpg
import pytest
from aiohttp.test_utils import TestClient

from api.appkeys import ENGINE
from node.config import Config
from tests.conftest import PG_ADMIN_DSN
from tests.helpers import Wallet, send_txs, utxo_tx, wait_status

Client = TestClient[Any, Any]
# Requests that may fail while the pool learns its connections are gone: the pool is dropped
# on the first one, so a handful at most (a request can hold a connection as it dies).
MAX_FAILED = 5


async def _drop_connections(database: str) -> int:
    """Terminate every server process serving `database`, as a server restart would."""
    conn = await asyncpg.connect(PG_ADMIN_DSN)
    try:
        rows = await conn.fetch(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = $1 AND pid <> pg_backend_pid()",
            database,
        )
    finally:
        await conn.close()
    return len(rows)


async def _until_ok(client: Client, path: str, wallet: Wallet) -> tuple[int, list[int]]:
    """GET `path` until it answers 200: (tries, the failed statuses, each in the API's envelope)."""
    failed: list[int] = []
    for tries in range(1, MAX_FAILED + 2):
        resp = await client.get(path, headers=wallet.auth)
        body = await resp.json()
        if resp.status == 200:
            return tries, failed
        assert "error" in body and "msg" in body, body  # the API's error envelope, not a crash
        failed.append(resp.status)
    raise AssertionError(f"{path} still failing after {MAX_FAILED + 1} tries: {failed}")


async def test_the_node_serves_again_after_the_server_dropped_its_connections(
    client: Client, config: Config, founder: Wallet, backend: str
) -> None:
    if backend != "postgresql":
        pytest.skip("dropping server connections is a PostgreSQL event; SQLite has no server")
    # Warm up: connections in the pool, the producer's among them.
    alice = Wallet(config.crypto)
    status, body = await send_txs(client, founder, utxo_tx(founder, alice.key_id, 5))
    assert status == 200, body
    first = next(h for h in body["hashes"] if h != "tx0")
    assert (await wait_status(client, founder, first))["blockid"]
    database = client.app[ENGINE].url.database
    assert database is not None
    assert await _drop_connections(database) > 0

    tries, failed = await _until_ok(client, "/api/v2/maxblockid", founder)
    print(f"maxblockid answered after {tries} tries; failed: {failed}")
    assert len(failed) <= MAX_FAILED and all(code >= 500 for code in failed)
    tries, failed = await _until_ok(client, f"/api/v2/balance/{founder.key_id}", founder)
    assert failed == []  # the pool has been renewed

    # Writes work again too: a tx is queued and the producer (which retries) puts it in a block.
    status, body = await send_txs(client, founder, utxo_tx(founder, alice.key_id, 7))
    assert status == 200, body
    second = next(h for h in body["hashes"] if h != "tx0")
    result = await wait_status(client, founder, second, timeout=30)
    assert result["blockid"] and "errmsg" not in result
