"""Whole PostgreSQL databases made and dropped for one run (the tests' and benchmarks' own)."""

from __future__ import annotations

import asyncio
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import asyncpg

# A database name is an identifier, which no driver can bind as a parameter: only names of
# this shape are spliced into the statement, so none can carry SQL of its own.
_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def _checked(name: str) -> str:
    if not _NAME.match(name):
        raise ValueError(f"not a plain database name: {name!r}")
    return name


async def _admin(admin_dsn: str, statement: str) -> None:
    # CREATE/DROP DATABASE cannot run inside a transaction: one plain connection, no pool.
    conn = await asyncpg.connect(admin_dsn)
    try:
        await conn.execute(statement)
    finally:
        await conn.close()


async def create_database(admin_dsn: str, name: str) -> None:
    """CREATE DATABASE `name` on the server of `admin_dsn` (a postgresql:// DSN)."""
    await _admin(admin_dsn, f'CREATE DATABASE "{_checked(name)}"')


async def drop_database(admin_dsn: str, name: str) -> None:
    """Drop database `name` if it exists, closing the connections still open to it."""
    await _admin(admin_dsn, f'DROP DATABASE IF EXISTS "{_checked(name)}" WITH (FORCE)')


def database_url(admin_dsn: str, name: str) -> str:
    """The node's URL (postgresql+asyncpg://) of database `name` on `admin_dsn`'s server."""
    base = admin_dsn.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://", 1)
    return f"{base}/{_checked(name)}"


@contextmanager
def scratch_database(admin_dsn: str, prefix: str) -> Iterator[str]:
    """A fresh database named `<prefix><random>` for the block's duration; yields its URL.

    Synchronous (each step in its own event loop), so that fixtures and runners that own no
    loop can use it; it must not be called from inside a running loop.
    """
    name = _checked(f"{prefix}{uuid.uuid4().hex[:16]}")
    asyncio.run(create_database(admin_dsn, name))
    try:
        yield database_url(admin_dsn, name)
    finally:
        asyncio.run(drop_database(admin_dsn, name))
