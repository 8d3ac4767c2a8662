"""Alembic environment: runs migrations on a connection handed over by the node, or on its own."""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from chain.storage.schema import metadata

config = context.config
target_metadata = metadata


def run_on(connection: Connection) -> None:
    """Apply migrations inside the given (sync-facing) connection's transaction."""
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


async def run_standalone(url: str) -> None:
    """Used by the plain `alembic` command line: open our own async engine."""
    engine = create_async_engine(url)
    try:
        async with engine.begin() as conn:
            await conn.run_sync(run_on)
    finally:
        await engine.dispose()


if context.is_offline_mode():
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=target_metadata,
        literal_binds=True,
    )
    with context.begin_transaction():
        context.run_migrations()
else:
    handed = config.attributes.get("connection")
    if handed is not None:
        run_on(handed)
    else:
        asyncio.run(run_standalone(str(config.get_main_option("sqlalchemy.url"))))
