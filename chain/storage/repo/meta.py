"""The node_config table: which network, crypto pair and keys a database was made for."""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import func, insert, select, text
from sqlalchemy.ext.asyncio import AsyncConnection

from chain.storage.schema import node_config


async def get_node_config(conn: AsyncConnection) -> dict[str, str]:
    """All recorded settings; empty for a database with no genesis yet."""
    rows = await conn.execute(select(node_config.c.name, node_config.c.value))
    return {name: value for name, value in rows}


async def insert_node_config(conn: AsyncConnection, values: Mapping[str, str]) -> None:
    """Record settings once, at genesis."""
    await conn.execute(insert(node_config), [{"name": k, "value": v} for k, v in values.items()])


# SQLite's file size in pages; WAL frames not yet checkpointed are not counted.
_SQLITE_SIZE = text("SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()")
_POSTGRES_SIZE = select(func.pg_database_size(func.current_database()))


async def get_database_size(conn: AsyncConnection) -> int:
    """The database's size on disk in bytes, as its server reports it."""
    stmt = _POSTGRES_SIZE if conn.dialect.name == "postgresql" else _SQLITE_SIZE
    return int((await conn.execute(stmt)).scalar_one())
