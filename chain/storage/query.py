"""DBFind-style where, order and column arguments turned into SQLAlchemy Core, values typed."""

# Everything here is pure: it builds expressions and never executes them. User input (column
# names, operators, values, order strings) only ever selects a column object of the given Table
# or becomes a bound parameter; anything else is refused with a QueryError before any SQL runs.
#
# Where the backends would disagree, the expression is built once per backend (_PerDialect) so
# that a query answers the same on SQLite and PostgreSQL, which a chain needs (every node must
# compute the same contract result):
# * money on SQLite is a decimal string: equality compares the normalised digits; ordering and
#   $gt-style comparisons use a fixed-width text key (money_sort_key) that sorts exactly;
# * text ordering and comparisons use byte order (COLLATE "C" on PostgreSQL, SQLite's BINARY);
# * $like is case-sensitive on both (GLOB on SQLite, whose LIKE ignores ASCII case);
# * NULLs sort last ascending and first descending on both (PostgreSQL's default);
# * a json path col->a->b reads text: unquoted strings, true/false, numbers as written.

from __future__ import annotations

import json
import operator
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    Numeric,
    String,
    Table,
    Text,
    and_,
    case,
    cast,
    false,
    func,
    literal,
    or_,
    true,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.visitors import InternalTraversal

from chain.storage.values import (
    MONEY_DIGITS,
    TEXT_KINDS,
    QueryError,
    coerce,
    ibax_type_of,
    int64_value,
    json_value,
    needle_text,
    show,
)

DEFAULT_LIMIT = 25
DBFIND_MAX_LIMIT = 10_000  # consts.DBFindLimit of the reference
MAX_WHERE_DEPTH = 32
# Bounds on what a where, order or column list may hold. A query is built in Python and bound
# parameter by parameter, so its size is CPU on the event loop (a 5,000-term $or takes 0.2 s)
# and must stay under the backends' parameter limits (32,766 on SQLite, 32,767 with asyncpg).
MAX_WHERE_KEYS = 1_000  # object keys at every level: columns, operators, $and/$or
MAX_WHERE_VALUES = 10_000  # values compared with, $in items included
MAX_LIKE_PATTERN = 1_000  # characters of a $like-style value (SQLite refuses 50 KB patterns)
MAX_ORDER_ITEMS = 100
MAX_JSON_PATH = 32  # keys in a col->a->b path (each is a bound parameter)
MAX_COLUMN_NAMES = 1_000
_NAME_RE = re.compile(r"[a-z_-][a-z0-9_-]*", re.ASCII)  # a column name (ddl's rule)
_JSON_KEY_RE = re.compile(r"[a-z0-9_-]+", re.ASCII)

# ---------------------------------------------------------------------------------------------
# Per-backend expressions


class _PerDialect(ColumnElement[Any]):
    """One expression, written once for PostgreSQL (and any other backend) and once for SQLite."""

    inherit_cache = True
    _traverse_internals = [
        ("default", InternalTraversal.dp_clauseelement),
        ("sqlite", InternalTraversal.dp_clauseelement),
    ]

    def __init__(self, default: ColumnElement[Any], sqlite: ColumnElement[Any]) -> None:
        self.default = default
        self.sqlite = sqlite
        self.type = default.type
        # Lets a comparison stand alone in WHERE (else SQLite gets "... = 1" appended).
        self._is_implicitly_boolean = default._is_implicitly_boolean

    @property
    def _from_objects(self) -> Any:
        return self.default._from_objects


@compiles(_PerDialect)
def _compile_default(element: _PerDialect, compiler: SQLCompiler, **kw: Any) -> str:
    return compiler.process(element.default, **kw)


@compiles(_PerDialect, "sqlite")
def _compile_sqlite(element: _PerDialect, compiler: SQLCompiler, **kw: Any) -> str:
    return compiler.process(element.sqlite, **kw)


_NINES = 10**15 - 1


def money_sort_key(amount: int) -> str:
    """A text that sorts like `amount` (|amount| < 10^30): the SQLite money ordering key.

    Non-negative amounts are "1" + 30 zero-padded digits; negative ones "0" + the nines'
    complement of those digits (in two 15-digit halves, as SQLite's integers are 64-bit), so
    byte order is numeric order for every amount, past 2^53 included.
    """
    digits = f"{abs(amount):0{MONEY_DIGITS}d}"
    if amount >= 0:
        return "1" + digits
    high, low = int(digits[:15]), int(digits[15:])
    return f"0{_NINES - high:015d}{_NINES - low:015d}"


