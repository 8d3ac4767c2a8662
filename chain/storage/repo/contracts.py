"""Contracts stored in 1_contracts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from chain.storage.schema import contracts

# Table ids 1..37 belong to the reference's system contracts (their tx ids are 5001..5037);
# contracts deployed by users start after them so those ids stay free.
FIRST_USER_CONTRACT_ID = 38


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


async def insert_contract(
    conn: AsyncConnection,
    *,
    ecosystem: int,
    name: str,
    value: str,
    conditions: str,
    wallet_id: int,
    app_id: int,
    token_id: int = 1,
) -> int:
    """Store a new contract; returns its table id."""
    result = await conn.execute(select(func.coalesce(func.max(contracts.c.id), 0)))
    table_id = max(int(result.scalar_one()) + 1, FIRST_USER_CONTRACT_ID)
    await conn.execute(
        insert(contracts).values(
            id=table_id,
            name=name,
            value=value,
            conditions=conditions,
            wallet_id=wallet_id,
            app_id=app_id,
            token_id=token_id,
            ecosystem=ecosystem,
        )
    )
    return table_id
