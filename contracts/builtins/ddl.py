"""Built-ins that drop custom tables and columns and create views, each undone by a rollback."""

from __future__ import annotations

import json
from typing import Any

from chain.storage.ddl import (
    VIEW_COMPARES,
    ViewColumn,
    ViewJoin,
    column_kinds,
    create_view,
    drop_column,
    drop_custom_table,
    indexed_columns,
    valid_column_name,
)
from chain.storage.repo.rows import count_rows, delete_rows, select_rows
from chain.storage.repo.tabledata import list_views_using
from chain.tables import DDL_DROP_COLUMN, DDL_DROP_TABLE, DDL_VIEW, TableRef, split_name
from contracts.builtins.access import restricted
from contracts.builtins.data import QUERY_FUEL, host_of
from contracts.builtins.gotypes import want_int, want_str
from contracts.builtins.registry import REGISTRY
from contracts.errors import HostError
from contracts.host import TxHost
from contracts.vm import Machine

# The reference's price_exec_del_table / price_exec_del_column.
DROP_FUEL = 50


def _empty_custom_table(m: Machine, host: TxHost, name: Any) -> tuple[TableRef, int]:
    """The table DelTable/DelColumn may change (update permission, a 1_tables row, no rows)
    and the id of its 1_tables row; with the block's pending rows written first."""
    eco, short = split_name(want_str(name).lower(), host.ecosystem)
    try:
        ref = host.table(want_str(name).lower())
    except HostError:
        raise HostError(f"{eco}_{short} is not a custom table") from None
    if not ref.custom:
        raise HostError(f"{ref.full_name} is not a custom table")
    host.check_table(m, ref, "update")
    row = host.permissions_row(ref.name)
    if row is None:
        raise HostError(f"table {ref.full_name} has not been found")
    host.direct()
    if host.wait(count_rows(host.conn, ref.table)) > 0:
        raise HostError(f"Table {ref.full_name} is not empty")
    # A view on it would break (PostgreSQL refuses the DDL; SQLite leaves a broken view).
    used = host.wait(list_views_using(host.conn, ref.full_name))
    if used:
        raise HostError(f"table {ref.full_name} is used by view {used[0]}")
    return ref, row


def _changed_shape(host: TxHost, full_name: str) -> None:
    host.did_ddl = True
    host.catalog.forget(full_name)
    if host.state is not None:
        host.state.forget(full_name)
    host.forget_permissions()


@REGISTRY.builtin("DelColumn", fuel=DROP_FUEL, machine=True)
def del_column(m: Machine, table: Any, column: Any) -> None:
    """DelColumn(table, column): drop a column of an empty custom table."""
    host = host_of(m)
    name = want_str(column).lower()
    ref, row = _empty_custom_table(m, host, table)
    kinds = host.wait(column_kinds(host.conn, ref.full_name))
    if name not in kinds:
        raise HostError(f"column {name} doesn't exist")
    columns = host.column_permissions(ref.name) or {}
    if name not in columns:
        raise HostError(f"Column {name} cannot be deleted")
    indexed = host.wait(indexed_columns(host.conn, ref.full_name))
    host.wait(drop_column(host.conn, ref.full_name, name))
    _changed_shape(host, ref.full_name)
    # The whole shape, so a rollback puts the column back in its place, not at the end.
    marker = {"columns": kinds, "indexes": indexed}
    host.ctx.record_rollback(DDL_DROP_COLUMN, f"{ref.full_name}.{name}", marker)
    del columns[name]
    with host.writing_for_system():
        host.update_rows(
            host.table("tables"),
            {"id": row},
            {"columns": json.dumps(columns, separators=(",", ":"))},
        )


