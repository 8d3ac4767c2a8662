"""Which physical table a name means: shared 1_* tables, platform tables and custom ones."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import ColumnElement, Table
from sqlalchemy.ext.asyncio import AsyncConnection

from chain.blockstate import MISSING, Missing
from chain.numbers import clamp_int64
from chain.storage.ddl import load_custom_table, valid_table_name
from chain.storage.query import ecosystem_scope
from chain.storage.schema import FIRST_ECOSYSTEM_TABLES, PLATFORM_TABLES, STATIC_TABLES
from chain.storage.values import (
    ibax_types,
)

# rollback_tx.table_name of what a block did besides changing rows, so it can be undone:
DDL_TABLE = "@create_table"  # table_id: the new table's physical name
DDL_COLUMN = "@add_column"  # table_id: "<table>.<column>"
NEW_ECOSYSTEM = "@new_ecosystem"  # table_id: the new ecosystem's id
# data: {"columns": {name: type}, "indexes": [column], "row": its 1_tables row}
DDL_DROP_TABLE = "@drop_table"  # table_id: the dropped (empty) table's physical name
DDL_DROP_COLUMN = "@drop_column"  # table_id: "<table>.<column>"; data: the table's shape before
# ({"columns", "indexes"}, as for a dropped table)
DDL_VIEW = "@create_view"  # table_id: the new view's physical name

MAX_STATIC_REFS = 10_000
_NAME = re.compile(r"^@([0-9]+)(.+)$", re.DOTALL)


@dataclass(frozen=True)
class TableRef:
    """A table as one ecosystem sees it.

    Shared tables (`1_pages`, ...) hold every ecosystem's rows, told apart by their `ecosystem`
    column: reads filter on it and inserts set it. Platform tables (`1_ecosystems`, ...) have
    no such column. Custom tables are `<ecosystem>_<name>`, created by @1NewTable.
    """

    name: str  # as 1_tables knows it: "pages", "mytable"
    full_name: str  # the physical table: "1_pages", "2_mytable"
    ecosystem: int
    table: Table
    types: Mapping[str, str]
    shared: bool
    platform: bool

    @property
    def scope(self) -> ColumnElement[bool] | None:
        """The condition that keeps reads to this ecosystem's rows (None: all rows are)."""
        if self.shared:
            return ecosystem_scope(self.table, self.ecosystem)
        return None

    @property
    def custom(self) -> bool:
        return not self.shared and not self.platform

    @property
    def rights_key(self) -> tuple[int, str]:
        """Where `1_tables` describes this table: (ecosystem, name); platform tables in 1."""
        return (1 if self.platform else self.ecosystem, self.name)


def split_name(text: str, default_ecosystem: int) -> tuple[int, str]:
    """`@5name` -> (5, "name"); a plain name belongs to `default_ecosystem`; lowercased."""
    match = _NAME.match(text)
    if match is not None:
        # Clamped: an ecosystem number past int64 names no ecosystem, and must not reach SQL.
        return clamp_int64(match.group(1)), match.group(2).lower()
    return default_ecosystem, text.lower()


class TableCatalog:
    """Resolves table names; remembers custom tables' shapes (call `forget` after DDL).

    One catalog per reader: the block producer's sees its uncommitted DDL, so it must not be
    shared with API handlers.
    """

    def __init__(self) -> None:
        self._custom: dict[str, tuple[Table, dict[str, str]]] = {}
        # The node's own tables never change shape: their refs are made once per name written.
        self._static: dict[tuple[int, str], TableRef] = {}

    def forget(self, full_name: str | None = None) -> None:
        """Drop one remembered table (or all of them)."""
        if full_name is None:
            self._custom.clear()
        else:
            self._custom.pop(full_name, None)

    def known(self, ecosystem: int, text: str) -> TableRef | None | Missing:
        """The table, None if there is none, or MISSING when only `resolve` can tell."""
        static = self._static.get((ecosystem, text))
        if static is not None:
            return static
        eco, name = split_name(text, ecosystem)
        if name in FIRST_ECOSYSTEM_TABLES:
            table = STATIC_TABLES[name]
            ref = TableRef(name, table.name, eco, table, ibax_types(table), True, False)
            return self._remember(ecosystem, text, ref)
        if name in PLATFORM_TABLES:
            if eco != 1:
                return None
            table = STATIC_TABLES[name]
            ref = TableRef(name, table.name, 1, table, ibax_types(table), False, True)
            return self._remember(ecosystem, text, ref)
        if not valid_table_name(name):
            return None
        full_name = f"{eco}_{name}"
        remembered = self._custom.get(full_name)
        if remembered is None:
            return MISSING
        table, types = remembered
        return TableRef(name, full_name, eco, table, types, False, False)

    def _remember(self, ecosystem: int, text: str, ref: TableRef) -> TableRef:
        if len(self._static) >= MAX_STATIC_REFS:
            self._static.clear()  # names are the callers' text: keep the memory bounded
        self._static[(ecosystem, text)] = ref
        return ref

    async def resolve(self, conn: AsyncConnection, ecosystem: int, text: str) -> TableRef | None:
        """The table `text` names for a caller in `ecosystem`, or None if there is none."""
        found = self.known(ecosystem, text)
        if not isinstance(found, Missing):
            return found
        eco, name = split_name(text, ecosystem)
        full_name = f"{eco}_{name}"
        loaded = await load_custom_table(conn, full_name)
        if loaded is None:
            return None
        self._custom[full_name] = loaded
        table, types = loaded
        return TableRef(name, full_name, eco, table, types, False, False)
