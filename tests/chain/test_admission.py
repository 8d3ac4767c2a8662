"""sendTx's rules per head: concurrent requests at a new head share one read of max_tx_size."""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from chain.admission import Admission
from chain.contract_registry import ContractInfo
from chain.freshness import Head, HeadWatch
from chain.storage.repo.param_rows import ParamRow
from chain.storage.repo.params import insert_platform_parameters


async def _no_contract(contract_id: int) -> ContractInfo | None:
    return None


def _lookup_at(head: Head) -> Any:
    return _no_contract


async def test_a_burst_at_one_head_reads_max_tx_size_once(migrated_engine: AsyncEngine) -> None:
    engine = migrated_engine
    async with engine.begin() as conn:
        await insert_platform_parameters(conn, [ParamRow(1, "max_tx_size", "4096", "true")])
    reads: list[str] = []

    def seen(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if "platform_parameters" in statement:
            reads.append(statement)

    heads = HeadWatch(engine)
    admission = Admission(engine, heads, _lookup_at)
    event.listen(engine.sync_engine, "before_cursor_execute", seen)
    try:
        # A head read in flight: the 20 requests all wait for the next one and get its head
        # together, as a burst of sendTx requests does right after a block.
        earlier = asyncio.ensure_future(heads.now())
        await asyncio.sleep(0)
        burst = await asyncio.gather(*(admission.rules() for _ in range(20)))
        await earlier
        again = await admission.rules()
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", seen)
    assert {rules.max_tx_size for rules in [*burst, again]} == {4096}
    # One read for the head, shared by the 20 requests that came at once and kept for it.
    assert len(reads) == 1, reads
