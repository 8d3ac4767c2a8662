"""Generic rows of any table: what DBFind/DBInsert/DBUpdate and the list/sumWhere API use."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    Float,
    Numeric,
    Table,
    and_,
    bindparam,
    delete,
    func,
    insert,
    literal,
    null,
    select,
    tuple_,
    update,
)
from sqlalchemy.exc import DataError, DBAPIError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.types import TypeEngine

from chain.golang.decimal import decimal_text
from chain.golang.ints import in_int64
from chain.golang.strconv import format_float
from chain.storage.query import (
    DEFAULT_LIMIT,
    build_columns,
    build_order,
    build_where,
    column_of,
    json_merge,
    json_path,
)
from chain.storage.values import (
    MONEY_DIGITS,
    NUMERIC_KINDS,
    TEXT_KINDS,
    QueryError,
    coerce,
    coerce_for_write,
    ibax_type_of,
    ibax_types,
    json_value,
    needle_text,
    show,
)

# How many values a SQLite money or number sum reads at a time (it adds them in Python).
_SUM_BATCH = 1000
_DELTA_TYPES: Mapping[str, TypeEngine[Any]] = {
    "number": BigInteger(),
    "money": Numeric(MONEY_DIGITS, 0),
    "double": Float(),
}


def _condition(table: Table, where: Any, extra: ColumnElement[bool] | None) -> ColumnElement[bool]:
    condition = build_where(table, where)
    return condition if extra is None else and_(condition, extra)


def _paging(limit: int | None, offset: int) -> None:
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 0):
        raise QueryError(f"invalid limit {show(limit)}")
    if isinstance(offset, bool) or not isinstance(offset, int) or offset < 0:
        raise QueryError(f"invalid offset {show(offset)}")


def _typed(row: Mapping[Any, Any], kinds: Mapping[str, str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, value in row.items():
        kind = kinds.get(name)
        if value is not None:
            if kind == "json":
                value = json_value(value)  # the same key order on both backends
            elif kind == "character":
                value = value.rstrip(" ")  # PostgreSQL pads char(n), SQLite does not
        out[name] = value
    return out


async def select_rows(
    conn: AsyncConnection,
    table: Table,
    *,
    columns: Any = None,
    where: Any = None,
    order: Any = None,
    limit: int | None = DEFAULT_LIMIT,
    offset: int = 0,
    extra: ColumnElement[bool] | None = None,
) -> list[dict[str, Any]]:
    """Rows as dicts of typed values (json paths as "doc.title": text); `limit=None` for all.

    `columns`, `where` and `order` are DBFind's (see chain.storage.query); `extra` is a
    condition of the caller's own, e.g. `table.c.ecosystem == 2`.
    """
    _paging(limit, offset)
    stmt = (
        select(*build_columns(table, columns))
        .select_from(table)
        .where(_condition(table, where, extra))
        .order_by(*build_order(table, order))
        .offset(offset)
    )
    if limit is not None:
        stmt = stmt.limit(limit)
    kinds = ibax_types(table)
    result = await conn.execute(stmt)
    return [_typed(row._mapping, kinds) for row in result]


# Value tuples per query of the many-rows lookups: well under every backend's parameter limit.
_TUPLES_PER_QUERY = 500


async def select_by_keys(
    conn: AsyncConnection, table: Table, key: Sequence[str], keys: Sequence[tuple[Any, ...]]
) -> dict[tuple[Any, ...], dict[str, Any]]:
    """Whole rows of many primary keys, typed as select_rows gives them; absent ones left out."""
    kinds = ibax_types(table)
    columns = [table.c[k] for k in key]
    found: dict[tuple[Any, ...], dict[str, Any]] = {}
    for start in range(0, len(keys), _TUPLES_PER_QUERY):
        chunk = list(keys[start : start + _TUPLES_PER_QUERY])
        result = await conn.execute(select(table).where(tuple_(*columns).in_(chunk)))
        for row in result:
            typed = _typed(row._mapping, kinds)
            found[tuple(typed[k] for k in key)] = typed
    return found


async def present_values(
    conn: AsyncConnection, table: Table, names: Sequence[str], values: Sequence[tuple[Any, ...]]
) -> set[tuple[Any, ...]]:
    """Which of these value tuples some row holds in the columns `names` (a unique set)."""
    kinds = ibax_types(table)
    columns = [table.c[n] for n in names]
    present: set[tuple[Any, ...]] = set()
    for start in range(0, len(values), _TUPLES_PER_QUERY):
        chunk = list(values[start : start + _TUPLES_PER_QUERY])
        result = await conn.execute(select(*columns).where(tuple_(*columns).in_(chunk)))
        for row in result:
            typed = _typed(row._mapping, kinds)
            present.add(tuple(typed[n] for n in names))
    return present


async def count_rows(
    conn: AsyncConnection,
    table: Table,
    *,
    where: Any = None,
    extra: ColumnElement[bool] | None = None,
) -> int:
    """How many rows match."""
    stmt = select(func.count()).select_from(table).where(_condition(table, where, extra))
    return int((await conn.execute(stmt)).scalar_one())


async def sum_column(
    conn: AsyncConnection,
    table: Table,
    column: str,
    *,
    where: Any = None,
    extra: ColumnElement[bool] | None = None,
) -> int | float | None:
    """The exact sum of a number or money column (int), or of a double (float); None if no rows."""
    col = column_of(table, column)
    kind = ibax_type_of(col.type)
    if kind not in NUMERIC_KINDS:
        raise QueryError(f"column {col.name} is not numeric")
    condition = _condition(table, where, extra)
    if conn.dialect.name == "sqlite" and kind != "double":
        # SQLite would sum money text as floats and stop at 2^63; Python's int is exact.
        total, seen = 0, False
        stream = await conn.stream(select(col).where(condition, col.is_not(None)))
        async for batch in stream.partitions(_SUM_BATCH):
            for (value,) in batch:
                total += int(value)
                seen = True
        return total if seen else None
    value = (await conn.execute(select(func.sum(col)).where(condition))).scalar_one()
    if value is None:
        return None
    return float(value) if kind == "double" else int(value)


async def next_id(conn: AsyncConnection, table: Table) -> int:
    """max(id) + 1 (1 for an empty table)."""
    stmt = select(func.coalesce(func.max(table.c.id), 0) + 1)
    return int((await conn.execute(stmt)).scalar_one())


class _Writes:
    """What an insert or update sets: plain values, json fields, and `+col` increments."""

    def __init__(self) -> None:
        self.plain: dict[str, Any] = {}
        self.fields: dict[str, dict[str, str]] = {}
        self.deltas: dict[str, int | float] = {}

    def claim(self, name: str) -> None:
        if name in self.plain or name in self.fields or name in self.deltas:
            raise QueryError(f"column {name} is set twice")


def _writes(table: Table, values: Any, *, increments: bool) -> _Writes:
    if not isinstance(values, Mapping) or not values:
        raise QueryError("values are undefined")
    writes = _Writes()
    for raw_key, value in values.items():
        if not isinstance(raw_key, str):
            raise QueryError("column names must be strings")
        if "->" in raw_key:
            col, keys = json_path(table, raw_key)
            if len(keys) != 1:
                raise QueryError(f"only top-level json fields can be set, not {show(raw_key)}")
            if col.name not in writes.fields:
                writes.claim(col.name)
            try:
                writes.fields.setdefault(col.name, {})[keys[0]] = needle_text(value)
            except (TypeError, ValueError) as exc:
                raise QueryError(f"value {show(value)} for {show(raw_key)} is not text") from exc
        elif increments and raw_key.startswith("+"):
            col = column_of(table, raw_key[1:])
            kind = ibax_type_of(col.type)
            if kind not in NUMERIC_KINDS:
                raise QueryError(f"column {col.name} is not numeric")
            writes.claim(col.name)
            writes.deltas[col.name] = coerce(kind, col.name, value if value is not None else 0)
        else:
            col = column_of(table, raw_key)
            writes.claim(col.name)
            coerced = coerce_for_write(col, value)
            # SQLAlchemy's JSON would store None as the JSON text 'null'; no value is NULL.
            writes.plain[col.name] = null() if coerced is None else coerced
    return writes


def _write_error(table: Table, exc: DBAPIError) -> QueryError | None:
    """The QueryError for a write the data refused (None: not the data's fault, re-raise)."""
    # asyncpg's errors reach us as plain DBAPIError: tell them by SQLSTATE class
    # (22 data exception, 23 integrity violation).
    state = str(getattr(exc.orig, "sqlstate", "") or "")
    if isinstance(exc, IntegrityError) or state.startswith("23"):
        return QueryError(f"the row conflicts with a row of {table.name} or misses a value")
    if isinstance(exc, DataError) or state.startswith("22"):
        return _range_error(table)
    return None


def _range_error(table: Table) -> QueryError:
    return QueryError(f"a value does not fit its column in {table.name}")


async def insert_row(conn: AsyncConnection, table: Table, values: Mapping[str, Any]) -> int:
    """Insert one row, values coerced to their columns; id is next_id() unless given. The id.

    `col->key` entries build a json column's object (values as text, as the reference).
    On PostgreSQL a failed statement leaves the caller's transaction or savepoint aborted.
    """
    writes = _writes(table, values, increments=False)
    row = dict(writes.plain)
    for name, fields in writes.fields.items():
        row[name] = json_value(fields)
    if "id" in table.c and "id" not in row:
        row["id"] = await next_id(conn, table)
    await _execute_write(conn, table, insert(table).values(row))
    return int(row.get("id", 0))


async def _execute_write(conn: AsyncConnection, table: Table, stmt: Any, params: Any = None) -> int:
    try:
        result = await conn.execute(stmt, params)
    except DBAPIError as exc:
        error = _write_error(table, exc)
        if error is None:
            raise
        raise error from exc
    return int(result.rowcount)


def _increment(col: Column[Any], current: Any, delta: int | float) -> Any:
    """`current + delta` in Python, refused past the column's range as PostgreSQL refuses it."""
    if current is None:
        return None  # NULL + x is NULL in SQL too
    kind = ibax_type_of(col.type)
    total = current + delta
    if kind == "number" and not in_int64(total):
        raise _range_error(col.table)
    if kind == "money" and not -(10**MONEY_DIGITS) <= total < 10**MONEY_DIGITS:
        raise _range_error(col.table)
    return total


async def update_rows(
    conn: AsyncConnection,
    table: Table,
    where_columns: Mapping[str, Any],
    values: Mapping[str, Any],
    *,
    extra: ColumnElement[bool] | None = None,
) -> int:
    """Update the rows `where_columns` (a DBFind where object, usually {"id": n}) selects.

    `col->key` entries set one field of a json column, keeping the others; `+col` adds to a
    number, money or double column. Returns how many rows changed. An empty where without
    `extra` is refused rather than updating every row.
    """
    if not where_columns and extra is None:
        raise QueryError("update needs a where")
    writes = _writes(table, values, increments=True)
    condition = _condition(table, where_columns, extra)
    sets = dict(writes.plain)
    for name, fields in writes.fields.items():
        sets[name] = json_merge(table.c[name], fields)
    exact_in_sql = conn.dialect.name != "sqlite" or all(
        isinstance(delta, float) for delta in writes.deltas.values()
    )
    if exact_in_sql:
        for name, delta in writes.deltas.items():
            col = table.c[name]
            sets[name] = col + literal(delta, _DELTA_TYPES[ibax_type_of(col.type)])
        return await _execute_write(conn, table, update(table).where(condition).values(sets))
    # SQLite would add money text as floats and turn an int64 overflow into a float:
    # read the rows and add in Python, exactly.
    key = list(table.primary_key.columns)
    current = await conn.execute(
        select(*key, *(table.c[n] for n in writes.deltas)).where(condition)
    )
    changed = 0
    for row in current.all():
        row_sets = dict(sets)
        for name, delta in writes.deltas.items():
            row_sets[name] = _increment(table.c[name], row._mapping[name], delta)
        match = and_(*(col == row._mapping[col.name] for col in key))
        changed += await _execute_write(conn, table, update(table).where(match).values(row_sets))
    return changed


async def delete_rows(conn: AsyncConnection, table: Table, key: Mapping[str, Any]) -> int:
    """Delete the rows whose columns equal `key` (e.g. {"id": 7}), undoing an insert. How many."""
    if not key or any(isinstance(v, (Mapping, list, tuple)) for v in key.values()):
        raise QueryError("delete needs column values")
    result = await conn.execute(delete(table).where(build_where(table, key)))
    return int(result.rowcount)


def text_of(value: Any, kind: str | None = None) -> str:
    """The reference's text of one value: NULL "", bytea hex, json compact, numbers digits."""
    if value is None:
        return ""
    if kind == "json" or isinstance(value, (dict, list)):
        return json.dumps(json_value(value), separators=(",", ":"), ensure_ascii=False)
    if isinstance(value, (bytes, bytearray)):
        return bytes(value).hex()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Decimal):
        return decimal_text(value)
    if isinstance(value, float):
        return format_float(value)  # fmt's %v
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    return str(value)


