"""shopspring/decimal as go-ibax uses it: NewFromString, String() and DivRound, exact and bounded.

Decimals are Python Decimals kept exact (no context rounding), as (mantissa, exponent) pairs.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Final

from chain.golang.bounds import check_length
from chain.golang.ints import INT32_MAX, INT32_MIN

# Bounds on what the parser accepts, so no input makes it (or later arithmetic) slow.
MAX_NUMBER_TEXT: Final = 1000
MAX_DECIMAL_EXP: Final = 4000
MAX_DECIMAL_DIGITS: Final = 1000
DIVISION_PRECISION: Final = 16  # shopspring's DivisionPrecision
ERR_DIV_ZERO: Final = "decimal division by zero"

_SIGNED_DIGITS: Final = re.compile(r"[+-]?[0-9]+")

Pair = tuple[int, int]  # (mantissa, exponent): mantissa * 10**exponent, exact


def exponent_of(value: Decimal) -> int:
    """The exponent of a finite decimal; NaN and infinities are not Go decimals."""
    exponent = value.as_tuple().exponent
    if not isinstance(exponent, int):
        raise ValueError(f"{value} is not a finite number")
    return exponent


def make_decimal(mantissa: int, exponent: int) -> Decimal:
    """mantissa * 10**exponent, exactly (no context rounding)."""
    whole = Decimal(mantissa).as_tuple()
    return Decimal((whole.sign, whole.digits, exponent))


def split_decimal(value: Decimal) -> Pair:
    """(mantissa, exponent) with value == mantissa * 10**exponent."""
    sign, digits, _ = value.as_tuple()
    exponent = exponent_of(value)
    # int(Decimal) avoids int(str), which Python limits to 4300 digits.
    mantissa = int(Decimal((0, digits, 0))) if digits else 0
    return (-mantissa if sign else mantissa), exponent


def check_decimal(value: Decimal, what: str = "decimal value") -> Decimal:
    """Refuse a decimal too large to compute with exactly (or not finite)."""
    exponent = exponent_of(value)
    if len(value.as_tuple().digits) > MAX_DECIMAL_DIGITS or abs(exponent) > MAX_DECIMAL_EXP:
        raise ValueError(f"{what} is too large")
    return value


def parse_decimal(text: str) -> Decimal:
    """decimal.NewFromString: the same syntax and error texts, bounded in size.

    Its quirks are kept: the exponent is cut at the first e/E, the point may sit anywhere
    among the digits, and the value keeps the scale written (1.50 has exponent -2).
    """
    check_length(text, MAX_NUMBER_TEXT, "decimal value")
    original, value, exp = text, text, 0
    e_index = min((i for i in (text.find("e"), text.find("E")) if i >= 0), default=-1)
    if e_index >= 0:
        tail = text[e_index + 1 :]
        if not _SIGNED_DIGITS.fullmatch(tail):
            raise ValueError(f"can't convert {text} to decimal: exponent is not numeric")
        exp = int(tail)
        if not INT32_MIN <= exp <= INT32_MAX:
            raise ValueError(f"can't convert {text} to decimal: fractional part too long")
        value = text[:e_index]
    if value.count(".") > 1:
        raise ValueError(f"can't convert {value} to decimal: too many .s")
    point = value.find(".")
    digits = value if point < 0 else value[:point] + value[point + 1 :]
    if point >= 0:
        exp -= len(value) - point - 1
    if not _SIGNED_DIGITS.fullmatch(digits):
        raise ValueError(f"can't convert {value} to decimal")
    if not INT32_MIN <= exp <= INT32_MAX:
        raise ValueError(f"can't convert {original} to decimal: fractional part too long")
    if abs(exp) > MAX_DECIMAL_EXP:
        raise ValueError(f"decimal exponent {exp} is out of the supported range")
    return make_decimal(int(digits), exp)


def decimal_text(value: Decimal) -> str:
    """Decimal.String(): plain digits, no exponent, trailing fractional zeros dropped, no -0.

    Exact at any number of digits (Decimal's own normalize() would round to its context).
    """
    exponent_of(value)
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


# ---- DivRound ---------------------------------------------------------------------------------


def scaled(a: Pair, b: Pair) -> tuple[int, int, int]:
    """Both values as integers over a common power of ten: (ma, mb, exponent)."""
    (ma, ea), (mb, eb) = a, b
    common = min(ea, eb)
    return ma * 10 ** (ea - common), mb * 10 ** (eb - common), common


def div_pair(x: Pair, y: Pair, places: int = DIVISION_PRECISION) -> Pair:
    """x / y to `places` decimals, halves away from zero, on (mantissa, exponent) pairs."""
    (mx, ex), (my, ey) = x, y
    if my == 0:
        raise ZeroDivisionError(ERR_DIV_ZERO)
    shift = ex - ey + places
    num, den = (mx * 10**shift, my) if shift >= 0 else (mx, my * 10**-shift)
    quotient, rest = divmod(abs(num), abs(den))
    if 2 * rest >= abs(den):
        quotient += 1
    return (-quotient if (num < 0) != (den < 0) else quotient), -places


def div_round(x: Decimal, y: Decimal, places: int = DIVISION_PRECISION) -> Decimal:
    """Decimal.DivRound(y, places): halves away from zero."""
    return make_decimal(*div_pair(split_decimal(x), split_decimal(y), places))
