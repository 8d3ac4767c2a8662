"""Math built-ins: float functions as Go computes them, and decimal (money) helpers.

Log, Exp and Pow are computed in pure Python with the algorithms Go uses (fdlibm's log and
exp, Go's repeated-squaring pow), so results are the same on every platform and match Go's
on amd64 bit for bit where Go runs the same algorithm (Go's Log10(1000) is 2.9999999999999996,
and so is ours). The platform's libm would differ in the last bit now and then.
"""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Any, Final

from contracts.stdlib.golang import (
    check_decimal,
    check_int64,
    decimal_text,
    make_decimal,
    parse_decimal_or_zero,
    parse_go_float,
    split_decimal,
    want_decimal,
    want_float,
    want_str,
)

ERR_FLOAT: Final = "incorrect float value"
ERR_FLOAT_RESULT: Final = "incorrect float result"
ERR_DIV_ZERO: Final = "decimal division by zero"
DIVISION_PRECISION: Final = 16  # shopspring/decimal's DivisionPrecision
# SqrtDecimal's Newton loop runs about 1.7 steps per digit of its argument.
MAX_SQRT_ADJUSTED: Final = 1000

_LN2_HI: Final = 6.93147180369123816490e-01
_LN2_LO: Final = 1.90821492927058770002e-10
_LOG2E: Final = 1.44269504088896338700e00
_INV_LN10: Final = float("0.43429448190325182765112891891660508229439700580366656611445378")
_L = (
    6.666666666666735130e-01,
    3.999999999940941908e-01,
    2.857142874366239149e-01,
    2.222219843214978396e-01,
    1.818357216161805012e-01,
    1.531383769920937332e-01,
    1.479819860511658591e-01,
)
_P = (
    1.66666666666666657415e-01,
    -2.77777777770155933842e-03,
    6.61375632143793436117e-05,
    -1.65339022054652515390e-06,
    4.13813679705723846039e-08,
)
_EXP_OVERFLOW: Final = 7.09782712893383973096e02
_EXP_UNDERFLOW: Final = -7.45133219101941108420e02
_NEAR_ZERO: Final = 1.0 / (1 << 28)


def _ldexp(frac: float, exp: int) -> float:
    try:
        return math.ldexp(frac, exp)
    except OverflowError:
        return math.copysign(math.inf, frac)


def go_log(x: float) -> float:
    """math.Log: fdlibm's reduction to [sqrt(2)/2, sqrt(2)) and its polynomial."""
    if math.isnan(x) or x == math.inf:
        return x
    if x < 0:
        return math.nan
    if x == 0:
        return -math.inf
    f1, ki = math.frexp(x)
    if f1 < math.sqrt(2) / 2:
        f1 *= 2
        ki -= 1
    f = f1 - 1
    k = float(ki)
    s = f / (2 + f)
    s2 = s * s
    s4 = s2 * s2
    t1 = s2 * (_L[0] + s4 * (_L[2] + s4 * (_L[4] + s4 * _L[6])))
    t2 = s4 * (_L[1] + s4 * (_L[3] + s4 * _L[5]))
    r = t1 + t2
    hfsq = 0.5 * f * f
    return k * _LN2_HI - ((hfsq - (s * (hfsq + r) + k * _LN2_LO)) - f)


def go_exp(x: float) -> float:
    """math.Exp: fdlibm's reduction by multiples of ln 2 and its rational approximation."""
    if math.isnan(x) or x == math.inf:
        return x
    if x == -math.inf or x < _EXP_UNDERFLOW:
        return 0.0
    if x > _EXP_OVERFLOW:
        return math.inf
    if -_NEAR_ZERO < x < _NEAR_ZERO:
        return 1 + x
    k = int(_LOG2E * x - 0.5) if x < 0 else int(_LOG2E * x + 0.5)
    hi = x - k * _LN2_HI
    lo = k * _LN2_LO
    r = hi - lo
    t = r * r
    c = r - t * (_P[0] + t * (_P[1] + t * (_P[2] + t * (_P[3] + t * _P[4]))))
    y = 1 - ((lo - (r * c) / (2 - c)) - hi)
    return _ldexp(y, k)


