"""Fixtures: a real node app on SQLite and on a throwaway PostgreSQL database, over real HTTP."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from aiohttp.test_utils import TestClient

from chain.crypto import Cryptoer, Hasher
from chain.storage.databases import scratch_database
from node.app import create_app
from node.config import Config
from tests.helpers import Wallet

PG_ADMIN_DSN = os.environ.get("IBAX_TEST_PG_DSN", "postgresql://postgres@127.0.0.1:5432/postgres")


def _pg_unreachable_reason() -> str | None:
    async def probe() -> None:
        conn = await asyncpg.connect(PG_ADMIN_DSN, timeout=3)
        await conn.close()

    try:
        asyncio.run(probe())
    except Exception as exc:  # any failure means: no server to test against
        return f"PostgreSQL at {PG_ADMIN_DSN} is not reachable ({exc!r})"
    return None


@pytest.fixture(scope="session")
def pg_reason() -> str | None:
    """Why PostgreSQL tests cannot run here, or None when they can."""
    reason = _pg_unreachable_reason()
    if reason is not None:
        print(f"\nSKIPPING PostgreSQL tests: {reason}")
    return reason


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest) -> str:
    """Run the test once per storage backend."""
    return str(request.param)


@pytest.fixture
def db_url(backend: str, tmp_path: Path, pg_reason: str | None) -> Iterator[str]:
    """A fresh, empty database of the requested backend."""
    if backend == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'test.db'}"
        return
    if pg_reason is not None:
        pytest.skip(pg_reason)
    with scratch_database(PG_ADMIN_DSN, "ibax_test_") as url:
        yield url


@pytest.fixture
def make_config(tmp_path: Path, db_url: str) -> Callable[..., Config]:
    """A Config for this test's data dir and database, with overrides."""

    def make(**overrides: Any) -> Config:
        values: dict[str, Any] = {
            "data_dir": tmp_path / "data",
            "db": db_url,
            "block_window_ms": 5,
            # Many tests check refusals in blocks with the founder's key: the reference's five
            # would ban it mid-test. tests/api/test_bans.py sets the reference's numbers.
            "ban_bad_tx": 1_000,
        }
        values.update(overrides)
        return Config(**values)

    return make


@pytest.fixture
def config(make_config: Callable[..., Config]) -> Config:
    """The default config: secp256k1 + Keccak-256."""
    return make_config()


@pytest.fixture
async def client(
    aiohttp_client: Callable[..., Any], config: Config
) -> AsyncIterator[TestClient[Any, Any]]:
    """A running node over real HTTP on loopback."""
    yield await aiohttp_client(create_app(config))


@pytest.fixture
def p256_config(make_config: Callable[..., Config]) -> Config:
    """The Weaver-era pair: P-256 + SHA-256."""
    return make_config(cryptoer=Cryptoer.P256, hasher=Hasher.SHA256)


@pytest.fixture
async def founder(client: TestClient[Any, Any], config: Config) -> Wallet:
    """The founder (owner of the initial supply), logged in."""
    private = bytes.fromhex((config.data_dir / "PrivateKey").read_text())
    wallet = Wallet(config.crypto, private=private)
    await wallet.login(client)
    return wallet
