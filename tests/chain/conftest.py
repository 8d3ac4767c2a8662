"""Fixtures of the chain tests: a fixed node identity, databases before and after block 1."""

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
async def migrated_engine(db_url: str) -> AsyncIterator[AsyncEngine]:
    """An engine on this test's database with the node's schema (no genesis block)."""
    engine = make_engine(db_url)
    try:
        await upgrade(engine)
        yield engine
    finally:
        await engine.dispose()


@pytest.fixture
async def genesis_engine(migrated_engine: AsyncEngine) -> AsyncEngine:
    """A migrated database holding block 1 of NODE."""
    async with migrated_engine.begin() as conn:
        await create_genesis(conn, NODE, GenesisOptions(timestamp=GENESIS_TIME))
    return migrated_engine
