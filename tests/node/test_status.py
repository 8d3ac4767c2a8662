"""`ibax-node status`: a data dir's summary, read without starting the node or changing it."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from aiohttp.test_utils import TestClient

from api.bank.keys import BANK_STOP
from chain.address import address_to_string
from chain.storage.migrate import head_revision
from node.app import create_app
from node.config import Config
from node.datadir import open_data_dir
from node.status import as_text, summarize
from tests.helpers import Wallet, send_txs, utxo_tx, wait_status


def status(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "node", "status", *args],
        capture_output=True,
        text=True,
        timeout=60,
    )


def _key_id(path: Path, config: Config) -> int:
    return config.crypto.address(bytes.fromhex(path.read_text()))


async def test_summary_of_a_used_data_dir(config: Config, founder: Wallet, client: Any) -> None:
    _, body = await send_txs(client, founder, utxo_tx(founder, 5555, 1))
    await wait_status(client, founder, next(h for h in body["hashes"] if len(h) == 64))
    await client.close()  # the node stops; status reads what it left

    common = ["--data-dir", str(config.data_dir), "--db", config.db_url]
    result = status(*common, "--json")
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    founder_id = _key_id(config.data_dir / "PublicKey", config)
    node_id = _key_id(config.data_dir / "NodePublicKey", config)
    assert summary["network_id"] == 1
    assert (summary["cryptoer"], summary["hasher"]) == ("ECC_Secp256k1", "KECCAK256")
    assert summary["founder"]["key_id"] == str(founder_id)
    assert summary["founder"]["address"] == address_to_string(founder_id)
    assert summary["node"]["key_id"] == str(node_id)
    db = summary["database"]
    assert db["exists"] and db["size_bytes"] > 100_000
    assert db["schema"] == head_revision() and db["schema_current"]
    assert db["head"]["block_id"] == 2
    assert len(db["head"]["hash"]) == 64
    assert 0 <= db["head"]["age_seconds"] < 120
    assert db["queued_txs"] == 0
    assert db["bank_ecosystem"] is None
    assert db["url"] == config.censored_db_url()  # a password never shows

    text = status(*common)
    assert text.returncode == 0, text.stderr
    assert f"founder     {address_to_string(founder_id)} (key id {founder_id})" in text.stdout
    assert "head        block 2, " in text.stdout
    assert f"schema      {head_revision()} (current)" in text.stdout
    assert "bank        none on this chain" in text.stdout


def test_a_data_dir_without_its_database_is_left_as_it_is(tmp_path: Path) -> None:
    data = tmp_path / "d"
    config = Config(data_dir=data)
    open_data_dir(data, 1, config.crypto)
    before = sorted(p.name for p in data.iterdir())
    result = status("--data-dir", str(data))
    assert result.returncode == 0, result.stderr
    assert "does not exist yet" in result.stdout
    assert sorted(p.name for p in data.iterdir()) == before  # no node.db was created


def test_not_a_data_dir(tmp_path: Path) -> None:
    result = status("--data-dir", str(tmp_path / "nothing"))
    assert result.returncode == 2
    assert "is not a node data dir" in result.stderr
    assert not (tmp_path / "nothing").exists()


async def test_the_bank_ecosystem_is_shown(
    aiohttp_client: Callable[..., Any], make_config: Callable[..., Config]
) -> None:
    config = make_config(bank_admin="admin", bank_admin_password="pw", bank_hash_cost=10)
    app = create_app(config)
    app[BANK_STOP] = lambda: None
    client: TestClient[Any, Any] = await aiohttp_client(app)
    await client.close()
    summary = await summarize(config)
    assert summary.database.bank_ecosystem == 2
    assert "bank        ecosystem 2" in as_text(summary)
