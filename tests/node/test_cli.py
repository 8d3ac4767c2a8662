"""The ibax-node command line as a user runs it: a real process, real signals."""

from __future__ import annotations

import json
import os
import signal
import subprocess
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete, update

from chain.address import address_to_string
from chain.crypto import Crypto
from chain.storage.engine import make_engine
from chain.storage.schema import block_chain, contracts
from node.config import Config
from tests.helpers import Wallet, send_txs, utxo_tx, wait_status
from tests.nodeproc import free_port, node_cmd, wait_for


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_run_answers_version_and_exits_cleanly(tmp_path: Path, sig: signal.Signals) -> None:
    port = free_port()
    env = dict(os.environ, IBAX_PORT=str(port))
    log = tmp_path / "node.log"
    with (
        log.open("wb") as out,
        subprocess.Popen(
            node_cmd("run", "--data-dir", str(tmp_path / "d")),
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        ) as proc,
    ):
        try:
            body = wait_for(f"http://127.0.0.1:{port}/api/v2/version", proc)
            assert json.loads(body).endswith("node server status is running")
            proc.send_signal(sig)
            assert proc.wait(timeout=20) == 0, log.read_text()
        finally:
            if proc.poll() is None:
                proc.kill()
    assert (tmp_path / "d" / "node.db").exists()
    assert "event loop: uvloop" in log.read_text()  # pinned in pyproject.toml


def test_run_refuses_foreign_data_dir_with_message(tmp_path: Path) -> None:
    data = tmp_path / "d"
    data.mkdir()
    (data / "chain.json").write_text(
        '{"network_id": 9, "cryptoer": "ECC_Secp256k1", "hasher": "KECCAK256"}'
    )
    result = subprocess.run(
        node_cmd("run", "--data-dir", str(data), "--port", str(free_port())),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "was made for network_id=9" in result.stderr


def test_unknown_config_key_is_a_clear_error(tmp_path: Path) -> None:
    cfg = tmp_path / "node.toml"
    cfg.write_text("colour = 'blue'\n")
    result = subprocess.run(
        node_cmd("run", "--config", str(cfg)), capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 2
    assert "unknown key(s) in config file" in result.stderr and "colour" in result.stderr


def test_keygen_prints_a_consistent_pair() -> None:
    result = subprocess.run(node_cmd("keygen"), capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    info = json.loads(result.stdout)
    crypto = Crypto()
    public = crypto.public_key(bytes.fromhex(info["private_key"]))
    assert public.hex() == info["public_key"]
    assert info["key_id"] == str(crypto.address(public))
    assert info["address"] == address_to_string(int(info["key_id"]))


def test_keygen_writes_files(tmp_path: Path) -> None:
    result = subprocess.run(
        node_cmd(
            "keygen",
            "--out",
            str(tmp_path),
            "--prefix",
            "Node",
            "--cryptoer",
            "ECC_P256",
            "--hasher",
            "SHA256",
        ),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "private_key" not in json.loads(result.stdout)
    assert (tmp_path / "NodePrivateKey").stat().st_mode & 0o077 == 0
    assert len(bytes.fromhex((tmp_path / "NodePublicKey").read_text())) == 64


def test_db_upgrade(tmp_path: Path) -> None:
    result = subprocess.run(
        node_cmd("db", "upgrade", "--data-dir", str(tmp_path / "d")),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "newest schema" in result.stdout
    assert (tmp_path / "d" / "node.db").exists()


@pytest.fixture
async def founder_tx_app(client: Any, founder: Wallet) -> None:
    """A chain with one transfer block beyond genesis."""
    _, body = await send_txs(client, founder, utxo_tx(founder, 5555, 1))
    await wait_status(client, founder, next(h for h in body["hashes"] if len(h) == 64))
    await client.close()


async def test_check_command(config: Config, founder_tx_app: None) -> None:
    args = ["check", "--data-dir", str(config.data_dir), "--db", config.db_url]
    result = subprocess.run(node_cmd(*args), capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "chain verified: " in result.stdout
    height = int(result.stdout.split("chain verified: ")[1].split()[0])
    assert height >= 2
    engine = make_engine(config.db_url)
    try:
        async with engine.begin() as conn:
            await conn.execute(
                update(block_chain).where(block_chain.c.id == height).values(hash=b"\x00" * 32)
            )
    finally:
        await engine.dispose()
    result = subprocess.run(node_cmd(*args), capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert f"chain is broken: block {height}" in result.stderr


async def test_rollback_command(config: Config, founder_tx_app: None) -> None:
    common = ["--data-dir", str(config.data_dir), "--db", config.db_url]
    check = subprocess.run(node_cmd("check", *common), capture_output=True, text=True, timeout=60)
    height = int(check.stdout.split("chain verified: ")[1].split()[0])
    result = subprocess.run(
        node_cmd("rollback", "1", *common), capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"rolled back 1 blocks: the head is block {height - 1}"
    check = subprocess.run(node_cmd("check", *common), capture_output=True, text=True, timeout=60)
    assert f"chain verified: {height - 1} blocks" in check.stdout
    # Genesis is never undone: a clear refusal, nothing changed.
    result = subprocess.run(
        node_cmd("rollback", str(height), *common), capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 2
    assert "block 1 (genesis) cannot be rolled back" in result.stderr


async def test_run_refuses_a_database_without_system_contracts(
    config: Config, founder_tx_app: None
) -> None:
    # As a chain begun by a version of this node that ran NewUser natively would look.
    engine = make_engine(config.db_url)
    try:
        async with engine.begin() as conn:
            await conn.execute(delete(contracts))
    finally:
        await engine.dispose()
    args = ["run", "--data-dir", str(config.data_dir), "--db", config.db_url]
    result = subprocess.run(
        node_cmd(*args, "--port", str(free_port())), capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 2
    assert "the database has no system contracts" in result.stderr
