"""Contracts stored in 1_contracts."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from chain.storage.schema import contracts


@dataclass(frozen=True, slots=True)
class ContractRow:
    """One stored contract."""

    id: int
    name: str
    value: str
    wallet_id: int
    token_id: int
    conditions: str
    app_id: int
    ecosystem: int


def _row(r: Any) -> ContractRow:
    return ContractRow(
        r.id, r.name, r.value, r.wallet_id, r.token_id, r.conditions, r.app_id, r.ecosystem
    )


async def get_contract(conn: AsyncConnection, table_id: int) -> ContractRow | None:
    """A contract by table id."""
    result = await conn.execute(select(contracts).where(contracts.c.id == table_id))
    row = result.first()
    return _row(row) if row is not None else None


async def get_contract_by_name(
    conn: AsyncConnection, ecosystem: int, name: str
) -> ContractRow | None:
    """A contract by ecosystem and name."""
    result = await conn.execute(
        select(contracts).where(contracts.c.ecosystem == ecosystem, contracts.c.name == name)
    )
    row = result.first()
    return _row(row) if row is not None else None


async def list_contracts(
    conn: AsyncConnection, ecosystem: int, limit: int, offset: int
) -> tuple[int, list[ContractRow]]:
    """(total, page) of an ecosystem's contracts by id."""
    total = await conn.execute(
        select(func.count()).select_from(contracts).where(contracts.c.ecosystem == ecosystem)
    )
    result = await conn.execute(
        select(contracts)
        .where(contracts.c.ecosystem == ecosystem)
        .order_by(contracts.c.id)
        .limit(limit)
        .offset(offset)
    )
    return int(total.scalar_one()), [_row(r) for r in result]


async def list_contract_names(conn: AsyncConnection, ecosystem: int) -> set[str]:
    """The names of an ecosystem's contracts."""
    result = await conn.execute(select(contracts.c.name).where(contracts.c.ecosystem == ecosystem))
    return {name for (name,) in result}


@dataclass(frozen=True, slots=True)
class ContractSeed:
    """A contract installed with an ecosystem (its system contracts)."""

    name: str
    value: str
    conditions: str
    app_id: int = 1


async def insert_contracts(
    conn: AsyncConnection, ecosystem: int, seeds: Sequence[ContractSeed]
) -> list[int]:
    """Store contracts in order, with the next table ids; returns their ids."""
    result = await conn.execute(select(func.coalesce(func.max(contracts.c.id), 0)))
    first = int(result.scalar_one()) + 1
    rows = [
        {
            "id": first + i,
            "name": seed.name,
            "value": seed.value,
            "conditions": seed.conditions,
            "app_id": seed.app_id,
            "ecosystem": ecosystem,
        }
        for i, seed in enumerate(seeds)
    ]
    if rows:
        await conn.execute(insert(contracts), rows)
    return [first + i for i in range(len(rows))]
