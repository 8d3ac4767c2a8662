"""Which delayed contracts are due at a block, and who votes a node's ban."""

from __future__ import annotations

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncEngine

from chain.delayed import delayed_txs
from chain.storage.repo.delayed import list_due_delayed
from chain.storage.repo.nodeban import BadBlock
from chain.storage.repo.txs import LogRow, insert_log
from chain.storage.schema import contracts, delayed_contracts
from chain.txcodec import decode_tx
from contracts.builtins.nodes import ban_requests
from tests.chain.conftest import NODE


async def test_due_at_a_block(migrated_engine: AsyncEngine) -> None:
    engine = migrated_engine
    rows = [
        # id, start, every, counter, limit, deleted, high_rate
        (1, 10, 10, 0, 0, 0, 4),  # from 10, every 10
        (2, 30, 10, 0, 0, 0, 9),  # not started before 30
        (3, 5, 5, 3, 3, 0, 1),  # ran its 3 times
        (4, 5, 5, 2, 3, 0, 1),  # one run left
        (5, 1, 5, 0, 0, 1, 1),  # deleted
        (6, 1, 0, 0, 0, 0, 1),  # no period: never
        (7, 1, 4, 0, 0, 0, 7),  # 20 is a multiple of 4 too
    ]
    async with engine.begin() as conn:
        await conn.execute(
            insert(delayed_contracts),
            [
                {
                    "id": i,
                    "contract": f"@1C{i}",
                    "key_id": 100 + i,
                    "block_id": start,
                    "every_block": every,
                    "counter": counter,
                    "limit": limit,
                    "deleted": deleted,
                    "high_rate": rate,
                }
                for i, start, every, counter, limit, deleted, rate in rows
            ],
        )
    async with engine.connect() as conn:
        assert [d.id for d in await list_due_delayed(conn, 20)] == [7, 1, 4]
        assert [d.id for d in await list_due_delayed(conn, 30)] == [2, 1, 4]
        assert [d.id for d in await list_due_delayed(conn, 11)] == []
        due, _ = await list_due_delayed(conn, 10)
        assert (due.id, due.contract, due.key_id, due.high_rate) == (1, "@1C1", 101, 4)


def test_ban_requests_count_reporters_with_enough_distinct_blocks() -> None:
    reports = [BadBlock(i, 7, 100 + i % 3, 1) for i in range(6)]  # 3 distinct blocks
    reports += [BadBlock(10 + i, 7, 200 + i, 2) for i in range(2)]  # only 2
    reports += [BadBlock(20 + i, 8, 300 + i, 1) for i in range(3)]
    assert ban_requests(reports, 3) == {7: 1, 8: 1}
    assert ban_requests(reports, 2) == {7: 2, 8: 1}
    assert ban_requests(reports, 4) == {}


async def test_a_call_due_again_in_the_same_second_is_dated_earlier(
    migrated_engine: AsyncEngine,
) -> None:
    # Blocks 10 and 20 formed within one second: the same call would be the same tx, which
    # the producer never runs twice.
    now = 1_700_000_000
    async with migrated_engine.begin() as conn:
        await conn.execute(
            insert(contracts).values(id=7, name="Tick", value="contract Tick {}", ecosystem=1)
        )
        await conn.execute(
            insert(delayed_contracts).values(id=1, contract="@1Tick", block_id=10, every_block=10)
        )
        [(first, _)] = await delayed_txs(conn, NODE, 10, now)
        await insert_log(conn, [LogRow(first, 10, now * 1000, "@1Tick", NODE.node_key_id, 1, 0)])
        [(second, raw)] = await delayed_txs(conn, NODE, 20, now)
    assert second != first
    assert decode_tx(raw, NODE.crypto).tx.header.time == now - 1
