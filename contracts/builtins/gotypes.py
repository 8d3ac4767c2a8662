"""Go's view of Needle values: type names, strictly typed parameters, and strings as bytes.

A Go string is bytes; ours is a str whose bytes that are not UTF-8 are kept as lone surrogates
(Python's surrogateescape). `go_bytes` and `go_str` convert, so byte-level built-ins (Size,
Substr, Split, Replace...) see the bytes Go sees and hand back the same bytes.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any, Final, TypeVar

from chain.golang.ints import in_int64

# The longest text a built-in builds; longer results are refused.
MAX_TEXT: Final = 1 << 20
T = TypeVar("T")

# Go's reflect type names of the runtime value model (what GetType answers).
INT = "int64"
FLOAT = "float64"
STRING = "string"
BOOL = "bool"
BYTES = "[]uint8"
DECIMAL = "decimal.Decimal"
MAP = "*types.Map"
ARRAY = "[]interface {}"


def go_type(value: Any) -> str:
    """reflect.TypeOf(value).String() for a Needle value; `nil` for None."""
    if value is None:
        return "nil"
    kind = type(value)
    if kind is bool:
        return BOOL
    if kind is int:
        return INT
    if kind is float:
        return FLOAT
    if kind is str:
        return STRING
    if kind is bytes:
        return BYTES
    if kind is Decimal:
        return DECIMAL
    if kind is dict:
        return MAP
    if kind is list:
        return ARRAY
    return kind.__name__


def want(value: Any, go_name: str) -> Any:
    """A parameter of a Go-typed built-in: the reference's reflect call accepts only that type.

    nil becomes "" for string parameters, as the reference's VM passes a zero string for nil.
    """
    if value is None and go_name == STRING:
        return ""
    if go_type(value) != go_name:
        raise TypeError(f"reflect: Call using {go_type(value)} as type {go_name}")
    return value


def _wanting(go_name: str, kind: type[T]) -> Callable[[Any], T]:
    def typed(value: Any) -> T:
        result: T = want(value, go_name)
        return result

    return typed


# One per Go type a built-in's parameters are declared with (nil reads as "" for a string).
want_int: Final = _wanting(INT, int)
want_float: Final = _wanting(FLOAT, float)
want_str: Final = _wanting(STRING, str)
want_bool: Final = _wanting(BOOL, bool)
want_bytes: Final = _wanting(BYTES, bytes)
want_decimal: Final = _wanting(DECIMAL, Decimal)
want_map: Final[Callable[[Any], dict[str, Any]]] = _wanting(MAP, dict)


def check_int64(value: int) -> int:
    """An int result that must fit int64 (Go would wrap silently; we refuse)."""
    if not in_int64(value):
        raise ValueError("integer overflow")
    return value


def param(value: Any, go_name: str) -> Any:
    """A typed parameter: the reference's VM passes nil as "", which only a string accepts."""
    return want("" if value is None else value, go_name)


def check_size(size: int) -> None:
    """Refuse a result longer than MAX_TEXT."""
    if size > MAX_TEXT:
        raise ValueError(f"the result is longer than {MAX_TEXT} characters")


# ---- Go strings ---------------------------------------------------------------------------

_OTHER_SURROGATE: Final = re.compile("[\ud800-\udc7f\udd00-\udfff]")


def go_bytes(text: str) -> bytes:
    """The bytes of a Go string held as str (invalid bytes are surrogate escapes)."""
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        # Surrogates that are not byte escapes cannot be UTF-8: Go would hold U+FFFD there.
        text = _OTHER_SURROGATE.sub("\ufffd", text)
        return text.encode("utf-8", "surrogateescape")


def go_str(data: bytes) -> str:
    """A Go string of these bytes, every byte kept (the canonical str form)."""
    return data.decode("utf-8", "surrogateescape")


def canonical(text: str) -> str:
    """The one str form of a Go string: pieces joined may turn escaped bytes into a character."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return go_str(go_bytes(text))
    return text