def _sqlite_money_key(col: ColumnElement[Any]) -> ColumnElement[Any]:
    digits = func.substr(
        literal("0" * MONEY_DIGITS, String).concat(func.ltrim(col, literal("-", String))),
        -MONEY_DIGITS,
    )
    high = cast(func.substr(digits, 1, 15), BigInteger)
    low = cast(func.substr(digits, 16, 15), BigInteger)
    negative_key = literal("0", String).concat(
        func.printf(literal("%015d%015d", String), _NINES - high, _NINES - low)
    )
    return case(
        (func.substr(col, 1, 1) == literal("-", String), negative_key),
        else_=literal("1", String).concat(digits),
    )


def _money_key(col: ColumnElement[Any]) -> ColumnElement[Any]:
    return _PerDialect(col, _sqlite_money_key(col))


def _binary(expr: ColumnElement[Any]) -> ColumnElement[Any]:
    # PostgreSQL sorts text by the database's collation, SQLite by bytes: pin both to bytes.
    return _PerDialect(expr.collate("C"), expr)


def _json_text(col: ColumnElement[Any], keys: Sequence[str]) -> ColumnElement[Any]:
    pg = func.jsonb_extract_path_text(col, *(literal(k, String) for k in keys), type_=Text)
    path = literal("$" + "".join(f'."{k}"' for k in keys), String)
    # json_extract gives SQLite values (1 for true); PostgreSQL's ->> gives JSON text.
    kind = func.json_type(col, path)
    sqlite = case(
        (kind == literal("true", String), literal("true", String)),
        (kind == literal("false", String), literal("false", String)),
        else_=cast(func.json_extract(col, path), Text),
    )
    return _PerDialect(pg, sqlite)


def json_text(col: ColumnElement[Any], *keys: str) -> ColumnElement[Any]:
    """The text at a json path of a json column, as PostgreSQL's ->> reads it, on both backends."""
    return _json_text(col, keys)


def _as_text(expr: ColumnElement[Any], kind: str) -> ColumnElement[Any]:
    """The column's text as `$like` matches it."""
    if kind in TEXT_KINDS:
        return expr
    if kind == "datetime":
        return _PerDialect(
            func.to_char(expr, literal("YYYY-MM-DD HH24:MI:SS", String), type_=Text),
            func.substr(expr, 1, 19, type_=Text),
        )
    return _PerDialect(cast(expr, Text), cast(expr, Text))


# ---------------------------------------------------------------------------------------------
# Columns and json paths


def column_of(table: Table, name: Any) -> Column[Any]:
    """The column `name` (case-insensitive) of `table`, or a QueryError."""
    key = name.lower() if isinstance(name, str) else None
    col = table.columns.get(key) if key is not None and _NAME_RE.fullmatch(key) else None
    if col is None:
        raise QueryError(f"column {show(name)} does not exist")
    return col


class _Target:
    """What a where key names: a column, or the text at a json path inside a json column."""

    __slots__ = ("expr", "kind", "name")

    def __init__(self, expr: ColumnElement[Any], kind: str, name: str) -> None:
        self.expr = expr
        self.kind = kind
        self.name = name


def json_path(table: Table, key: str) -> tuple[Column[Any], list[str]]:
    """The json column and the lowercased keys of a path `col->a->b`, or a QueryError."""
    name, *keys = key.split("->", MAX_JSON_PATH + 1)
    if len(keys) > MAX_JSON_PATH:
        raise QueryError(f"json path {show(key)} is deeper than {MAX_JSON_PATH} keys")
    col = column_of(table, name)
    if ibax_type_of(col.type) != "json":
        raise QueryError(f"column {col.name} is not json, it has no field {show(key)}")
    lowered = [k.lower() for k in keys]
    if not all(_JSON_KEY_RE.fullmatch(k) for k in lowered):
        raise QueryError(f"invalid json path {show(key)}")
    return col, lowered


def _target(table: Table, key: str) -> _Target:
    if "->" in key:
        col, keys = json_path(table, key)
        return _Target(_json_text(col, keys), "text", "->".join([col.name, *keys]))
    col = column_of(table, key)
    return _Target(col, ibax_type_of(col.type), col.name)


def json_merge(col: Column[Any], fields: Mapping[str, str]) -> ColumnElement[Any]:
    """`col` with top-level keys set to the given texts (an UPDATE of `col->key` values)."""
    patch = literal(json.dumps(json_value(fields), separators=(",", ":")), String)
    pg = func.coalesce(col, cast(literal("{}", String), col.type)).op("||")(cast(patch, col.type))
    # json_patch equals jsonb || here: the patch is one level of strings, never null.
    sqlite = func.json_patch(func.coalesce(col, literal("{}", String)), patch)
    return _PerDialect(pg, sqlite)


