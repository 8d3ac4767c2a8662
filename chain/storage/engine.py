"""Async engine creation with the per-backend settings durability and speed depend on."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import partial
from typing import Any

import aiosqlite
from sqlalchemy import URL, Connection, event, make_url, text
from sqlalchemy.engine.interfaces import DBAPICursor, ExecutionContext
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlalchemy.util import await_only

from chain.storage.values import QueryError

# Any fixed 64-bit number: the PostgreSQL advisory lock that elects the one block writer.
WRITER_LOCK_KEY = 0x1BA7_0DE0_B10C
# Connections per process on PostgreSQL: kept open, and opened beyond it under bursts. Several
# workers share the server's max_connections (100 by default): 2 workers x 30 leave room.
POOL_SIZE = 24
POOL_OVERFLOW = 6
# How long a SQLite connection waits for a lock before "database is locked".
SQLITE_LOCK_WAIT_S = 10.0
_BUSY_TIMEOUT = f"PRAGMA busy_timeout={int(SQLITE_LOCK_WAIT_S * 1000)}"
# A writer waiting for SQLite's write lock retries after these pauses (then the last one).
_WRITE_LOCK_PAUSES_S = (0.0002, 0.0005, 0.001, 0.002)


def _sqlite_connect(dbapi_conn: Any, _record: Any) -> None:
    # Take BEGIN out of the driver's hands (it breaks SAVEPOINT); _sqlite_begin emits it.
    dbapi_conn.isolation_level = None
    cursor = dbapi_conn.cursor()
    # WAL lets readers run beside the single writer; synchronous=FULL makes every commit
    # durable even against power loss, which "nothing acknowledged is lost" requires.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute(_BUSY_TIMEOUT)
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _sqlite_begin(conn: Connection) -> None:
    # A writer must take the lock up front: a deferred transaction that reads first and
    # writes later fails at once (SQLITE_BUSY_SNAPSHOT) if another writer committed meanwhile.
    options = conn.get_execution_options()
    if options.get("sqlite_immediate"):
        _begin_immediate(conn, options.get("sqlite_lock_wait", SQLITE_LOCK_WAIT_S))
    else:
        conn.exec_driver_sql("BEGIN")


def _begin_immediate(conn: Connection, wait_s: float) -> None:
    """BEGIN IMMEDIATE, retried within a millisecond or two of the lock coming free.

    SQLite's own busy handler sleeps 1, 2, 5, 10, 15, 20, then 25 ms and more between tries,
    so a queue commit waiting on a block (or the other way round) went on sleeping long after
    the lock was free: single-tx sendTx's p99 on SQLite was over a second. The pause here is
    an asyncio sleep (this runs in SQLAlchemy's greenlet on the event loop), so other requests
    go on meanwhile. Other waits (a reader during a checkpoint) keep the busy handler.
    """
    conn.exec_driver_sql("PRAGMA busy_timeout=0")
    try:
        deadline = time.monotonic() + wait_s
        tries = 0
        while True:
            try:
                conn.exec_driver_sql("BEGIN IMMEDIATE")
                return
            except OperationalError as exc:
                if not _locked(exc) or time.monotonic() > deadline:
                    raise
            pause = _WRITE_LOCK_PAUSES_S[min(tries, len(_WRITE_LOCK_PAUSES_S) - 1)]
            tries += 1
            await_only(asyncio.sleep(pause))
    finally:
        conn.exec_driver_sql(_BUSY_TIMEOUT)


def _locked(exc: OperationalError) -> bool:
    orig = exc.orig
    return isinstance(orig, sqlite3.OperationalError) and "locked" in str(orig)


def _sqlite_file(url: URL) -> str | None:
    """The file a SQLite URL names; None for a database in memory or a `file:` URI."""
    path = url.database
    if not path or path == ":memory:" or path.startswith("file:"):
        return None
    return path


def _create_private_file(path: str) -> None:
    # SQLite would create the file with the umask's mode (0644 mostly), readable by every local
    # user, and it holds the bank's password hashes. Its -wal and -shm files copy this mode.
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        pass  # an existing database keeps the mode its owner gave it
    except FileNotFoundError:
        pass  # no such directory: SQLite says so when it connects


# PostgreSQL's own words for text holding a NUL character, which it cannot store.
NUL_REFUSED = 'invalid byte sequence for encoding "UTF8": 0x00'


def _refuse_nul_text(
    _conn: Connection,
    _cursor: DBAPICursor,
    _statement: str,
    parameters: Any,
    context: ExecutionContext | None,
    executemany: bool,
) -> None:
    # PostgreSQL refuses text with a NUL (SQLSTATE 22021), and the refusal aborts the
    # transaction: a contract's DBFind of "\x00" outside a savepoint sank its whole block, which
    # the producer then retried for ever, and an API read of it answered 500. A read with such
    # text is refused here, before the server sees it, as the QueryError a bad where is (a
    # client's 400, a contract's error). Writes run in savepoints and report the server's
    # refusal themselves (chain/storage/repo/rows.py).
    if context is not None and (
        context.isinsert or context.isupdate or getattr(context, "isdelete", False)
    ):
        return
    for row in parameters if executemany else (parameters,):
        for value in row.values() if isinstance(row, dict) else row or ():
            if type(value) is str and "\x00" in value:
                raise QueryError(NUL_REFUSED)


class _InlineSqlite(aiosqlite.Connection):
    """An aiosqlite connection whose calls run at once on the event loop's thread.

    aiosqlite hands every call to a thread of its own and back: two thread switches and a turn
    of a busy event loop per statement. The block producer holds SQLite's one write lock for
    the whole block, so those waits (about 1 ms a statement under load, twenty-odd statements a
    block) kept every queue commit waiting; its statements are short lookups by key, cheaper
    run than handed over.
    """

    def __init__(self, path: str) -> None:
        connect = partial(
            sqlite3.connect, path, timeout=SQLITE_LOCK_WAIT_S, check_same_thread=False
        )
        super().__init__(connect, iter_chunk_size=64)

    async def _execute(self, fn: Any, *args: Any, **kwargs: Any) -> Any:
        # The thread stays for what SQLAlchemy hands it directly (the isolation level), and
        # for connecting and closing.
        if not self._running or self._connection is None:
            raise ValueError("Connection closed")
        return fn(*args, **kwargs)


def make_engine(url: str, inline: bool = False) -> AsyncEngine:
    """An engine for a sqlite+aiosqlite or postgresql+asyncpg URL (a new SQLite file is 0600).

    `inline`: SQLite's statements run on the event loop's thread (the block producer's engine);
    no effect on PostgreSQL, whose driver has no thread to skip.
    """
    if url.startswith("sqlite"):
        path = _sqlite_file(make_url(url))
        if path is not None:
            _create_private_file(path)
        if inline and path is not None:

            async def connect() -> aiosqlite.Connection:
                connection: aiosqlite.Connection = await _InlineSqlite(path)
                return connection

            engine = create_async_engine(url, async_creator=connect)
        else:
            engine = create_async_engine(url, connect_args={"timeout": SQLITE_LOCK_WAIT_S})
        event.listen(engine.sync_engine, "connect", _sqlite_connect)
        event.listen(engine.sync_engine, "begin", _sqlite_begin)
        # SQLite could compare the text, but a read must not succeed on one backend and fail
        # on the other (a contract's outcome would depend on it).
        event.listen(engine.sync_engine, "before_cursor_execute", _refuse_nul_text)
        return engine
    # A pool big enough for a worker's concurrent requests: a connection opened beyond it is
    # closed again when returned, and opening one (TLS negotiation, cold statement cache) costs
    # more than the request. No ping per checkout (a round trip each): a connection the server
    # dropped fails its statement, and SQLAlchemy then invalidates the whole pool, so one request
    # sees the restart and the next ones get new connections.
    engine = create_async_engine(url, pool_size=POOL_SIZE, max_overflow=POOL_OVERFLOW)
    event.listen(engine.sync_engine, "before_cursor_execute", _refuse_nul_text)
    return engine


_PING = text("SELECT 1")


async def check_connection(engine: AsyncEngine) -> None:
    """Connect once and run a trivial statement, so a wrong URL or a down server fails early."""
    async with engine.connect() as conn:
        await conn.execute(_PING)


@asynccontextmanager
async def write_transaction(
    engine: AsyncEngine, lock_wait_s: float = SQLITE_LOCK_WAIT_S
) -> AsyncIterator[AsyncConnection]:
    """A transaction that writes: immediate on SQLite, committed on success, rolled back else.

    On SQLite it first waits up to `lock_wait_s` for the database's one write lock.
    """
    async with engine.connect() as conn:
        if conn.dialect.name == "sqlite":
            await conn.execution_options(sqlite_immediate=True, sqlite_lock_wait=lock_wait_s)
        async with conn.begin():
            yield conn


async def take_writer_lock(conn: AsyncConnection) -> None:
    """Hold the cluster-wide block-writer lock until this transaction ends (PostgreSQL only).

    SQLite needs none: BEGIN IMMEDIATE already makes the writer exclusive.
    """
    if conn.dialect.name == "postgresql":
        await conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": WRITER_LOCK_KEY})


@asynccontextmanager
async def read_connection(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    """A connection for reads that stand alone (API reads, pages): nothing it runs writes."""
    async with engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            # Each read stands alone, as the reference's do: no BEGIN and ROLLBACK round trips.
            # (asyncpg only flags the connection; SQLite's driver setting is left alone, as
            # resetting it would hand the pool a connection in pysqlite's implicit mode.)
            await conn.execution_options(isolation_level="AUTOCOMMIT")
        yield conn


class CommitProbe:
    """Whether any other connection committed to a SQLite file since the last look.

    `PRAGMA data_version` on a connection of its own: it changes whenever another connection
    (another process, or this one's pool) commits, and asking costs microseconds on the
    calling thread, where a query through the pool costs a thread hop and a statement.
    """

    def __init__(self, path: str) -> None:
        self._conn = sqlite3.connect(path, timeout=0, isolation_level=None)

    def version(self) -> int | None:
        """The file's commit counter as this connection sees it; None if it cannot tell."""
        try:
            row = self._conn.execute("PRAGMA data_version").fetchone()
        except sqlite3.Error:
            return None
        return int(row[0]) if row else None

    def close(self) -> None:
        self._conn.close()


def sqlite_file_of(engine: AsyncEngine) -> str | None:
    """The SQLite file an engine opens; None for PostgreSQL or a database in memory."""
    return _sqlite_file(engine.url) if engine.dialect.name == "sqlite" else None


def commit_probe(engine: AsyncEngine) -> CommitProbe | None:
    """A probe of a SQLite file's engine; None for PostgreSQL or a database in memory."""
    path = sqlite_file_of(engine)
    return CommitProbe(path) if path is not None else None
