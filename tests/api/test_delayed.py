"""Scheduled (delayed) contracts: @1CheckNodesBan every 10 blocks, and UpdateNodesBan's bans."""

from __future__ import annotations

import asyncio
import json
import time
from datetime import UTC, datetime
from typing import Any

from aiohttp.test_utils import TestClient
from sqlalchemy import func, insert, select, update

from api.appkeys import ENGINE, NODE
from chain.storage.repo.blocks import get_head
from chain.storage.schema import (
    bad_blocks,
    delayed_contracts,
    log_transactions,
    node_ban_logs,
    notifications,
    platform_parameters,
)
from tests.helpers import Wallet, send_txs, utxo_tx, wait_status

Client = TestClient[Any, Any]


async def _reach(client: Client, founder: Wallet, height: int) -> None:
    """Send transfers one at a time (a block each) until the chain is `height` blocks high."""
    while True:
        async with client.app[ENGINE].connect() as conn:
            head = await get_head(conn)
        assert head is not None
        if head.id >= height:
            return
        raw = utxo_tx(founder, Wallet(founder.crypto).key_id, 1)
        status, body = await send_txs(client, founder, raw)
        assert status == 200, body
        await wait_status(client, founder, next(h for h in body["hashes"] if len(h) == 64))


async def _scheduled_runs(client: Client) -> list[tuple[int, int]]:
    async with client.app[ENGINE].connect() as conn:
        found = await conn.execute(
            select(log_transactions.c.block, log_transactions.c.status)
            .where(log_transactions.c.contract_name == "@1CheckNodesBan")
            .order_by(log_transactions.c.block)
        )
        return [(r.block, r.status) for r in found]


async def test_check_nodes_ban_runs_every_10_blocks(client: Client, founder: Wallet) -> None:
    await _reach(client, founder, 12)
    # Due at block 10 (block_id 10, every_block 10).
    assert await _scheduled_runs(client) == [(10, 0)]
    async with client.app[ENGINE].connect() as conn:
        counter = await conn.scalar(
            select(delayed_contracts.c.counter).where(
                delayed_contracts.c.contract == "@1CheckNodesBan"
            )
        )
    assert counter == 1
    await _reach(client, founder, 20)
    assert await _scheduled_runs(client) == [(10, 0), (20, 0)]


async def test_a_due_contract_makes_its_block_alone(client: Client, founder: Wallet) -> None:
    # As the reference's generator: once block 9 is in, block 10 is formed for the due
    # @1CheckNodesBan though nothing is queued.
    await _reach(client, founder, 9)
    deadline = time.monotonic() + 15
    while not await _scheduled_runs(client):
        assert time.monotonic() < deadline, "block 10 was not formed"
        await asyncio.sleep(0.05)
    async with client.app[ENGINE].connect() as conn:
        found = await conn.execute(
            select(log_transactions.c.contract_name).where(log_transactions.c.block == 10)
        )
        assert found.scalars().all() == ["@1CheckNodesBan"]
    assert await _scheduled_runs(client) == [(10, 0)]


async def test_update_nodes_ban_bans_a_node_most_nodes_reported(
    client: Client, founder: Wallet
) -> None:
    node = client.app[NODE]
    honor = [{"tcp_address": "127.0.0.1:7078", "api_address": "http://127.0.0.1:7079",
              "public_key": node.node_public.hex(), "unban_time": 0, "stopped": False}]  # fmt: skip
    reporter = 4242
    now = datetime.now(UTC).replace(tzinfo=None)
    async with client.app[ENGINE].begin() as conn:
        await conn.execute(
            update(platform_parameters)
            .where(platform_parameters.c.name == "honor_nodes")
            .values(value=json.dumps(honor))
        )
        # incorrect_blocks_per_day (10) distinct bad blocks of this node, from one reporter:
        # a majority of the one honor node.
        await conn.execute(
            insert(bad_blocks),
            [
                {
                    "id": i + 1,
                    "producer_node_id": node.node_key_id,
                    "block_id": 100 + i,
                    "consumer_node_id": reporter,
                    "block_time": now,
                }
                for i in range(10)
            ],
        )
    started = int(time.time())
    await _reach(client, founder, 10)
    assert await _scheduled_runs(client) == [(10, 0)]
    async with client.app[ENGINE].connect() as conn:
        value = await conn.scalar(
            select(platform_parameters.c.value).where(platform_parameters.c.name == "honor_nodes")
        )
        [banned] = json.loads(value)
        # node_ban_time is 86400000 ms: banned for a day from the block's time.
        assert started + 86400 <= banned["unban_time"] <= int(time.time()) + 86400
        assert (
            await conn.scalar(
                select(func.count()).select_from(bad_blocks).where(bad_blocks.c.deleted == 0)
            )
            == 0
        )
        [log] = (await conn.execute(select(node_ban_logs))).all()
        assert (log.node_id, log.ban_time) == (node.node_key_id, 86_400_000)
        assert log.reason == "1/1 nodes voted for ban with 10 or more blocks each"
        notes = (await conn.execute(select(notifications.c.recipient))).scalars().all()
        assert {"member_id": node.node_key_id} in notes
