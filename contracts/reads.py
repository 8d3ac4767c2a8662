"""Reads of an ecosystem's tables with the permissions `1_tables` gives (data API, pages).

A read goes down the layers and back once: the table is resolved, its rows and its
`1_tables` rights come in one statement, the rights are evaluated as a contract would with
the caller's key and ecosystem (the table's `read`, each column's read condition, and on
request its `filter`), and only what the caller may see is returned. A false or failing
condition is `ReadDenied`; an unknown table `TableNotFound` (both chain errors, no HTTP).
"""

from __future__ import annotations

import json
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncConnection

from chain.errors import ReadDenied, TableNotFound
from chain.freshness import HeadKeyed, Heads
from chain.golang.time import DATE_TIME_LAYOUT, format_time
from chain.identity import NodeIdentity
from chain.storage.repo.tabledata import (
    NULL_TEXT,
    RollbackRecord,
    RowPage,
    TableEntry,
    TableRights,
    count_scoped,
    get_row,
    get_table_entry,
    get_table_rights,
    list_row_history,
    list_rows,
    list_table_names,
    row_exists,
    sum_rows,
)
from chain.tables import TableCatalog, TableRef, split_name
from contracts.bridge import pause, run_sync
from contracts.errors import ContractError, HostError
from contracts.host import BlockCache, HostContext, Runtime, TxHost, no_writes
from contracts.permissions import (
    FOUNDER_TABLES,
    base_column,
    column_condition,
    is_open,
    readable_columns,
)
from contracts.vm import Limits, Machine

READ_LIMITS = Limits(fuel=200_000, seconds=0.5)  # evaluating one read's conditions
HISTORY_LIMIT = 100  # the reference's rollbackHistoryLimit
HISTORY_ROWS = 250  # the reference's historyLimit: changes GetHistory reads


@dataclass(frozen=True, slots=True)
class Caller:
    """Who reads: conditions see `ecosystem` and `key_id` as $ecosystem_id and $key_id.

    `role_id` is the caller's role, for rules that depend on it (a page's, a section's);
    table conditions do not see it, as the reference's read checks set no role.
    """

    ecosystem: int
    key_id: int
    role_id: int = 0


class ReadRuntime(Runtime, Protocol):
    """What evaluating read conditions needs of the contract book (contracts.book)."""

    def caller_vars(self, key_id: int, ecosystem: int) -> dict[str, Any]:
        """The $ variables every contract of this key and ecosystem sees."""


Fetch = Callable[[TableRef], Awaitable[RowPage]]


