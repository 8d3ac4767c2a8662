"""The block state on both backends: rows by key in memory, written in bulk, failures dropped."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import event, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from chain.address import address_to_string
from chain.blockstate import MISSING, BlockState, RowMemory
from chain.storage.schema import history, keys
from chain.storage.values import (
    QueryError,
)

ALICE, BOB, CAROL = 1001, 1002, 1003


def key_row(key_id: int, amount: int, ecosystem: int = 1, account: str = "") -> dict[str, Any]:
    return {
        "id": key_id,
        "pub": b"",
        "amount": amount,
        "maxpay": 0,
        "multi": 0,
        "deleted": 0,
        "blocked": 0,
        "ecosystem": ecosystem,
        "account": account or address_to_string(key_id),
    }


async def amounts(conn: AsyncConnection) -> dict[int, int]:
    result = await conn.execute(select(keys.c.id, keys.c.amount))
    return {key_id: amount for key_id, amount in result}


async def test_writes_wait_in_memory_until_the_block_flushes(migrated_engine: AsyncEngine) -> None:
    async with migrated_engine.begin() as conn:
        state = BlockState(conn)
        await state.insert(keys, key_row(ALICE, 100))
        await state.end_tx(True)
        assert await amounts(conn) == {}  # nothing written yet
        alice = await state.get(keys, (1, ALICE))
        assert alice is not None and alice["amount"] == 100
        state.update(keys, (1, ALICE), dict(alice, amount=70))
        await state.insert(keys, key_row(BOB, 30))
        await state.end_tx(True)
        await state.flush_block()
        assert await amounts(conn) == {ALICE: 70, BOB: 30}
        assert state.peek(keys, (1, ALICE)) == dict(alice, amount=70)


async def test_a_failed_transaction_leaves_nothing(migrated_engine: AsyncEngine) -> None:
    async with migrated_engine.begin() as conn:
        state = BlockState(conn)
        await state.insert(keys, key_row(ALICE, 100))
        await state.end_tx(True)
        state.update(keys, (1, ALICE), key_row(ALICE, 0))
        await state.insert(keys, key_row(BOB, 100))
        await state.end_tx(False)
        assert await state.get(keys, (1, BOB)) is None
        alice = await state.get(keys, (1, ALICE))
        assert alice is not None and alice["amount"] == 100
        await state.flush_block()
        assert await amounts(conn) == {ALICE: 100}


async def test_direct_use_flushes_earlier_txs_outside_the_savepoint(
    migrated_engine: AsyncEngine,
) -> None:
    async with migrated_engine.begin() as conn:
        state = BlockState(conn)
        await state.insert(keys, key_row(ALICE, 100))
        await state.end_tx(True)
        # This tx writes in memory, then needs the database itself, then fails.
        await state.insert(keys, key_row(BOB, 5))
        await state.direct()
        assert await amounts(conn) == {ALICE: 100, BOB: 5}
        await conn.execute(history.insert().values(id=1, amount=5))
        await state.end_tx(False)
        # Its writes are gone, the earlier tx's stay; memory no longer claims BOB exists.
        assert await amounts(conn) == {ALICE: 100}
        assert (await conn.execute(select(history.c.id))).all() == []
        assert await state.get(keys, (1, BOB)) is None


async def test_conflicts_are_refused_when_written_not_at_the_seal(
    migrated_engine: AsyncEngine,
) -> None:
    async with migrated_engine.begin() as conn:
        await conn.execute(keys.insert().values(**key_row(ALICE, 1)))
        state = BlockState(conn)
        with pytest.raises(QueryError):
            await state.insert(keys, key_row(ALICE, 5))  # the key is taken in the database
        await state.insert(keys, key_row(BOB, 5))
        with pytest.raises(QueryError):
            await state.insert(keys, key_row(BOB, 6))  # ... or in memory
        with pytest.raises(QueryError):  # (ecosystem, account) is unique: the database's row
            await state.insert(keys, key_row(CAROL, 1, account=address_to_string(ALICE)))
        with pytest.raises(QueryError):  # ... and the pending one
            await state.insert(keys, key_row(CAROL, 1, account=address_to_string(BOB)))
        with pytest.raises(QueryError):  # amount >= 0 is a CHECK of the schema
            state.update(keys, (1, ALICE), key_row(ALICE, -1))
        await state.end_tx(True)
        await state.flush_block()
        assert await amounts(conn) == {ALICE: 1, BOB: 5}


async def test_memory_outlives_the_block_until_cleared(migrated_engine: AsyncEngine) -> None:
    memory = RowMemory()
    async with migrated_engine.begin() as conn:
        state = BlockState(conn, memory)
        await state.insert(keys, key_row(ALICE, 10))
        await state.end_tx(True)
        await state.flush_block()
    async with migrated_engine.begin() as conn:
        later = BlockState(conn, memory)
        assert later.peek(keys, (1, ALICE)) == key_row(ALICE, 10)
        assert later.peek(keys, (1, BOB)) is MISSING
        assert await later.get(keys, (1, BOB)) is None
        assert later.peek(keys, (1, BOB)) is None  # known absent now
        memory.clear()
        assert later.peek(keys, (1, ALICE)) is MISSING


class StatementCounter:
    """Counts the SELECTs an engine sends to the database (its own event, no mock).

    `table`: only those naming this table.
    """

    def __init__(self, engine: AsyncEngine, table: str = "") -> None:
        self.selects = 0
        self._table = table
        self._engine = engine.sync_engine
        event.listen(self._engine, "before_cursor_execute", self._count)

    def _count(self, _conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT") and self._table in statement:
            self.selects += 1

    def close(self) -> None:
        event.remove(self._engine, "before_cursor_execute", self._count)


async def test_preloaded_new_accounts_cost_no_query_each(migrated_engine: AsyncEngine) -> None:
    fresh = list(range(2001, 2041))
    async with migrated_engine.begin() as conn:
        await conn.execute(keys.insert(), key_row(ALICE, 1000))
    async with migrated_engine.begin() as conn:
        state = BlockState(conn)
        wanted = [(1, k) for k in [ALICE, *fresh]]
        unique = {("ecosystem", "account"): [(1, address_to_string(k)) for _, k in wanted]}
        await state.preload(keys, wanted, unique)
        counter = StatementCounter(migrated_engine)
        try:
            for key_id in fresh:
                assert await state.get(keys, (1, key_id)) is None
                await state.insert(keys, key_row(key_id, 5))
                await state.end_tx(True)
            assert counter.selects == 0  # memory knew every row and every free address
        finally:
            counter.close()
        await state.flush_block()
        assert await amounts(conn) == {ALICE: 1000, **{k: 5 for k in fresh}}


async def test_a_direct_write_elsewhere_keeps_what_preload_learnt(
    migrated_engine: AsyncEngine,
) -> None:
    fresh = list(range(2001, 2011))
    async with migrated_engine.begin() as conn:
        state = BlockState(conn)
        wanted = [(1, k) for k in fresh]
        unique = {("ecosystem", "account"): [(1, address_to_string(k)) for _, k in wanted]}
        await state.preload(keys, wanted, unique)
        counter = StatementCounter(migrated_engine, keys.name)
        try:
            for key_id in fresh[:5]:
                # Each tx writes its history row itself (a table memory does not keep).
                await state.direct(writes=[history.name])
                await state.insert(keys, key_row(key_id, 5))
                await state.end_tx(True)
            assert counter.selects == 0  # the free addresses are still known
            # A direct write to the accounts themselves may have taken any address.
            await state.direct(writes=[keys.name])
            await state.insert(keys, key_row(fresh[5], 5))
            await state.end_tx(True)
            assert counter.selects == 1
        finally:
            counter.close()
        await state.flush_block()
        assert await amounts(conn) == {k: 5 for k in fresh[:6]}


async def test_preloaded_addresses_still_refuse_duplicates(migrated_engine: AsyncEngine) -> None:
    taken = address_to_string(ALICE)
    async with migrated_engine.begin() as conn:
        await conn.execute(keys.insert(), key_row(ALICE, 1000))
    async with migrated_engine.begin() as conn:
        state = BlockState(conn)
        addresses = [(1, taken), (1, address_to_string(BOB))]
        await state.preload(keys, [(1, BOB), (1, CAROL)], {("ecosystem", "account"): addresses})
        # An address a database row holds, under another id.
        with pytest.raises(QueryError):
            await state.insert(keys, key_row(CAROL, 1, account=taken))
        await state.end_tx(False)
        # An address a new row of an earlier tx of this block holds.
        await state.insert(keys, key_row(BOB, 1))
        await state.end_tx(True)
        with pytest.raises(QueryError):
            await state.insert(keys, key_row(CAROL, 1, account=address_to_string(BOB)))
        await state.end_tx(False)
        # ... and still once the block's rows are written.
        await state.flush_block()
        with pytest.raises(QueryError):
            await state.insert(keys, key_row(CAROL, 1, account=address_to_string(BOB)))
        await state.end_tx(False)
        await state.flush_block()
        assert await amounts(conn) == {ALICE: 1000, BOB: 1}