def build_columns(table: Table, columns: Any) -> list[ColumnElement[Any]]:
    """The select list: None, "" or "*" for all, "a,b" or ["a", "b"]; `doc->x` is "doc.x"."""
    if columns is None:
        names: list[str] = ["*"]
    elif isinstance(columns, str):
        names = [part.strip() for part in columns.split(",")]
    elif isinstance(columns, (list, tuple)):
        if not all(isinstance(name, str) for name in columns):
            raise QueryError("columns must be names")
        names = [name.strip() for name in columns]
    else:
        raise QueryError("columns must be a string or an array of names")
    names = [name for name in names if name] or ["*"]
    if len(names) > MAX_COLUMN_NAMES:
        raise QueryError(f"too many columns ({len(names)}, at most {MAX_COLUMN_NAMES})")
    selected: dict[str, ColumnElement[Any]] = {}
    for name in names:
        if name == "*":
            for col in table.columns:
                selected.setdefault(col.name, col)
        elif "->" in name:
            col, keys = json_path(table, name)
            label = ".".join([col.name, *keys])
            selected.setdefault(label, _json_text(col, keys).label(label))
        else:
            col = column_of(table, name)
            selected.setdefault(col.name, col)
    return list(selected.values())


# ---------------------------------------------------------------------------------------------
# Where


_COMPARISONS: Mapping[str, Callable[[Any, Any], Any]] = {
    "$eq": operator.eq,
    "$neq": operator.ne,
    "$gt": operator.gt,
    "$gte": operator.ge,
    "$lt": operator.lt,
    "$lte": operator.le,
}
# operator -> (text before the value, text after it, case-insensitive)
_LIKES: Mapping[str, tuple[str, str, bool]] = {
    "$like": ("%", "%", False),
    "$begin": ("", "%", False),
    "$end": ("%", "", False),
    "$ilike": ("%", "%", True),
    "$ibegin": ("", "%", True),
    "$iend": ("%", "", True),
}


def ecosystem_scope(table: Table, ecosystem: int) -> ColumnElement[bool]:
    """The condition that keeps a shared table's reads to one ecosystem's rows."""
    return table.c.ecosystem == ecosystem


def build_where(table: Table, where: Any) -> ColumnElement[bool]:
    """The condition of a DBFind where object (None or {} is no condition).

    `{"col": v}` equality (`"$isnull"` for IS NULL); `{"col": {"$op": v, ...}}` operators
    $eq $neq $gt $gte $lt $lte $in $nin $like $ilike $begin $ibegin $end $iend $isnull;
    `{"col": [v, {"$op": v}]}` all of them; `{"$and": [...]}`, `{"$or": [...]}`; keys may be
    json paths `col->a->b`. Every entry must hold (AND).
    """
    if where is None:
        return true()
    if not isinstance(where, Mapping):
        raise QueryError("where must be an object")
    _check_where_size(where)
    return _where_object(table, where, 0)


def _check_where_size(where: Mapping[Any, Any]) -> None:
    """Refuse a where with more keys or values than MAX_WHERE_KEYS / MAX_WHERE_VALUES."""
    keys = values = 0
    stack: list[Any] = [where]
    while stack:
        item = stack.pop()
        if isinstance(item, Mapping):
            keys += len(item)
            if keys > MAX_WHERE_KEYS:
                raise QueryError(f"where has more than {MAX_WHERE_KEYS} keys")
            stack.extend(item.values())
        elif isinstance(item, (list, tuple)):
            stack.extend(item)
        else:
            values += 1
            if values > MAX_WHERE_VALUES:
                raise QueryError(f"where has more than {MAX_WHERE_VALUES} values")


def _where_object(table: Table, where: Mapping[Any, Any], depth: int) -> ColumnElement[bool]:
    if depth > MAX_WHERE_DEPTH:
        raise QueryError("where is nested too deeply")
    conditions: list[ColumnElement[bool]] = []
    for raw_key, value in where.items():
        if not isinstance(raw_key, str):
            raise QueryError("where keys must be strings")
        key = raw_key.lower()
        if key in ("$and", "$or"):
            conditions.append(_logic(table, key, value, depth))
        elif key.startswith("$"):
            raise QueryError(f"operator {show(raw_key)} must be inside a column's object")
        else:
            conditions.append(_column_condition(_target(table, raw_key), value, depth))
    return and_(true(), *conditions) if conditions else true()


