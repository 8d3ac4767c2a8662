"""sendTx -> queue -> block -> txstatus, native transfers, and every way a tx is refused."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from aiohttp import FormData
from aiohttp.test_utils import TestClient
from sqlalchemy import func, select, update

from chain.contract_registry import NEW_USER_ID
from chain.genesis import FOUNDER_AMOUNT
from chain.storage.engine import make_engine
from chain.storage.repo.money import get_amount, sum_unspent
from chain.storage.schema import (
    log_transactions,
    platform_parameters,
    queue_tx,
    spent_info,
    transactions_status,
)
from chain.txcodec import Utxo, build_client_tx, build_sdk_tx
from chain.verify import verify_chain
from node.app import create_app
from node.config import Config
from node.datadir import open_data_dir
from tests.helpers import (
    Wallet,
    send_txs,
    smart_tx,
    transfer_self_tx,
    utxo_fee,
    utxo_tx,
    wait_status,
)

Client = TestClient[Any, Any]


async def _db(config: Config, fn: Any) -> Any:
    engine = make_engine(config.db_url)
    try:
        async with engine.begin() as conn:
            return await fn(conn)
    finally:
        await engine.dispose()


async def test_utxo_transfer_to_fresh_key(client: Client, config: Config, founder: Wallet) -> None:
    alice = Wallet(config.crypto)
    await alice.login(client)
    raw = utxo_tx(founder, alice.key_id, 1234)
    status, body = await send_txs(client, founder, raw)
    assert status == 200, body
    tx_hash = next(h for h in body["hashes"] if h != "tx0")
    assert body["hashes"][tx_hash] == tx_hash and body["hashes"]["tx0"] == tx_hash
    result = await wait_status(client, founder, tx_hash)
    assert result["blockid"] and result["penalty"] == 0 and "errmsg" not in result

    async def balances(conn: Any) -> tuple[int, int]:
        return await sum_unspent(conn, founder.key_id, 1), await sum_unspent(conn, alice.key_id, 1)

    reward, _taxes = utxo_fee(raw)  # the founder is the taxes wallet: it gets the taxes back
    assert await _db(config, balances) == (FOUNDER_AMOUNT - 1234 - reward, 1234)
    node = open_data_dir(config.data_dir, config.network_id, config.crypto)
    engine = make_engine(config.db_url)
    try:
        assert await verify_chain(engine, node) >= 2
    finally:
        await engine.dispose()


async def test_replay_is_not_executed_twice(
    client: Client, config: Config, founder: Wallet
) -> None:
    alice = Wallet(config.crypto)
    raw = utxo_tx(founder, alice.key_id, 10)
    _, body = await send_txs(client, founder, raw)
    tx_hash = next(iter(body["hashes"]))
    first = await wait_status(client, founder, tx_hash)
    status, again = await send_txs(client, founder, raw, raw)
    assert status == 200 and tx_hash in again["hashes"]
    assert (await wait_status(client, founder, tx_hash))["blockid"] == first["blockid"]

    async def facts(conn: Any) -> tuple[int, int, int]:
        logged = await conn.scalar(
            select(func.count())
            .select_from(log_transactions)
            .where(log_transactions.c.hash == bytes.fromhex(tx_hash))
        )
        queued = await conn.scalar(select(func.count()).select_from(queue_tx))
        return logged, queued, await sum_unspent(conn, alice.key_id, 1)

    await asyncio.sleep(0.3)
    assert await _db(config, facts) == (1, 0, 10)


async def test_insufficient_funds_is_a_penalty_in_the_block(
    client: Client, config: Config, founder: Wallet
) -> None:
    bob = Wallet(config.crypto)
    await bob.login(client)
    raw = utxo_tx(bob, founder.key_id, 5)
    _, body = await send_txs(client, bob, raw)
    result = await wait_status(client, bob, next(iter(body["hashes"])))
    assert result["blockid"] and result["penalty"] == 1
    assert result["errmsg"]["type"] == "panic"
    assert "current balance is not enough" in result["errmsg"]["error"]


async def test_transfer_self_both_ways(client: Client, config: Config, founder: Wallet) -> None:
    raw = transfer_self_tx(founder, 700, "UTXO", "Account")
    _, body = await send_txs(client, founder, raw)
    assert (await wait_status(client, founder, next(iter(body["hashes"]))))["penalty"] == 0
    raw = transfer_self_tx(founder, 200, "Account", "UTXO")
    _, body = await send_txs(client, founder, raw)
    assert (await wait_status(client, founder, next(iter(body["hashes"]))))["penalty"] == 0
    raw = transfer_self_tx(founder, 10**30, "Account", "UTXO")
    _, body = await send_txs(client, founder, raw)
    assert (await wait_status(client, founder, next(iter(body["hashes"]))))["penalty"] == 1

    async def facts(conn: Any) -> tuple[int | None, int]:
        return await get_amount(conn, 1, founder.key_id), await sum_unspent(conn, founder.key_id, 1)

    assert await _db(config, facts) == (500, FOUNDER_AMOUNT - 500)


async def test_go_sdk_envelope_and_hex_form_values(
    client: Client, config: Config, founder: Wallet
) -> None:
    alice = Wallet(config.crypto)
    tx = smart_tx(founder, utxo=Utxo(to_id=alice.key_id, value="7", comment=""))
    raw = build_sdk_tx(tx, founder.private, config.crypto, timestamp_ms=0)
    status, body = await send_txs(client, founder, raw, as_files=False)
    assert status == 200, body
    result = await wait_status(client, founder, next(iter(body["hashes"])))
    assert result["penalty"] == 0


async def _refused(client: Client, wallet: Wallet, raw: bytes) -> tuple[int, dict[str, Any]]:
    return await send_txs(client, wallet, raw)


async def test_refusals_store_nothing(client: Client, config: Config, founder: Wallet) -> None:
    def bad_signature(w: Wallet) -> bytes:
        raw = bytearray(utxo_tx(w, founder.key_id, 1))
        raw[-5] ^= 0xFF
        return bytes(raw)

    def contract(w: Wallet, contract_id: int, params: dict[str, Any]) -> bytes:
        return build_client_tx(
            smart_tx(w, contract_id=contract_id, params=params), w.private, w.crypto
        )

    cases: list[tuple[Any, str]] = [
        (bad_signature, "Incorrect sign"),
        (lambda w: utxo_tx(w, founder.key_id, 1, network_id=2), "error networkid invalid"),
        (lambda w: contract(w, 5099, {}), "unknown contract 5099"),
        (lambda w: contract(w, NEW_USER_ID, {"Bogus": "1"}), "'Bogus' parameter is not required"),
        (lambda w: contract(w, NEW_USER_ID, {"Ecosystem": "x"}), "parameter Ecosystem must be int"),
        (lambda w: b"\x80\x05abc", "truncated payload"),
        (lambda w: utxo_tx(w, founder.key_id, 1, time_s=1), "older than"),
    ]
    for make, text in cases:
        wallet = Wallet(config.crypto)
        await wallet.login(client)
        # One bad tx rejects the whole batch, the good one with it.
        status, body = await send_txs(
            client, wallet, utxo_tx(wallet, founder.key_id, 1), make(wallet)
        )
        assert status == 400, body
        assert body["error"] == "E_SERVER" and text in body["msg"], body

    async def count(conn: Any) -> int:
        stmt = (
            select(func.count())
            .select_from(transactions_status)
            .where(transactions_status.c.type != 3)
        )
        return int(await conn.scalar(stmt))

    assert await _db(config, count) == 0


async def test_tx_over_max_tx_size(client: Client, config: Config, founder: Wallet) -> None:
    async def shrink(conn: Any) -> None:
        await conn.execute(
            update(platform_parameters)
            .where(platform_parameters.c.name == "max_tx_size")
            .values(value="100")
        )

    await _db(config, shrink)
    raw = utxo_tx(founder, 5555, 1)
    status, body = await send_txs(client, founder, raw)
    assert status == 400
    assert body == {"error": "E_LIMITTXSIZE", "msg": f"The size of tx is too big ({len(raw)})"}


async def test_send_tx_needs_login(client: Client) -> None:
    form = FormData()
    form.add_field("tx", b"\x80", filename="tx")
    resp = await client.post("/api/v2/sendTx", data=form)
    assert resp.status == 401
    assert await resp.json() == {"error": "E_UNAUTHORIZED", "msg": "Unauthorized"}


async def test_txstatus_errors(client: Client, founder: Wallet) -> None:
    async def post(data: str) -> tuple[int, dict[str, Any]]:
        resp = await client.post("/api/v2/txstatus", data={"data": data}, headers=founder.auth)
        return resp.status, await resp.json()

    assert await post("not json") == (400, {"error": "E_HASHWRONG", "msg": "Hash is incorrect"})
    assert (await post(json.dumps({"hashes": ["zz"]})))[1]["error"] == "E_HASHWRONG"
    missing = "ab" * 32
    assert await post(json.dumps({"hashes": [missing]})) == (
        400,
        {"error": "E_HASHNOTFOUND", "msg": f"Hash {missing} has not been found"},
    )


async def test_new_key_login_goes_through_a_block(client: Client, config: Config) -> None:
    carol = Wallet(config.crypto)
    await carol.login(client)

    async def logged(conn: Any) -> list[str]:
        rows = await conn.execute(select(log_transactions.c.contract_name))
        return list(rows.scalars())

    assert "@1NewUser" in await _db(config, logged)


async def _set_param(config: Config, name: str, value: str) -> None:
    async def run(conn: Any) -> None:
        await conn.execute(
            update(platform_parameters)
            .where(platform_parameters.c.name == name)
            .values(value=value)
        )

    await _db(config, run)


@pytest.mark.parametrize("param", ["max_tx_block", "max_tx_block_per_user"])
async def test_block_limits_split_a_batch(
    client: Client, config: Config, founder: Wallet, param: str
) -> None:
    await _set_param(config, param, "2")
    raws = [utxo_tx(founder, Wallet(config.crypto).key_id, 1) for _ in range(5)]
    status, body = await send_txs(client, founder, *raws)
    assert status == 200, body
    hashes = [h for h in body["hashes"] if len(h) == 64]
    blocks = [(await wait_status(client, founder, h))["blockid"] for h in hashes]
    per_block: dict[str, int] = {}
    for block in blocks:
        per_block[block] = per_block.get(block, 0) + 1
    assert len(per_block) >= 3 and max(per_block.values()) <= 2


async def test_block_size_limit(client: Client, config: Config, founder: Wallet) -> None:
    raws = [utxo_tx(founder, Wallet(config.crypto).key_id, 1) for _ in range(3)]
    await _set_param(config, "max_block_size", str(len(raws[0]) + 10))
    status, body = await send_txs(client, founder, *raws)
    assert status == 200, body
    hashes = [h for h in body["hashes"] if len(h) == 64]
    blocks = {(await wait_status(client, founder, h))["blockid"] for h in hashes}
    assert len(blocks) == 3


async def test_tx_bigger_than_a_block_is_rejected_not_stuck(
    client: Client, config: Config, founder: Wallet
) -> None:
    await _set_param(config, "max_block_size", "50")
    status, body = await send_txs(client, founder, utxo_tx(founder, 5555, 1))
    assert status == 200
    result = await wait_status(client, founder, next(h for h in body["hashes"] if len(h) == 64))
    assert result["blockid"] == ""
    assert result["errmsg"] == {
        "type": "txError",
        "error": "transaction is bigger than max_block_size",
    }


async def test_chained_transfers_in_one_block_conserve_money(
    client: Client, config: Config, founder: Wallet
) -> None:
    # Each transfer spends the change output of the one before it, inside the same block.
    recipients = [Wallet(config.crypto).key_id for _ in range(6)]
    raws = [utxo_tx(founder, to_id, 100 + i) for i, to_id in enumerate(recipients)]
    status, body = await send_txs(client, founder, *raws)
    assert status == 200, body
    hashes = [h for h in body["hashes"] if len(h) == 64]
    results = [await wait_status(client, founder, h) for h in hashes]
    assert all(r["penalty"] == 0 for r in results)
    assert len({r["blockid"] for r in results}) < len(results)  # some shared a block

    async def facts(conn: Any) -> tuple[int, list[int], int]:
        unspent = await conn.scalar(
            select(func.count())
            .select_from(spent_info)
            .where(
                spent_info.c.output_key_id == founder.key_id, spent_info.c.input_tx_hash.is_(None)
            )
        )
        return (
            await sum_unspent(conn, founder.key_id, 1),
            [await sum_unspent(conn, r, 1) for r in recipients],
            int(unspent),
        )

    founder_left, received, founder_outputs = await _db(config, facts)
    assert received == [100 + i for i in range(6)]
    # The founder, as the taxes wallet, gets a taxes output per transfer: after the first,
    # each transfer spends two outputs (the last change and the last taxes).
    rewards = sum(utxo_fee(raw, 1 if i == 0 else 2)[0] for i, raw in enumerate(raws))
    assert founder_left == FOUNDER_AMOUNT - sum(received) - rewards
    assert founder_outputs == 2


async def test_two_nodes_on_one_database_write_one_chain(
    aiohttp_client: Any, client: Client, config: Config, founder: Wallet
) -> None:
    # A second process on the same database: its producer competes for the writer lock
    # (advisory lock on PostgreSQL, BEGIN IMMEDIATE on SQLite); the chain must not fork.
    other = await aiohttp_client(create_app(config))
    raws = [utxo_tx(founder, Wallet(config.crypto).key_id, 1, time_s=None) for _ in range(40)]
    sent: list[str] = []
    for i in range(0, len(raws), 5):
        target = client if (i // 5) % 2 else other
        status, body = await send_txs(target, founder, *raws[i : i + 5])
        assert status == 200, body
        sent += [h for h in body["hashes"] if len(h) == 64]
    results = [await wait_status(client, founder, h) for h in sent]
    assert all(r["blockid"] and r["penalty"] == 0 for r in results)
    node = open_data_dir(config.data_dir, config.network_id, config.crypto)
    engine = make_engine(config.db_url)
    try:
        height = await verify_chain(engine, node)

        async def logged(conn: Any) -> int:
            return int(await conn.scalar(select(func.count()).select_from(log_transactions)))

        async with engine.connect() as conn:
            assert await logged(conn) >= len(sent)
            unspent = await conn.execute(
                select(spent_info.c.output_value).where(spent_info.c.input_tx_hash.is_(None))
            )
            assert sum(unspent.scalars()) == FOUNDER_AMOUNT  # money is conserved
    finally:
        await engine.dispose()
    assert height >= 2
