"""Value built-ins: conversions (Str, Int, Float, Money), types, arrays and maps, deep equality."""

from __future__ import annotations

import math
import re
from decimal import Decimal
from typing import Any, Final

from chain.golang.decimal import make_decimal, parse_decimal, split_decimal
from chain.golang.ints import UINT64_MAX, float_to_int64, in_int64, wrap_int64
from chain.golang.strconv import NumError, parse_float
from contracts.builtins.format import go_text
from contracts.builtins.gotypes import ARRAY, MAP, go_type, param, want_map
from contracts.builtins.registry import REGISTRY
from contracts.vm import to_str

MAX_COMPARE_STEPS: Final = 500_000




@REGISTRY.builtin("Str", fuel=1, output_fuel=True)
def str_(value: Any) -> str:
    """Str(v any) string: fmt's %v, and "" for nil."""
    return "" if value is None else go_text(value)


_INT_DIGITS: Final = re.compile(r"[0-9]*")


def parse_int64(text: str) -> int:
    """strconv.ParseInt(text, 10, 64) with ValueToInt's error text."""
    body = text[1:] if text[:1] in ("+", "-") else text
    digits = _INT_DIGITS.match(body).group()  # type: ignore[union-attr]
    # ParseUint reads digit by digit: overflow is reported before a later bad character.
    significant = digits.lstrip("0")
    if len(significant) > 20 or (significant and int(significant) > UINT64_MAX):
        reason = "value out of range"
    elif not digits or len(digits) != len(body):
        reason = "invalid syntax"
    else:
        value = -int(digits) if text[0] == "-" else int(digits)
        if in_int64(value):
            return value
        reason = "value out of range"
    raise ValueError(f"{text} is not a valid integer : {reason}")


@REGISTRY.builtin("Int", fuel=1)
def int_(value: Any) -> int:
    """Int(v any) int: converter.ValueToInt (0 for nil and "", strict text, error on bool)."""
    kind = type(value)
    if value is None:
        return 0
    if kind is int:
        result: int = value
        return result
    if kind is str:
        return parse_int64(value) if value else 0
    if kind is float:
        return float_to_int64(value)
    if kind is Decimal:
        return wrap_int64(int(value))  # IntPart truncates toward zero (big.Int.Int64 wraps)
    raise ValueError(f"{go_text(value)} is not a valid integer")


def _parse_float_lenient(text: str) -> float:
    """strconv.ParseFloat as ValueToFloat uses it: the value Go returns, error or not."""
    try:
        return parse_float(text)
    except NumError as exc:
        return exc.value  # 0 for bad text, ±Inf past the range


@REGISTRY.builtin("Float", fuel=1)
def float_(value: Any) -> float:
    """Float(v any) float: script.ValueToFloat, which never fails (other values give 0)."""
    kind = type(value)
    if kind is float:
        result: float = value
        return result
    if kind is int:
        return float(value)
    if kind is str:
        return _parse_float_lenient(value)
    if kind is Decimal:
        return float(value)
    return 0.0


def _floor_decimal(value: Decimal) -> Decimal:
    """decimal.Floor, written without an exponent where the value is small enough to print."""
    mantissa, exponent = split_decimal(value)
    if exponent < 0:
        return Decimal(mantissa // 10**-exponent)
    if exponent and len(str(abs(mantissa))) + exponent <= 100:
        return Decimal(mantissa * 10**exponent)
    return make_decimal(mantissa, exponent)


@REGISTRY.builtin("Money", fuel=1)
def money(value: Any) -> Decimal:
    """Money(v any) money: script.ValueToDecimal (floors text and floats, keeps money)."""
    kind = type(value)
    if value is None or kind is str:
        return _floor_decimal(parse_decimal("" if value is None else value))
    if kind is Decimal:
        result: Decimal = value
        return result
    if kind is int:
        return Decimal(value)
    if kind is float:
        if math.isnan(value) or math.isinf(value):
            raise ValueError(f"Cannot create a Decimal from {go_text(value)}")
        return _floor_decimal(Decimal(repr(value)))
    raise TypeError(
        f"interface conversion: interface {{}} is {go_type(value)}, not decimal.Decimal"
    )


@REGISTRY.builtin("Len", fuel=1)
def length(array: Any) -> int:
    """Len(in array) int: the number of items (Len takes arrays only)."""
    return len(param(array, ARRAY))


@REGISTRY.builtin("Append", fuel=5, output_fuel=True)
def append(array: Any, value: Any) -> list[Any]:
    """Append(slice array, val any) array: a new array with the value added.

    The reference's VM passes nil as "", so Append(a, nil) adds "".
    """
    items: list[Any] = param(array, ARRAY)
    return [*items, "" if value is None else value]


@REGISTRY.builtin("GetMapKeys", fuel=10, output_fuel=True)
def get_map_keys(value: Any) -> list[Any]:
    """GetMapKeys(m map) array: the keys in insertion order."""
    return list(param(value, MAP))


@REGISTRY.builtin("GetType", fuel=1)
def get_type(value: Any) -> str:
    """GetType(value) string: the Go type name (int64, string, *types.Map, []interface {}...)."""
    return go_type(value)


@REGISTRY.builtin("SortedKeys", fuel=10)
def sorted_keys(value: Any) -> list[Any]:
    """SortedKeys(m map) array: the keys in byte order."""
    keys: list[Any] = sorted(want_map(value))
    return keys


@REGISTRY.builtin("Println", fuel=5)
def println(*values: Any) -> int:
    """Println(...): contracts have no console here; the length it would have printed."""
    return len(" ".join(to_str(v) for v in values)) + 1


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


@REGISTRY.builtin("HasSlice", fuel=10)
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
