"""What one transaction's contracts reach on the chain: tables, permissions, the rollback log.

(Over 600 lines: TxHost is the one object built-ins talk to; its tables, permissions and
rollback records share one transaction's state.)

Built-ins run synchronously inside the machine; every database call here goes through
`bridge.wait` on the block's connection, so it sees (and writes into) the block being formed.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from sqlalchemy.ext.asyncio import AsyncConnection

from chain.address import address_to_string
from chain.blockstate import UNSET, BlockState, Key, Missing, Row
from chain.identity import NodeIdentity
from chain.storage.query import (
    column_of,
)
from chain.storage.repo.params import get_parameter
from chain.storage.repo.rows import (
    add_to,
    insert_row,
    next_id,
    row_to_text,
    select_rows,
    text_of,
    update_rows,
)
from chain.storage.schema import STATIC_TABLES
from chain.storage.values import (
    QueryError,
    column_writer,
)
from chain.tables import TableCatalog, TableRef
from contracts.bridge import wait
from contracts.errors import HostError
from contracts.permissions import ACCESS_DENIED as ACCESS_DENIED  # built-ins import it here
from contracts.permissions import (
    FOUNDER_TABLES,
    base_column,
    column_condition,
    permission_map,
    readable_columns,
)
from contracts.program import Contract
from contracts.vm import Machine

if TYPE_CHECKING:
    from chain.execute import TxContext

R = TypeVar("R")

DB_FIND_LIMIT = 10_000  # the reference's consts.DBFindLimit
DEFAULT_LIMIT = 25


@dataclass
class BlockCache:
    """Facts contracts look up again and again within one block (dropped when a tx fails)."""

    block_id: int
    permissions: dict[tuple[int, str], tuple[dict[str, str], dict[str, str]] | None] = field(
        default_factory=dict
    )
    next_ids: dict[str, int] = field(default_factory=dict)
    # Notification counts the block's succeeded txs asked to publish (chain.observer.Notices).
    accounts: set[tuple[int, str]] = field(default_factory=set)
    roles: set[tuple[int, int]] = field(default_factory=set)

    def clear(self) -> None:
        """A tx failed: it may have changed 1_tables. Ids it took stay taken: rows of earlier
        txs may still wait in memory under the ids after them, so ids are never reused."""
        self.permissions.clear()


RecordRollback = Callable[[str, str, "dict[str, Any] | None"], None]


@dataclass(frozen=True)
class HostContext:
    """What built-ins know of the transaction they run in (or of an API read, `read_only`)."""

    conn: AsyncConnection
    node: NodeIdentity
    ecosystem: int
    key_id: int
    block_id: int
    block_time: int
    hash: bytes
    lang: str
    state: BlockState | None
    record_rollback: RecordRollback
    read_only: bool = False

    @classmethod
    def of_tx(cls, ctx: TxContext) -> HostContext:
        header = ctx.decoded.tx.header
        return cls(
            conn=ctx.conn,
            node=ctx.node,
            ecosystem=header.ecosystem_id or 1,
            key_id=header.key_id,
            block_id=ctx.block_id,
            block_time=ctx.block_time,
            hash=ctx.hash,
            lang=ctx.decoded.tx.lang,
            state=ctx.state,
            record_rollback=ctx.record_rollback,
        )


def no_writes(table: str, row_id: str, previous: dict[str, Any] | None) -> None:
    """The rollback log of a read-only host: reaching it means a write was attempted."""
    raise HostError("a read cannot write")


class Runtime(Protocol):
    """What built-ins need from the contract book: compiling and running other code."""

    def eval_condition(self, m: Machine, text: str) -> bool:
        """Evaluate a permission condition in the running machine."""

    def check_condition(self, text: str) -> None:
        """Raise HostError unless the condition compiles."""

    def find_contract(self, m: Machine, full_name: str) -> Contract | None:
        """A contract by its @N name."""

    def run_conditions(self, m: Machine, contract: Contract) -> None:
        """Run a contract's conditions with the caller's $ variables (ContractConditions)."""

    def contract_names(self, source: str) -> list[str]:
        """The names of the contracts a source defines ([] if it does not parse)."""

    def check_source(self, source: str, ecosystem: int) -> None:
        """Raise HostError unless the source parses and compiles in the ecosystem."""

    def contract_id(self, contract: Contract) -> int:
        """The table id of a contract."""

    def contracts_changed(self) -> None:
        """1_contracts changed in this block: look contracts up again."""

    def create_ecosystem(self, m: Machine, wallet: int, name: str) -> int:
        """Create an ecosystem with its default rows and contracts; its id."""


class TxHost:
    """The chain as one transaction's built-ins see it."""

    def __init__(
        self,
        ctx: HostContext,
        catalog: TableCatalog,
        cache: BlockCache,
        runtime: Runtime,
    ) -> None:
        self.ctx = ctx
        self.conn: AsyncConnection = ctx.conn
        self.ecosystem = ctx.ecosystem
        self.key_id = ctx.key_id
        self.catalog = catalog
        self.cache = cache
        self.runtime = runtime
        self.full_access = 0  # >0 while a system built-in writes on the caller's behalf
        self.did_ddl = False
        self.random: dict[str, tuple[Callable[..., Any], int]] | None = None
        self.state: BlockState | None = ctx.state
        # UpdateNotifications / UpdateRolesNotifications: kept if the tx succeeds.
        self.accounts: set[tuple[int, str]] = set()
        self.roles: set[tuple[int, int]] = set()

    def writable(self) -> None:
        """Refuse a write from a read-only host (an API read evaluating conditions)."""
        if self.ctx.read_only:
            raise HostError("a read cannot write")

    def wait(self, awaitable: Awaitable[R]) -> R:
        """Await a storage call from inside the machine; storage errors become contract errors."""
        try:
            return wait(awaitable)
        except QueryError as exc:
            raise HostError(str(exc)) from exc

    # ---- tables --------------------------------------------------------------------------

    def table(self, name: str) -> TableRef:
        """The table a contract names, or a contract error."""
        if not isinstance(name, str) or not name:
            raise HostError("the table name cannot be empty")
        known = self.catalog.known(self.ecosystem, name)
        ref = (
            self.wait(self.catalog.resolve(self.conn, self.ecosystem, name))
            if isinstance(known, Missing)
            else known
        )
        if ref is None:
            raise HostError(f"table {name} has not been found")
        return ref

    def permissions(self, ref: TableRef) -> tuple[dict[str, str], dict[str, str]] | None:
        """(table permissions, column permissions) from 1_tables, or None if it has no row."""
        key = ref.rights_key
        if key not in self.cache.permissions:
            tables = STATIC_TABLES["tables"]
            rows = self.wait(
                select_rows(
                    self.conn,
                    tables,
                    columns=["permissions", "columns"],
                    where={"name": ref.name, "ecosystem": key[0]},
                    limit=1,
                )
            )
            found = None
            if rows:
                found = (
                    permission_map(rows[0]["permissions"]),
                    permission_map(rows[0]["columns"]),
                )
            self.cache.permissions[key] = found
        return self.cache.permissions[key]

    def permissions_row(self, name: str) -> int | None:
        """The id of this ecosystem's 1_tables row for a table, or None."""
        rows = self.wait(
            select_rows(
                self.conn,
                STATIC_TABLES["tables"],
                columns=["id"],
                where={"name": name.lower(), "ecosystem": self.ecosystem},
                limit=1,
            )
        )
        return int(rows[0]["id"]) if rows else None

    def column_permissions(self, name: str) -> dict[str, str] | None:
        """A table's column permissions in this ecosystem (None if it has no 1_tables row)."""
        ref = self.wait(self.catalog.resolve(self.conn, self.ecosystem, name))
        if ref is None:
            return None
        found = self.permissions(ref)
        return dict(found[1]) if found is not None else None

    def table_exists(self, name: str) -> bool:
        """Is there a physical table for this name in this ecosystem?"""
        return self.wait(self.catalog.resolve(self.conn, self.ecosystem, name)) is not None

    def forget_permissions(self) -> None:
        """1_tables changed: look its rows up again."""
        self.cache.permissions.clear()

    def check_table(self, m: Machine, ref: TableRef, action: str) -> dict[str, str] | None:
        """Evaluate the table's permission for insert/update/new_column/read."""
        if self.full_access:
            return None
        if ref.name in FOUNDER_TABLES and not ref.custom:
            if action == "read" or self.is_founder():
                return None
            raise HostError(ACCESS_DENIED)
        found = self.permissions(ref)
        if found is None:
            if action == "read":
                return None
            raise HostError(f"{ref.full_name} is not a custom table")
        perms = found[0]
        condition = perms.get(action, "")
        if condition and not self.runtime.eval_condition(m, condition):
            raise HostError(ACCESS_DENIED)
        return perms

    def check_columns(
        self, m: Machine, ref: TableRef, columns: Sequence[str], update: bool
    ) -> list[str]:
        """Columns the caller may write (all, or Access denied) or read (those it may)."""
        if self.full_access:
            return list(columns)
        if ref.name in FOUNDER_TABLES and not ref.custom:
            if update and not self.is_founder():
                raise HostError(ACCESS_DENIED)
            return list(columns)
        found = self.permissions(ref)
        if found is None:
            return list(columns)
        col_perms = found[1]
        if not update:
            allowed = readable_columns(
                col_perms, columns, lambda condition: self.runtime.eval_condition(m, condition)
            )
            if not allowed:
                raise HostError(ACCESS_DENIED)
            return allowed
        # Column names are case-insensitive, as the queries that write them.
        names = list(col_perms) if list(columns) == ["*"] else [c.lower() for c in columns]
        for column in names:
            condition = column_condition(col_perms.get(base_column(column), ""), update)
            if condition and not self.runtime.eval_condition(m, condition):
                raise HostError(ACCESS_DENIED)
        return names

    def is_founder(self) -> bool:
        founder = self.wait(get_parameter(self.conn, self.ecosystem, "founder_account"))
        return founder is not None and founder.strip() == str(self.key_id)

    # ---- rows ----------------------------------------------------------------------------

    def select(
        self,
        m: Machine,
        name: str,
        *,
        columns: Sequence[str] | str | None = None,
        where: Mapping[str, Any] | None = None,
        order: Any = None,
        limit: int = DEFAULT_LIMIT,
        offset: int = 0,
        row_id: int = 0,
    ) -> list[dict[str, str]]:
        """DBSelect: rows as the reference returns them, every value as text."""
        ref = self.table(name)
        perms = self.check_table(m, ref, "read")
        wanted = _column_list(columns)
        wanted = self.check_columns(m, ref, wanted, update=False)
        condition: dict[str, Any] = dict(where or {})
        if row_id:
            condition = {"id": row_id}
            limit = 1
        if limit <= 0 or limit > DB_FIND_LIMIT:
            limit = DEFAULT_LIMIT if limit == 0 else DB_FIND_LIMIT
        cached = self._cached_row(ref, condition) if offset <= 0 else None
        if cached is not None:
            found = cached[1]
            rows = [] if found is None else [_project(found, wanted)]
        else:
            self.direct_reads(ref)
            extra = ref.scope if "ecosystem" not in condition else None
            rows = self.wait(
                select_rows(
                    self.conn,
                    ref.table,
                    columns=None if wanted == ["*"] else wanted,
                    where=condition,
                    order=order,
                    limit=limit,
                    offset=max(offset, 0),
                    extra=extra,
                )
            )
        if perms and perms.get("filter") and not self.runtime.eval_condition(m, perms["filter"]):
            raise HostError(ACCESS_DENIED)
        return [row_to_text(row, ref.types) for row in rows]

    def insert(self, m: Machine, name: str, values: Mapping[str, Any]) -> int:
        """DBInsert: a new row (id assigned as max+1 unless given); returns its id."""
        self.writable()
        ref = self.table(name)
        if ref.name == "platform_parameters":
            raise HostError("platform parameters access denied")
        if not values:
            raise HostError("values are undefined")
        self.check_table(m, ref, "insert")
        return self.insert_checked(ref, values)

    def insert_checked(self, ref: TableRef, values: Mapping[str, Any]) -> int:
        """Insert a row (permissions already checked) and log it; returns its id."""
        row = {k.lower(): v for k, v in values.items()}
        if ref.shared and "ecosystem" not in row:
            row["ecosystem"] = ref.ecosystem
        allocated = "id" not in row
        if allocated:
            row["id"] = self.next_id(ref)
        if self.state is not None and self.state.cacheable(ref.table):
            full = self._full_row(ref, row)
            self.wait(self.state.insert(ref.table, full, new_key=allocated))
            row = full
        else:
            self.direct(ref)
            self.wait(insert_row(self.conn, ref.table, row))
        self._track_next_id(ref, int(row["id"]))
        self.ctx.record_rollback(ref.full_name, _row_key(ref, row), None)
        if ref.name == "tables":
            self.forget_permissions()
        return int(row["id"])

    def update(
        self, m: Machine, name: str, where: Mapping[str, Any], values: Mapping[str, Any]
    ) -> None:
        """DBUpdateExt: set `values` on every row matching `where`; `+col` adds to a column."""
        ref = self.table(name)
        if ref.name == "platform_parameters":
            raise HostError("platform parameters access denied")
        if not values:
            raise HostError("values are undefined")
        if not where:
            raise HostError("update without where")
        self.check_table(m, ref, "update")
        changes = {k.lower(): v for k, v in values.items()}
        self.check_columns(m, ref, list(changes), update=True)
        self.update_rows(ref, where, changes)

    def update_rows(
        self, ref: TableRef, where: Mapping[str, Any], changes: Mapping[str, Any]
    ) -> None:
        """Update matching rows and log each one's previous values (no permission checks)."""
        self.writable()
        written = [c.lstrip("+") for c in changes]
        # A json field (`doc->key`) changes its whole column: that is what a rollback restores.
        plain = list(dict.fromkeys(c.split("->", 1)[0] for c in written))
        cached = self._cached_row(ref, where)
        if cached is not None and self._writes_behind(ref, written):
            key, found = cached
            if found is None:
                raise HostError("update for not existing record")
            new_row = self._changed_row(ref, found, changes)
            self.wait_state().update(ref.table, key, new_row)
            previous = _previous(found, plain, ref.types)
            self.ctx.record_rollback(ref.full_name, _row_key(ref, found), previous)
            return
        self.direct(ref)
        key_columns = ["id", "ecosystem"] if ref.shared else ["id"]
        condition = dict(where)
        extra = ref.scope if ref.shared and "ecosystem" not in condition else None
        before = self.wait(
            select_rows(
                self.conn,
                ref.table,
                columns=list(dict.fromkeys(key_columns + plain)),
                where=condition,
                order=None,
                limit=DB_FIND_LIMIT,
                offset=0,
                extra=extra,
            )
        )
        if not before:
            raise HostError("update for not existing record")
        for row in before:
            match = {c: row[c] for c in key_columns}
            self.wait(update_rows(self.conn, ref.table, match, changes))
            previous = _previous(row, plain, ref.types)
            self.ctx.record_rollback(ref.full_name, _row_key(ref, match), previous)
        if ref.name == "tables":
            self.forget_permissions()

    # ---- the block's rows in memory (chain.blockstate) -----------------------------------

    def direct(self, writes: TableRef | None = None) -> None:
        """This tx writes the database itself next (`writes`, or any table when None): bring
        it up to date, in a savepoint."""
        self.writable()
        if self.state is not None:
            self.wait(self.state.direct(None if writes is None else (writes.table.name,)))

    def direct_reads(self, ref: TableRef) -> None:
        """A query the memory cannot answer: a table with rows written behind must be flushed."""
        if self.state is not None and self.state.cacheable(ref.table):
            self.wait(self.state.direct(writes=()))

    def wait_state(self) -> BlockState:
        if self.state is None:
            raise HostError("no block is being formed")
        return self.state

    def _cached_row(self, ref: TableRef, where: Mapping[str, Any]) -> tuple[Key, Row | None] | None:
        """(key, row or None) when `where` names one row by primary key of a cached table."""
        state = self.state
        if state is None or not where:
            return None
        shape = state.shape(ref.table)
        if not shape.plain:
            return None
        key_columns = shape.key
        # The shape's columns are ref.table's (by key), unless the shape is stale.
        columns = shape.columns if shape.table is ref.table else dict(ref.table.columns.items())
        checks: dict[str, Any] = {}
        values: dict[str, Any] = {}
        for name, value in where.items():
            col = columns.get(name.lower()) if isinstance(name, str) else None
            if col is None or isinstance(value, (dict, list)) or value is None:
                return None
            column = col.key
            try:
                coerced = column_writer(col)(value)
            except (QueryError, TypeError, ValueError, ArithmeticError):
                return None  # the database path gives the error
            (values if column in key_columns else checks)[column] = coerced
        if ref.shared and "ecosystem" not in values and "ecosystem" not in checks:
            (values if "ecosystem" in key_columns else checks)["ecosystem"] = ref.ecosystem
        if set(values) != set(key_columns):
            return None
        key = tuple(values[c] for c in key_columns)
        peeked = state.peek(ref.table, key)
        found = self.wait(state.get(ref.table, key)) if isinstance(peeked, Missing) else peeked
        if found is not None and any(found.get(c) != v for c, v in checks.items()):
            found = None
        return key, found

    def _writes_behind(self, ref: TableRef, columns: Sequence[str]) -> bool:
        """May an update of these columns wait in memory? Not if it changes a unique column."""
        unique = self.wait_state().shape(ref.table).unique_columns
        return not any(c in unique or "->" in c for c in columns)

    def _full_row(self, ref: TableRef, values: Mapping[str, Any]) -> Row:
        """A new row as the database would store it: every column, defaults filled in."""
        shape = self.wait_state().shape(ref.table)
        if shape.table is not ref.table:  # never expected: the slow path for a stale shape
            return self._full_row_slow(ref, values, shape.defaults)
        plan = shape.plan
        names = plan.names
        row: Row = {}
        for name, value in values.items():
            known = names.get(name)
            row[known if known is not None else column_of(ref.table, name).name] = value
        full: Row = {}
        for name, column, writer, default in plan.columns:
            if name in row:
                full[name] = self._write(column, writer, row[name])
            elif default is not UNSET:
                full[name] = default
            else:
                full[name] = self._coerce(column, shape.defaults[name])
        return full

    def _full_row_slow(
        self, ref: TableRef, values: Mapping[str, Any], defaults: Mapping[str, Any]
    ) -> Row:
        row: Row = {}
        for name, value in values.items():
            row[column_of(ref.table, name).name] = value
        full: Row = {}
        for column in ref.table.columns:
            if column.name in row:
                full[column.name] = self._coerce(column, row[column.name])
            else:
                full[column.name] = self._coerce(column, defaults[column.name])
        return full

    def _changed_row(self, ref: TableRef, found: Row, changes: Mapping[str, Any]) -> Row:
        row = dict(found)
        for name, value in changes.items():
            if name.startswith("+"):
                column = column_of(ref.table, name[1:])
                row[column.name] = add_to(column, found[column.name], value)
            else:
                column = column_of(ref.table, name)
                row[column.name] = self._coerce(column, value)
        return row

    def _coerce(self, column: Any, value: Any) -> Any:
        return self._write(column, column_writer(column), value)

    def _write(self, column: Any, writer: Callable[[Any], Any], value: Any) -> Any:
        try:
            return writer(value)
        except (TypeError, ValueError, ArithmeticError) as exc:
            raise HostError(f"value of column {column.name}: {exc}") from exc

    def next_id(self, ref: TableRef) -> int:
        known = self.cache.next_ids.get(ref.full_name)
        if known is None:
            known = self.wait(next_id(self.conn, ref.table))
            self.cache.next_ids[ref.full_name] = known
        return known

    def _track_next_id(self, ref: TableRef, used: int) -> None:
        current = self.cache.next_ids.get(ref.full_name, 0)
        self.cache.next_ids[ref.full_name] = max(current, used + 1)

    # ---- helpers for system built-ins -----------------------------------------------------

    def row_record(self, ref: TableRef, row: Mapping[str, Any]) -> Row:
        """A whole row as a rollback record keeps values (see `_previous`)."""
        return _previous(row, list(row), ref.types)

    def writing_for_system(self) -> _FullAccess:
        """`with host.writing_for_system():` built-in writes that skip table permissions."""
        return _FullAccess(self)

    @property
    def account(self) -> str:
        return address_to_string(self.key_id)


