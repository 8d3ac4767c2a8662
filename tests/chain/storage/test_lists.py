"""one_of: `column IN values` on both backends; on PostgreSQL one array parameter, any length."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from chain.storage.repo.bank import list_account_states, list_credentials_of
from chain.storage.repo.money import get_amounts, list_unspent_many
from chain.storage.repo.txs import QueuedTx, delete_queued, enqueue, known_hashes, logged_hashes


async def test_lists_of_any_length_find_what_is_there(migrated_engine: AsyncEngine) -> None:
    engine = migrated_engine
    present = [i.to_bytes(32, "big") for i in range(3)]
    async with engine.begin() as conn:
        await enqueue(conn, [QueuedTx(h, b"x", 1, 1, 5, 0) for h in present])
    statements: list[tuple[str, Any]] = []

    def seen(_conn: Any, _cursor: Any, statement: str, params: Any, *_: Any) -> None:
        statements.append((statement, params))

    event.listen(engine.sync_engine, "before_cursor_execute", seen)
    try:
        async with engine.connect() as conn:
            for size in (1, 2, 300):
                wanted = present[:size] + [(10**6 + i).to_bytes(32, "big") for i in range(size)]
                assert await known_hashes(conn, wanted) == set(present[:size])
                assert await logged_hashes(conn, wanted) == set()
            assert await get_amounts(conn, [(1, 5), (1, 6)]) == {}
            assert await list_unspent_many(conn, [(1, 5), (1, 6)]) == {}
            assert await list_credentials_of(conn, ["alice", "bob"]) == {}
            assert await list_account_states(conn, 1, [5, 6, 7]) == {}
        async with engine.begin() as conn:
            await delete_queued(conn, present[:2] + [b"\x01" * 32])
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", seen)
    texts = [statement for statement, _ in statements if statement.startswith(("SELECT", "DELETE"))]
    assert len(texts) == 11
    if engine.dialect.name == "postgresql":
        # One array parameter, whatever the list's length: one statement text for them all
        # (asyncpg prepares each text once), no per-value placeholders to render.
        assert all("= ANY (" in text for text in texts), texts
        assert len({text for text in texts if "log_transactions" in text}) == 1
    else:
        assert all(" IN (" in text for text in texts), texts