def row_to_text(row: Mapping[str, Any], types: Mapping[str, str]) -> dict[str, str]:
    """A row as DBFind hands it to contracts and the list API answers it: every value a string."""
    return {name: text_of(value, types.get(name)) for name, value in row.items()}


async def insert_many(conn: AsyncConnection, table: Table, rows: list[dict[str, Any]]) -> None:
    """Insert rows already coerced to their columns (a block's deferred inserts), in one go."""
    if rows:
        await _execute_write(conn, table, insert(table), rows)


async def update_many(
    conn: AsyncConnection, table: Table, key: tuple[str, ...], rows: list[dict[str, Any]]
) -> None:
    """Set every non-key column of rows (already coerced) found by their key, in one go."""
    if not rows:
        return
    names = [c for c in rows[0] if c not in key]
    stmt = (
        update(table)
        .where(*(table.c[k] == bindparam(f"k_{k}") for k in key))
        .values({n: bindparam(f"v_{n}") for n in names})
    )
    params = [
        {**{f"k_{k}": row[k] for k in key}, **{f"v_{n}": row[n] for n in names}} for row in rows
    ]
    await _execute_write(conn, table, stmt, params)


_CAST_DEFAULT = re.compile(r"^'(.*)'(?:::[\w\s()]+)?$", re.DOTALL)


