"""Bans as the reference's: txs that fail in blocks and over-size batches count; sendTx's own
refusals (malformed, badly signed, unknown contract, bad parameters) do not."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from aiohttp import FormData
from aiohttp.test_utils import TestClient

from chain.bans import BanList, BanRules
from chain.txcodec import Utxo, build_client_tx
from node.app import create_app
from node.cli import build_parser
from node.config import Config, build_config
from tests.api.test_freshness import MAX_TX_SIZE, deploy, ok
from tests.helpers import Wallet, call_contract, send_txs, smart_tx, utxo_tx, wait_status

Client = TestClient[Any, Any]

BANNED_TILL = re.compile(r"The key (-?\d+) is banned till \d{4}-\d\d-\d\d \d\d:\d\d:\d\d")


async def _contract_id(client: Client, wallet: Wallet, name: str) -> int:
    resp = await client.get(f"/api/v2/contract/{name}", headers=wallet.auth)
    body = await resp.json()
    assert resp.status == 200, body
    return int(body["id"])


@pytest.fixture
def config(make_config: Callable[..., Config]) -> Config:
    """The reference's numbers (the suite's default config allows more bad txs)."""
    return make_config(ban_bad_tx=5)


async def test_send_tx_refusals_do_not_ban(client: Client, config: Config) -> None:
    mallory = Wallet(config.crypto)
    await mallory.login(client)
    other = Wallet(config.crypto)
    crypto = config.crypto
    transfer = smart_tx(mallory, utxo=Utxo(to_id=5555, value="1", comment=""))
    new_contract = await _contract_id(client, mallory, "@1NewContract")
    refused = [
        b"\x80garbage",  # malformed
        build_client_tx(transfer, other.private, crypto),  # signed by another key
        build_client_tx(smart_tx(mallory, contract_id=999_999), mallory.private, crypto),
        build_client_tx(  # parameters the contract does not have
            smart_tx(mallory, contract_id=new_contract, params={"Nope": "1"}),
            mallory.private,
            crypto,
        ),
        build_client_tx(  # another network
            smart_tx(mallory, network_id=2, utxo=Utxo(5555, "1", "")), mallory.private, crypto
        ),
    ]
    for raw in refused * 2:  # twice the limit
        status, body = await send_txs(client, mallory, raw)
        assert status == 400, body
        assert body["error"] != "E_BANNED"
    status, body = await send_txs(client, mallory, utxo_tx(mallory, 5555, 1))
    assert status == 200, body


async def test_txs_failing_in_blocks_ban_their_key(client: Client, config: Config) -> None:
    mallory = Wallet(config.crypto)  # no money: every transfer fails in its block
    await mallory.login(client)
    for n in range(5):
        status, body = await send_txs(client, mallory, utxo_tx(mallory, 5555, 1 + n))
        assert status == 200, (n, body)  # not banned before the fifth failure
        tx_hash = next(h for h in body["hashes"] if len(h) == 64)
        result = await wait_status(client, mallory, tx_hash)
        assert result["blockid"] and result["penalty"] == 1, result
    status, body = await send_txs(client, mallory, utxo_tx(mallory, 5555, 99))
    assert status == 403, body
    assert body["error"] == "E_BANNED"
    found = BANNED_TILL.fullmatch(body["msg"])
    assert found is not None and int(found.group(1)) == mallory.key_id, body
    # Only that key: others still send.
    bob = Wallet(config.crypto)
    await bob.login(client)
    status, body = await send_txs(client, bob, utxo_tx(bob, 5555, 1))
    assert status == 200, body


async def test_over_size_batches_count(aiohttp_client: Any, make_config: Any) -> None:
    config = make_config(max_body_size=4096, ban_bad_tx=2)
    client = await aiohttp_client(create_app(config))
    mallory = Wallet(config.crypto)
    await mallory.login(client)
    for _ in range(2):
        form = FormData()
        form.add_field("tx0", b"\x80" + b"x" * 8192, filename="tx0")
        resp = await client.post("/api/v2/sendTx", data=form, headers=mallory.auth)
        assert resp.status == 413
    status, body = await send_txs(client, mallory, utxo_tx(mallory, 5555, 1))
    assert status == 403 and body["error"] == "E_BANNED", body


async def test_txs_over_max_tx_size_count(aiohttp_client: Any, make_config: Any) -> None:
    config = make_config(ban_bad_tx=2)
    client = await aiohttp_client(create_app(config))
    private = bytes.fromhex((config.data_dir / "PrivateKey").read_text())
    founder = Wallet(config.crypto, private=private)
    await founder.login(client)
    await deploy(client, founder, MAX_TX_SIZE)
    limit = len(utxo_tx(founder, 5555, 1)) + 20
    size = {"Name": "max_tx_size", "Value": str(limit)}
    ok(await call_contract(client, founder, "@1UpdatePlatformParam", size))
    noted = smart_tx(founder, utxo=Utxo(to_id=5555, value="1", comment="x" * 100))
    big = build_client_tx(noted, founder.private, founder.crypto)
    for _ in range(2):
        status, body = await send_txs(client, founder, big)
        assert status == 400 and body["error"] == "E_LIMITTXSIZE", body
    status, body = await send_txs(client, founder, utxo_tx(founder, 5555, 1))
    assert status == 403 and body["error"] == "E_BANNED", body


def test_ban_window_and_length_follow_the_rules() -> None:
    now = [1000.0]
    bans = BanList(BanRules(bad_tx=3, bad_time_s=60, ban_time_s=600), clock=lambda: now[0])
    bans.bad_tx(7)
    bans.bad_tx(7)
    now[0] += 61  # both out of the window
    bans.bad_tx(7)
    bans.bad_tx(7)
    assert bans.banned_until(7) is None
    bans.bad_tx(7)  # the third within 60 s
    assert bans.banned_until(7) == now[0] + 600
    assert bans.banned() == {7: now[0] + 600}
    now[0] += 600
    assert bans.banned_until(7) is None and bans.banned() == {}


def test_ban_flags_reach_the_config() -> None:
    args = build_parser().parse_args(
        ["run", "--ban-bad-tx", "3", "--ban-bad-time", "10", "--ban-time", "60"]
    )
    config = build_config(vars(args), {})
    assert (config.ban_bad_tx, config.ban_bad_time, config.ban_time) == (3, 10, 60)
    assert build_config({}, {"IBAX_BAN_TIME": "1"}).ban_time == 1
