"""Parameter rows as the API lists them: ecosystem, platform and application parameters."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Table, select
from sqlalchemy.ext.asyncio import AsyncConnection

from chain.storage.schema import app_params, parameters, platform_parameters


@dataclass(frozen=True, slots=True)
class ParamRow:
    """One parameter: id, name, value and the condition to change it."""

    id: int
    name: str
    value: str
    conditions: str


async def _rows(
    conn: AsyncConnection,
    table: Table,
    conditions: Sequence[ColumnElement[bool]],
    names: Sequence[str] | None,
) -> list[ParamRow]:
    where = list(conditions)
    if names is not None:
        where.append(table.c.name.in_(list(names)))
    result = await conn.execute(
        select(table.c.id, table.c.name, table.c.value, table.c.conditions)
        .where(*where)
        .order_by(table.c.id)
    )
    return [ParamRow(r.id, r.name, r.value, r.conditions) for r in result]


def _first(rows: list[ParamRow]) -> ParamRow | None:
    return rows[0] if rows else None


async def list_ecosystem_params(
    conn: AsyncConnection, ecosystem: int, names: Sequence[str] | None = None
) -> list[ParamRow]:
    """An ecosystem's parameters by id (only `names`, if given)."""
    return await _rows(conn, parameters, [parameters.c.ecosystem == ecosystem], names)


async def get_ecosystem_param(conn: AsyncConnection, ecosystem: int, name: str) -> ParamRow | None:
    """One ecosystem parameter by name."""
    return _first(await list_ecosystem_params(conn, ecosystem, [name]))


async def list_platform_params(
    conn: AsyncConnection, names: Sequence[str] | None = None
) -> list[ParamRow]:
    """The platform parameters by id (only `names`, if given)."""
    return await _rows(conn, platform_parameters, [], names)


async def list_app_params(
    conn: AsyncConnection, ecosystem: int, app_id: int, names: Sequence[str] | None = None
) -> list[ParamRow]:
    """An application's parameters in an ecosystem by id (only `names`, if given)."""
    scope: list[Any] = [app_params.c.ecosystem == ecosystem, app_params.c.app_id == app_id]
    return await _rows(conn, app_params, scope, names)


async def get_app_param(
    conn: AsyncConnection, ecosystem: int, app_id: int, name: str
) -> ParamRow | None:
    """One application parameter by name."""
    return _first(await list_app_params(conn, ecosystem, app_id, [name]))