def _logic(table: Table, key: str, value: Any, depth: int) -> ColumnElement[bool]:
    if not isinstance(value, (list, tuple)) or not all(isinstance(v, Mapping) for v in value):
        raise QueryError(f"{key} must be an array of objects")
    parts = [_where_object(table, item, depth + 1) for item in value]
    if key == "$and":
        return and_(true(), *parts)
    return or_(false(), *parts)


def _column_condition(target: _Target, value: Any, depth: int) -> ColumnElement[bool]:
    if isinstance(value, Mapping):
        return _operators(target, value)
    if isinstance(value, (list, tuple)):
        if not value:
            raise QueryError(f"empty array for column {target.name}")
        parts = [
            _operators(target, item) if isinstance(item, Mapping) else _equals(target, item)
            for item in value
        ]
        return and_(true(), *parts)
    if value == "$isnull":
        return target.expr.is_(None)
    return _equals(target, value)


def _operators(target: _Target, ops: Mapping[Any, Any]) -> ColumnElement[bool]:
    if not ops:
        raise QueryError(f"empty operator object for column {target.name}")
    parts: list[ColumnElement[bool]] = []
    for raw_op, arg in ops.items():
        op = raw_op.lower() if isinstance(raw_op, str) else raw_op
        if op in _COMPARISONS:
            parts.append(_compare(target, op, arg))
        elif op in ("$in", "$nin"):
            parts.append(_membership(target, op, arg))
        elif op in _LIKES:
            parts.append(_like(target, op, arg))
        elif op == "$isnull":
            parts.append(_isnull(target, arg))
        else:
            raise QueryError(f"unknown operator {show(raw_op)}")
    return and_(true(), *parts)


def _equals(target: _Target, value: Any) -> ColumnElement[bool]:
    return _compare(target, "$eq", value)


def _isnull(target: _Target, arg: Any) -> ColumnElement[bool]:
    if arg in (True, 1, "true", "1"):
        return target.expr.is_(None)
    if arg in (False, 0, "false", "0"):
        return target.expr.is_not(None)
    raise QueryError(f"$isnull needs true or false, got {show(arg)}")


def _compare(target: _Target, op: str, arg: Any) -> ColumnElement[bool]:
    expr, kind = target.expr, target.kind
    if arg is None:
        if op == "$eq":
            return expr.is_(None)
        if op == "$neq":
            return expr.is_not(None)
        raise QueryError(f"{op} cannot compare column {target.name} with null")
    if kind == "json" and op not in ("$eq", "$neq"):
        raise QueryError(f"{op} cannot compare json column {target.name}")
    value = coerce(kind, target.name, arg)
    compare = _COMPARISONS[op]
    if kind == "json":
        return _json_equals(expr, value, op == "$eq")
    if op in ("$eq", "$neq"):
        # Equality is exact everywhere: money binds its normalised digits on SQLite.
        return compare(expr, value)  # type: ignore[no-any-return]
    if kind == "money":
        pg = compare(expr, literal(Decimal(value), Numeric(MONEY_DIGITS, 0)))
        sqlite = compare(_sqlite_money_key(expr), literal(money_sort_key(value), String))
        return _PerDialect(pg, sqlite)
    if kind in TEXT_KINDS:
        return compare(_binary(expr), literal(value, String))  # type: ignore[no-any-return]
    return compare(expr, value)  # type: ignore[no-any-return]


def _json_equals(expr: ColumnElement[Any], value: Any, equal: bool) -> ColumnElement[bool]:
    text = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    pg = expr == cast(literal(text, String), expr.type)  # jsonb equality: by value
    # SQLite keeps the JSON text as written; json() strips its whitespace.
    sqlite = func.json(expr) == func.json(literal(text, String))
    condition: ColumnElement[bool] = _PerDialect(pg, sqlite)
    return condition if equal else ~condition


def _membership(target: _Target, op: str, arg: Any) -> ColumnElement[bool]:
    if target.kind == "json":
        raise QueryError(f"{op} cannot compare json column {target.name}")
    if isinstance(arg, str):
        items: list[Any] = [arg]
    elif isinstance(arg, (list, tuple)):
        items = list(arg)
    else:
        raise QueryError(f"{op} needs an array of values")
    if any(item is None for item in items):
        raise QueryError(f"{op} cannot hold null")
    values = [coerce(target.kind, target.name, item) for item in items]
    if not values:
        return false() if op == "$in" else true()
    if op == "$in":
        return target.expr.in_(values)
    return target.expr.not_in(values)


