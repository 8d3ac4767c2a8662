"""Rolling back blocks: every table is as it was, on both backends, through a real node."""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import time
import warnings
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from sqlalchemy import Connection, MetaData, delete, select
from sqlalchemy.exc import SAWarning
from sqlalchemy.ext.asyncio import AsyncEngine

from api.appkeys import NODE
from chain.address import address_to_string
from chain.identity import NodeIdentity
from chain.rollback import RollbackError, rollback_blocks
from chain.storage.engine import make_engine
from chain.storage.repo.blocks import get_head
from chain.storage.schema import keys, queue_tx, spent_info, transactions_status
from chain.verify import verify_chain
from node.app import create_app
from node.config import Config
from tests.helpers import (
    NEW_COLUMN,
    Wallet,
    call_contract,
    deploy,
    ok,
    send_txs,
    transfer_self_tx,
    utxo_tx,
    wait_status,
)

Client = TestClient[Any, Any]
Snapshot = dict[str, tuple[tuple[str, ...], tuple[str, ...], list[tuple[Any, ...]]]]

# Compared apart: a rollback resets or removes the rolled-back txs' rows in these.
TX_TABLES = {"transactions_status", "queue_tx"}
OPEN = json.dumps({"insert": "true", "update": "true", "new_column": "true"})
PETS = json.dumps(
    [
        {"name": "name", "type": "varchar", "index": "1", "conditions": "true"},
        {"name": "age", "type": "number", "index": "0", "conditions": "true"},
        {"name": "info", "type": "json", "index": "0", "conditions": "true"},
        {"name": "born", "type": "datetime", "index": "0", "conditions": "true"},
    ]
)
TOYS = json.dumps([{"name": "label", "type": "text", "index": "0", "conditions": "true"}])
ADD_PET = """contract AddPet {
    data { Age int }
    action { $result = DBInsert("pets", {age: $Age}) }
}"""
SET_PET = """contract SetPet {
    data { Id int
           Name string
           Color string }
    action { DBUpdate("pets", $Id, {name: $Name, info: {"color": $Color}}) }
}"""
PATCH_PET = """contract PatchPet {
    data { Id int
           Color string }
    action { DBUpdate("pets", $Id, {"info->color": $Color, "+age": 1}) }
}"""
DATE_PET = """contract DatePet {
    data { Id int
           Born string }
    action { DBUpdate("pets", $Id, {born: $Born}) }
}"""
WEIGH_PET = """contract WeighPet {
    data { Id int
           Weight int }
    action { DBUpdate("pets", $Id, {weight: $Weight}) }
}"""
ADD_TOY = """contract AddToy {
    data { Label string }
    action {
        var id int
        id = DBInsert("toys", {label: $Label})
        DBUpdate("toys", id, {label: $Label + "!"})
        $result = id
    }
}"""
GREETER = 'contract Greeter {\n action { $result = "hello" }\n}'


async def native(client: Client, wallet: Wallet, raw: bytes) -> dict[str, Any]:
    status, body = await send_txs(client, wallet, raw)
    assert status == 200, body
    return await wait_status(client, wallet, next(h for h in body["hashes"] if len(h) == 64))


def _read_all(conn: Connection) -> Snapshot:
    metadata = MetaData()
    with warnings.catch_warnings():
        # SQLite custom tables declare types of their own (MONEY_TEXT, ...): read as raw values.
        warnings.simplefilter("ignore", SAWarning)
        metadata.reflect(conn)
    found: Snapshot = {}
    for name, table in metadata.tables.items():
        rows = [tuple(row) for row in conn.execute(select(table))]
        columns = tuple(c.name for c in table.columns)
        indexes = tuple(sorted(str(ix.name) for ix in table.indexes))
        found[name] = (columns, indexes, sorted(rows, key=repr))
    return found


async def snapshot(engine: AsyncEngine) -> Snapshot:
    """Every table of the database, reflected: columns, indexes and all rows."""
    async with engine.connect() as conn:
        return await conn.run_sync(_read_all)


def assert_same(before: Snapshot, after: Snapshot, skip: set[str]) -> None:
    assert sorted(set(before) - skip) == sorted(set(after) - skip), "tables differ"
    differing = [name for name in before if name not in skip and before[name] != after[name]]
    details: dict[str, tuple[Any, ...]] = {
        name: (before[name][:2], after[name][:2]) for name in differing
    }
    for name in differing:
        old, new = set(before[name][2]), set(after[name][2])
        details[name] += (sorted(old - new, key=repr)[:3], sorted(new - old, key=repr)[:3])
    assert not differing, details


