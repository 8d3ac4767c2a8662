"""Transaction lookups by hash: any number of hashes, past the backends' parameter limits."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine

from chain.storage.repo.txs import (
    LogRow,
    QueuedTx,
    enqueue,
    get_log,
    get_statuses,
    insert_log,
    known_hashes,
    logged_hashes,
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
