"""Built-ins over plain values: types, maps, deep equality, regular expressions, money text."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any, Final

import re2

from contracts.stdlib.golang import (
    check_text,
    decimal_text,
    go_type,
    go_unquote,
    make_decimal,
    parse_decimal,
    split_decimal,
    want_int,
    want_map,
    want_str,
)

MAX_PATTERN: Final = 16 << 10
# RE2's memory budget per pattern (its default); bigger programs are refused ("pattern too
# large"), e.g. \pL{1000}, which would take 32 MiB and over a second to build.
REGEX_MAX_MEM: Final = 8 << 20
MAX_COMPARE_STEPS: Final = 500_000
MONEY_LENGTH: Final = 30  # consts.MoneyLength


def get_type(value: Any) -> str:
    """GetType(value) string: the Go type name (int64, string, *types.Map, []interface {}...)."""
    return go_type(value)


def sorted_keys(value: Any) -> list[Any]:
    """SortedKeys(m map) array: the keys in byte order."""
    keys: list[Any] = sorted(want_map(value))
    return keys


def check_number_chars(text: Any) -> bool:
    """CheckNumberChars(s string) bool: only ASCII letters and digits (true for "")."""
    value = want_str(text)
    return value.isascii() and (value == "" or value.isalnum())


# ---- deep equality -------------------------------------------------------------------------


class _Budget:
    def __init__(self, steps: int) -> None:
        self.steps = steps

    def spend(self, steps: int = 1) -> None:
        self.steps -= steps
        if self.steps < 0:
            raise ValueError("the values are too large to compare")


def _decimal_key(value: Decimal) -> tuple[int, int]:
    # shopspring compares (coefficient, exponent): 1.0 and 1 are different values to DeepEqual.
    return split_decimal(value)


def deep_equal(a: Any, b: Any, budget: _Budget) -> bool:
    """reflect.DeepEqual over Needle values: same types, maps in the same key order.

    Every step, and every 1 KiB of text compared, is paid from `budget`.
    """
    budget.spend()
    if a is b:
        return True
    kind = type(a)
    if kind is not type(b):
        return False
    if kind is list:
        if len(a) != len(b):
            return False
        for x, y in zip(a, b):
            if not deep_equal(x, y, budget):
                return False
        return True
    if kind is dict:
        if len(a) != len(b):
            return False
        budget.spend(len(a))
        if list(a) != list(b):
            return False
        for key, x in a.items():
            if not deep_equal(x, b[key], budget):
                return False
        return True
    if (kind is str or kind is bytes) and len(a) == len(b):
        budget.spend(len(a) >> 10)
    if kind is Decimal:
        return _decimal_key(a) == _decimal_key(b)
    return bool(a == b)


def has_slice(element: Any, array: Any) -> bool:
    """HasSlice(value, array) bool: whether an item of the array deep-equals the value."""
    if type(array) is not list:
        return False  # the reference answers false for anything but an array
    budget = _Budget(MAX_COMPARE_STEPS)
    kind = type(element)
    if kind is not list and kind is not dict and kind is not Decimal:
        # A plain value: a tight loop; only equal-length texts cost a comparison of their bytes.
        text = kind is str or kind is bytes
        for item in array:
            if type(item) is kind:
                if text and len(item) == len(element):
                    budget.spend(len(item) >> 10)
                if item == element:
                    return True
        return False
    unequal: set[int] = set()  # an array may hold the same big value many times
    for item in array:
        if id(item) in unequal:
            continue
        if deep_equal(element, item, budget):
            return True
        unequal.add(id(item))
    return False


# ---- regular expressions -------------------------------------------------------------------


def _regex_options() -> Any:
    options = re2.Options()
    options.log_errors = False
    options.max_mem = REGEX_MAX_MEM
    return options


def regexp_match(text: Any, pattern: Any) -> bool:
    """RegexpMatch(s, re string) bool: Go's (RE2) syntax, unanchored, linear time.

    As in the reference, a pattern with \\u or \\U is first read as a Go string literal
    (false if that fails); a pattern RE2 cannot compile is an error.
    """
    subject = want_str(text)
    source = check_text(want_str(pattern), MAX_PATTERN, "regular expression")
    if "\\u" in source or "\\U" in source:
        unquoted = go_unquote(source)
        if unquoted is None:
            return False
        source = unquoted
    try:
        # Built directly, not through re2.compile: its process-wide cache would keep up to 128
        # hostile patterns (8 MiB each) alive across transactions.
        compiled = re2._Regexp(source, _regex_options())
    except re2.error as exc:
        detail = exc.args[0].decode() if exc.args and isinstance(exc.args[0], bytes) else exc
        raise ValueError(f"regexp: Compile({source!r}): error parsing regexp: {detail}") from exc
    return compiled.search(subject) is not None


# ---- money ---------------------------------------------------------------------------------


def format_money(amount: Any, digit: Any, ecosystem_digits: int | None = None) -> str:
    """FormatMoney(exp string, digit int) string: exp * 10^-digit as decimal text.

    digit 0 means the ecosystem's money digits; without them (ecosystem_digits None) that is
    an error rather than a silently wrong answer.
    """
    text, places = want_str(amount), want_int(digit)
    if places == 0:
        if ecosystem_digits is None:
            raise ValueError("digit 0 needs the ecosystem's money digits (ecosystem_stdlib)")
        places = ecosystem_digits
    if not text:
        return "0"
    if "." in text:
        raise ValueError(f"wrong money format {text}")
    places = (places + (1 << 31)) % (1 << 32) - (1 << 31)  # the reference passes an int32
    if places < 0:
        raise ValueError("digit must be positive")
    if len(text) > MONEY_LENGTH:
        raise ValueError("too long money")
    mantissa, exponent = split_decimal(parse_decimal(text))
    shifted = exponent - places
    if -shifted > 1 << 20:
        raise ValueError("the result is too long")
    return decimal_text(make_decimal(mantissa, shifted))


def ecosystem_stdlib(digits: int) -> dict[str, tuple[Callable[..., Any], int]]:
    """Built-ins that need the ecosystem's settings: FormatMoney with digit 0."""

    def format_money_here(amount: Any, digit: Any) -> str:
        return format_money(amount, digit, digits)

    return {"FormatMoney": (format_money_here, 10)}
