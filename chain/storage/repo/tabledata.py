"""The data API's reads of any table: pages of rows as text, one row, sums, 1_tables, history."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    Select,
    Table,
    Text,
    and_,
    bindparam,
    cast,
    func,
    select,
)
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.elements import ColumnElement

from chain.storage.query import (
    build_columns,
    build_order,
    build_where,
    column_of,
)
from chain.storage.repo.rows import count_rows, select_rows, sum_column, text_of
from chain.storage.schema import block_chain, rollback_tx, tables, views
from chain.storage.values import (
    QueryError,
    coerce,
    ibax_type_of,
    ibax_types,
    json_value,
)

# The reference's API writes SQL NULL as this text (contracts' DBFind gets "" instead).
NULL_TEXT = "NULL"
# Labels of what is selected beside a page's columns (no column name has an "@").
_COUNT = "@count"
_RIGHTS_ID = "@rights_id"
_PERMISSIONS = "@permissions"
_COLUMNS = "@columns"
# Statements of plain pages and row lookups kept per table (in Table.info, which lives and
# dies with the Table): reusing one skips rebuilding it and recomputing its cache key, a
# third of a short read's time. Bounded, as the column lists come from requests.
_STATEMENTS = "api_statements"
_MAX_STATEMENTS = 64
_TEXT_KINDS = frozenset({"varchar", "text"})
_INT_KINDS = frozenset({"number", "money"})

Converter = Callable[[Any], str]


def _converter(kind: str | None) -> Converter:
    """The function that writes one column's values as the API does (NULL as "NULL")."""
    if kind in _TEXT_KINDS or kind is None:
        return lambda v: NULL_TEXT if v is None else v if type(v) is str else text_of(v, kind)
    if kind in _INT_KINDS:
        return lambda v: NULL_TEXT if v is None else str(v) if type(v) is int else text_of(v, kind)
    if kind == "character":
        # PostgreSQL pads char(n), SQLite does not.
        return lambda v: NULL_TEXT if v is None else str(v).rstrip(" ")
    return lambda v: NULL_TEXT if v is None else text_of(v, kind)


def api_text(row: Mapping[str, Any], types: Mapping[str, str]) -> dict[str, str]:
    """A row as the list and row endpoints answer it: every value a string, NULL as "NULL"."""
    return {name: _converter(types.get(name))(value) for name, value in row.items()}


@dataclass(frozen=True, slots=True)
class TableRights:
    """What `1_tables` says about reading a table: its permissions and its columns'."""

    permissions: dict[str, str]
    columns: dict[str, str]


def _text_map(value: Any) -> dict[str, str]:
    if not isinstance(value, Mapping):
        return {}
    data = json_value(value)  # the same key order on both backends
    return {str(k): v if isinstance(v, str) else text_of(v) for k, v in data.items()}


def _json_text(text: str | None) -> Any:
    try:
        return json.loads(text) if text else None
    except ValueError:
        return None


def _rights_columns() -> list[Any]:
    """The table's 1_tables row beside every selected row.

    The API checks read permission after reading (and sends nothing the caller may not see),
    so a read costs one statement, not two. Looked up by (ecosystem, name), bound later.
    """
    found = (tables.c.ecosystem == bindparam("rights_ecosystem", type_=BigInteger)) & (
        tables.c.name == bindparam("rights_name", type_=tables.c.name.type)
    )
    # As text: a page repeats them on every row, and only the last one's are decoded.
    return [
        select(tables.c.id).where(found).scalar_subquery().label(_RIGHTS_ID),
        select(cast(tables.c.permissions, Text)).where(found).scalar_subquery().label(_PERMISSIONS),
        select(cast(tables.c.columns, Text)).where(found).scalar_subquery().label(_COLUMNS),
    ]


@dataclass(frozen=True, slots=True)
class RowPage:
    """How many rows match, one page of them as text, and the table's rights.

    `rights` is None when 1_tables does not describe the table; `rights_known` is False when no
    row came back to carry them (the caller looks them up with get_table_rights).
    """

    count: int
    rows: list[dict[str, str]]
    rights: TableRights | None = None
    rights_known: bool = False


