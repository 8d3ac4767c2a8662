"""The bank's money is the chain's: blocks, balance/{wallet}, history, restarts, concurrency."""

from __future__ import annotations

import asyncio
import random
from typing import Any

from aiohttp.test_utils import TestClient
from sqlalchemy import select

from api.appkeys import ENGINE
from api.bank.keys import BANK
from chain.address import address_to_string
from chain.bank.rules import HISTORY_TRANSFER
from chain.crypto import Crypto
from chain.rollback import rollback_blocks
from chain.storage.engine import make_engine
from chain.storage.schema import history
from chain.verify import verify_chain
from node.app import create_app
from node.config import Config
from node.datadir import open_data_dir
from tests.api.bank.conftest import ADMIN_AUTH, balance, basic, register

Client = TestClient[Any, Any]


async def test_transfer_is_in_a_block_and_in_the_ibax_api(bank: Client) -> None:
    await register(bank, "alice", amount=100)
    await register(bank, "bob")
    resp = await bank.post(
        "/api/v2/user/transfer", json={"name": "bob", "amount": 30}, headers=basic("alice", "pw")
    )
    assert resp.status == 200
    app = bank.server.app
    assert app is not None
    ecosystem = app[BANK].view.ecosystem
    crypto = Crypto()
    bob = address_to_string(crypto.seed_address("bob"))
    resp = await bank.get(f"/api/v2/balance/{bob}?ecosystem={ecosystem}")
    body = await resp.json()
    assert (body["amount"], body["digits"]) == ("30", 0)
    async with app[ENGINE].connect() as conn:
        rows = (
            await conn.execute(
                select(history.c.amount, history.c.block_id, history.c.txhash).where(
                    history.c.ecosystem == ecosystem, history.c.type == HISTORY_TRANSFER
                )
            )
        ).all()
    assert len(rows) == 1 and rows[0].amount == 30
    tx_hash = bytes(rows[0].txhash).hex()
    info = await (await bank.get(f"/api/v2/txinfo/{tx_hash}?contractinfo=1")).json()
    assert info["blockid"] == str(rows[0].block_id)
    assert info["data"]["contract_name"] == f"@{ecosystem}CCashTransfer"
    assert info["data"]["params"]["To"] == "bob"
    block = await (await bank.get(f"/api/v2/block/{rows[0].block_id}")).json()
    assert block["tx_count"] >= 1


async def test_restart_keeps_money_logs_and_passwords(
    aiohttp_client: Any, bank_config: Config
) -> None:
    client = await aiohttp_client(create_app(bank_config))
    await register(client, "alice", amount=10)
    await register(client, "bob")
    for amount in (1, 2, 3):
        resp = await client.post(
            "/api/v1/user/transfer",
            json={"name": "bob", "amount": amount},
            headers=basic("alice", "pw"),
        )
        assert resp.status == 200
    before = await (await client.get("/api/v2/user/log", headers=basic("bob", "pw"))).text()
    await client.close()
    for _ in range(2):  # the original reversed the log at every load
        client = await aiohttp_client(create_app(bank_config))
        assert await balance(client, "alice") == 4
        assert await balance(client, "bob") == 6
        resp = await client.get("/api/v2/user/log", headers=basic("bob", "pw"))
        assert await resp.text() == before
        await client.close()


async def test_parallel_transfers_conserve_money(bank: Client) -> None:
    names = [f"user{i}" for i in range(8)]
    for name in names:
        await register(bank, name, amount=50)
    rng = random.Random(7)

    async def one() -> int:
        sender, receiver = rng.sample(names, 2)
        resp = await bank.post(
            "/api/v1/user/transfer",
            json={"name": receiver, "amount": rng.randint(1, 30)},
            headers=basic(sender, "pw"),
        )
        assert resp.status in (200, 400), await resp.text()
        return resp.status

    statuses = await asyncio.gather(*(one() for _ in range(300)))
    assert statuses.count(200) > 50
    balances = [await balance(bank, name) for name in names]
    assert sum(balances) == 50 * len(names)
    assert min(balances) >= 0
    # The chain agrees with the view.
    app = bank.server.app
    assert app is not None
    assert app[BANK].view.total() == 50 * len(names)


async def test_return_on_delete_credits_only_deleted_balances(
    aiohttp_client: Any, make_config: Any
) -> None:
    config = make_config(
        bank_admin="admin",
        bank_admin_password="adminpw",
        bank_hash_cost=10,
        bank_return_on_del="bank",
    )
    client = await aiohttp_client(create_app(config))
    props = await (await client.get("/api/properties")).json()
    assert props["return_on_del"] == "bank"
    for name, amount in (("bank", 503), ("rich", 1000), ("poor", 3), ("poorer", 2)):
        await register(client, name, amount=amount)
    resp = await client.post("/api/v1/admin/prune_users", json={"amount": 10}, headers=ADMIN_AUTH)
    assert await resp.text() == "2"
    assert await balance(client, "bank") == 508  # the original made it 2009
    resp = await client.delete("/api/v1/user/delete", headers=basic("rich", "pw"))
    assert resp.status == 204
    assert await balance(client, "bank") == 1508


async def test_rolling_back_a_bank_block_restores_the_money(
    aiohttp_client: Any, bank_config: Config
) -> None:
    client = await aiohttp_client(create_app(bank_config))
    await register(client, "alice", amount=100)
    await register(client, "bob")
    resp = await client.post(
        "/api/v1/user/transfer", json={"name": "bob", "amount": 30}, headers=basic("alice", "pw")
    )
    assert await resp.text() == "70"
    await client.close()
    node = open_data_dir(bank_config.data_dir, 1, bank_config.crypto)
    engine = make_engine(bank_config.db_url)
    try:
        await rollback_blocks(engine, node, 1, requeue=False)
        assert await verify_chain(engine, node) >= 1
    finally:
        await engine.dispose()
    client = await aiohttp_client(create_app(bank_config))
    assert await balance(client, "alice") == 100
    assert await balance(client, "bob") == 0
    resp = await client.get("/api/v2/user/log", headers=basic("bob", "pw"))
    assert await resp.text() == "null"
