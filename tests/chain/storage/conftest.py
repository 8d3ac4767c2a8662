"""Fixtures of the storage tests: an engine on this test's empty database."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from chain.storage.engine import make_engine


@pytest.fixture
async def engine(db_url: str) -> AsyncIterator[AsyncEngine]:
    """An engine on this test's database, with no tables yet (no migrations run)."""
    engine = make_engine(db_url)
    try:
        yield engine
    finally:
        await engine.dispose()