def column_default(col: Column[Any]) -> Any:
    """What the database puts in a column an insert leaves out, as its Python value.

    Understands literal defaults (as written in schema.py or reflected from PostgreSQL, e.g.
    `'0'::bigint`, `'\\x'::bytea`); raises QueryError for any other (a function call).
    """
    default = col.server_default
    if default is None:
        return None
    arg = getattr(default, "arg", None)
    text = arg if isinstance(arg, str) else str(getattr(arg, "text", ""))
    text = text.strip()
    match = _CAST_DEFAULT.match(text)
    if match is not None:
        text = match.group(1).replace("''", "'")
    elif text and not re.fullmatch(r"-?\d+(\.\d+)?", text):
        raise QueryError(f"column {col.name} has a computed default")
    kind = ibax_type_of(col.type)
    if kind == "bytea":
        return bytes.fromhex(text[2:]) if text.startswith("\\x") else text.encode()
    return coerce(kind, col.name, text) if text or kind in TEXT_KINDS else None


def add_to(col: Column[Any], current: Any, value: Any) -> Any:
    """`+col` of an update done in Python: the column's value plus `value`, range-checked."""
    kind = ibax_type_of(col.type)
    if kind not in NUMERIC_KINDS:
        raise QueryError(f"column {col.name} is not numeric")
    return _increment(col, current, coerce(kind, col.name, value if value is not None else 0))