class TableReads:
    """The read use cases of the data API and of page templates' DBFind.

    One per node process: its catalogs remember custom tables as committed, one catalog per
    chain head (the block producer's catalog, which sees uncommitted DDL, is another). Every
    method takes the connection to read on; `chain.storage.engine.read_connection` gives one
    for reads. The head is read once per connection (`heads`), so once per request.
    """

    def __init__(self, runtime: ReadRuntime, node: NodeIdentity, heads: Heads) -> None:
        self._runtime = runtime
        self._node = node
        self._heads = heads
        self._catalogs: HeadKeyed[TableCatalog] = HeadKeyed(TableCatalog)

    async def catalog(self, conn: AsyncConnection) -> TableCatalog:
        """The catalog of the head as this connection first saw it."""
        return self._catalogs.at(await self._heads.of(conn))

    # ---- use cases -----------------------------------------------------------------------

    async def table(self, conn: AsyncConnection, ecosystem: int, name: str) -> TableRef | None:
        """The table `name` means in `ecosystem` (`@N` selects ecosystem N), or None."""
        return await (await self.catalog(conn)).resolve(conn, ecosystem, name)

    async def list_rows(
        self,
        conn: AsyncConnection,
        caller: Caller,
        name: str,
        *,
        columns: Sequence[str] = (),
        where: Any = None,
        order: Any = None,
        limit: int,
        offset: int,
        apply_filter: bool = False,
    ) -> RowPage:
        """How many rows match and one page of them (every value text, NULL as "NULL").

        `columns` ([] or "*": all; `id` always comes), `where` and `order` are DBFind's;
        shared tables show the caller's ecosystem's rows only. Columns the caller may not
        read are left out. `apply_filter` also evaluates the table's `filter` permission
        with the page as $data, as DBFind does (the data API does not, nor the reference's).
        """
        names = column_names(columns)

        async def fetch(ref: TableRef) -> RowPage:
            return await list_rows(
                conn,
                ref.table,
                columns=names,
                where=where,
                order=order,
                limit=limit,
                offset=offset,
                ecosystem=_shown_ecosystem(ref),
                rights_of=ref.rights_key,
            )

        return await self._read(conn, caller, name, names, fetch, apply_filter)

    async def get_row(
        self,
        conn: AsyncConnection,
        caller: Caller,
        name: str,
        value: str,
        *,
        column: str = "id",
        columns: Sequence[str] = (),
    ) -> dict[str, str] | None:
        """The first row (by id) whose `column` equals `value`, as list_rows shows rows.

        None when there is none; permission is checked all the same, so a denied table
        does not tell whether the row exists.
        """
        names = column_names(columns)

        async def fetch(ref: TableRef) -> RowPage:
            return await get_row(
                conn,
                ref.table,
                column,
                value,
                columns=names,
                ecosystem=_shown_ecosystem(ref),
                rights_of=ref.rights_key,
            )

        page = await self._read(conn, caller, name, names, fetch, False)
        return page.rows[0] if page.rows else None

    async def sum_rows(
        self, conn: AsyncConnection, caller: Caller, name: str, column: str, *, where: Any = None
    ) -> str:
        """The sum of a numeric column over the matching rows as text ("" when none match)."""
        column = column.strip().lower()
        ref = await self._open(conn, caller, name)
        rights = await get_table_rights(conn, *ref.rights_key)
        await self._readable(conn, caller, ref, rights, [column] if column else [], None)
        return await sum_rows(conn, ref.table, column, where=where, scope=ref.scope)

    async def row_history(
        self, conn: AsyncConnection, caller: Caller, name: str, row_id: int
    ) -> list[dict[str, str]]:
        """A row's previous values before each change (newest first, at most 100), as text.

        Only a row of the caller's ecosystem; an unknown table or row has no history.
        """
        ref = await (await self.catalog(conn)).resolve(conn, caller.ecosystem, name)
        if ref is None:
            return []  # the reference answers an empty list too
        rights = await get_table_rights(conn, *ref.rights_key)
        selected = await self._readable(conn, caller, ref, rights, [], None)
        # Ids of a shared table run across ecosystems: only the caller's row is shown.
        if not await row_exists(conn, ref.table, row_id, ref.scope):
            return []
        key = f"{row_id},{ref.ecosystem}" if ref.name == "keys" else str(row_id)
        found = await list_row_history(conn, ref.full_name, key, limit=HISTORY_LIMIT)
        return [history_entry(data, selected) for data in found]

    async def readable(
        self, conn: AsyncConnection, caller: Caller, name: str
    ) -> tuple[TableRef, list[str] | None]:
        """The table `name` means for the caller and the columns it may read (None: all).

        For readers that fetch rows their own way (a page's GetHistory): TableNotFound and
        ReadDenied as list_rows raises them.
        """
        ref = await self._open(conn, caller, name)
        rights = await get_table_rights(conn, *ref.rights_key)
        return ref, await self._readable(conn, caller, ref, rights, [], None)

    async def list_tables(
        self, conn: AsyncConnection, ecosystem: int, *, limit: int, offset: int
    ) -> tuple[int, list[tuple[str, int]]]:
        """(how many tables `1_tables` describes in `ecosystem`, a page of (name, row count))."""
        total, names = await list_table_names(conn, ecosystem, limit=limit, offset=offset)
        counted = []
        catalog = await self.catalog(conn)
        for name in names:
            ref = await catalog.resolve(conn, ecosystem, name)
            counted.append((name, await count_scoped(conn, ref.table, ref.scope) if ref else 0))
        return total, counted

    async def describe_table(
        self, conn: AsyncConnection, ecosystem: int, name: str
    ) -> tuple[TableEntry, Mapping[str, str]]:
        """A table's `1_tables` row in `ecosystem` and its columns' IBAX types.

        `TableNotFound` names the table as given; types are {} for a row whose table is gone.
        """
        eco, short = split_name(name, ecosystem)
        entry = await get_table_entry(conn, eco, short)
        if entry is None:
            raise TableNotFound(name)
        ref = await (await self.catalog(conn)).resolve(conn, ecosystem, name)
        return entry, ref.types if ref is not None else {}

    # ---- the steps -----------------------------------------------------------------------

    async def _open(self, conn: AsyncConnection, caller: Caller, name: str) -> TableRef:
        """The table `name` means for the caller, or TableNotFound naming `<ecosystem>_<name>`."""
        ref = await (await self.catalog(conn)).resolve(conn, caller.ecosystem, name)
        if ref is None:
            ecosystem, short = split_name(name, caller.ecosystem)
            raise TableNotFound(f"{ecosystem}_{short}")
        return ref

    async def _read(
        self,
        conn: AsyncConnection,
        caller: Caller,
        name: str,
        columns: list[str],
        fetch: Fetch,
        apply_filter: bool,
    ) -> RowPage:
        """Rows `fetch` reads, with only what the caller may see.

        The rows and the table's rights come in one statement; permission is checked before
        anything is returned.
        """
        ref = await self._open(conn, caller, name)
        page = await fetch(ref)
        if page.rights_known:
            rights = page.rights
        else:  # no row came back to carry them
            rights = await get_table_rights(conn, *ref.rights_key)
        rows = page.rows if apply_filter else None
        return _project(page, await self._readable(conn, caller, ref, rights, columns, rows))

    async def _readable(
        self,
        conn: AsyncConnection,
        caller: Caller,
        ref: TableRef,
        rights: TableRights | None,
        columns: list[str],
        rows: list[dict[str, str]] | None,
    ) -> list[str] | None:
        """The columns the caller may read: None for all, else `id` and those it may.

        The table's read permission and the asked columns' read conditions (all columns'
        for []) are evaluated, and the `filter` over `rows` unless they are None. A denied
        table, a filter that fails, or every asked column denied is ReadDenied.
        """
        every = ["id", *columns] if columns else None
        if rights is None or (ref.name in FOUNDER_TABLES and not ref.custom):
            return every  # no 1_tables row, or a table everybody reads: nothing to evaluate
        filter_condition = rights.permissions.get("filter", "") if rows is not None else ""
        if not filter_condition and _open_to_all(rights, columns):
            return every  # most tables are read this way: no contract machine to run
        machine = self._machine(conn, caller, await self.catalog(conn))

        def allows(condition: str) -> bool:
            return self._runtime.eval_condition(machine, condition)

        def check() -> list[str]:
            condition = rights.permissions.get("read", "")
            if condition and not allows(condition):
                raise ReadDenied(f"read: {condition}")
            allowed = readable_columns(rights.columns, columns or ["*"], allows)
            if not allowed:
                raise ReadDenied("no column may be read")
            if filter_condition and rows is not None:
                selected = None if allowed == ["*"] else ["id", *allowed]
                machine.tx["data"] = _project_rows(rows, selected)
                if not allows(filter_condition):
                    raise ReadDenied(f"filter: {filter_condition}")
            return allowed

        try:
            allowed = await run_sync(check)
        except (ContractError, HostError) as exc:
            # A condition that fails to run denies the read, as a false one does.
            raise ReadDenied(str(exc)) from exc
        return None if allowed == ["*"] else ["id", *allowed]

    def _machine(self, conn: AsyncConnection, caller: Caller, catalog: TableCatalog) -> Machine:
        """A read-only machine to evaluate conditions in, as the caller's contract would."""
        ctx = HostContext(
            conn=conn,
            node=self._node,
            ecosystem=caller.ecosystem,
            key_id=caller.key_id,
            block_id=0,
            block_time=int(time.time()),
            hash=b"",
            lang="en",
            state=None,
            record_rollback=no_writes,
            read_only=True,
        )
        host = TxHost(ctx, catalog, BlockCache(0), self._runtime)
        tx_vars = self._runtime.caller_vars(caller.key_id, caller.ecosystem)
        machine = Machine(READ_LIMITS, tx_vars, host=host, pause=pause)
        machine.contracts = lambda full: self._runtime.find_contract(machine, full)
        return machine