@REGISTRY.builtin("DelTable", fuel=DROP_FUEL, machine=True)
def del_table(m: Machine, table: Any) -> None:
    """DelTable(table): drop an empty custom table and its 1_tables row."""
    host = host_of(m)
    ref, row = _empty_custom_table(m, host, table)
    rights = host.table("tables")
    found = host.wait(select_rows(host.conn, rights.table, where={"id": row}, limit=1))
    kinds = host.wait(column_kinds(host.conn, ref.full_name))
    marker = {
        "columns": kinds,
        "indexes": host.wait(indexed_columns(host.conn, ref.full_name)),
        "row": host.row_record(rights, found[0]),
    }
    host.wait(delete_rows(host.conn, rights.table, {"id": row}))
    if host.state is not None:
        host.state.forget(rights.full_name)
    host.wait(drop_custom_table(host.conn, ref.full_name))
    _changed_shape(host, ref.full_name)
    host.ctx.record_rollback(DDL_DROP_TABLE, ref.full_name, marker)


def _json_list(text: Any, what: str) -> list[dict[str, Any]]:
    try:
        value = json.loads(want_str(text))
    except ValueError as exc:
        raise HostError(f"{what}: {exc}") from exc
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise HostError(f"{what}: an array of objects is expected")
    if not value:
        raise HostError("columns is empty")
    return value


def _column_name(value: Any) -> str:
    name = str(value or "").lower()
    if not name:
        raise HostError("column name is empty")
    if name[0].isdigit():
        raise HostError("Column name cannot begin with digit")
    if not valid_column_name(name) and name != "id":
        raise HostError(f"Name {name} must only contain latin, digit and '_', '-' characters")
    return name


def _view_table(host: TxHost, name: Any, column: str) -> TableRef:
    ref = host.table(str(name or ""))
    if column not in ref.table.c:
        raise HostError(f"column {column} doesn't exist")
    return ref


@REGISTRY.builtin("CreateView", fuel=QUERY_FUEL * 10, machine=True)
def create_view_builtin(m: Machine, name: Any, columns: Any, where: Any, app_id: Any) -> None:
    """CreateView(name, columns, where, appId): a view of tables' columns joined by `where`.

    columns: [{"table", "col", "alias"}]; where: [{"table1", "col1", "compare", "table2",
    "col2"}]; a 1_views row describes it. Only @1NewView may call it, as on the reference."""
    host = restricted(m, "CreateView")
    view = want_str(name).lower()
    full_name = f"{host.ecosystem}_{view}"
    if host.table_exists(view):
        raise HostError(f"table {view} exists")
    shown: list[ViewColumn] = []
    seen: set[str] = set()
    for item in _json_list(columns, "columns from json"):
        col = _column_name(item.get("col"))
        alias = str(item.get("alias") or "").lower()
        if alias:
            _column_name(alias)
        if (alias or col) in seen:
            raise HostError(f"column {alias or col} specified more than once")
        seen.add(alias or col)
        ref = _view_table(host, item.get("table"), col)
        shown.append(ViewColumn(ref.full_name, col, alias))
    joins: list[ViewJoin] = []
    for item in _json_list(where, "columns from json"):
        col1, col2 = _column_name(item.get("col1")), _column_name(item.get("col2"))
        compare = str(item.get("compare") or "").strip()
        if not compare:
            raise HostError("compare operator size is empty")
        if compare not in VIEW_COMPARES:
            raise HostError(f"compare operator {compare} is not supported")
        first = _view_table(host, item.get("table1"), col1)
        second = _view_table(host, item.get("table2"), col2)
        joins.append(ViewJoin(first.full_name, col1, compare, second.full_name, col2))
    host.direct()
    host.wait(create_view(host.conn, full_name, shown, joins))
    _changed_shape(host, full_name)
    host.ctx.record_rollback(DDL_VIEW, full_name, None)
    described_columns = [
        {"table": c.table, "col": c.column, **({"alias": c.alias} if c.alias else {})}
        for c in shown
    ]
    described_wheres = [
        {"table1": j.table1, "table2": j.table2, "col1": j.column1, "col2": j.column2,
         "compare": j.compare}
        for j in joins
    ]  # fmt: skip
    with host.writing_for_system():
        host.insert(
            m,
            "views",
            {
                "name": view,
                "columns": json.dumps(described_columns, separators=(",", ":")),
                "wheres": json.dumps(described_wheres, separators=(",", ":")),
                "app_id": want_int(app_id),
                "ecosystem": host.ecosystem,
            },
        )
