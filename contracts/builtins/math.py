"""Math built-ins: floats as Go computes them (chain/golang/math), decimals (money) as go-ibax."""

from __future__ import annotations

import math
from collections.abc import Callable
from decimal import Decimal
from typing import Any, Final

from chain.golang import math as go_math
from chain.golang.bounds import check_length
from chain.golang.decimal import (
    ERR_DIV_ZERO,
    MAX_NUMBER_TEXT,
    check_decimal,
    decimal_text,
    div_pair,
    div_round,
    make_decimal,
    parse_decimal,
    scaled,
    split_decimal,
)
from chain.golang.ints import wrap_int32
from chain.golang.strconv import NumError, parse_float
from contracts.builtins.gotypes import (
    check_int64,
    want_decimal,
    want_float,
    want_int,
    want_str,
)
from contracts.builtins.registry import REGISTRY
from contracts.program import Builtin
from contracts.vm import Machine

ERR_FLOAT: Final = "incorrect float value"
ERR_FLOAT_RESULT: Final = "incorrect float result"
# SqrtDecimal's Newton loop runs about 1.7 steps per digit of its argument.
MAX_SQRT_ADJUSTED: Final = 1000
MONEY_LENGTH: Final = 30  # consts.MoneyLength

Pair = tuple[int, int]  # (mantissa, exponent): mantissa * 10**exponent, exact


def parse_decimal_or_zero(text: str) -> Decimal:
    """What the reference's math helpers do with NewFromString's result: errors become zero.

    Oversized input is still refused, so hostile text never reaches the arithmetic.
    """
    check_length(text, MAX_NUMBER_TEXT, "decimal value")
    try:
        return parse_decimal(text)
    except ValueError as exc:
        if "supported range" in str(exc):
            raise
        return Decimal(0)


# ---- the float built-ins -------------------------------------------------------------------


def to_float(value: Any) -> float:
    """parseFloat of the reference: float64, int64 or numeric text; anything else is refused."""
    kind = type(value)
    if kind is float:
        return float(value)
    if kind is int:
        return float(value)
    if kind is str:
        try:
            return parse_float(check_length(value, MAX_NUMBER_TEXT, "float value"))
        except NumError as exc:
            raise ValueError(ERR_FLOAT) from exc
    raise ValueError(ERR_FLOAT)


def _valid(result: float) -> float:
    if math.isnan(result) or math.isinf(result):
        raise ValueError(ERR_FLOAT_RESULT)
    return result


@REGISTRY.builtin("Floor", fuel=5)
def floor_(x: Any) -> int:
    """Floor(x) int: the greatest integer not above x."""
    return check_int64(math.floor(_valid(to_float(x))))


@REGISTRY.builtin("Round", fuel=5)
def round_(x: Any) -> int:
    """Round(x) int: to the nearest integer, halves away from zero (Go's math.Round)."""
    value = _valid(to_float(x))
    if abs(value) >= 1 << 52:
        return check_int64(int(value))
    whole = math.trunc(value)
    if abs(value - whole) >= 0.5:
        whole += 1 if value > 0 else -1
    return check_int64(whole)


@REGISTRY.builtin("Log", fuel=5)
def log_(x: Any) -> float:
    """Log(x) float: natural logarithm; an error for x <= 0."""
    return _valid(go_math.log(to_float(x)))


@REGISTRY.builtin("Log10", fuel=5)
def log10_(x: Any) -> float:
    """Log10(x) float: Go computes it as Log(x) * (1/Ln10)."""
    return _valid(go_math.log10(to_float(x)))


@REGISTRY.builtin("Pow", fuel=5)
def pow_(x: Any, y: Any) -> float:
    """Pow(x, y) float; an error when the result is not finite."""
    return _valid(go_math.pow(to_float(x), to_float(y)))


@REGISTRY.builtin("Sqrt", fuel=5)
def sqrt_(x: Any) -> float:
    """Sqrt(x) float; an error for negative x."""
    value = to_float(x)
    return _valid(math.sqrt(value) if value >= 0 or math.isnan(value) else math.nan)


@REGISTRY.builtin("MathMod", fuel=5)
def math_mod(x: Any, y: Any) -> float:
    """MathMod(x, y float) float: Go's math.Mod, NaN (not an error) when y is 0."""
    fx, fy = want_float(x), want_float(y)
    if fy == 0 or math.isinf(fx) or math.isnan(fx) or math.isnan(fy):
        return math.nan
    return math.fmod(fx, fy)


# ---- the decimal built-ins -----------------------------------------------------------------


def _add_pair(a: Pair, b: Pair) -> Pair:
    ma, mb, exponent = scaled(a, b)
    return ma + mb, exponent


def _less(a: Pair, b: Pair) -> bool:
    ma, mb, _ = scaled(a, b)
    return ma < mb


