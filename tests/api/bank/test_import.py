"""`ibax-node bank import`: a CCash save's users, balances and logs come over; XXH3 is upgraded."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import xxhash

from api.bank.keys import BANK
from chain.bank.rules import LogEntry
from chain.bank.saves import SavedUser, write_save
from node.app import create_app
from node.bank_import import import_save
from node.config import Config
from tests.api.bank.conftest import balance, basic


async def test_import_users_balances_logs(
    aiohttp_client: Any, bank_config: Config, tmp_path: Path
) -> None:
    alice_log = (LogEntry("bob", False, 5, 1_700_000_000), LogEntry("Ω", True, 9, 1_700_000_100))
    save = tmp_path / "users.dat"
    save.write_bytes(
        write_save(
            [
                SavedUser("alice", 104, xxhash.xxh3_64_intdigest(b"apw"), alice_log),
                SavedUser("bob", 5, xxhash.xxh3_64_intdigest(b"bpw"), ()),
                SavedUser("Bad-Name", 1, 0, ()),
            ]
        )
    )
    report = await import_save(bank_config, save)
    assert (report.imported, report.skipped) == (2, [("Bad-Name", "Invalid Username")])
    client = await aiohttp_client(create_app(bank_config))
    assert await balance(client, "alice") == 104
    assert await balance(client, "bob") == 5
    log = await (await client.get("/api/v2/user/log", headers=basic("alice", "apw"))).json()
    assert log == [
        {"counterparty": "Ω", "receiving": True, "amount": 9, "time": 1_700_000_100},
        {"counterparty": "bob", "receiving": False, "amount": 5, "time": 1_700_000_000},
    ]
    # The XXH3 hash worked once and is a scrypt hash now.
    bank = client.server.app[BANK]
    stored = await bank.stored_credential("alice")
    assert stored is not None and stored.hash.startswith("scrypt$10$")
    assert (
        await client.post("/api/v1/user/verify_password", headers=basic("bob", "x"))
    ).status == 401
