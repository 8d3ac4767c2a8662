"""Fixtures of the ledger tests: a fixed node identity and databases before and after block 1."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from chain.crypto import Crypto
from chain.genesis import GenesisOptions, create_genesis
from chain.identity import NodeIdentity
from chain.storage.engine import make_engine
from chain.storage.migrate import upgrade

CRYPTO = Crypto()
NODE = NodeIdentity(
    network_id=1,
    crypto=CRYPTO,
    founder_public=CRYPTO.public_key(bytes.fromhex("11" * 32)),
    node_public=CRYPTO.public_key(bytes.fromhex("22" * 32)),
    node_private=bytes.fromhex("22" * 32),
)
GENESIS_TIME = 1_700_000_000


@pytest.fixture
async def empty_engine(db_url: str) -> AsyncIterator[AsyncEngine]:
    """A migrated database without blocks."""
    eng = make_engine(db_url)
    try:
        await upgrade(eng)
        yield eng
    finally:
        await eng.dispose()


@pytest.fixture
async def genesis_engine(empty_engine: AsyncEngine) -> AsyncEngine:
    """A migrated database holding block 1 of NODE."""
    async with empty_engine.begin() as conn:
        await create_genesis(conn, NODE, GenesisOptions(timestamp=GENESIS_TIME))
    return empty_engine
