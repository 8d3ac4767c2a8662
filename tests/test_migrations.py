"""Migrations: upgrade, downgrade and upgrade again on both backends (the stairway test)."""

from __future__ import annotations

from sqlalchemy import inspect

from chain.storage.engine import make_engine
from chain.storage.migrate import current_revision, downgrade, head_revision, upgrade
from chain.storage.schema import metadata


async def test_stairway(db_url: str) -> None:
    engine = make_engine(db_url)
    try:
        assert await current_revision(engine) is None
        await upgrade(engine)
        assert await current_revision(engine) == head_revision()
        async with engine.connect() as conn:
            tables = set(await conn.run_sync(lambda c: inspect(c).get_table_names()))
        assert set(metadata.tables) <= tables
        await downgrade(engine, "base")
        assert await current_revision(engine) is None
        async with engine.connect() as conn:
            left = set(await conn.run_sync(lambda c: inspect(c).get_table_names()))
        assert not (set(metadata.tables) & left)
        await upgrade(engine)
        assert await current_revision(engine) == head_revision()
    finally:
        await engine.dispose()