def _is_odd_int(x: float) -> bool:
    if abs(x) >= 1 << 53:
        return False
    frac, whole = math.modf(x)
    return frac == 0 and int(whole) & 1 == 1


def _pow_special(x: float, y: float) -> float | None:
    """Go's special cases of Pow, in Go's order; None when the general method applies."""
    if y == 0 or x == 1:
        return 1.0
    if y == 1:
        return x
    if math.isnan(x) or math.isnan(y):
        return math.nan
    if x == 0:
        negative_zero = math.copysign(1.0, x) < 0
        if y < 0:
            return -math.inf if negative_zero and _is_odd_int(y) else math.inf
        return x if negative_zero and _is_odd_int(y) else 0.0
    if math.isinf(y):
        if x == -1:
            return 1.0
        return 0.0 if (abs(x) < 1) == (y > 0) else math.inf
    if math.isinf(x):
        if x < 0:
            return go_pow(1 / x, -y)
        return 0.0 if y < 0 else math.inf
    if y == 0.5:
        return math.sqrt(x) if x >= 0 else math.nan
    if y == -0.5:
        return 1 / math.sqrt(x) if x > 0 else math.nan
    return None


def go_pow(x: float, y: float) -> float:
    """math.Pow: exp(frac(y)*log(x)) times x**int(y) by repeated squaring, as Go does it."""
    special = _pow_special(x, y)
    if special is not None:
        return special
    yf, yi = math.modf(abs(y))
    if yf != 0 and x < 0:
        return math.nan
    if yi >= 1 << 63:
        # A huge even power: overflow or underflow for every x but -1.
        if x == -1:
            return 1.0
        return 0.0 if (abs(x) < 1) == (y > 0) else math.inf
    a1, ae = 1.0, 0
    if yf != 0:
        if yf > 0.5:
            yf -= 1
            yi += 1
        a1 = go_exp(yf * go_log(x))
    x1, xe = math.frexp(x)
    i = int(yi)
    while i != 0:
        if xe < -(1 << 12) or 1 << 12 < xe:
            ae += xe  # certain overflow or underflow: the final ldexp settles it
            break
        if i & 1 == 1:
            a1 *= x1
            ae += xe
        x1 *= x1
        xe <<= 1
        if x1 < 0.5:
            x1 += x1
            xe -= 1
        i >>= 1
    if y < 0:
        a1 = 1 / a1
        ae = -ae
    return _ldexp(a1, ae)


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
            return parse_go_float(value)
        except ValueError as exc:
            if "too long" in str(exc):
                raise
            raise ValueError(ERR_FLOAT) from exc
    raise ValueError(ERR_FLOAT)


def _valid(result: float) -> float:
    if math.isnan(result) or math.isinf(result):
        raise ValueError(ERR_FLOAT_RESULT)
    return result


def floor_(x: Any) -> int:
    """Floor(x) int: the greatest integer not above x."""
    return check_int64(math.floor(_valid(to_float(x))))


def round_(x: Any) -> int:
    """Round(x) int: to the nearest integer, halves away from zero (Go's math.Round)."""
    value = _valid(to_float(x))
    if abs(value) >= 1 << 52:
        return check_int64(int(value))
    whole = math.trunc(value)
    if abs(value - whole) >= 0.5:
        whole += 1 if value > 0 else -1
    return check_int64(whole)


def log_(x: Any) -> float:
    """Log(x) float: natural logarithm; an error for x <= 0."""
    return _valid(go_log(to_float(x)))


def log10_(x: Any) -> float:
    """Log10(x) float: Go computes it as Log(x) * (1/Ln10)."""
    return _valid(go_log(to_float(x)) * _INV_LN10)


def pow_(x: Any, y: Any) -> float:
    """Pow(x, y) float; an error when the result is not finite."""
    return _valid(go_pow(to_float(x), to_float(y)))


