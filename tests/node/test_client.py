"""The signing client, as a Python API against the real app and as the ibax-node command."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from chain.address import address_to_string
from chain.storage.engine import make_engine
from chain.storage.repo.keys import get_key
from chain.storage.repo.money import sum_unspent
from node.client import ClientError, NodeClient, succeeded
from node.config import Config
from tests.helpers import Wallet
from tests.node.test_cli import free_port, wait_for


def _founder_key(config: Config) -> bytes:
    return bytes.fromhex((config.data_dir / "PrivateKey").read_text())


async def test_transfer_and_wait(client: TestClient[Any, Any], config: Config) -> None:
    alice = Wallet(config.crypto)
    async with NodeClient(str(client.make_url("/")), _founder_key(config)) as node:
        session = await node.login()
        assert session.key_id == config.crypto.address(
            config.crypto.public_key(_founder_key(config))
        )
        tx_hash = await node.transfer(address_to_string(alice.key_id), 77)
        status = await node.wait(tx_hash, timeout=15)
    assert succeeded(status) and status["blockid"]
    engine = make_engine(config.db_url)
    try:
        async with engine.connect() as conn:
            assert await sum_unspent(conn, alice.key_id, 1) == 77
    finally:
        await engine.dispose()


async def test_call_new_user_as_founder(client: TestClient[Any, Any], config: Config) -> None:
    bob = Wallet(config.crypto)
    async with NodeClient(str(client.make_url("/")), _founder_key(config)) as node:
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
        with pytest.raises(ClientError, match="is not valid"):
            await node.transfer("1234-5678-9012-3444-3488", 1)
        with pytest.raises(ClientError, match="There is not @1Nope contract"):
            await node.call("@1Nope", {})
        with pytest.raises(ClientError, match="Ecosystem must be int"):
            await node.call("NewUser", {"Ecosystem": "x"})
        # A NewUser call by someone who does not own the node fails in its block.
        status = await node.wait(await node.call("NewUser", {"NewPubkey": "00"}), timeout=15)
        assert status["penalty"] == 1 and status["errmsg"]["error"] == "Access denied"


def test_cli_transfer_and_status(tmp_path: Path) -> None:
    port = free_port()
    data = tmp_path / "d"
    url = f"http://127.0.0.1:{port}"
    env = dict(os.environ, IBAX_PORT=str(port), IBAX_DATA_DIR=str(data))
    log = tmp_path / "node.log"
    cmd = [sys.executable, "-m", "node"]
    with (
        log.open("wb") as out,
        subprocess.Popen([*cmd, "run"], env=env, stdout=out, stderr=subprocess.STDOUT) as proc,
    ):
        try:
            wait_for(url + "/api/v2/version", proc)
            key = ["--node", url, "--key-file", str(data / "PrivateKey")]
            done = subprocess.run(
                [*cmd, "transfer", "0000-0000-0000-0000-5555", "5", *key],
                capture_output=True,
                text=True,
                timeout=60,
            )
            assert done.returncode == 0, done.stderr
            result = json.loads(done.stdout)
            assert result["blockid"] and result["penalty"] == 0
            shown = subprocess.run(
                [*cmd, "status", result["hash"], *key], capture_output=True, text=True, timeout=60
            )
            assert (
                shown.returncode == 0 and json.loads(shown.stdout)["blockid"] == result["blockid"]
            )
            bad = subprocess.run(
                [*cmd, "call", "NewUser", "oops", *key], capture_output=True, text=True, timeout=60
            )
            assert bad.returncode == 2 and "parameters are k=v" in bad.stderr
        finally:
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=20)