async def balances(engine: AsyncEngine) -> dict[str, Any]:
    """Account balances and unspent totals per (ecosystem, key)."""
    async with engine.connect() as conn:
        amounts = {
            (r.ecosystem, r.id): int(r.amount)
            for r in await conn.execute(select(keys.c.ecosystem, keys.c.id, keys.c.amount))
        }
        unspent: dict[tuple[int, int], int] = {}
        result = await conn.execute(select(spent_info).where(spent_info.c.input_tx_hash.is_(None)))
        for r in result:
            account = (r.ecosystem, r.output_key_id)
            unspent[account] = unspent.get(account, 0) + int(r.output_value)
    return {"amounts": amounts, "unspent": unspent}


async def statuses(engine: AsyncEngine) -> dict[bytes, tuple[int, str, int, str]]:
    async with engine.connect() as conn:
        result = await conn.execute(select(transactions_status))
        return {bytes(r.hash): (r.block_id, r.error, r.penalty, r.result) for r in result}


async def queued(engine: AsyncEngine) -> list[bytes]:
    async with engine.connect() as conn:
        result = await conn.execute(select(queue_tx.c.hash).order_by(queue_tx.c.seq))
        return [bytes(h) for h in result.scalars()]


async def height(engine: AsyncEngine) -> int:
    async with engine.connect() as conn:
        head = await get_head(conn)
    assert head is not None
    return head.id


async def stop_node(client: Client, config: Config) -> tuple[AsyncEngine, NodeIdentity]:
    """Close the app (its cleanup stops the producer); an engine of our own on its database."""
    node = client.app[NODE]
    await client.close()
    return make_engine(config.db_url), node


async def build_base(client: Client, founder: Wallet) -> None:
    """The state at block K: an account balance, a custom table with rows, contracts."""
    ok(await native(client, founder, transfer_self_tx(founder, 10**6, "UTXO", "Account")))
    params = {"ApplicationId": 1, "Name": "pets", "Columns": PETS, "Permissions": OPEN}
    ok(await call_contract(client, founder, "@1NewTable", params))
    for source in (ADD_PET, SET_PET, PATCH_PET, DATE_PET, NEW_COLUMN, GREETER):
        await deploy(client, founder, source)
    ok(await call_contract(client, founder, "AddPet", {"Age": 3}))  # name and info are NULL
    ok(await call_contract(client, founder, "AddPet", {"Age": 7}))
    ok(await call_contract(client, founder, "SetPet", {"Id": 2, "Name": "Tom", "Color": "black"}))
    born = {"Id": 2, "Born": "2020-01-02 03:04:05.678901"}  # the text form drops microseconds
    ok(await call_contract(client, founder, "DatePet", born))


async def money_blocks(client: Client, config: Config, founder: Wallet) -> None:
    """Blocks that move money: a new user, UTXO, TransferSelf both ways, TokensSend."""
    bob, carol = Wallet(config.crypto), Wallet(config.crypto)
    await bob.login(client)  # @1NewUser: bob's key row and a history row
    ok(await native(client, founder, utxo_tx(founder, bob.key_id, 5000)))
    ok(await native(client, bob, transfer_self_tx(bob, 1200, "UTXO", "Account")))
    ok(await native(client, founder, transfer_self_tx(founder, 100, "Account", "UTXO")))
    ok(await native(client, founder, transfer_self_tx(founder, 200, "UTXO", "Account")))
    for wallet, amount in ((carol, "300"), (bob, "50")):  # a new recipient, then a known one
        params = {"Recipient": address_to_string(wallet.key_id), "Amount": amount}
        ok(await call_contract(client, founder, "@1TokensSend", params))
    too_much = {"Recipient": address_to_string(bob.key_id), "Amount": str(10**20)}
    assert (await call_contract(client, founder, "@1TokensSend", too_much))["penalty"] == 1


