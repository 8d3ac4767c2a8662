"""Guessing passwords: backoff per address and per user, a hashing pool floods cannot starve,
and stronger hashes taken up at the next right password."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestClient

from api.bank.keys import BANK
from chain.bank.auth import LoginGuard
from chain.bank.rules import BankError, Fault
from node.app import create_app
from node.config import Config
from tests.api.bank.conftest import ADMIN, ADMIN_PW, basic, register

Client = TestClient[Any, Any]
TOO_MANY = (429, '"Too many wrong passwords, try again later"')
VERIFY = "/api/v1/user/verify_password"


@pytest.fixture
async def from_address(
    bank: Client,
) -> AsyncIterator[Callable[[str, str, str], Any]]:
    """verify_password as (name, password) sent from a given loopback address."""
    sessions: dict[str, aiohttp.ClientSession] = {}

    async def verify(address: str, name: str, password: str) -> tuple[int, str]:
        if address not in sessions:
            connector = aiohttp.TCPConnector(local_addr=(address, 0))
            sessions[address] = aiohttp.ClientSession(connector=connector)
        async with sessions[address].post(
            bank.make_url(VERIFY), headers=basic(name, password)
        ) as resp:
            return resp.status, await resp.text()

    yield verify
    for session in sessions.values():
        await session.close()


def _guard(bank: Client, **settings: Any) -> None:
    app = bank.server.app
    assert app is not None
    # Long delays: a slow machine cannot see a backoff run out within the test.
    app[BANK].guard = LoginGuard(base_s=600, **settings)


async def test_backoff_per_address_spares_other_addresses(
    bank: Client, from_address: Callable[[str, str, str], Any]
) -> None:
    await register(bank, "alice")
    _guard(bank, free_tries=5)
    for _ in range(5):
        assert await from_address("127.0.0.1", "alice", "wrong") == (401, '"Invalid Credentials"')
    assert await from_address("127.0.0.1", "alice", "wrong") == TOO_MANY
    # The right password from the guessing address waits too; from another one it works.
    assert await from_address("127.0.0.1", "alice", "pw") == TOO_MANY
    assert await from_address("127.0.0.2", "alice", "pw") == (204, "")
    # Guessing other names from the same address is refused as well.
    assert await from_address("127.0.0.1", ADMIN, "wrong") == TOO_MANY


async def test_backoff_per_user_spares_addresses_that_proved_the_password(
    aiohttp_client: Any, make_config: Callable[..., Config]
) -> None:
    config = make_config(
        bank_admin=ADMIN, bank_admin_password=ADMIN_PW, bank_hash_cost=10, bank_auth_ttl=0
    )
    bank = await aiohttp_client(create_app(config))
    await register(bank, "alice")
    _guard(bank, free_tries=100, user_free_tries=3)
    sessions = []

    async def verify(address: str, password: str) -> tuple[int, str]:
        session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(local_addr=(address, 0)))
        sessions.append(session)
        async with session.post(bank.make_url(VERIFY), headers=basic("alice", password)) as resp:
            return resp.status, await resp.text()

    try:
        assert (await verify("127.0.0.2", "pw"))[0] == 204  # alice's usual address
        for last in (3, 4, 5):  # guesses spread over addresses
            assert (await verify(f"127.0.0.{last}", "wrong"))[0] == 401
        assert await verify("127.0.0.6", "pw") == TOO_MANY
        assert (await verify("127.0.0.2", "pw"))[0] == 204
    finally:
        for session in sessions:
            await session.close()


async def test_a_flood_of_checks_cannot_starve_verified_users(bank: Client) -> None:
    await register(bank, "alice")
    app = bank.server.app
    assert app is not None
    service = app[BANK]
    assert await service.authenticate("alice", b"pw", "10.0.0.1")  # verified: cached
    # Both hashing threads busy (as under a flood of slow guesses) ...
    for _ in range(2):
        await service._hashing.acquire()
    try:
        flood = [
            asyncio.create_task(
                service.authenticate("alice", b"guess%d" % i, f"10.1.{i // 250}.{i % 250}")
            )
            for i in range(32)
        ]
        async with asyncio.timeout(60):
            while service._waiting < 32:  # every one queued for a thread
                await asyncio.sleep(0.01)
        assert not any(task.done() for task in flood)
        # ... one more unverified check is refused at once instead of queueing,
        with pytest.raises(BankError) as refused:
            async with asyncio.timeout(60):
                await service.authenticate("alice", b"guess", "10.2.0.1")
        assert refused.value.fault == Fault.UNAVAILABLE
        # and a verified user needs no thread at all.
        assert await service.authenticate("alice", b"pw", "10.0.0.1")
    finally:
        for _ in range(2):
            service._hashing.release()
    assert not any(await asyncio.gather(*flood))


async def test_weaker_hashes_are_upgraded_at_the_next_right_password(
    aiohttp_client: Any, make_config: Callable[..., Config]
) -> None:
    settings = {"bank_admin": ADMIN, "bank_admin_password": ADMIN_PW}
    bank = await aiohttp_client(create_app(make_config(**settings, bank_hash_cost=10)))
    await register(bank, "alice")
    await bank.close()
    bank = await aiohttp_client(create_app(make_config(**settings, bank_hash_cost=11)))
    app = bank.server.app
    assert app is not None
    stored = await app[BANK].stored_credential("alice")
    assert stored is not None and stored.hash.startswith("scrypt$10$")
    assert (await bank.post(VERIFY, headers=basic("alice", "wrong"))).status == 401
    stored = await app[BANK].stored_credential("alice")
    assert stored is not None and stored.hash.startswith("scrypt$10$")  # not on a wrong one
    assert (await bank.post(VERIFY, headers=basic("alice", "pw"))).status == 204
    stored = await app[BANK].stored_credential("alice")
    assert stored is not None and stored.hash.startswith("scrypt$11$")
    app[BANK]._verified.invalidate("alice")  # checked against the new hash, not the cache
    assert (await bank.post(VERIFY, headers=basic("alice", "pw"))).status == 204
    assert (await bank.post(VERIFY, headers=basic("alice", "wrong"))).status == 401


async def test_a_burst_on_a_cold_cache_is_hashed_once_and_not_refused(bank: Client) -> None:
    await register(bank, "alice")
    app = bank.server.app
    assert app is not None
    service = app[BANK]
    # One client (one address) sends many requests of one user before any is verified.
    results = await asyncio.gather(
        *(service.authenticate("alice", b"pw", "10.0.0.1") for _ in range(100))
    )
    assert all(results)
    # A guessing address, though, has few checks at once.
    assert not await service.authenticate("alice", b"wrong", "10.0.0.2")
    outcomes = await asyncio.gather(
        *(service.authenticate("alice", b"w%d" % i, "10.0.0.2") for i in range(10)),
        return_exceptions=True,
    )
    refused = [o for o in outcomes if isinstance(o, BankError)]
    assert refused and all(o.fault == Fault.TOO_MANY_TRIES for o in refused)


async def test_passwords_are_hashed_at_owasp_s_scrypt_cost_by_default(
    aiohttp_client: Any, make_config: Callable[..., Config]
) -> None:
    # The node's own default, not the tests' cheap one: scrypt N=2^17, r=8, p=1 (OWASP).
    config = make_config(bank_admin=ADMIN, bank_admin_password=ADMIN_PW)
    assert config.bank_hash_cost == Config().bank_hash_cost == 17
    bank = await aiohttp_client(create_app(config))
    await register(bank, "alice")
    app = bank.server.app
    assert app is not None
    for name in (ADMIN, "alice"):
        stored = await app[BANK].stored_credential(name)
        assert stored is not None and stored.hash.startswith("scrypt$17$8$1$"), name
    assert (await bank.post(VERIFY, headers=basic("alice", "pw"))).status == 204
