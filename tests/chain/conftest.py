"""Fixtures of the chain tests: an engine on this test's database, migrated to head."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from chain.storage.engine import make_engine
from chain.storage.migrate import upgrade


@pytest.fixture
async def migrated_engine(db_url: str) -> AsyncIterator[AsyncEngine]:
    """An engine on this test's database with the node's schema (no genesis block)."""
    engine = make_engine(db_url)
    await upgrade(engine)
    try:
        yield engine
    finally:
        await engine.dispose()
