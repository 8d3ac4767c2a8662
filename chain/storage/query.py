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

import base64
import functools
import json
import math
import operator
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import (
    CHAR,
    JSON,
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Float,
    Integer,
    LargeBinary,
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
from sqlalchemy.types import TypeEngine

from chain.errors import ChainError
from chain.storage.types import Money

IBAX_TYPES = (
    "json",
    "varchar",
    "character",
    "number",
    "datetime",
    "double",
    "money",
    "text",
    "bytea",
)
TEXT_KINDS = frozenset({"varchar", "character", "text"})
NUMERIC_KINDS = frozenset({"number", "money", "double"})

DEFAULT_LIMIT = 25
DBFIND_MAX_LIMIT = 10_000  # consts.DBFindLimit of the reference
VARCHAR_LENGTH = 102_400  # varchar(102400) of custom tables
MONEY_DIGITS = 30  # decimal(30,0)
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
MAX_WHERE_DEPTH = 32
MAX_DECIMAL_EXPONENT = 1000  # a Decimal written out in digits stays below ~1000 characters

_NAME_RE = re.compile(r"[a-z_][a-z0-9_]*", re.ASCII)
_JSON_KEY_RE = re.compile(r"[a-z0-9_-]+", re.ASCII)
_INT_RE = re.compile(r"[+-]?[0-9]+", re.ASCII)
_DECIMAL_RE = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?", re.ASCII)
_HEX_RE = re.compile(r"(?:[0-9a-fA-F]{2})*", re.ASCII)


class QueryError(ChainError):
    """A where, order, column list or value that cannot become a query; nothing was executed."""


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
# Column types and value coercion


def ibax_type_of(type_: TypeEngine[Any]) -> str:
    """The IBAX column type (`json`, `varchar`, ... `bytea`) of an SQLAlchemy column type."""
    cls: Any = type(type_)  # a class is hashable; mypy reads TypeEngine's __hash__ as unbound
    return _kind_of_class(cls)


@functools.cache  # the answer depends on the type's class only, and there are a dozen
def _kind_of_class(cls: type[Any]) -> str:
    checks: tuple[tuple[type[Any] | tuple[type[Any], ...], str], ...] = (
        (Money, "money"),
        (JSON, "json"),
        (Float, "double"),
        (Numeric, "money"),
        ((Integer, Boolean), "number"),
        (DateTime, "datetime"),
        (LargeBinary, "bytea"),
        (CHAR, "character"),
        (Text, "text"),
        (String, "varchar"),
    )
    for classes, kind in checks:
        if issubclass(cls, classes):
            return kind
    raise TypeError(f"no IBAX type for column type {cls.__name__}")


def ibax_types(table: Table) -> dict[str, str]:
    """Column name -> IBAX type for every column of `table`, in column order."""
    # Kept in the Table's own `info`, which lives and dies with it (custom tables are rebuilt
    # when their shape changes).
    known: dict[str, str] | None = table.info.get("ibax_types")
    if known is None or len(known) != len(table.columns):
        known = {col.name: ibax_type_of(col.type) for col in table.columns}
        table.info["ibax_types"] = known
    return known


def go_float_text(value: float) -> str:
    """Go's `fmt.Sprint(float64)` (%v, i.e. 'g' shortest): exponent form below 1e-4 or from 1e6."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    if value == 0:
        return "-0" if math.copysign(1.0, value) < 0 else "0"
    sign, digit_tuple, exponent = Decimal(repr(value)).normalize().as_tuple()
    digits = "".join(map(str, digit_tuple))
    point = len(digits) + int(exponent)  # the decimal point sits after this many digits
    exp = point - 1
    prefix = "-" if sign else ""
    if exp < -4 or exp >= 6:
        mantissa = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
        return f"{prefix}{mantissa}e{'-' if exp < 0 else '+'}{abs(exp):02d}"
    if point <= 0:
        return f"{prefix}0.{'0' * -point}{digits}"
    if point >= len(digits):
        return prefix + digits + "0" * (point - len(digits))
    return f"{prefix}{digits[:point]}.{digits[point:]}"


def decimal_text(value: Decimal) -> str:
    """A Decimal's plain digits (no exponent), as shopspring/decimal prints it."""
    if value.is_finite() and abs(value.adjusted()) > MAX_DECIMAL_EXPONENT:
        raise ValueError("number too large to write out")
    if value == value.to_integral_value():
        return str(int(value))
    return format(value.normalize(), "f")


def needle_text(value: Any) -> str:
    """The text a Needle value stands for in a text column or a json path comparison."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError("not a finite number")
        return decimal_text(value)
    if isinstance(value, float):
        return go_float_text(value)
    raise TypeError(f"{type(value).__name__} is not text")


def _number(value: Any) -> int:
    if isinstance(value, bool):
        raise TypeError("bool is not a number")
    if isinstance(value, int):
        number = value
    elif isinstance(value, str):
        text = value.strip()
        if not _INT_RE.fullmatch(text):
            raise ValueError("not an integer")
        number = int(text)
    elif isinstance(value, (float, Decimal)):
        if isinstance(value, Decimal) and value.is_finite() and value.adjusted() > 18:
            raise OverflowError("out of the int64 range")  # before int() builds a huge number
        if not math.isfinite(value) or value != int(value):
            raise ValueError("not an integer")
        number = int(value)
    else:
        raise TypeError(f"{type(value).__name__} is not a number")
    if not INT64_MIN <= number <= INT64_MAX:
        raise OverflowError("out of the int64 range")
    return number


def _money(value: Any) -> int:
    if isinstance(value, bool):
        raise TypeError("bool is not money")
    if isinstance(value, int):
        amount = Decimal(value)
    elif isinstance(value, str):
        text = value.strip()
        if not _DECIMAL_RE.fullmatch(text):
            raise ValueError("not a decimal number")
        amount = Decimal(text)
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError("not finite")
        amount = Decimal(value)
    elif isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError("not finite")
        amount = value
    else:
        raise TypeError(f"{type(value).__name__} is not money")
    # Checked before int(): "1e999999999" must not become a billion-digit integer.
    if amount != 0 and amount.adjusted() >= MONEY_DIGITS:
        raise OverflowError("more than 30 digits")
    if amount != amount.to_integral_value():
        raise ValueError("money is whole units")
    return int(amount)


def _double(value: Any) -> float:
    if isinstance(value, bool):
        raise TypeError("bool is not a double")
    if isinstance(value, (int, float, Decimal)):
        number = float(value)
    elif isinstance(value, str):
        text = value.strip()
        if not _DECIMAL_RE.fullmatch(text):
            raise ValueError("not a number")
        number = float(text)
    else:
        raise TypeError(f"{type(value).__name__} is not a double")
    if not math.isfinite(number):
        raise ValueError("not finite")
    return number


def _datetime(value: Any) -> datetime:
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, str):
        moment = datetime.fromisoformat(value.strip())
    elif isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        moment = datetime.fromtimestamp(float(value), UTC)  # unix seconds
    else:
        raise TypeError(f"{type(value).__name__} is not a datetime")
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment


def _bytea(value: Any) -> bytes:
    if isinstance(value, (bytes, bytearray)):
        return bytes(value)
    if isinstance(value, str):
        # As the reference: text that is hex is the bytes it spells, other text its UTF-8.
        if _HEX_RE.fullmatch(value):
            return bytes.fromhex(value)
        return value.encode()
    raise TypeError(f"{type(value).__name__} is not bytes")


def _jsonb_order(key: str) -> tuple[int, bytes]:
    raw = key.encode()
    return (len(raw), raw)


def json_value(value: Any) -> Any:
    """A Needle value as plain JSON data, object keys in PostgreSQL jsonb order.

    jsonb stores keys shortest first, then bytewise; giving every object that order makes
    the stored text, the values read back and their text identical on both backends.
    """
    if value is None or isinstance(value, (str, bool, int)):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError("JSON has no NaN or infinity")
        return value
    if isinstance(value, Decimal):
        return needle_text(value)  # shopspring/decimal marshals as a quoted string
    if isinstance(value, (bytes, bytearray)):
        return base64.b64encode(value).decode()  # Go marshals []byte as base64
    if isinstance(value, Mapping):
        if not all(isinstance(k, str) for k in value):
            raise TypeError("JSON object keys must be strings")
        return {k: json_value(value[k]) for k in sorted(value, key=_jsonb_order)}
    if isinstance(value, (list, tuple)):
        return [json_value(item) for item in value]
    raise TypeError(f"{type(value).__name__} is not JSON")


def _json(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return json_value(json.loads(value))  # text in a json column is JSON text
        except RecursionError as exc:
            raise ValueError("JSON nested too deeply") from exc
    return json_value(value)


_COERCERS: Mapping[str, Callable[[Any], Any]] = {
    "json": _json,
    "varchar": needle_text,
    "character": needle_text,
    "text": needle_text,
    "number": _number,
    "money": _money,
    "double": _double,
    "datetime": _datetime,
    "bytea": _bytea,
}


def show(value: Any) -> str:
    """A value as an error message shows it: short, never the whole of a large input."""
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= 64 else text[:61] + "..."


def coerce(kind: str, name: str, value: Any) -> Any:
    """`value` as the Python value a column `name` of IBAX type `kind` holds (None stays None)."""
    if value is None:
        return None
    try:
        return _COERCERS[kind](value)
    except (ValueError, TypeError, ArithmeticError, InvalidOperation, RecursionError) as exc:
        raise QueryError(f"value {show(value)} is not a valid {kind} for column {name}") from exc


def coerce_for_write(col: Column[Any], value: Any) -> Any:
    """`coerce` for an insert or update: also NOT NULL and length limits, enforced on SQLite too."""
    kind = ibax_type_of(col.type)
    if value is None:
        if not col.nullable:
            raise QueryError(f"column {col.name} cannot be NULL")
        return None
    result = coerce(kind, col.name, value)
    length = getattr(col.type, "length", None)
    if kind in TEXT_KINDS and length is not None and len(result) > length:
        # char(n) drops trailing blanks beyond n, as PostgreSQL does; other text is refused.
        if kind == "character" and not result[length:].strip(" "):
            return result[:length]
        raise QueryError(f"value for column {col.name} is longer than {length} characters")
    return result


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
    name, *keys = key.split("->")
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
    return _where_object(table, where, 0)


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
    for name, descending in _order_items(order):
        col = column_of(table, name)
        used.setdefault(col.name, descending)
    for col in [*table.primary_key.columns, *([table.c.id] if "id" in table.c else [])]:
        used.setdefault(col.name, False)
    return [order_expression(table.c[name], desc) for name, desc in used.items()]


def page_limit(limit: Any, *, default: int = DEFAULT_LIMIT, maximum: int = DBFIND_MAX_LIMIT) -> int:
    """The reference's limit rule: 0 means `default`, a negative or too large one `maximum`."""
    try:
        value = _number(limit)
    except (TypeError, ValueError, OverflowError) as exc:
        raise QueryError(f"invalid limit {show(limit)}") from exc
    if value == 0:
        return default
    if value < 0 or value > maximum:
        return maximum
    return value