def like_to_glob(pattern: str) -> str:
    """A LIKE pattern (backslash escapes) as the GLOB pattern that matches the same texts."""
    out: list[str] = []
    chars = iter(pattern)
    for ch in chars:
        if ch == "\\":
            escaped = next(chars, None)
            if escaped is None:
                raise QueryError("like pattern must not end with an escape character")
            ch = "\x00" + escaped  # a literal character, marked
        if ch == "%":
            out.append("*")
        elif ch == "_":
            out.append("?")
        else:
            literal_ch = ch[-1]
            out.append(f"[{literal_ch}]" if literal_ch in "*?[" else literal_ch)
    return "".join(out)


def _like(target: _Target, op: str, arg: Any) -> ColumnElement[bool]:
    if target.kind in ("json", "bytea"):
        raise QueryError(f"{op} cannot match {target.kind} column {target.name}")
    try:
        value = needle_text(arg)
    except (TypeError, ValueError) as exc:
        raise QueryError(f"{op} needs a text value, got {show(arg)}") from exc
    if len(value) > MAX_LIKE_PATTERN:
        raise QueryError(f"{op} value is longer than {MAX_LIKE_PATTERN} characters")
    before, after, insensitive = _LIKES[op]
    pattern = before + value + after
    glob = like_to_glob(pattern)  # also refuses a dangling escape, on both backends
    text = _as_text(target.expr, target.kind)
    if insensitive:
        return text.ilike(literal(pattern, String), escape="\\")
    pg = text.like(literal(pattern, String), escape="\\")
    sqlite = text.op("GLOB", is_comparison=True)(literal(glob, String))
    return _PerDialect(pg, sqlite)


# ---------------------------------------------------------------------------------------------
# Order


def _direction(value: Any) -> bool:
    """True for descending."""
    if isinstance(value, bool):
        raise QueryError(f"invalid order direction {show(value)}")
    if isinstance(value, str):
        word = value.strip().lower()
        if word in ("asc", "1"):
            return False
        if word in ("desc", "-1"):
            return True
    elif isinstance(value, (int, float, Decimal)):
        if value == 1:
            return False
        if value == -1:
            return True
    raise QueryError(f"invalid order direction {show(value)}")


def _order_text(text: str) -> Iterator[tuple[str, bool]]:
    for part in text.split(","):
        words = part.split()
        if not words:
            continue
        if len(words) > 2:
            raise QueryError(f"invalid order {show(part.strip())}")
        yield words[0], (_direction(words[1]) if len(words) == 2 else False)


def _order_items(order: Any, top: bool = True) -> Iterator[tuple[Any, bool]]:
    if order is None:
        return
    if isinstance(order, str):
        yield from _order_text(order)
    elif isinstance(order, Mapping):
        for name, direction in order.items():
            yield name, _direction(direction)
    elif top and isinstance(order, (list, tuple)):
        for item in order:
            yield from _order_items(item, top=False)
    else:
        raise QueryError("order must be a string, an object or an array of them")


def order_expression(col: Column[Any], descending: bool) -> ColumnElement[Any]:
    """ORDER BY one column, the same on both backends (money exact, text by bytes, NULLs last)."""
    kind = ibax_type_of(col.type)
    if kind == "json":
        raise QueryError(f"cannot order by json column {col.name}")
    expr: ColumnElement[Any] = col
    if kind == "money":
        expr = _money_key(col)
    elif kind in TEXT_KINDS:
        expr = _binary(col)
    return expr.desc().nulls_first() if descending else expr.asc().nulls_last()


def build_order(table: Table, order: Any) -> list[ColumnElement[Any]]:
    """ORDER BY for "name", "id desc", "a,b desc", {"a": 1, "b": -1 or "desc"}, or an array.

    The primary key (then id) follows as a tie-breaker, so the order is always total and
    every node lists rows the same way; with no order that is `id ASC`.
    """
    used: dict[str, bool] = {}
    for count, (name, descending) in enumerate(_order_items(order), 1):
        if count > MAX_ORDER_ITEMS:
            raise QueryError(f"order has more than {MAX_ORDER_ITEMS} items")
        col = column_of(table, name)
        used.setdefault(col.name, descending)
    for col in [*table.primary_key.columns, *([table.c.id] if "id" in table.c else [])]:
        used.setdefault(col.name, False)
    return [order_expression(table.c[name], desc) for name, desc in used.items()]


def page_limit(limit: Any, *, default: int = DEFAULT_LIMIT, maximum: int = DBFIND_MAX_LIMIT) -> int:
    """The reference's limit rule: 0 means `default`, a negative or too large one `maximum`."""
    try:
        value = int64_value(limit)
    except (TypeError, ValueError, OverflowError) as exc:
        raise QueryError(f"invalid limit {show(limit)}") from exc
    if value == 0:
        return default
    if value < 0 or value > maximum:
        return maximum
    return value
