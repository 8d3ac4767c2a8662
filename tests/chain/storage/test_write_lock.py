"""SQLite writers: the write lock is polled for and given up after a limit; the inline engine."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

import pytest
from sqlalchemy import event, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine

from chain.storage.engine import (
    SQLITE_LOCK_WAIT_S,
    make_engine,
    sqlite_file_of,
    write_transaction,
)


async def _two_engines(tmp_path: Path) -> tuple[AsyncEngine, AsyncEngine]:
    url = f"sqlite+aiosqlite:///{tmp_path / 'lock.db'}"
    first, second = make_engine(url), make_engine(url)
    async with write_transaction(first) as conn:
        await conn.execute(text("CREATE TABLE t (x INTEGER)"))
    return first, second


async def test_a_writer_gets_the_lock_once_the_holder_commits(tmp_path: Path) -> None:
    first, second = await _two_engines(tmp_path)
    holding = asyncio.Event()
    try:

        async def hold() -> None:
            async with write_transaction(first) as conn:
                await conn.execute(text("INSERT INTO t VALUES (1)"))
                holding.set()
                await asyncio.sleep(0.3)

        async def wait_then_write() -> None:
            await holding.wait()
            async with write_transaction(second) as conn:
                await conn.execute(text("INSERT INTO t VALUES (2)"))
                # The holder's row is there: this writer began after its commit.
                rows = (await conn.execute(text("SELECT x FROM t ORDER BY x"))).all()
                assert [row.x for row in rows] == [1, 2]

        await asyncio.gather(hold(), wait_then_write())
        async with second.connect() as conn:
            # The connection waits again as a reader would (busy_timeout restored).
            timeout = (await conn.execute(text("PRAGMA busy_timeout"))).scalar_one()
            assert timeout == int(SQLITE_LOCK_WAIT_S * 1000)
    finally:
        await first.dispose()
        await second.dispose()


async def test_a_writer_gives_up_after_its_wait(tmp_path: Path) -> None:
    first, second = await _two_engines(tmp_path)
    try:
        async with write_transaction(first) as conn:
            await conn.execute(text("INSERT INTO t VALUES (1)"))
            with pytest.raises(OperationalError, match="locked"):
                async with write_transaction(second, lock_wait_s=0.2) as other:
                    await other.execute(text("INSERT INTO t VALUES (2)"))
        async with first.connect() as conn:
            rows = (await conn.execute(text("SELECT x FROM t"))).all()
            assert [row.x for row in rows] == [1]
    finally:
        await first.dispose()
        await second.dispose()


async def test_an_inline_engine_runs_statements_on_the_event_loops_thread(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'inline.db'}"
    engines = {"inline": make_engine(url, inline=True), "pooled": make_engine(url)}
    threads: dict[str, int] = {}
    try:
        for name, engine in engines.items():
            # A function SQLite calls from whichever thread runs the statement.
            event.listen(
                engine.sync_engine,
                "connect",
                lambda dbapi, _record: dbapi.create_function("thread", 0, threading.get_ident),
            )
            async with write_transaction(engine) as conn:
                await conn.execute(text("CREATE TABLE IF NOT EXISTS t (x INTEGER)"))
                await conn.execute(text("INSERT INTO t VALUES (1)"))
            async with engine.connect() as conn:
                row = (await conn.execute(text("SELECT count(*), thread() FROM t"))).one()
            assert row[0] == (1 if name == "inline" else 2)  # one file, both engines
            threads[name] = row[1]
        assert threads["inline"] == threading.get_ident()
        assert threads["pooled"] != threading.get_ident()  # aiosqlite's own thread
    finally:
        for engine in engines.values():
            await engine.dispose()


async def test_only_a_sqlite_file_gets_an_engine_of_its_own(tmp_path: Path) -> None:
    # The node gives its producer a second, inline engine only where a second engine opens the
    # same database: a file (an in-memory database would be a different, empty one).
    engines = [
        make_engine(f"sqlite+aiosqlite:///{tmp_path / 'a.db'}"),
        make_engine("sqlite+aiosqlite://"),
        make_engine("postgresql+asyncpg://postgres@127.0.0.1:5432/none"),  # never connects
    ]
    try:
        found = [sqlite_file_of(engine) for engine in engines]
        assert found == [str(tmp_path / "a.db"), None, None]
    finally:
        for engine in engines:
            await engine.dispose()
