"""Ecosystem and platform parameters, and the ecosystems table."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from chain.storage.repo.param_rows import ParamRow
from chain.storage.schema import ecosystems, parameters, platform_parameters

_INSERT_PLATFORM_PARAMETERS = insert(platform_parameters)


@dataclass(frozen=True, slots=True)
class Ecosystem:
    """The fields of 1_ecosystems that the API reports."""

    id: int
    name: str
    digits: int
    token_symbol: str
    token_name: str


async def get_parameter(conn: AsyncConnection, ecosystem: int, name: str) -> str | None:
    """An ecosystem parameter's value, or None."""
    result = await conn.execute(
        select(parameters.c.value).where(
            parameters.c.ecosystem == ecosystem, parameters.c.name == name
        )
    )
    return result.scalar_one_or_none()


async def get_platform_parameter(conn: AsyncConnection, name: str) -> str | None:
    """A platform parameter's value, or None."""
    result = await conn.execute(
        select(platform_parameters.c.value).where(platform_parameters.c.name == name)
    )
    return result.scalar_one_or_none()


async def get_platform_parameters(conn: AsyncConnection) -> dict[str, str]:
    """Every platform parameter by name."""
    result = await conn.execute(select(platform_parameters.c.name, platform_parameters.c.value))
    return {name: value for name, value in result}


async def insert_platform_parameters(conn: AsyncConnection, rows: Sequence[ParamRow]) -> None:
    """Create platform parameters with their ids (block 1 creates them all)."""
    if rows:
        await conn.execute(
            _INSERT_PLATFORM_PARAMETERS,
            [
                {"id": r.id, "name": r.name, "value": r.value, "conditions": r.conditions}
                for r in rows
            ],
        )


async def get_ecosystem(conn: AsyncConnection, ecosystem_id: int) -> Ecosystem | None:
    """One ecosystem, or None."""
    result = await conn.execute(
        select(
            ecosystems.c.id,
            ecosystems.c.name,
            ecosystems.c.digits,
            ecosystems.c.token_symbol,
            ecosystems.c.token_name,
        ).where(ecosystems.c.id == ecosystem_id)
    )
    row = result.first()
    if row is None:
        return None
    return Ecosystem(row.id, row.name, row.digits, row.token_symbol, row.token_name)


async def count_ecosystems(conn: AsyncConnection) -> int:
    """Number of rows in 1_ecosystems."""
    result = await conn.execute(select(func.count()).select_from(ecosystems))
    return int(result.scalar_one())


@dataclass(frozen=True, slots=True)
class FeeTerms:
    """An ecosystem's fee settings: 1_ecosystems' fee columns and its `utxo_fee` parameter."""

    id: int
    digits: int
    token_symbol: str
    fee_mode_info: Any  # the JSON value, None when unset
    utxo_fee: str | None  # the parameter's value, None without one


async def get_fee_terms(conn: AsyncConnection, ecosystem_id: int) -> FeeTerms | None:
    """One ecosystem's fee settings, or None when it does not exist."""
    utxo_fee = (
        select(parameters.c.value)
        .where(parameters.c.ecosystem == ecosystem_id, parameters.c.name == "utxo_fee")
        .scalar_subquery()
    )
    result = await conn.execute(
        select(
            ecosystems.c.id,
            ecosystems.c.digits,
            ecosystems.c.token_symbol,
            ecosystems.c.fee_mode_info,
            utxo_fee.label("utxo_fee"),
        ).where(ecosystems.c.id == ecosystem_id)
    )
    row = result.first()
    if row is None:
        return None
    return FeeTerms(
        int(row.id), int(row.digits), row.token_symbol or "", row.fee_mode_info, row.utxo_fee
    )
