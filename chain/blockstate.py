"""The block being formed: rows read and written by primary key, kept in memory until needed.

Contracts such as @1TokensSend read and write a few rows by key per transaction. Sending each
statement to the database cost several round trips per transaction; here reads by key are
served from memory after the first, and writes by key are collected and written in bulk
(`flush_block`) before anything else looks at the database: a query of another kind, a native
transfer, the block's seal. Only rows of tables whose columns are plain (numbers, money, text,
bytes) are kept, so a row read back from memory equals what the database would return.

Transactions are layered: a transaction's writes stay apart until it ends, so a failed one is
dropped in memory. Once a transaction needs the database directly (`direct`), the earlier
transactions' writes are flushed, a savepoint is opened, and its own writes follow into it: its
failure then rolls the savepoint back.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Table, UniqueConstraint
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncTransaction

from chain.storage.query import column_of
from chain.storage.repo.rows import (
    column_default,
    insert_many,
    present_values,
    select_by_keys,
    select_rows,
    update_many,
)
from chain.storage.schema import STATIC_TABLES
from chain.storage.values import (
    QueryError,
    column_writer,
    ibax_types,
)

Key = tuple[Any, ...]
Row = dict[str, Any]
Unique = tuple[str, tuple[str, ...]]  # (table name, the columns of a unique constraint)
# Column types whose values read back from the database exactly as they were written (json
# once put in the key order the database keeps: the caller stores it through json_value).
PLAIN_KINDS = frozenset({"number", "money", "varchar", "character", "text", "bytea", "json"})
# Of the node's own tables only these are kept: every other one (contracts, table permissions,
# parameters...) is read straight from the database by code other than contracts' queries,
# which must see a write at once. Custom tables are only ever reached through contracts.
KEPT_STATIC = frozenset({"1_keys", "1_history"})
STATIC_NAMES = frozenset(table.name for table in STATIC_TABLES.values())
# The schema's CHECK constraints, enforced here for rows that reach the database later.
NON_NEGATIVE = {"1_keys": ("amount", "maxpay")}


class _Shape:
    """What the cache needs to know about one table."""

    def __init__(self, table: Table) -> None:
        self.table = table
        self.key = tuple(c.name for c in table.primary_key.columns)
        self.uniques = tuple(
            tuple(c.name for c in constraint.columns)
            for constraint in table.constraints
            if isinstance(constraint, UniqueConstraint)
        )
        # Columns of any unique constraint: an update of one cannot wait in memory.
        self.unique_columns = frozenset(c for names in self.uniques for c in names)
        self.columns: dict[str, Any] = dict(table.columns.items())  # Columns by key
        kinds = ibax_types(table)
        self.plain = (
            bool(self.key)
            and all(k in PLAIN_KINDS for k in kinds.values())
            and (table.name in KEPT_STATIC or table.name not in STATIC_NAMES)
        )
        self.defaults: dict[str, Any] = {}
        for column in table.columns:
            try:
                self.defaults[column.name] = column_default(column)
            except QueryError:
                self.plain = False  # a computed default: only the database knows the value
        self._plan: RowPlan | None = None

    @property
    def plan(self) -> RowPlan:
        """How a new row of this table is made (built on first use)."""
        if self._plan is None:
            self._plan = RowPlan(self.table, self.defaults)
        return self._plan


UNSET: Any = object()  # a RowPlan default that must be coerced each time


class RowPlan:
    """What writing a whole row of one table needs, looked up once per shape.

    `names`: the column each lowercase name means (as `column_of` reads it; anything else
    goes through `column_of`, which also gives its error). `columns`: in table order, each
    column, its writer (`column_writer`) and its default coerced once, or UNSET when that
    value is mutable (json) or its coercion fails (the caller then coerces, and fails, as
    before). A contract's insert fills every column, so each insert did all this again.
    """

    def __init__(self, table: Table, defaults: Mapping[str, Any]) -> None:
        self.table = table
        self.names: dict[str, str] = {}
        for key in table.columns.keys():
            try:
                self.names[key] = column_of(table, key).name
            except QueryError:
                continue
        columns: list[tuple[str, Any, Callable[[Any], Any], Any]] = []  # (name, Column, ...)
        for column in table.columns:
            writer = column_writer(column)
            default = UNSET
            try:
                value = writer(defaults[column.name])
            except (QueryError, TypeError, ValueError, ArithmeticError, KeyError):
                pass
            else:
                if value is None or type(value) in _IMMUTABLE:
                    default = value
            columns.append((column.name, column, writer, default))
        self.columns = tuple(columns)


_IMMUTABLE = frozenset({int, bool, str, bytes, float, Decimal, datetime})


class Missing:
    """The type of MISSING: "memory cannot tell, ask the database"."""


MISSING = Missing()


class RowMemory:
    """Rows as the database holds them after the last block this process sealed.

    It outlives blocks, so a busy account is read once, not once per block; the producer
    empties it whenever the database may have changed behind it.
    """

    def __init__(self, max_rows: int = 200_000) -> None:
        self.max_rows = max_rows
        self.tables: dict[str, dict[Key, Row | None]] = {}

    def clear(self) -> None:
        self.tables.clear()

    def trim(self) -> None:
        """Forget everything once it grows past its bound."""
        if sum(len(rows) for rows in self.tables.values()) > self.max_rows:
            self.tables.clear()


class BlockState:
    """Rows of the block being formed, by table and primary key (see the module docstring)."""

    def __init__(self, conn: AsyncConnection, memory: RowMemory | None = None) -> None:
        self.conn = conn
        self._shapes: dict[str, _Shape] = {}
        self._memory = memory if memory is not None else RowMemory()
        # as in the database (None: absent)
        self._base: dict[str, dict[Key, Row | None]] = self._memory.tables
        self._block: dict[str, dict[Key, Row]] = {}  # written by finished txs, not yet flushed
        self._block_new: dict[str, set[Key]] = {}  # ... of which these are new rows
        self._tx: dict[str, dict[Key, Row]] = {}  # written by the running tx
        self._tx_new: dict[str, set[Key]] = {}
        self._savepoint: AsyncTransaction | None = None
        self._tx_flushed = False
        # Unique values no database row held when preloaded (so a new row's check needs no
        # query), and those of the new rows of finished txs (so it needs no scan either).
        self._absent: dict[Unique, set[Key]] = {}
        self._block_uniques: dict[Unique, set[Key]] = {}

    def shape(self, table: Table) -> _Shape:
        found = self._shapes.get(table.name)
        if found is None:
            found = self._shapes[table.name] = _Shape(table)
        return found

    def cacheable(self, table: Table) -> bool:
        """Are this table's rows kept here (plain columns and a primary key)?"""
        return self.shape(table).plain

    async def preload(
        self,
        table: Table,
        keys: Iterable[Key],
        uniques: Mapping[tuple[str, ...], Iterable[Key]] | None = None,
    ) -> None:
        """Learn many rows by key in one query, and which unique values no row holds yet.

        For rows a block is about to create (an account per new recipient): without it each
        costs a query for the row and one for its unique columns.
        """
        shape = self.shape(table)
        if not shape.plain:
            return
        base = self._base.setdefault(table.name, {})
        wanted = list(dict.fromkeys(k for k in keys if k not in base))
        if wanted:
            found = await select_by_keys(self.conn, table, shape.key, wanted)
            for key in wanted:
                base[key] = found.get(key)
        for columns, values in (uniques or {}).items():
            if columns not in shape.uniques:
                continue
            asked = list(dict.fromkeys(values))
            present = await present_values(self.conn, table, columns, asked)
            absent = self._absent.setdefault((table.name, columns), set())
            absent.update(v for v in asked if v not in present)

    # ---- reads ---------------------------------------------------------------------------

    def peek(self, table: Table, key: Key) -> Row | None | Missing:
        """The row if memory knows it (None: there is none), else MISSING."""
        name = table.name
        for layer in (self._tx, self._block):
            row = layer.get(name, {}).get(key)
            if row is not None:
                return row
        known = self._base.get(name)
        if known is None or key not in known:
            return MISSING
        return known[key]

    async def get(self, table: Table, key: Key) -> Row | None:
        """The row with this primary key as the running tx sees it (None: there is none)."""
        name = table.name
        for layer in (self._tx, self._block):
            row = layer.get(name, {}).get(key)
            if row is not None:
                return row
        base = self._base.setdefault(name, {})
        if key not in base:
            shape = self.shape(table)
            found = await select_rows(
                self.conn, table, where=dict(zip(shape.key, key, strict=True)), limit=1
            )
            base[key] = found[0] if found else None
        return base[key]

    # ---- writes (the caller checked permissions and coerced values) ----------------------

    def update(self, table: Table, key: Key, row: Row) -> None:
        """The row's new values (every column)."""
        self._check(table, row)
        self._tx.setdefault(table.name, {})[key] = row

    async def insert(self, table: Table, row: Row, new_key: bool = False) -> None:
        """A new row; refused now if its key or a unique column set is taken.

        `new_key`: the caller allocated the key past every id in use, so it is free.
        """
        self._check(table, row)
        shape = self.shape(table)
        key = tuple(row[k] for k in shape.key)
        if not new_key and await self.get(table, key) is not None:
            raise QueryError(f"the row conflicts with a row of {table.name} or misses a value")
        for columns in shape.uniques:
            if set(columns) != set(shape.key):
                await self._check_unique(table, columns, row)
        self._tx.setdefault(table.name, {})[key] = row
        self._tx_new.setdefault(table.name, set()).add(key)

    def _check(self, table: Table, row: Row) -> None:
        for column in NON_NEGATIVE.get(table.name, ()):
            value = row.get(column)
            if value is not None and value < 0:
                raise QueryError(f"the row conflicts with a row of {table.name} or misses a value")

    async def _check_unique(self, table: Table, columns: tuple[str, ...], row: Row) -> None:
        wanted = {c: row[c] for c in columns}
        values = tuple(row[c] for c in columns)
        conflict = QueryError(f"the row conflicts with a row of {table.name} or misses a value")
        for other in self._tx.get(table.name, {}).values():
            if all(other.get(c) == v for c, v in wanted.items()):
                raise conflict
        unique = (table.name, columns)
        if values in self._block_uniques.get(unique, ()):
            raise conflict  # a new row of an earlier tx of the block
        # Rows of earlier txs the block only updated keep their unique values (the caller
        # writes a change of those directly), so the database knows every other row's.
        if values in self._absent.get(unique, ()):
            return
        found = await select_rows(self.conn, table, columns=list(columns), where=wanted, limit=1)
        if found:
            raise conflict

    # ---- transactions --------------------------------------------------------------------

    async def direct(self, writes: Iterable[str] | None = None) -> None:
        """The running tx is about to use the database itself: make it current, savepointed.

        `writes`: the tables its statements will write (None: any). What `preload` learnt of
        the unique values no row holds stays true for every other table: a block whose
        contract writes its history row directly keeps its new accounts' check in memory.
        """
        if writes is None:
            self._absent.clear()
        else:
            for name in writes:
                for unique in [u for u in self._absent if u[0] == name]:
                    del self._absent[unique]
        if self._savepoint is None:
            await self.flush_block()
            self._savepoint = await self.conn.begin_nested()
        if self._tx:
            await self._write(self._tx, self._tx_new)
            self._tx_flushed = True
            self._tx.clear()
            self._tx_new.clear()

    async def end_tx(self, ok: bool) -> None:
        """The running tx ended: keep its writes for the block, or forget them."""
        savepoint, self._savepoint = self._savepoint, None
        if ok:
            for name, rows in self._tx.items():
                self._block.setdefault(name, {}).update(rows)
            for name, keys in self._tx_new.items():
                self._block_new.setdefault(name, set()).update(keys)
                self._index_uniques(name, [self._tx[name][k] for k in keys])
            if savepoint is not None:
                await savepoint.commit()
        else:
            if savepoint is not None:
                await savepoint.rollback()
            if self._tx_flushed:
                self._memory.clear()  # rows it wrote to the database are gone again
        self._tx.clear()
        self._tx_new.clear()
        self._tx_flushed = False

    async def flush_block(self) -> None:
        """Write what finished transactions wrote (before the database is read or sealed)."""
        if self._block:
            await self._write(self._block, self._block_new)
            self._block.clear()
            self._block_new.clear()
            self._block_uniques.clear()  # in the database now

    def forget(self, table: Table | str) -> None:
        """A table's rows or shape changed behind our back (native transfers, DDL): read again.

        Call it after `direct()`: nothing of the table may be waiting to be written.
        """
        name = table if isinstance(table, str) else table.name
        self._base.pop(name, None)
        self._shapes.pop(name, None)
        for unique in [u for u in self._absent if u[0] == name]:
            del self._absent[unique]

    def forget_all(self) -> None:
        """Many tables were written directly (a new ecosystem): read everything again."""
        self._memory.clear()
        self._shapes.clear()
        self._absent.clear()

    def _index_uniques(self, name: str, rows: list[Row]) -> None:
        shape = self._shapes.get(name)
        if shape is None:
            return
        for columns in shape.uniques:
            if set(columns) != set(shape.key):
                index = self._block_uniques.setdefault((name, columns), set())
                index.update(tuple(row[c] for c in columns) for row in rows)

    async def _write(self, layer: dict[str, dict[Key, Row]], new: dict[str, set[Key]]) -> None:
        for name, rows in layer.items():
            shape = self._shapes[name]
            fresh = new.get(name, set())
            inserts = [row for key, row in rows.items() if key in fresh]
            updates = [row for key, row in rows.items() if key not in fresh]
            await insert_many(self.conn, shape.table, inserts)
            await update_many(self.conn, shape.table, shape.key, updates)
            for columns in shape.uniques:
                absent = self._absent.get((name, columns))
                if absent:
                    absent.difference_update(tuple(r[c] for c in columns) for r in inserts)
            base = self._base.setdefault(name, {})
            base.update(rows)


def key_of(table: Table, values: Mapping[str, Any]) -> Key:
    """A row's primary key from its values."""
    return tuple(values[c.name] for c in table.primary_key.columns)
