"""Unspent outputs (spent_info), account balances and rollback records."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, bindparam, func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from chain.storage.lists import one_of
from chain.storage.schema import keys, rollback_tx, spent_info


@dataclass(frozen=True, slots=True)
class Output:
    """One row of spent_info."""

    output_tx_hash: bytes
    output_index: int
    output_key_id: int
    output_value: int
    ecosystem: int
    block_id: int
    type: int
    input_tx_hash: bytes | None = None
    input_index: int = 0


@dataclass(frozen=True, slots=True)
class RollbackRow:
    """What a transaction changed in a table row, so a block can be undone."""

    block_id: int
    tx_hash: bytes
    table_name: str
    table_id: str
    data: str


def _output(row: Any) -> Output:
    return Output(
        output_tx_hash=bytes(row.output_tx_hash),
        output_index=row.output_index,
        output_key_id=row.output_key_id,
        output_value=row.output_value,
        ecosystem=row.ecosystem,
        block_id=row.block_id,
        type=row.type,
        input_tx_hash=(bytes(row.input_tx_hash) if row.input_tx_hash is not None else None),
        input_index=row.input_index or 0,
    )


async def sum_unspent(conn: AsyncConnection, key_id: int, ecosystem: int) -> int:
    """Total of a key's unspent outputs, summed exactly in Python (SQLite has no decimal)."""
    result = await conn.execute(
        select(spent_info.c.output_value).where(
            spent_info.c.output_key_id == key_id,
            spent_info.c.ecosystem == ecosystem,
            spent_info.c.input_tx_hash.is_(None),
        )
    )
    return sum(result.scalars())


async def list_key_outputs(conn: AsyncConnection, key_id: int, limit: int) -> list[Output]:
    """A key's outputs, spent or not, newest first: its UTXO history (what came, what left)."""
    s = spent_info.c
    result = await conn.execute(
        select(spent_info)
        .where(s.output_key_id == key_id)
        .order_by(s.block_id.desc(), s.output_tx_hash, s.output_index)
        .limit(limit)
    )
    return [_output(row) for row in result]


async def native_supply(conn: AsyncConnection, ecosystem: int) -> int:
    """All of an ecosystem's money: every account balance plus every unspent output.

    Fees move between keys, and a burnt one (combustion) goes to key 0, an output or a
    balance counted here like any other, so this only changes by minting; the SIGKILL
    campaign checks it holds.
    Summed exactly in Python (SQLite has no decimal).
    """
    amounts = await conn.execute(select(keys.c.amount).where(keys.c.ecosystem == ecosystem))
    outputs = await conn.execute(
        select(spent_info.c.output_value).where(
            spent_info.c.ecosystem == ecosystem, spent_info.c.input_tx_hash.is_(None)
        )
    )
    return sum(int(v) for v in amounts.scalars()) + sum(int(v) for v in outputs.scalars())


async def list_unspent_many(
    conn: AsyncConnection, accounts: Sequence[tuple[int, int]]
) -> dict[tuple[int, int], list[Output]]:
    """Unspent outputs of many (ecosystem, key_id) accounts, oldest first, in one query."""
    if not accounts:
        return {}
    wanted = set(accounts)
    result = await conn.execute(
        select(spent_info)
        .where(
            one_of(conn, spent_info.c.output_key_id, list({key for _, key in wanted})),
            spent_info.c.input_tx_hash.is_(None),
        )
        .order_by(spent_info.c.block_id, spent_info.c.output_tx_hash, spent_info.c.output_index)
    )
    found: dict[tuple[int, int], list[Output]] = {}
    for row in result:
        account = (row.ecosystem, row.output_key_id)
        if account in wanted:
            found.setdefault(account, []).append(_output(row))
    return found


async def spend_outputs(conn: AsyncConnection, spent: Sequence[tuple[Output, bytes, int]]) -> None:
    """Mark outputs as inputs of transactions: (output, spending tx hash, input index)."""
    if not spent:
        return
    stmt = (
        update(spent_info)
        .where(
            and_(
                spent_info.c.output_tx_hash == bindparam("b_out"),
                spent_info.c.output_index == bindparam("b_idx"),
                spent_info.c.input_tx_hash.is_(None),
            )
        )
        .values(input_tx_hash=bindparam("b_in"), input_index=bindparam("b_in_idx"))
    )
    await conn.execute(
        stmt,
        [
            {"b_out": o.output_tx_hash, "b_idx": o.output_index, "b_in": tx, "b_in_idx": i}
            for o, tx, i in spent
        ],
    )