def _page_of(result: Any, types: Mapping[str, str]) -> RowPage:
    """Every row of a result as text, with the count and rights selected beside them."""
    keys = list(result.keys())
    names = [k for k in keys if not k.startswith("@")]
    extras = {k: i for i, k in enumerate(keys) if k.startswith("@")}
    converters = [_converter(types.get(name)) for name in names]
    rows, last = [], None
    for row in result:
        rows.append({n: f(v) for n, f, v in zip(names, converters, row, strict=False)})
        last = row
    if last is None:
        return RowPage(0, rows)
    count = int(last[extras[_COUNT]]) if _COUNT in extras else len(rows)
    if _RIGHTS_ID not in extras:
        return RowPage(count, rows)
    if last[extras[_RIGHTS_ID]] is None:
        return RowPage(count, rows, None, True)
    rights = TableRights(
        _text_map(_json_text(last[extras[_PERMISSIONS]])),
        _text_map(_json_text(last[extras[_COLUMNS]])),
    )
    return RowPage(count, rows, rights, True)


def _scope_bound(table: Table) -> ColumnElement[bool]:
    """The condition keeping a shared table to one ecosystem's rows, the ecosystem bound later."""
    return table.c.ecosystem == bindparam("scope_ecosystem", type_=BigInteger)


def _scope(table: Table, ecosystem: int | None) -> ColumnElement[bool] | None:
    return None if ecosystem is None else table.c.ecosystem == ecosystem


def _remembered(
    table: Table, key: tuple[Any, ...], build: Callable[[], Select[Any]]
) -> Select[Any]:
    statements: dict[tuple[Any, ...], Select[Any]] = table.info.setdefault(_STATEMENTS, {})
    stmt = statements.get(key)
    if stmt is None:
        stmt = build()
        if len(statements) >= _MAX_STATEMENTS:
            statements.clear()
        statements[key] = stmt
    return stmt


def _page_statement(
    table: Table, columns: Sequence[str] | None, where: Any, order: Any, scoped: bool
) -> Select[Any]:
    condition = build_where(table, where)
    if scoped:
        condition = and_(condition, _scope_bound(table))
    # The count rides along as an uncorrelated subquery (computed once): one round trip.
    total = select(func.count()).select_from(table).where(condition).scalar_subquery()
    selected = build_columns(table, ["id", *columns] if columns else None)  # id always comes
    return (
        select(*selected, total.label(_COUNT), *_rights_columns())
        .select_from(table)
        .where(condition)
        .order_by(*build_order(table, order))
        .limit(bindparam("page_limit", type_=BigInteger))
        .offset(bindparam("page_offset", type_=BigInteger))
    )


async def list_rows(
    conn: AsyncConnection,
    table: Table,
    *,
    columns: Sequence[str] | None = None,
    where: Any = None,
    order: Any = None,
    limit: int,
    offset: int,
    ecosystem: int | None = None,
    rights_of: tuple[int, str] = (0, ""),
) -> RowPage:
    """A page of rows (order, then id ascending), how many rows match, and the 1_tables
    rights of `rights_of` (ecosystem, name).

    `columns`, `where` and `order` are DBFind's (chain.storage.query): all of them are checked
    before any SQL runs. `ecosystem` keeps a shared table to one ecosystem's rows.
    """
    if limit <= 0 or offset < 0:
        raise QueryError(f"invalid page: limit {limit}, offset {offset}")
    scoped = ecosystem is not None
    if where is None and order is None:
        key = ("page", tuple(columns) if columns else None, scoped)
        stmt = _remembered(table, key, lambda: _page_statement(table, columns, None, None, scoped))
    else:
        stmt = _page_statement(table, columns, where, order, scoped)
    params = {
        "page_limit": limit,
        "page_offset": offset,
        "scope_ecosystem": ecosystem or 0,
        "rights_ecosystem": rights_of[0],
        "rights_name": rights_of[1],
    }
    page = _page_of(await conn.execute(stmt, params), ibax_types(table))
    if not page.rows and offset > 0:  # past the last page: the count needs a query of its own
        return RowPage(
            await count_rows(conn, table, where=where, extra=_scope(table, ecosystem)), []
        )
    return page


def _row_statement(
    table: Table, lookup: Column[Any], columns: Sequence[str] | None, scoped: bool
) -> Select[Any]:
    condition = lookup == bindparam("row_value", type_=lookup.type)
    if scoped:
        condition = and_(condition, _scope_bound(table))
    selected = build_columns(table, ["id", *columns] if columns else None)  # id always comes
    return (
        select(*selected, *_rights_columns())
        .where(condition)
        .order_by(*build_order(table, None))
        .limit(1)
    )


