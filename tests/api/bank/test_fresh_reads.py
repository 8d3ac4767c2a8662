"""A bank's reads catch up with other processes' commits, and on SQLite ask only after one."""

from __future__ import annotations

from typing import Any

from aiohttp.test_utils import TestClient

from api.appkeys import ENGINE, NODE
from api.bank.keys import BANK
from chain.storage.engine import commit_probe
from node.app import make_bank
from node.config import Config
from tests.api.bank.conftest import balance, basic, register

Client = TestClient[Any, Any]


async def test_a_bank_beside_another_sees_its_commits_and_asks_only_then(
    bank: Client, bank_config: Config
) -> None:
    await register(bank, "alice", amount=100)
    await register(bank, "bob")
    app = bank.server.app
    assert app is not None
    engine = app[ENGINE]
    sqlite = engine.dialect.name == "sqlite"
    probe = commit_probe(engine)
    assert (probe is not None) == sqlite
    # A second bank on the same database, as another node process has: it learns of the first
    # one's writes only from the database.
    other = make_bank(bank_config, engine, app[NODE], lambda: None, probe=probe)
    try:
        await other.load(app[BANK].view.ecosystem)
        alice = (await other.refresh()).get("alice")
        assert alice is not None and alice.balance == 100
        rounds = other.read_rounds
        for _ in range(3):
            await other.refresh()
        # SQLite: nothing committed since its last round, so no more queries; PostgreSQL
        # has no such counter and asks each time.
        assert other.read_rounds == (rounds if sqlite else rounds + 3)

        resp = await bank.post(
            "/api/v1/user/transfer",
            json={"name": "bob", "amount": 30},
            headers=basic("alice", "pw"),
        )
        assert resp.status == 200, await resp.text()
        view = await other.refresh()  # the first bank's block: the other sees it at once
        assert other.read_rounds > rounds
        assert [view.get(n).balance for n in ("alice", "bob")] == [70, 30]  # type: ignore[union-attr]
        assert await balance(bank, "bob") == 30
    finally:
        if probe is not None:
            probe.close()
