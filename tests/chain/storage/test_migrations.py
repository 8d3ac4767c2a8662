"""Migrations on both backends: the stairway, schema.py consistency, and data kept by 0003."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import CheckConstraint, Connection, inspect

from chain.storage.engine import make_engine
from chain.storage.migrate import current_revision, downgrade, head_revision, upgrade
from chain.storage.repo.txs import list_queue
from chain.storage.schema import metadata
from chain.storage.types import Json, Money


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


def _unquoted(default: str | None) -> str:
    """A server default as SQLite reflects it ('x' or ('x')), without the quoting."""
    text = (default or "").strip()
    while text.startswith("(") and text.endswith(")"):
        text = text[1:-1].strip()
    if len(text) >= 2 and text[0] == text[-1] == "'":
        text = text[1:-1]
    return text


def _defaults_differ(
    context: MigrationContext,
    inspected_column: Any,
    metadata_column: Any,
    inspected_default: str | None,
    metadata_default: Any,
    rendered_metadata_default: str | None,
) -> bool | None:
    # Alembic's own SQLite comparison reports every '' default as changed; compare the text.
    if context.dialect.name != "sqlite":
        return None  # Alembic's PostgreSQL comparison is exact enough
    return _unquoted(inspected_default) != _unquoted(rendered_metadata_default)


def _schema_diff(connection: Connection) -> list[Any]:
    context = MigrationContext.configure(
        connection,
        opts={
            "compare_type": True,
            "compare_server_default": _defaults_differ,
            "target_metadata": metadata,
        },
    )
    diff: list[Any] = compare_metadata(context, metadata)
    return diff


def _check_constraints(connection: Connection) -> dict[str, set[str]]:
    inspector = inspect(connection)
    return {
        name: {str(ck["name"]) for ck in inspector.get_check_constraints(name)}
        for name in metadata.tables
    }


async def test_migrated_schema_matches_schema_module(db_url: str) -> None:
    engine = make_engine(db_url)
    try:
        await upgrade(engine)
        async with engine.connect() as conn:
            assert await conn.run_sync(_schema_diff) == []
            checks = await conn.run_sync(_check_constraints)
        # Alembic does not compare CHECK constraints: do it by name.
        assert checks == {
            name: {str(c.name) for c in table.constraints if isinstance(c, CheckConstraint)}
            for name, table in metadata.tables.items()
        }
        assert checks["1_keys"] == {"ck_1_keys_amount_nonnegative", "ck_1_keys_maxpay_nonnegative"}
    finally:
        await engine.dispose()


async def test_0003_keeps_rows_written_before_it(db_url: str) -> None:
    engine = make_engine(db_url)
    old_members = sa.table(
        "1_members",
        sa.column("id", sa.BigInteger()),
        sa.column("account", sa.String()),
        sa.column("member_name", sa.String()),
        sa.column("image_id", sa.BigInteger()),
    )
    old_roles = sa.table(
        "1_roles",
        sa.column("id", sa.BigInteger()),
        sa.column("role_name", sa.String()),
        sa.column("creator", Json()),
    )
    try:
        await upgrade(engine, "0002")
        async with engine.begin() as conn:
            # 0002 allowed NULL here; 0003 makes these columns NOT NULL with a default.
            await conn.execute(sa.insert(old_members).values(id=1, account="a" * 24))
            await conn.execute(sa.insert(old_roles).values(id=1, role_name="admin"))
        await upgrade(engine)
        async with engine.connect() as conn:
            image = await conn.scalar(sa.select(old_members.c.image_id))
            creator = await conn.scalar(sa.select(old_roles.c.creator))
            new_tables = set(await conn.run_sync(lambda c: inspect(c).get_table_names()))
        assert (image, creator) == (0, {})
        assert {"1_pages", "1_tables", "1_time_zones", "1_delayed_contracts"} <= new_tables

        await downgrade(engine, "0002")
        assert await current_revision(engine) == "0002"
        async with engine.connect() as conn:
            left = set(await conn.run_sync(lambda c: inspect(c).get_table_names()))
            kept = (await conn.execute(sa.select(old_members.c.id, old_members.c.account))).all()
        assert not ({"1_pages", "1_tables", "1_time_zones", "1_delayed_contracts"} & left)
        assert kept == [(1, "a" * 24)]
    finally:
        await engine.dispose()


async def test_0006_makes_the_queue_order_numeric(db_url: str) -> None:
    engine = make_engine(db_url)
    queue = sa.table(
        "queue_tx",
        sa.column("hash", sa.LargeBinary()),
        sa.column("data", sa.LargeBinary()),
        sa.column("expedite", Money()),
        sa.column("time", sa.BigInteger()),
        sa.column("key_id", sa.BigInteger()),
    )
    expedites = [9, 10, 10**25, 0, 123_456_789_012]
    try:
        await upgrade(engine, "0005")
        async with engine.begin() as conn:
            for i, expedite in enumerate(expedites):
                await conn.execute(
                    sa.insert(queue).values(
                        hash=bytes([i]) * 32, data=b"x", expedite=expedite, time=0, key_id=1
                    )
                )
        await upgrade(engine)
        async with engine.connect() as conn:
            kept = await conn.execute(sa.text("SELECT hash, expedite FROM queue_tx"))
            values = {bytes(h)[0]: e for h, e in kept}
            order = [bytes(h)[0] for h, _ in await list_queue(conn, 10)]
        # Past an int64 of smallest units becomes the largest one: still first.
        assert values == {0: 9, 1: 10, 2: (1 << 63) - 1, 3: 0, 4: 123_456_789_012}
        assert order == [2, 4, 1, 0, 3]
        await downgrade(engine, "0005")
        async with engine.connect() as conn:
            back = await conn.execute(sa.select(queue.c.hash, queue.c.expedite))
            assert {bytes(h)[0]: e for h, e in back}[1] == 10
    finally:
        await engine.dispose()


async def test_0007_finds_a_blocks_outputs_by_index(db_url: str) -> None:
    engine = make_engine(db_url)
    try:
        await upgrade(engine)
        async with engine.connect() as conn:
            indexes = await conn.run_sync(lambda c: inspect(c).get_indexes("spent_info"))
            assert {"name": "ix_spent_info_block", "columns": ["block_id"]} in [
                {"name": i["name"], "columns": i["column_names"]} for i in indexes
            ]
            if engine.dialect.name == "sqlite":
                # The query list_block_outputs runs: by the index, not a scan of every output.
                plan = await conn.execute(
                    sa.text(
                        "EXPLAIN QUERY PLAN SELECT * FROM spent_info WHERE block_id = 7 "
                        "ORDER BY output_tx_hash, output_index"
                    )
                )
                assert "ix_spent_info_block" in " ".join(str(row[-1]) for row in plan)
        await downgrade(engine, "0006")
        async with engine.connect() as conn:
            indexes = await conn.run_sync(lambda c: inspect(c).get_indexes("spent_info"))
            assert "ix_spent_info_block" not in {i["name"] for i in indexes}
    finally:
        await engine.dispose()