def column_names(columns: Sequence[str]) -> list[str]:
    """Asked columns as queries read them: trimmed, lowercased; [] (every column) for "*".

    Lowercased before permissions are looked up, so a permission is that of the column the
    query really reads.
    """
    names = [c.strip().lower() for c in columns if c.strip()]
    return [] if "*" in names else names


def history_entry(data: str, selected: list[str] | None) -> dict[str, str]:
    """One rollback record's previous values as text, only the `selected` columns (None: all)."""
    try:
        values = json.loads(data)
    except ValueError:
        values = {}
    if not isinstance(values, dict):
        values = {}
    if selected is not None:  # columns the caller may not read are left out
        values = {k: v for k, v in values.items() if k in selected}
    return {str(k): _as_text(v) for k, v in values.items()}


def row_versions(
    current: dict[str, str], records: Sequence[RollbackRecord], rollback_id: int
) -> list[dict[str, str]]:
    """GetHistoryRaw: the row before each change, newest first; each version carries the
    id, block and time of the change before it (the oldest: block 1, no id or time)."""
    versions: list[dict[str, str]] = []
    for record in records:
        if versions:
            last = versions[-1]
            last["block_id"] = str(record.block_id)
            last["id"] = str(record.id)
            if record.block_time is not None:
                last["block_time"] = format_time(DATE_TIME_LAYOUT, record.block_time)
            if rollback_id == record.id:
                return [last]
        if not record.data:
            continue
        version = dict(current)
        version.update(history_entry(record.data, None))
        versions.append(version)
        current = version
    if records and records[-1].data and versions:
        versions[-1].update(block_id="1", id="", block_time="")
    return [] if rollback_id > 0 else versions


def _as_text(value: object) -> str:
    # Rollback records keep NULL as null: shown as the list endpoint shows it.
    if value is None:
        return NULL_TEXT
    return value if isinstance(value, str) else json.dumps(value, separators=(",", ":"))


def _shown_ecosystem(ref: TableRef) -> int | None:
    """The ecosystem whose rows a shared table shows (None: every row is the table's own)."""
    return ref.ecosystem if ref.shared else None


def _open_to_all(rights: TableRights, columns: list[str]) -> bool:
    """True when the table and the asked columns have no read condition (or just "true")."""
    if not is_open(rights.permissions.get("read", "")):
        return False
    names = [base_column(c) for c in columns] if columns else list(rights.columns)
    return all(is_open(column_condition(rights.columns.get(n, ""), False)) for n in names)


def _project_rows(rows: list[dict[str, str]], selected: list[str] | None) -> list[dict[str, str]]:
    if selected is None:
        return rows
    keep = {name.replace("->", ".") for name in selected}  # json paths come back as a.b
    return [{k: v for k, v in row.items() if k in keep} for row in rows]


def _project(page: RowPage, selected: list[str] | None) -> RowPage:
    if selected is None:
        return page
    return RowPage(page.count, _project_rows(page.rows, selected))
