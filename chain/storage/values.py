"""Values of IBAX column types: coercion of Needle values, their text, JSON order, kinds."""

from __future__ import annotations

import base64
import functools
import json
import math
import re
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import (
    CHAR,
    JSON,
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
)
from sqlalchemy.types import TypeEngine

from chain.errors import ChainError
from chain.golang.decimal import decimal_text
from chain.golang.ints import in_int64
from chain.golang.strconv import format_float
from chain.numbers import parse_float, parse_int, parse_whole
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

VARCHAR_LENGTH = 102_400  # varchar(102400) of custom tables
MONEY_DIGITS = 30  # decimal(30,0)
MAX_DECIMAL_EXPONENT = 1000  # a Decimal written out in digits stays below ~1000 characters

_HEX_RE = re.compile(r"(?:[0-9a-fA-F]{2})*", re.ASCII)


class QueryError(ChainError):
    """A where, order, column list or value that cannot become a query; nothing was executed."""


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
        if abs(value.adjusted()) > MAX_DECIMAL_EXPONENT:
            raise ValueError("number too large to write out")
        return decimal_text(value)
    if isinstance(value, float):
        return format_float(value)  # fmt's %v
    raise TypeError(f"{type(value).__name__} is not text")


def int64_value(value: Any) -> int:
    """A number column's value (int64) from an int, numeric text, or an integral float."""
    if isinstance(value, bool):
        raise TypeError("bool is not a number")
    if isinstance(value, int):
        number = value
    elif isinstance(value, str):
        number = parse_int(value.strip())
    elif isinstance(value, (float, Decimal)):
        if isinstance(value, Decimal) and value.is_finite() and value.adjusted() > 18:
            raise OverflowError("out of the int64 range")  # before int() builds a huge number
        if not math.isfinite(value) or value != int(value):
            raise ValueError("not an integer")
        number = int(value)
    else:
        raise TypeError(f"{type(value).__name__} is not a number")
    if not in_int64(number):
        raise OverflowError("out of the int64 range")
    return number


def _money(value: Any) -> int:
    if isinstance(value, bool):
        raise TypeError("bool is not money")
    if isinstance(value, int):
        amount = Decimal(value)
    elif isinstance(value, str):
        return parse_whole(value.strip(), digits=MONEY_DIGITS)
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
        number = parse_float(value.strip())
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
    "number": int64_value,
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
    return column_writer(col)(value)


def column_writer(col: Column[Any]) -> Callable[[Any], Any]:
    """`coerce_for_write` for one column, its kind, limits and coercer looked up once.

    Kept in the Column's own `info`, which lives and dies with it (a custom table whose shape
    changes is a new Table of new Columns): a contract's insert coerces every column of the
    row, and looking each one's type up again was a tenth of a token transfer's CPU.
    """
    found: tuple[Column[Any], Callable[[Any], Any]] | None = col.info.get("ibax_writer")
    if found is None or found[0] is not col:  # a copied Column carries its original's info
        found = col.info["ibax_writer"] = (col, _make_writer(col))
    return found[1]


def _make_writer(col: Column[Any]) -> Callable[[Any], Any]:
    kind = ibax_type_of(col.type)
    name, nullable = col.name, col.nullable
    text = kind in TEXT_KINDS
    length: int | None = getattr(col.type, "length", None) if text else None

    def write(value: Any) -> Any:
        if text and type(value) is float:
            # The reference writes a float as text with strconv.FormatFloat(f, 'f', 13, 64).
            value = format_float(value, "f", 13)
        if value is None:
            if not nullable:
                raise QueryError(f"column {name} cannot be NULL")
            return None
        result = coerce(kind, name, value)
        if length is not None and len(result) > length:
            # char(n) drops trailing blanks beyond n, as PostgreSQL does; other text is refused.
            if kind == "character" and not result[length:].strip(" "):
                return result[:length]
            raise QueryError(f"value for column {name} is longer than {length} characters")
        return result

    return write
