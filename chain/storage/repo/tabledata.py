"""The data API's reads of any table: pages of rows as text, one row, sums, 1_tables, history."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Table, and_, func, select
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.elements import ColumnElement

from chain.storage.query import (
    QueryError,
    build_columns,
    build_order,
    build_where,
    column_of,
    ibax_types,
    json_value,
)
from chain.storage.repo.rows import count_rows, select_rows, sum_column, text_of
from chain.storage.schema import rollback_tx, tables

# The reference's API writes SQL NULL as this text (contracts' DBFind gets "" instead).
NULL_TEXT = "NULL"
# The label of the row count selected beside a page's columns (no column name has an "@").
_COUNT = "@count"


def api_text(row: Mapping[str, Any], types: Mapping[str, str]) -> dict[str, str]:
    """A row as the list and row endpoints answer it: every value a string, NULL as "NULL"."""
    return {name: _text(value, types.get(name)) for name, value in row.items()}


def _text(value: Any, kind: str | None) -> str:
    if value is None:
        return NULL_TEXT
    if kind == "character":
        return str(value).rstrip(" ")  # PostgreSQL pads char(n), SQLite does not
    return text_of(value, kind)


@dataclass(frozen=True, slots=True)
class RowPage:
    """How many rows match, and one page of them as text."""

    count: int
    rows: list[dict[str, str]]


def _condition(table: Table, where: Any, scope: ColumnElement[bool] | None) -> ColumnElement[bool]:
    condition = build_where(table, where)
    return condition if scope is None else and_(condition, scope)


async def list_rows(
    conn: AsyncConnection,
    table: Table,
    *,
    columns: Sequence[str] | None = None,
    where: Any = None,
    order: Any = None,
    limit: int,
    offset: int,
    scope: ColumnElement[bool] | None = None,
) -> RowPage:
    """A page of rows (order, then id ascending) and the number of rows that match.

    `columns`, `where` and `order` are DBFind's (chain.storage.query): all of them are checked
    before any SQL runs. `scope` keeps a shared table to one ecosystem's rows.
    """
    if limit <= 0 or offset < 0:
        raise QueryError(f"invalid page: limit {limit}, offset {offset}")
    condition = _condition(table, where, scope)
    selected = build_columns(table, list(columns) if columns else None)
    # The count rides along as an uncorrelated subquery (computed once): one round trip.
    total = select(func.count()).select_from(table).where(condition).scalar_subquery()
    stmt = (
        select(*selected, total.label(_COUNT))
        .select_from(table)
        .where(condition)
        .order_by(*build_order(table, order))
        .limit(limit)
        .offset(offset)
    )
    result = await conn.execute(stmt)
    types = ibax_types(table)
    rows, count = [], 0
    for row in result:
        values = dict(row._mapping)
        count = int(values.pop(_COUNT))
        rows.append(api_text(values, types))
    if not rows and offset > 0:
        count = await count_rows(conn, table, where=where, extra=scope)  # past the last page
    return RowPage(count, rows)


async def get_row(
    conn: AsyncConnection,
    table: Table,
    column: str,
    value: str,
    *,
    columns: Sequence[str] | None = None,
    scope: ColumnElement[bool] | None = None,
) -> dict[str, str] | None:
    """The first row (by id) whose `column` equals `value`, as text; None if there is none."""
    col = column_of(table, column)  # a plain column: no json path, no operator
    rows = await select_rows(
        conn,
        table,
        columns=list(columns) if columns else None,
        where={col.name: value},
        limit=1,
        extra=scope,
    )
    return api_text(rows[0], ibax_types(table)) if rows else None


async def sum_rows(
    conn: AsyncConnection,
    table: Table,
    column: str,
    *,
    where: Any = None,
    scope: ColumnElement[bool] | None = None,
) -> str:
    """The sum of a numeric column over the matching rows as text; "" when no row matches."""
    total = await sum_column(conn, table, column, where=where, extra=scope)
    return "" if total is None else text_of(total)


async def count_scoped(
    conn: AsyncConnection, table: Table, scope: ColumnElement[bool] | None
) -> int:
    """How many rows a table holds (for a shared table: of one ecosystem)."""
    return await count_rows(conn, table, extra=scope)


@dataclass(frozen=True, slots=True)
class TableEntry:
    """An ecosystem's `1_tables` row: a table's permissions and its columns' permissions."""

    id: int
    name: str
    permissions: dict[str, str]
    columns: dict[str, str]
    conditions: str
    app_id: int


def _text_map(value: Any) -> dict[str, str]:
    if not isinstance(value, Mapping):
        return {}
    data = json_value(value)  # the same key order on both backends
    return {str(k): v if isinstance(v, str) else text_of(v) for k, v in data.items()}


def _entry(row: Any) -> TableEntry:
    return TableEntry(
        row.id,
        row.name,
        _text_map(row.permissions),
        _text_map(row.columns),
        row.conditions,
        row.app_id,
    )


async def get_table_entry(conn: AsyncConnection, ecosystem: int, name: str) -> TableEntry | None:
    """The `1_tables` row of table `name` in `ecosystem`, or None."""
    result = await conn.execute(
        select(tables).where(tables.c.ecosystem == ecosystem, tables.c.name == name)
    )
    row = result.first()
    return _entry(row) if row is not None else None


async def list_table_names(
    conn: AsyncConnection, ecosystem: int, *, limit: int, offset: int
) -> tuple[int, list[str]]:
    """(how many tables `ecosystem` describes in 1_tables, one page of their names by id)."""
    scope = tables.c.ecosystem == ecosystem
    total = await conn.execute(select(func.count()).select_from(tables).where(scope))
    names = await conn.execute(
        select(tables.c.name).where(scope).order_by(tables.c.id).limit(limit).offset(offset)
    )
    return int(total.scalar_one()), list(names.scalars())


async def list_row_history(
    conn: AsyncConnection, table_name: str, table_id: str, *, limit: int
) -> list[str]:
    """The previous values (JSON text) a row had before each change, newest first.

    `table_name` is the physical table ("1_pages", "2_mytable"); `table_id` names the row as
    rollback_tx does. Insertions, which have no previous values, are left out.
    """
    result = await conn.execute(
        select(rollback_tx.c.data)
        .where(
            rollback_tx.c.table_name == table_name,
            rollback_tx.c.table_id == table_id,
            rollback_tx.c.data != "",
        )
        .order_by(rollback_tx.c.id.desc())
        .limit(limit)
    )
    return list(result.scalars())


async def row_exists(
    conn: AsyncConnection, table: Table, row_id: int, scope: ColumnElement[bool] | None
) -> bool:
    """Whether a row with this id exists (for a shared table: in one ecosystem)."""
    condition = table.c.id == row_id
    if scope is not None:
        condition = condition & scope
    result = await conn.execute(select(table.c.id).where(condition).limit(1))
    return result.first() is not None


async def get_cell(
    conn: AsyncConnection,
    table: Table,
    column: str,
    row_id: int,
    scope: ColumnElement[bool] | None = None,
) -> bytes | None:
    """One column of the row with this id as bytes (bytea as stored, other types as their text).

    None when there is no such row or the value is NULL.
    """
    col = column_of(table, column)
    condition = table.c.id == row_id
    if scope is not None:
        condition = condition & scope
    result = await conn.execute(select(col).where(condition).limit(1))
    row = result.first()
    if row is None or row[0] is None:
        return None
    value = row[0]
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value)
    return text_of(value, ibax_types(table).get(col.name)).encode()