class _FullAccess:
    def __init__(self, host: TxHost) -> None:
        self.host = host

    def __enter__(self) -> None:
        self.host.full_access += 1

    def __exit__(self, *exc: object) -> None:
        self.host.full_access -= 1


def _project(row: Row, columns: Sequence[str]) -> Row:
    if list(columns) == ["*"]:
        return dict(row)
    return {c: row[c] for c in columns if c in row}


def _column_list(columns: Sequence[str] | str | None) -> list[str]:
    if columns is None or columns == "" or columns == "*":
        return ["*"]
    if isinstance(columns, str):
        items: Iterable[Any] = columns.split(",")
    else:
        items = columns
    found = [str(c).strip().lower() for c in items if str(c).strip()]
    return found or ["*"]


def _previous(row: Mapping[str, Any], columns: Sequence[str], types: Mapping[str, str]) -> Row:
    """Columns of a row before an update, as rollback_tx keeps them: each value's text as
    DBFind gives it, except what that text would lose: NULL is null (not ""), and a time
    keeps its microseconds. A rollback turns them back into the columns' values."""
    previous: Row = {}
    for name in columns:
        value = row[name]
        if value is None:
            previous[name] = None
        elif isinstance(value, datetime) and value.microsecond:
            previous[name] = value.isoformat(sep=" ")
        else:
            previous[name] = text_of(value, types.get(name))
    return previous


def _row_key(ref: TableRef, row: Mapping[str, Any]) -> str:
    """How rollback_tx names a row: its id, and for 1_keys "id,ecosystem" as the reference."""
    if ref.name == "keys" and ref.shared:
        return f"{row['id']},{row['ecosystem']}"
    return str(row["id"])
