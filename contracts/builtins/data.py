"""The DB family of built-ins: DBFind and its tails, DBRow, DBInsert, DBUpdate(Ext), DBCount."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from chain.storage.repo.rows import count_rows
from contracts.builtins.registry import REGISTRY
from contracts.errors import HostError
from contracts.host import DEFAULT_LIMIT, TxHost
from contracts.vm import Machine

# Fuel of one query, on top of the statement that calls it: DB work dwarfs interpretation.
QUERY_FUEL = 100
FIND_TAILS = frozenset(
    {"Select", "Columns", "Where", "WhereId", "Order", "Limit", "Offset", "Group", "All"}
)
ROW_TAILS = frozenset({"Columns", "Where", "WhereId", "Order"})


def host_of(m: Machine) -> TxHost:
    """The chain context of the running transaction (built-ins need one)."""
    host = m.host
    if not isinstance(host, TxHost):
        raise HostError("database functions are not available here")
    return host


def _tail(tails: Mapping[str, list[Any]], name: str, default: Any = None) -> Any:
    values = tails.get(name)
    return values[0] if values else default


def _map(value: Any, what: str) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise HostError(f"{what} must be a map")
    return value


def _int(value: Any, what: str) -> int:
    if value is None or value == "":
        return 0
    if isinstance(value, bool):
        raise HostError(f"{what} must be int")
    try:
        return int(value)
    except (TypeError, ValueError) as exc:
        raise HostError(f"{what} must be int") from exc


@REGISTRY.builtin("DBFind", fuel=QUERY_FUEL, machine=True, tails=FIND_TAILS)
def db_find(m: Machine, table: str, **tails: list[Any]) -> list[dict[str, str]]:
    """DBFind(table).Columns(..).Where({..}).WhereId(id).Order(..).Limit(n).Offset(n).All()."""
    host = host_of(m)
    limit = _int(_tail(tails, "Limit", DEFAULT_LIMIT), "Limit")
    if "All" in tails:
        limit = -1
    return host.select(
        m,
        table,
        columns=_tail(tails, "Columns") or _tail(tails, "Select"),
        where=_map(_tail(tails, "Where"), "Where"),
        order=_tail(tails, "Order"),
        limit=limit,
        offset=_int(_tail(tails, "Offset", 0), "Offset"),
        row_id=_int(_tail(tails, "WhereId", 0), "WhereId"),
    )


@REGISTRY.builtin("DBRow", fuel=QUERY_FUEL, machine=True, tails=ROW_TAILS)
def db_row(m: Machine, table: str, **tails: list[Any]) -> dict[str, str]:
    """DBRow(table).Columns(..).Where({..}).WhereId(id).Order(..): the first row, or {}."""
    found = db_find(m, table, Limit=[1], **tails)
    return found[0] if found else {}


@REGISTRY.builtin("DBSelect", fuel=QUERY_FUEL, machine=True)
def db_select(
    m: Machine,
    table: str,
    columns: Any = None,
    row_id: Any = 0,
    order: Any = None,
    offset: Any = 0,
    limit: Any = 0,
    where: Any = None,
    *_ignored: Any,
) -> list[dict[str, str]]:
    """DBSelect(table, columns, id, order, offset, limit, where, ...): DBFind by position."""
    return host_of(m).select(
        m,
        table,
        columns=columns,
        where=_map(where, "where"),
        order=order,
        limit=_int(limit, "limit") or DEFAULT_LIMIT,
        offset=_int(offset, "offset"),
        row_id=_int(row_id, "id"),
    )


@REGISTRY.builtin("DBInsert", fuel=QUERY_FUEL * 2, machine=True)
def db_insert(m: Machine, table: str, values: Any) -> int:
    """DBInsert(table, {col: value}): the new row's id."""
    return host_of(m).insert(m, table, _map(values, "values"))


@REGISTRY.builtin("DBUpdate", fuel=QUERY_FUEL * 2, machine=True)
def db_update(m: Machine, table: str, row_id: Any, values: Any) -> None:
    """DBUpdate(table, id, {col: value})."""
    host_of(m).update(m, table, {"id": _int(row_id, "id")}, _map(values, "values"))


@REGISTRY.builtin("DBUpdateExt", fuel=QUERY_FUEL * 2, machine=True)
def db_update_ext(m: Machine, table: str, where: Any, values: Any) -> None:
    """DBUpdateExt(table, {where}, {col: value}): every matching row."""
    host_of(m).update(m, table, _map(where, "where"), _map(values, "values"))


@REGISTRY.builtin("DBCount", fuel=QUERY_FUEL, machine=True, tails={"Where"})
def db_count(m: Machine, table: str, where: Any = None, **tails: list[Any]) -> int:
    """DBCount(table, {where}) (or .Where({..})): how many rows match."""
    host = host_of(m)
    ref = host.table(table)
    host.check_table(m, ref, "read")
    condition = _map(where if where is not None else _tail(tails, "Where"), "where")
    extra = ref.scope if "ecosystem" not in condition else None
    return host.wait(count_rows(host.conn, ref.table, where=condition, extra=extra))


@REGISTRY.builtin("GetColumnType", fuel=10, machine=True)
def get_column_type(m: Machine, table: str, column: str) -> str:
    """GetColumnType(table, column): the column's IBAX type, or "" if there is none."""
    ref = host_of(m).table(table)
    return ref.types.get(str(column).lower(), "")


@REGISTRY.builtin("One", fuel=2)
def one(rows: Any, name: str) -> Any:
    """One(rows, "col") / .One("col"): the first row's value ("" without rows);
    "doc->a->b" reads inside a JSON column."""
    if not isinstance(rows, list) or not rows:
        return ""
    row = rows[0]
    if not isinstance(row, dict):
        return ""
    if "->" not in name:
        value = row.get(name)
        return "" if value is None else value
    path = name.lower().split("->")
    direct = row.get(".".join(path))
    if direct:
        return direct
    raw = row.get(path[0])
    if not raw:
        return ""
    try:
        value = json.loads(raw) if isinstance(raw, str) else raw
    except ValueError:
        return ""
    for step in path[1:]:
        if not isinstance(value, dict):
            return ""
        value = value.get(step)
        if value is None:
            return ""
    if isinstance(value, (dict, list)):
        return json.dumps(value, separators=(",", ":"))
    return value


@REGISTRY.builtin("Row", fuel=1)
def row(rows: Any) -> dict[str, Any]:
    """Row(rows) / .Row(): the first row, or an empty map."""
    if isinstance(rows, list) and rows and isinstance(rows[0], dict):
        first: dict[str, Any] = rows[0]
        return first
    return {}
