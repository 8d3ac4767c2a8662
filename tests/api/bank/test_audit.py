"""`ibax-node check` replays the bank's history: money from nothing is caught."""

from __future__ import annotations

import subprocess
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncEngine

from api.appkeys import ENGINE
from api.bank.keys import BANK
from chain.bank.audit import BankAuditError, audit_bank_chain
from chain.bank.rules import HISTORY_TRANSFER
from chain.crypto import Crypto
from chain.storage.engine import make_engine
from chain.storage.repo.bank import HistoryRow, insert_history, next_history_id
from chain.storage.schema import keys
from node.config import Config
from tests.api.bank.conftest import ADMIN_AUTH, basic, register
from tests.nodeproc import node_cmd

Client = TestClient[Any, Any]


async def _busy_bank(bank: Client) -> None:
    await register(bank, "alice", amount=100)
    await register(bank, "bob")
    await register(bank, "carol", amount=7)
    resp = await bank.post(
        "/api/v1/user/transfer", json={"name": "bob", "amount": 30}, headers=basic("alice", "pw")
    )
    assert resp.status == 200
    for path, body in (
        ("/api/v1/admin/impact_balance", {"name": "alice", "amount": -5}),
        ("/api/v1/admin/set_balance", {"name": "bob", "amount": 12}),
    ):
        assert (
            await bank.request(
                "POST" if "impact" in path else "PATCH", path, json=body, headers=ADMIN_AUTH
            )
        ).status in (200, 204)
    resp = await bank.delete("/api/v1/user/delete", headers=basic("carol", "pw"))
    assert resp.status == 204


async def test_audit_passes_on_an_honest_bank(bank: Client) -> None:
    await _busy_bank(bank)
    app = bank.server.app
    assert app is not None
    # admin, alice, bob, the deleted carol and the ecosystem's own accounts
    assert await audit_bank_chain(app[ENGINE]) >= 4


async def _stopped(bank: Client, config: Config) -> tuple[AsyncEngine, int]:
    """The bank's ecosystem, and an engine on its database once the node has stopped."""
    app = bank.server.app
    assert app is not None
    eco = app[BANK].view.ecosystem
    await bank.close()
    return make_engine(config.db_url), eco


async def test_audit_catches_money_from_nothing(bank: Client, bank_config: Config) -> None:
    await _busy_bank(bank)
    engine, eco = await _stopped(bank, bank_config)
    alice, bob = (Crypto().seed_address(n) for n in ("alice", "bob"))
    # What a second writer with a stale view did: the same 30 spent again, both rows saying
    # what its view believed.
    async with engine.begin() as conn:
        row = HistoryRow(
            id=await next_history_id(conn),
            sender_id=alice,
            recipient_id=bob,
            amount=30,
            created_at=1,
            type=HISTORY_TRANSFER,
            sender_balance=65,
            recipient_balance=42,
        )
        await insert_history(conn, eco, [row])
        await conn.execute(
            update(keys).where(keys.c.ecosystem == eco, keys.c.id == bob).values(amount=42)
        )
    with pytest.raises(BankAuditError, match="would hold 35, the row says 65"):
        await audit_bank_chain(engine)
    await engine.dispose()
    args = ["check", "--data-dir", str(bank_config.data_dir), "--db", bank_config.db_url]
    result = subprocess.run(node_cmd(*args), capture_output=True, text=True, timeout=120)
    assert result.returncode == 1
    assert "bank balances disagree with their history" in result.stderr


async def test_audit_catches_a_balance_changed_outside_history(
    bank: Client, bank_config: Config
) -> None:
    await _busy_bank(bank)
    engine, eco = await _stopped(bank, bank_config)
    alice = Crypto().seed_address("alice")
    async with engine.begin() as conn:
        await conn.execute(
            update(keys).where(keys.c.ecosystem == eco, keys.c.id == alice).values(amount=1000)
        )
    with pytest.raises(BankAuditError, match="holds 1000, its history adds up to 65"):
        await audit_bank_chain(engine)
    await engine.dispose()
