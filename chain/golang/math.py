"""Go's math.Log, Exp and Pow, computed in pure Python with Go's own algorithms.

fdlibm's log and exp and Go's repeated-squaring pow give the same bits on every platform and
match Go's on amd64 where Go runs the same algorithm (Go's Log10(1000) is 2.9999999999999996,
and so is ours); the platform's libm would differ in the last bit now and then.
"""

from __future__ import annotations

import math
from typing import Final

from chain.golang.ints import INT64_MAX

INV_LN10: Final = float("0.43429448190325182765112891891660508229439700580366656611445378")

_LN2_HI: Final = 6.93147180369123816490e-01
_LN2_LO: Final = 1.90821492927058770002e-10
_LOG2E: Final = 1.44269504088896338700e00
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


def log(x: float) -> float:
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


def exp(x: float) -> float:
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
            return pow(1 / x, -y)
        return 0.0 if y < 0 else math.inf
    if y == 0.5:
        return math.sqrt(x) if x >= 0 else math.nan
    if y == -0.5:
        return 1 / math.sqrt(x) if x > 0 else math.nan
    return None


def pow(x: float, y: float) -> float:
    """math.Pow: exp(frac(y)*log(x)) times x**int(y) by repeated squaring, as Go does it."""
    special = _pow_special(x, y)
    if special is not None:
        return special
    yf, yi = math.modf(abs(y))
    if yf != 0 and x < 0:
        return math.nan
    if yi > INT64_MAX:
        # A huge even power: overflow or underflow for every x but -1.
        if x == -1:
            return 1.0
        return 0.0 if (abs(x) < 1) == (y > 0) else math.inf
    a1, ae = 1.0, 0
    if yf != 0:
        if yf > 0.5:
            yf -= 1
            yi += 1
        a1 = exp(yf * log(x))
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


def log10(x: float) -> float:
    """math.Log10: Go computes it as Log(x) * (1/Ln10)."""
    return log(x) * INV_LN10