def sqrt_(x: Any) -> float:
    """Sqrt(x) float; an error for negative x."""
    value = to_float(x)
    return _valid(math.sqrt(value) if value >= 0 or math.isnan(value) else math.nan)


def math_mod(x: Any, y: Any) -> float:
    """MathMod(x, y float) float: Go's math.Mod, NaN (not an error) when y is 0."""
    fx, fy = want_float(x), want_float(y)
    if fy == 0 or math.isinf(fx) or math.isnan(fx) or math.isnan(fy):
        return math.nan
    return math.fmod(fx, fy)


# ---- the decimal built-ins -----------------------------------------------------------------


Pair = tuple[int, int]  # (mantissa, exponent): mantissa * 10**exponent, exact


def _scaled(a: Pair, b: Pair) -> tuple[int, int, int]:
    """Both values as integers over a common power of ten: (ma, mb, exponent)."""
    (ma, ea), (mb, eb) = a, b
    common = min(ea, eb)
    return ma * 10 ** (ea - common), mb * 10 ** (eb - common), common


def _div_pair(x: Pair, y: Pair, places: int = DIVISION_PRECISION) -> Pair:
    (mx, ex), (my, ey) = x, y
    if my == 0:
        raise ZeroDivisionError(ERR_DIV_ZERO)
    shift = ex - ey + places
    num, den = (mx * 10**shift, my) if shift >= 0 else (mx, my * 10**-shift)
    quotient, rest = divmod(abs(num), abs(den))
    if 2 * rest >= abs(den):
        quotient += 1
    return (-quotient if (num < 0) != (den < 0) else quotient), -places


def _add_pair(a: Pair, b: Pair) -> Pair:
    ma, mb, exponent = _scaled(a, b)
    return ma + mb, exponent


def _less(a: Pair, b: Pair) -> bool:
    ma, mb, _ = _scaled(a, b)
    return ma < mb


def div_round(x: Decimal, y: Decimal, places: int = DIVISION_PRECISION) -> Decimal:
    """x / y to `places` decimals, halves away from zero (shopspring's DivRound)."""
    return make_decimal(*_div_pair(split_decimal(x), split_decimal(y), places))


def math_mod_decimal(x: Any, y: Any) -> Decimal:
    """MathModDecimal(x, y money) money: the remainder with the sign of x."""
    dx = check_decimal(want_decimal(x))
    dy = check_decimal(want_decimal(y))
    mx, my, exponent = _scaled(split_decimal(dx), split_decimal(dy))
    if my == 0:
        raise ZeroDivisionError(ERR_DIV_ZERO)
    rest = abs(mx) % abs(my)
    return make_decimal(-rest if mx < 0 else rest, exponent)


def div(x: Any, y: Any) -> str:
    """Div(x, y string) string: decimal quotient with 16 decimals; bad text counts as 0."""
    dx = parse_decimal_or_zero(want_str(x))
    dy = parse_decimal_or_zero(want_str(y))
    return decimal_text(div_round(dx, dy))


def _compare(x: Any, y: Any) -> int:
    dx = parse_decimal_or_zero(want_str(x))
    dy = parse_decimal_or_zero(want_str(y))
    return (dx > dy) - (dx < dy)


def greater_than(x: Any, y: Any) -> bool:
    """GreaterThan(x, y string) bool, comparing decimal text (bad text counts as 0)."""
    return _compare(x, y) > 0


def greater_than_or_equal(x: Any, y: Any) -> bool:
    """GreaterThanOrEqual(x, y string) bool."""
    return _compare(x, y) >= 0


def less_than(x: Any, y: Any) -> bool:
    """LessThan(x, y string) bool."""
    return _compare(x, y) < 0


def less_than_or_equal(x: Any, y: Any) -> bool:
    """LessThanOrEqual(x, y string) bool."""
    return _compare(x, y) <= 0


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
        x = _add_pair(_div_pair(exact, two), one)
        while _less(x, z):
            z = x
            x = _div_pair(_add_pair(_div_pair(exact, x), x), two)
        return make_decimal(*z)
    if y.is_zero():
        return Decimal(0)
    return Decimal(1)
