"""The block ledger on both backends: outputs made in the block are spendable in it."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine

from chain.ledger import BlockLedger
from chain.storage.repo.money import Output, insert_outputs, sum_unspent

ALICE, BOB = 1001, 1002


async def test_an_account_first_read_after_a_flush_sees_outputs_made_since(
    migrated_engine: AsyncEngine,
) -> None:
    # A contract tx flushes the ledger and empties it; a transfer to Bob then waits in memory,
    # and Bob's own transfer right after must find it (a replayed block did not).
    async with migrated_engine.begin() as conn:
        await insert_outputs(conn, [Output(b"g" * 32, 0, ALICE, 1000, 1, 1, 1)])
        ledger = BlockLedger(conn)
        await ledger.preload([(1, ALICE), (1, BOB)])
        await ledger.flush()
        inputs = await ledger.unspent((1, ALICE))
        ledger.spend((1, ALICE), inputs, b"a" * 32)
        ledger.add_output(Output(b"a" * 32, 0, BOB, 400, 1, 2, 26))
        ledger.add_output(Output(b"a" * 32, 1, ALICE, 600, 1, 2, 22))
        [received] = await ledger.unspent((1, BOB))
        assert received.output_value == 400
        ledger.spend((1, BOB), [received], b"b" * 32)
        ledger.add_output(Output(b"b" * 32, 0, ALICE, 400, 1, 2, 26))
        assert [o.output_value for o in await ledger.unspent((1, ALICE))] == [600, 400]
        await ledger.flush()
        assert await sum_unspent(conn, BOB, 1) == 0
        assert await sum_unspent(conn, ALICE, 1) == 1000
