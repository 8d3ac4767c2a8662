"""The signing client, as a Python API against the real app and as the ibax-node command."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from chain.address import address_to_string
from chain.contract_registry import NEW_USER_ID, ContractInfo, Field
from chain.storage.engine import make_engine
from chain.storage.repo.keys import get_key
from chain.storage.repo.money import sum_unspent
from chain.txcodec import SmartTransaction, Utxo
from node.app import create_app
from node.client import (
    ClientError,
    NodeClient,
    SyncNodeClient,
    contract_from_api,
    load_private_key,
    succeeded,
)
from node.config import Config
from node.datadir import open_data_dir
from tests.helpers import Wallet
from tests.nodeproc import free_port, node_cmd, start_node, stop_node, wait_for


def _founder_key(config: Config) -> bytes:
    return bytes.fromhex((config.data_dir / "PrivateKey").read_text())


async def _unspent(config: Config, key_id: int) -> int:
    engine = make_engine(config.db_url)
    try:
        async with engine.connect() as conn:
            return int(await sum_unspent(conn, key_id, 1))
    finally:
        await engine.dispose()


async def test_transfer_and_wait(client: TestClient[Any, Any], config: Config) -> None:
    alice = Wallet(config.crypto)
    founder_key = _founder_key(config)
    founder_id = config.crypto.address(config.crypto.public_key(founder_key))
    before = await _unspent(config, founder_id)
    async with NodeClient(str(client.make_url("/"))) as node:
        session = await node.login(founder_key)
        assert session.key_id == founder_id and session.crypto == config.crypto
        tx_hash = await node.transfer(address_to_string(alice.key_id), 77)
        status = await node.wait(tx_hash, timeout=15)
    assert succeeded(status) and int(status["blockid"]) >= 1 and not status.get("errmsg")
    assert await _unspent(config, alice.key_id) == 77
    # The founder (the taxes wallet) pays 77 and the producer's share of the fee, exactly.
    node_id = open_data_dir(config.data_dir, config.network_id, config.crypto).node_key_id
    reward = await _unspent(config, node_id)
    assert reward > 0
    assert before - await _unspent(config, founder_id) == 77 + reward


async def test_login_follows_the_node_crypto(
    aiohttp_client: Callable[..., Any], p256_config: Config
) -> None:
    client: TestClient[Any, Any] = await aiohttp_client(create_app(p256_config))
    bob = Wallet(p256_config.crypto)
    async with NodeClient(str(client.make_url("/")), _founder_key(p256_config)) as node:
        session = await node.login()
        assert session.crypto == p256_config.crypto
        # Any address form: the signed decimal key id here.
        status = await node.wait(await node.transfer(str(bob.key_id), 5), timeout=15)
    assert succeeded(status)
    assert await _unspent(p256_config, bob.key_id) == 5


async def test_call_new_user_as_founder(client: TestClient[Any, Any], config: Config) -> None:
    bob = Wallet(config.crypto)
    async with NodeClient(str(client.make_url("/")), _founder_key(config)) as node:
        # The system contract, described by the node's contract endpoint.
        assert await node.contract_info("@1NewUser") == NEW_USER
        tx_hash = await node.call("@1NewUser", {"NewPubkey": bob.public.hex()})
        status = await node.wait(tx_hash, timeout=15)
    assert succeeded(status)
    assert status["result"] == address_to_string(bob.key_id)
    engine = make_engine(config.db_url)
    try:
        async with engine.connect() as conn:
            key = await get_key(conn, 1, bob.key_id)
        assert key is not None and key.pub == bob.public
    finally:
        await engine.dispose()


async def test_errors_are_client_errors(client: TestClient[Any, Any], config: Config) -> None:
    stranger = Wallet(config.crypto)
    async with NodeClient(str(client.make_url("/")), stranger.private) as node:
        with pytest.raises(ClientError) as info:
            await node.status("ab" * 32)
        assert info.value.code == "E_HASHNOTFOUND" and info.value.status == 400
        with pytest.raises(ClientError) as info:
            await node.transfer("1234-5678-9012-3444-3488", 1)
        assert info.value.code == "E_INVALIDWALLET" and info.value.status == 0
        with pytest.raises(ClientError, match="There is not @1Nope contract"):
            await node.call("@1Nope", {})
        with pytest.raises(ClientError, match="Ecosystem must be int"):
            await node.call("NewUser", {"Ecosystem": "x"})
        with pytest.raises(ClientError, match="'Nope' parameter is not required"):
            await node.call("NewUser", {"Nope": "1"})
        # The node checks what the client cannot get wrong by itself: here the network id.
        header = dataclasses.replace(await node.header(0), network_id=99)
        with pytest.raises(ClientError) as info:
            await node.send(SmartTransaction(header=header, utxo=Utxo(stranger.key_id, "1")))
        assert info.value.status == 400 and info.value.code == "E_SERVER"
        assert "networkid" in info.value.msg
        # A NewUser call with a key that is no public key fails in its block.
        status = await node.wait(await node.call("NewUser", {"NewPubkey": "00"}), timeout=15)
        assert status["penalty"] == 1 and status["errmsg"]["type"] == "warning"
        assert status["errmsg"]["error"] == "The public key is invalid"
        assert not succeeded(status)


async def test_sync_client(client: TestClient[Any, Any], config: Config) -> None:
    carol = Wallet(config.crypto)
    url = str(client.make_url("/"))

    def script() -> dict[str, Any]:
        with SyncNodeClient(url, _founder_key(config)) as node:
            return node.wait(node.transfer(address_to_string(carol.key_id), 3), 15)

    # The server runs in this loop, so the blocking client gets a thread of its own.
    status = await asyncio.to_thread(script)
    assert succeeded(status)
    assert await _unspent(config, carol.key_id) == 3


NEW_USER = ContractInfo(
    table_id=NEW_USER_ID - 5000,
    name="NewUser",
    ecosystem=1,
    fields=(Field("NewPubkey", "string", optional=True), Field("Ecosystem", "int", optional=True)),
)


def test_contract_from_api_body() -> None:
    body = {
        "id": NEW_USER_ID,
        "name": "@1NewUser",
        "ecosystem": 1,
        "fields": [
            {"name": "NewPubkey", "type": "string", "optional": True},
            {"name": "Ecosystem", "type": "int", "optional": True},
        ],
    }
    assert contract_from_api(body) == NEW_USER


def test_load_private_key(tmp_path: Path) -> None:
    key = "11" * 32
    assert load_private_key(None, {"IBAX_PRIVATE_KEY": key}) == bytes.fromhex(key)
    (tmp_path / "k").write_text("22" * 32 + "\n")
    assert load_private_key(tmp_path / "k", {"IBAX_PRIVATE_KEY": key}) == b"\x22" * 32
    with pytest.raises(ClientError, match="cannot read key file") as info:
        load_private_key(tmp_path / "missing", {})
    assert info.value.status == 0
    (tmp_path / "bad").write_text("not hex")
    with pytest.raises(ClientError, match="bad private key"):
        load_private_key(tmp_path / "bad", {})


def test_cli_transfer_and_status(tmp_path: Path) -> None:
    port = free_port()
    data = tmp_path / "d"
    url = f"http://127.0.0.1:{port}"

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(node_cmd(*args), capture_output=True, text=True, timeout=60)

    proc = start_node(data, tmp_path / "node.log", port=port)
    try:
        wait_for(url + "/api/v2/version", proc)
        key = ["--node", url, "--key-file", str(data / "PrivateKey")]
        done = run("transfer", "0000-0000-0000-0000-5555", "5", *key)
        assert done.returncode == 0, done.stderr
        result = json.loads(done.stdout)
        assert result["blockid"] and result["penalty"] == 0 and result["errmsg"] is None
        shown = run("status", result["hash"], *key)
        assert shown.returncode == 0 and json.loads(shown.stdout) == result
        bad = run("call", "NewUser", "oops", *key)
        assert bad.returncode == 2 and "parameters are k=v" in bad.stderr
        bad = run("transfer", "1234-5678-9012-3444-3488", "5", *key)
        assert bad.returncode == 2 and "is not valid" in bad.stderr
        bad = run("status", "ab" * 32, *key)
        assert bad.returncode == 1 and "E_HASHNOTFOUND" in bad.stderr
        bad = run("status", "ab" * 32, "--key-file", str(tmp_path / "none"))
        assert bad.returncode == 2 and "cannot read key file" in bad.stderr
    finally:
        stop_node(proc)