async def data_blocks(client: Client, founder: Wallet) -> None:
    """Blocks that change tables, columns, rows, contracts, ecosystems and pages."""

    async def call(name: str, params: dict[str, Any] | None = None) -> None:
        ok(await call_contract(client, founder, name, params))

    params = {"ApplicationId": 1, "Name": "toys", "Columns": TOYS, "Permissions": OPEN}
    await call("@1NewTable", params)
    await deploy(client, founder, ADD_TOY)
    await call("AddToy", {"Label": "ball"})
    await call("SetPet", {"Id": 1, "Name": "Rex", "Color": "brown"})  # from NULLs
    await call("PatchPet", {"Id": 2, "Color": "white"})  # one json field and an increment
    await call("DatePet", {"Id": 2, "Born": "2021-05-06 07:08:09"})
    column = {"TableName": "pets", "Name": "weight", "Type": "number", "Permissions": "true"}
    await call("@1NewColumn", column)
    await deploy(client, founder, WEIGH_PET)
    await call("WeighPet", {"Id": 2, "Weight": 12})
    await call("AddPet", {"Age": 1})
    await call("@1EditColumn", {"TableName": "pets", "Name": "age", "Permissions": "false"})
    resp = await client.get("/api/v2/contract/Greeter", headers=founder.auth)
    greeter = await resp.json()
    new_source = GREETER.replace("hello", "bye")
    await call("@1EditContract", {"Id": greeter["id"] - 5000, "Value": new_source})
    await call("@1NewEcosystem", {"Name": "Second"})
    page = {
        "ApplicationId": 1,
        "Name": "pets_page",
        "Value": "Div(){Pets}",
        "Menu": "default_menu",
        "Conditions": "true",
    }
    await call("@1NewPage", page)