async def insert_outputs(conn: AsyncConnection, outputs: Sequence[Output]) -> None:
    """Create new unspent outputs."""
    if outputs:
        await conn.execute(
            spent_info.insert(),
            [
                {
                    "output_tx_hash": o.output_tx_hash,
                    "output_index": o.output_index,
                    "output_key_id": o.output_key_id,
                    "output_value": o.output_value,
                    "ecosystem": o.ecosystem,
                    "block_id": o.block_id,
                    "type": o.type,
                    "input_tx_hash": o.input_tx_hash,
                    "input_index": o.input_index,
                }
                for o in outputs
            ],
        )


async def list_block_outputs(conn: AsyncConnection, block_id: int) -> list[Output]:
    """Outputs created in a block (part of its rollback hash)."""
    result = await conn.execute(
        select(spent_info)
        .where(spent_info.c.block_id == block_id)
        .order_by(spent_info.c.output_tx_hash, spent_info.c.output_index)
    )
    return [_output(r) for r in result]


async def get_amount(conn: AsyncConnection, ecosystem: int, key_id: int) -> int | None:
    """An account's balance, or None when the account does not exist."""
    result = await conn.execute(
        select(keys.c.amount).where(keys.c.ecosystem == ecosystem, keys.c.id == key_id)
    )
    return result.scalar_one_or_none()


async def get_amounts(
    conn: AsyncConnection, accounts: Sequence[tuple[int, int]]
) -> dict[tuple[int, int], int]:
    """Balances of the (ecosystem, key_id) accounts that exist."""
    if not accounts:
        return {}
    wanted = set(accounts)
    result = await conn.execute(
        select(keys.c.ecosystem, keys.c.id, keys.c.amount).where(
            one_of(conn, keys.c.id, list({key for _, key in wanted}))
        )
    )
    return {(r.ecosystem, r.id): r.amount for r in result if (r.ecosystem, r.id) in wanted}


async def set_amounts(conn: AsyncConnection, amounts: Sequence[tuple[int, int, int]]) -> None:
    """Set balances: (ecosystem, key_id, amount); callers keep them non-negative."""
    if not amounts:
        return
    if any(amount < 0 for _, _, amount in amounts):
        raise ValueError("negative balance")
    stmt = (
        update(keys)
        .where(keys.c.ecosystem == bindparam("b_eco"), keys.c.id == bindparam("b_id"))
        .values(amount=bindparam("b_amount"))
    )
    await conn.execute(stmt, [{"b_eco": e, "b_id": k, "b_amount": a} for e, k, a in amounts])


async def insert_rollbacks(conn: AsyncConnection, rows: Sequence[RollbackRow]) -> None:
    """Record how to undo row changes."""
    if rows:
        await conn.execute(
            rollback_tx.insert(),
            [
                {
                    "block_id": r.block_id,
                    "tx_hash": r.tx_hash,
                    "table_name": r.table_name,
                    "table_id": r.table_id,
                    "data": r.data,
                }
                for r in rows
            ],
        )


async def list_holdings(conn: AsyncConnection, ecosystem: int) -> list[tuple[int, int]]:
    """(key id, amount) of every unspent output and positive account balance in an ecosystem,
    of live keys (not blocked or deleted, with a public key): what TopAmounts ranks."""
    live = and_(
        keys.c.ecosystem == ecosystem,
        keys.c.blocked == 0,
        keys.c.deleted == 0,
        func.length(keys.c.pub) > 0,
    )
    outputs = await conn.execute(
        select(spent_info.c.output_key_id, spent_info.c.output_value)
        .select_from(
            spent_info.join(
                keys,
                and_(
                    keys.c.ecosystem == spent_info.c.ecosystem,
                    keys.c.id == spent_info.c.output_key_id,
                ),
            )
        )
        .where(spent_info.c.ecosystem == ecosystem, spent_info.c.input_tx_hash.is_(None), live)
    )
    found = [(int(key_id), int(value)) for key_id, value in outputs]
    # Money is text on SQLite: "amount > 0" is decided here, on the numbers.
    accounts = await conn.execute(select(keys.c.id, keys.c.amount).where(live))
    found += [(int(key_id), int(amount)) for key_id, amount in accounts if int(amount) > 0]
    return found
