"""The block state on both backends: rows by key in memory, written in bulk, failures dropped."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select
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
