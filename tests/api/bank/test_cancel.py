"""A bank write answered 503 (its wait timed out) is cancelled for real: it never commits."""

from __future__ import annotations

from typing import Any

from aiohttp.test_utils import TestClient

from api.appkeys import ENGINE
from api.bank.keys import BANK
from chain.storage.engine import take_writer_lock, write_transaction
from tests.api.bank.conftest import balance, basic, register

Client = TestClient[Any, Any]


async def test_a_503_write_never_commits(bank: Client) -> None:
    await register(bank, "alice", amount=100)
    await register(bank, "bob")
    app = bank.server.app
    assert app is not None
    app[BANK].work.wait_s = 0.3
    transfer = {"name": "bob", "amount": 40}
    alice = basic("alice", "pw")
    # Another writer holds the chain: no block can be formed while the transfer waits.
    async with write_transaction(app[ENGINE]) as conn:
        await take_writer_lock(conn)
        resp = await bank.post("/api/v1/user/transfer", json=transfer, headers=alice)
        assert (resp.status, await resp.text()) == (503, '"Bank is unavailable"')
    # Blocks are formed again: the next transfer runs, the one answered 503 never does.
    resp = await bank.post(
        "/api/v1/user/transfer", json={"name": "bob", "amount": 1}, headers=alice
    )
    assert (resp.status, await resp.text()) == (200, "99")
    assert (await balance(bank, "alice"), await balance(bank, "bob")) == (99, 1)
