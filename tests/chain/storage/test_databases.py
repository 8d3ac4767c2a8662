"""Scratch PostgreSQL databases and the start-up connection check."""

from __future__ import annotations

import asyncio

import asyncpg
import pytest
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from chain.storage.databases import create_database, database_url, scratch_database
from chain.storage.engine import check_connection, make_engine
from tests.conftest import PG_ADMIN_DSN


def test_database_url_names_the_database_on_the_admins_server() -> None:
    assert (
        database_url("postgresql://postgres:pw@10.0.0.1:5433/postgres", "ibax_x")
        == "postgresql+asyncpg://postgres:pw@10.0.0.1:5433/ibax_x"
    )


@pytest.mark.parametrize("name", ['x"; DROP DATABASE postgres; --', "Upper", "1st", "", "a" * 64])
async def test_only_plain_names_reach_a_statement(name: str) -> None:
    # Refused before any connection: the DSN points nowhere.
    with pytest.raises(ValueError, match="not a plain database name"):
        await create_database("postgresql://nobody@127.0.0.1:1/none", name)
    with pytest.raises(ValueError, match="not a plain database name"):
        database_url(PG_ADMIN_DSN, name)


async def _exists(name: str) -> bool:
    conn = await asyncpg.connect(PG_ADMIN_DSN)
    try:
        found = await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name)
    finally:
        await conn.close()
    return found == 1


def test_scratch_database_is_made_then_dropped(pg_reason: str | None) -> None:
    if pg_reason is not None:
        pytest.skip(pg_reason)

    async def usable(url: str) -> None:
        engine = make_engine(url)
        try:
            await check_connection(engine)
        finally:
            await engine.dispose()

    with scratch_database(PG_ADMIN_DSN, "ibax_test_scratch_") as url:
        name = url.rsplit("/", 1)[1]
        assert name.startswith("ibax_test_scratch_")
        assert asyncio.run(_exists(name))
        asyncio.run(usable(url))
    assert not asyncio.run(_exists(name))


async def test_check_connection_passes_on_a_working_database(engine: AsyncEngine) -> None:
    await check_connection(engine)


async def test_check_connection_fails_on_a_database_it_cannot_open(pg_reason: str | None) -> None:
    # PostgreSQL: a failed aiosqlite connect leaves its worker thread to outlive the test's loop.
    if pg_reason is not None:
        pytest.skip(pg_reason)
    engine = make_engine(database_url(PG_ADMIN_DSN, "ibax_test_absent"))
    try:
        with pytest.raises(DBAPIError, match="does not exist"):
            await check_connection(engine)
    finally:
        await engine.dispose()