async def wait_queue_empty(engine: AsyncEngine, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while await queued(engine) and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    assert not await queued(engine)


@contextlib.asynccontextmanager
async def restarted(
    aiohttp_client: Callable[..., Any], config: Config
) -> AsyncIterator[AsyncEngine]:
    """The node started again on its data dir; an engine of our own once its queue is empty."""
    again = await aiohttp_client(create_app(config))
    engine = make_engine(config.db_url)
    try:
        await wait_queue_empty(engine)
        yield engine
    finally:
        await engine.dispose()
        await again.close()


async def test_rollback_restores_every_table(
    client: Client, config: Config, founder: Wallet
) -> None:
    await build_base(client, founder)
    engine = make_engine(config.db_url)
    try:
        base_height = await height(engine)
        before = await snapshot(engine)
        await money_blocks(client, config, founder)
        await data_blocks(client, founder)
        changed = await snapshot(engine)
        processed = await statuses(engine)
    finally:
        await engine.dispose()
    assert changed["1_toys"][2] and "weight" in changed["1_pets"][0]
    assert changed["1_ecosystems"] != before["1_ecosystems"]

    engine, node = await stop_node(client, config)
    try:
        top = await height(engine)
        assert await rollback_blocks(engine, node, top - base_height) == base_height
        after = await snapshot(engine)
        assert_same(before, after, TX_TABLES)
        assert "1_toys" not in after and "weight" not in after["1_pets"][0]
        assert await verify_chain(engine, node) == base_height
        # The rolled-back txs wait in the queue, in block order, as if never processed.
        replay = await queued(engine)
        now = await statuses(engine)
        rolled_back = [h for h, s in processed.items() if s[0] > base_height]
        assert sorted(replay) == sorted(rolled_back)
        assert [processed[h][0] for h in replay] == sorted(processed[h][0] for h in replay)
        assert all(now[h] == (0, "", 0, "") for h in replay)
        assert {h: s for h, s in now.items() if h not in replay} == {
            h: s for h, s in processed.items() if h not in replay
        }
    finally:
        await engine.dispose()


async def test_requeued_txs_replay_to_the_same_balances(
    aiohttp_client: Callable[..., Any], client: Client, config: Config, founder: Wallet
) -> None:
    ok(await native(client, founder, transfer_self_tx(founder, 10**6, "UTXO", "Account")))
    engine = make_engine(config.db_url)
    try:
        base_height = await height(engine)
        await money_blocks(client, config, founder)
        after_blocks = await balances(engine)
        processed = await statuses(engine)
    finally:
        await engine.dispose()
    engine, node = await stop_node(client, config)
    try:
        await rollback_blocks(engine, node, await height(engine) - base_height)
        assert await balances(engine) != after_blocks
    finally:
        await engine.dispose()

    # A producer takes them again, all in one block: each tx has its outcome again.
    async with restarted(aiohttp_client, config) as engine:
        redone = await statuses(engine)
        assert {h: s[1:] for h, s in redone.items()} == {h: s[1:] for h, s in processed.items()}
        assert await balances(engine) == after_blocks
        assert await verify_chain(engine, node) == base_height + 1


async def test_a_replayed_block_calls_a_contract_it_creates(
    aiohttp_client: Callable[..., Any], client: Client, config: Config, founder: Wallet
) -> None:
    await deploy(client, founder, GREETER)
    ok(await call_contract(client, founder, "Greeter"))
    engine, node = await stop_node(client, config)
    try:
        await rollback_blocks(engine, node, 2)
    finally:
        await engine.dispose()
    async with restarted(aiohttp_client, config) as engine:
        results = {s[3] for s in (await statuses(engine)).values() if s[0]}
        assert "hello" in results


async def test_rollback_without_requeue_drops_the_txs_and_the_chain_goes_on(
    aiohttp_client: Callable[..., Any], client: Client, config: Config, founder: Wallet
) -> None:
    ok(await native(client, founder, transfer_self_tx(founder, 5000, "UTXO", "Account")))
    engine = make_engine(config.db_url)
    try:
        base_height = await height(engine)
        before = await snapshot(engine)
        kept = await statuses(engine)
    finally:
        await engine.dispose()
    bob = Wallet(config.crypto)
    ok(await native(client, founder, utxo_tx(founder, bob.key_id, 700)))
    params = {"Recipient": address_to_string(bob.key_id), "Amount": "300"}
    ok(await call_contract(client, founder, "@1TokensSend", params))
    table = {"ApplicationId": 1, "Name": "pets", "Columns": PETS, "Permissions": OPEN}
    ok(await call_contract(client, founder, "@1NewTable", table))

    engine, node = await stop_node(client, config)
    try:
        top = await height(engine)
        assert await rollback_blocks(engine, node, top - base_height, requeue=False) == base_height
        assert_same(before, await snapshot(engine), set())
        assert await statuses(engine) == kept and not await queued(engine)
    finally:
        await engine.dispose()

    # The next block links to block K; the same table can be created again.
    again = await aiohttp_client(create_app(config))
    await founder.login(again)
    created = ok(await call_contract(again, founder, "@1NewTable", table))
    assert int(created["blockid"]) == base_height + 1
    engine = make_engine(config.db_url)
    try:
        assert await verify_chain(engine, node) == base_height + 1
    finally:
        await engine.dispose()


async def test_rollback_refuses_genesis_and_more_blocks_than_exist(
    client: Client, config: Config, founder: Wallet
) -> None:
    ok(await native(client, founder, transfer_self_tx(founder, 5, "UTXO", "Account")))
    engine, node = await stop_node(client, config)
    try:
        top = await height(engine)
        before = await snapshot(engine)
        for count, message in (
            (top, "block 1 (genesis) cannot be rolled back"),
            (top + 5, "block 1 (genesis) cannot be rolled back"),
            (0, "must be positive"),
        ):
            with pytest.raises(RollbackError, match=re.escape(message)):
                await rollback_blocks(engine, node, count)
        assert_same(before, await snapshot(engine), set())
        assert await rollback_blocks(engine, node, top - 1) == 1
        with pytest.raises(RollbackError, match="the chain has 1"):
            await rollback_blocks(engine, node, 1)
    finally:
        await engine.dispose()


async def test_a_rollback_that_cannot_finish_changes_nothing(
    client: Client, config: Config, founder: Wallet
) -> None:
    ok(await native(client, founder, transfer_self_tx(founder, 1000, "UTXO", "Account")))
    carol = Wallet(config.crypto)
    params = {"Recipient": address_to_string(carol.key_id), "Amount": "300"}
    ok(await call_contract(client, founder, "@1TokensSend", params))
    engine, node = await stop_node(client, config)
    try:
        # The row the block's record says it inserted is gone: the records no longer match.
        async with engine.begin() as conn:
            await conn.execute(delete(keys).where(keys.c.id == carol.key_id))
        before = await snapshot(engine)
        with pytest.raises(RollbackError, match=f"row {carol.key_id},1 of 1_keys does not exist"):
            await rollback_blocks(engine, node, 2)
        # Nothing is half undone: the history row, undone before the failure, is still there.
        assert_same(before, await snapshot(engine), set())
    finally:
        await engine.dispose()