async def get_row(
    conn: AsyncConnection,
    table: Table,
    column: str,
    value: str,
    *,
    columns: Sequence[str] | None = None,
    ecosystem: int | None = None,
    rights_of: tuple[int, str] = (0, ""),
) -> RowPage:
    """The first row (by id) whose `column` equals `value`, as text (or no row), and the
    1_tables rights of `rights_of` (ecosystem, name)."""
    lookup = column_of(table, column)  # a plain column: no json path, no operator
    kind = ibax_type_of(lookup.type)
    if kind == "json":  # json equality differs per backend: the query builder knows how
        found = await select_rows(
            conn,
            table,
            columns=["id", *columns] if columns else None,
            where={lookup.name: value},
            limit=1,
            extra=_scope(table, ecosystem),
        )
        return RowPage(len(found), [api_text(row, ibax_types(table)) for row in found])
    bound = coerce(kind, lookup.name, value)
    scoped = ecosystem is not None
    key = ("row", lookup.name, tuple(columns) if columns else None, scoped)
    stmt = _remembered(table, key, lambda: _row_statement(table, lookup, columns, scoped))
    params = {
        "row_value": bound,
        "scope_ecosystem": ecosystem or 0,
        "rights_ecosystem": rights_of[0],
        "rights_name": rights_of[1],
    }
    return _page_of(await conn.execute(stmt, params), ibax_types(table))


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


def _entry(row: Any) -> TableEntry:
    return TableEntry(
        row.id,
        row.name,
        _text_map(row.permissions),
        _text_map(row.columns),
        row.conditions,
        row.app_id,
    )


# A module constant, so every permission check reuses one statement (and its cache key).
_TABLE_ENTRY = select(
    tables.c.id,
    tables.c.name,
    tables.c.permissions,
    tables.c.columns,
    tables.c.conditions,
    tables.c.app_id,
).where(
    tables.c.ecosystem == bindparam("ecosystem", type_=BigInteger),
    tables.c.name == bindparam("name", type_=tables.c.name.type),
)


async def get_table_entry(conn: AsyncConnection, ecosystem: int, name: str) -> TableEntry | None:
    """The `1_tables` row of table `name` in `ecosystem`, or None."""
    result = await conn.execute(_TABLE_ENTRY, {"ecosystem": ecosystem, "name": name})
    row = result.first()
    return _entry(row) if row is not None else None


_TABLE_RIGHTS = select(tables.c.permissions, tables.c.columns).where(
    tables.c.ecosystem == bindparam("ecosystem", type_=BigInteger),
    tables.c.name == bindparam("name", type_=tables.c.name.type),
)


async def get_table_rights(conn: AsyncConnection, ecosystem: int, name: str) -> TableRights | None:
    """The read rights `1_tables` gives table `name` of `ecosystem`, or None (no such row)."""
    result = await conn.execute(_TABLE_RIGHTS, {"ecosystem": ecosystem, "name": name})
    row = result.first()
    return TableRights(_text_map(row.permissions), _text_map(row.columns)) if row else None


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


@dataclass(frozen=True, slots=True)
class RollbackRecord:
    """One change of a row: the rollback_tx id, its block and block time, the previous values
    (JSON text; "" when the change inserted the row)."""

    id: int
    block_id: int
    block_time: int | None
    data: str


async def list_row_rollbacks(
    conn: AsyncConnection, table_name: str, table_id: str, *, limit: int
) -> list[RollbackRecord]:
    """Every change of a row, newest first, with its block's time (None if it has none)."""
    result = await conn.execute(
        select(rollback_tx.c.id, rollback_tx.c.block_id, block_chain.c.time, rollback_tx.c.data)
        .select_from(
            rollback_tx.outerjoin(block_chain, block_chain.c.id == rollback_tx.c.block_id)
        )
        .where(rollback_tx.c.table_name == table_name, rollback_tx.c.table_id == table_id)
        .order_by(rollback_tx.c.id.desc())
        .limit(limit)
    )
    return [RollbackRecord(r.id, r.block_id, r.time, r.data) for r in result]


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


async def list_views_using(conn: AsyncConnection, full_name: str) -> list[str]:
    """The views (`<ecosystem>_<name>`) whose 1_views row names table `full_name`."""
    result = await conn.execute(
        select(views.c.ecosystem, views.c.name, views.c.columns, views.c.wheres).order_by(
            views.c.id
        )
    )
    found = []
    for ecosystem, name, shown, joins in result:
        named = {str(item.get(key, "")) for item in (shown or []) + (joins or [])
                 if isinstance(item, dict) for key in ("table", "table1", "table2")}  # fmt: skip
        if full_name in named:
            found.append(f"{ecosystem}_{name}")
    return found
