"""Transaction lookups by hash: any number of hashes, past the backends' parameter limits."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from chain.storage.repo.txs import (
    LogRow,
    QueuedTx,
    StatusRow,
    enqueue,
    get_log,
    get_statuses,
    insert_log,
    known_hashes,
    logged_hashes,
    update_statuses,
)


async def test_lookups_of_40000_hashes(migrated_engine: AsyncEngine) -> None:
    engine = migrated_engine
    # More than SQLite's 32,766 and asyncpg's 32,767 bound parameters in one statement.
    wanted = [i.to_bytes(32, "big") for i in range(40_000)]
    present = wanted[-1]
    async with engine.begin() as conn:
        await enqueue(conn, [QueuedTx(present, b"x", 1, 1, 5, 0)])
        await insert_log(conn, [LogRow(present, 2, 0, "UTXO", 1, 1, 0)])
    async with engine.connect() as conn:
        assert set(await get_statuses(conn, wanted)) == {present}
        assert set(await get_log(conn, wanted)) == {present}
        assert await known_hashes(conn, wanted) == {present}
        assert await logged_hashes(conn, wanted) == {present}


async def test_statuses_read_as_sent_by_one_statement_on_postgresql(
    migrated_engine: AsyncEngine,
) -> None:
    engine = migrated_engine
    known = [bytes([i]) * 32 for i in range(1, 4)]
    async with engine.begin() as conn:
        await enqueue(conn, [QueuedTx(h, b"x", 7, 1, 5, 0) for h in known])
        await update_statuses(conn, [StatusRow(known[1], 9, '{"type":"x"}', 1, "r")])
    statements: list[str] = []

    def seen(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    event.listen(engine.sync_engine, "before_cursor_execute", seen)
    try:
        async with engine.connect() as conn:
            one = await get_statuses(conn, [known[1]])
            many = await get_statuses(conn, [*known, b"\0" * 32, known[0]])
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", seen)
    assert one == {known[1]: StatusRow(known[1], 9, '{"type":"x"}', 1, "r")}
    assert set(many) == set(known)
    assert many[known[0]] == StatusRow(known[0], 0, "", 0, "")
    assert all(type(h) is bytes and type(row.hash) is bytes for h, row in many.items())
    if engine.dialect.name == "postgresql":
        # Whatever the number of hashes, one statement text: asyncpg prepares it once.
        assert len(set(statements)) == 1, statements