@REGISTRY.builtin("MathModDecimal", fuel=10)
def math_mod_decimal(x: Any, y: Any) -> Decimal:
    """MathModDecimal(x, y money) money: the remainder with the sign of x."""
    dx = check_decimal(want_decimal(x))
    dy = check_decimal(want_decimal(y))
    mx, my, exponent = scaled(split_decimal(dx), split_decimal(dy))
    if my == 0:
        raise ZeroDivisionError(ERR_DIV_ZERO)
    rest = abs(mx) % abs(my)
    return make_decimal(-rest if mx < 0 else rest, exponent)


@REGISTRY.builtin("Div", fuel=10)
def div(x: Any, y: Any) -> str:
    """Div(x, y string) string: decimal quotient with 16 decimals; bad text counts as 0."""
    dx = parse_decimal_or_zero(want_str(x))
    dy = parse_decimal_or_zero(want_str(y))
    return decimal_text(div_round(dx, dy))


def _compare(x: Any, y: Any) -> int:
    dx = parse_decimal_or_zero(want_str(x))
    dy = parse_decimal_or_zero(want_str(y))
    return (dx > dy) - (dx < dy)


@REGISTRY.builtin("GreaterThan", fuel=5)
def greater_than(x: Any, y: Any) -> bool:
    """GreaterThan(x, y string) bool, comparing decimal text (bad text counts as 0)."""
    return _compare(x, y) > 0


@REGISTRY.builtin("GreaterThanOrEqual", fuel=5)
def greater_than_or_equal(x: Any, y: Any) -> bool:
    """GreaterThanOrEqual(x, y string) bool."""
    return _compare(x, y) >= 0


@REGISTRY.builtin("LessThan", fuel=5)
def less_than(x: Any, y: Any) -> bool:
    """LessThan(x, y string) bool."""
    return _compare(x, y) < 0


@REGISTRY.builtin("LessThanOrEqual", fuel=5)
def less_than_or_equal(x: Any, y: Any) -> bool:
    """LessThanOrEqual(x, y string) bool."""
    return _compare(x, y) <= 0


@REGISTRY.builtin("SqrtDecimal", fuel=100)
def sqrt_decimal(text: Any) -> Decimal:
    """SqrtDecimal(x string) money: the reference's Newton loop with 16-decimal divisions.

    As in the reference, any non-zero value up to 3 (negatives included) gives 1, and text
    that is not a number gives 0.
    """
    y = parse_decimal_or_zero(want_str(text))
    if y > 3:
        if y.adjusted() > MAX_SQRT_ADJUSTED:
            raise ValueError(f"the value is too large (over 10^{MAX_SQRT_ADJUSTED})")
        two, one, exact = (2, 0), (1, 0), split_decimal(y)
        z = exact
        x = _add_pair(div_pair(exact, two), one)
        while _less(x, z):
            z = x
            x = div_pair(_add_pair(div_pair(exact, x), x), two)
        return make_decimal(*z)
    if y.is_zero():
        return Decimal(0)
    return Decimal(1)


# ---- money ---------------------------------------------------------------------------------


def format_money(amount: Any, digit: Any, ecosystem_digits: int | None = None) -> str:
    """FormatMoney(exp string, digit int) string: exp * 10^-digit as decimal text.

    digit 0 means the ecosystem's money digits; without them (ecosystem_digits None) that is
    an error rather than a silently wrong answer.
    """
    text, places = want_str(amount), want_int(digit)
    if places == 0:
        if ecosystem_digits is None:
            raise ValueError("digit 0 needs the ecosystem's money digits (money_builtins)")
        places = ecosystem_digits
    if not text:
        return "0"
    if "." in text:
        raise ValueError(f"wrong money format {text}")
    places = wrap_int32(places)  # the reference passes an int32
    if places < 0:
        raise ValueError("digit must be positive")
    if len(text) > MONEY_LENGTH:
        raise ValueError("too long money")
    mantissa, exponent = split_decimal(parse_decimal(text))
    shifted = exponent - places
    if -shifted > 1 << 20:
        raise ValueError("the result is too long")
    return decimal_text(make_decimal(mantissa, shifted))


@REGISTRY.factory("FormatMoney")
def money_builtins(ecosystem_digits: int | Callable[[Machine], int] | None) -> dict[str, Builtin]:
    """FormatMoney, whose digit 0 means the ecosystem's money digits: a number, a function of
    the running machine that reads them (on a node), or None (not known here)."""
    if callable(ecosystem_digits):
        digits_of = ecosystem_digits

        def format_money_on_chain(m: Machine, amount: Any, digit: Any) -> str:
            places = want_int(digit)
            return format_money(amount, places, digits_of(m) if places == 0 else None)

        # The reference's price_exec_format_money.
        return {"FormatMoney": Builtin(format_money_on_chain, 50, machine=True)}
    fixed = ecosystem_digits

    def format_money_here(amount: Any, digit: Any) -> str:
        return format_money(amount, digit, fixed)

    return {"FormatMoney": Builtin(format_money_here, 10)}
