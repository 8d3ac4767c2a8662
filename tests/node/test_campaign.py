"""The SIGKILL campaign, short: real node processes killed under mixed load lose nothing."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from bench.campaign import Phase, run_phase, supply, tally_bank, tally_txs
from chain.address import address_to_string
from node.client import NodeClient, succeeded
from node.config import Config
from tests.helpers import Wallet

KILLS = 3


def test_the_tally_flags_lost_and_duplicated_txs() -> None:
    phase = Phase("sqlite", "workers")
    statuses = {"c": {"blockid": "", "errmsg": {"type": "error", "error": "no money"}}}
    tally_txs(phase, {"a", "b", "c", "d"}, statuses, Counter({"a": 1, "b": 2}))
    assert (phase.in_block, phase.duplicated, phase.failed_in_block, phase.lost) == (2, 1, 1, 1)
    assert len(phase.problems) == 2  # b twice, d nowhere


def test_the_tally_flags_lost_duplicated_and_made_bank_money() -> None:
    phase = Phase("sqlite", "bank", bank_minted=100, bank_sum=101)
    acked = [("user0", "user1", 1), ("user1", "user0", 2)]
    tally_bank(phase, acked, Counter({("user0", "user1", 1): 2}))
    assert (phase.lost, phase.duplicated) == (1, 1)
    assert len(phase.problems) == 3


async def test_native_supply_holds_across_a_transfer(
    client: TestClient[Any, Any], config: Config
) -> None:
    before = await supply(config.db_url)
    founder = bytes.fromhex((config.data_dir / "PrivateKey").read_text())
    async with NodeClient(str(client.make_url("/")), founder) as node:
        await node.login()
        status = await node.wait(
            await node.transfer(address_to_string(Wallet(config.crypto).key_id), 77), 15
        )
    assert succeeded(status)
    # The 77 and the fee moved between accounts and outputs; none appeared or vanished.
    assert before > 0 and await supply(config.db_url) == before


@pytest.mark.parametrize("phase_name", ["bank", "workers"])
async def test_sigkill_under_mixed_load_loses_nothing(
    tmp_path: Path, db_url: str, backend: str, phase_name: str
) -> None:
    phase = Phase(backend, phase_name)
    await run_phase(phase, tmp_path, db_url, KILLS, (0.5, 1.5), seed=13)
    assert phase.kills == KILLS
    assert phase.acked_txs > 0 and (phase_name != "bank" or phase.acked_bank > 0)
    assert phase.lost == 0 and phase.duplicated == 0, phase.problems
    assert phase.in_block + phase.lost == phase.acked_txs
    assert phase.server_5xx == 0
    assert phase.native_after == phase.native_before
    assert phase.bank_sum == phase.bank_minted
    assert phase.check_rc == 0, phase.check_out
    assert phase.problems == []
