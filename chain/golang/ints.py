"""Go's fixed-size integers: int32/int64/uint64 bounds and the wrap of Go's conversions."""

from __future__ import annotations

import math
from typing import Final

INT32_MIN: Final = -(1 << 31)
INT32_MAX: Final = (1 << 31) - 1
INT64_MIN: Final = -(1 << 63)
INT64_MAX: Final = (1 << 63) - 1
UINT64_MAX: Final = (1 << 64) - 1

_2_POW_63: Final = 2.0**63


def in_int64(value: int) -> bool:
    """Whether the integer fits Go's int64."""
    return INT64_MIN <= value <= INT64_MAX


def in_uint64(value: int) -> bool:
    """Whether the integer fits Go's uint64."""
    return 0 <= value <= UINT64_MAX


def wrap_int64(value: int) -> int:
    """int64(x) of a wider integer: the low 64 bits read as two's complement.

    That is also how Go reads a uint64 into an int64 and what big.Int.Int64 returns.
    """
    value &= UINT64_MAX
    return value - (1 << 64) if value > INT64_MAX else value


def wrap_int32(value: int) -> int:
    """int32(x): the low 32 bits read as two's complement."""
    value &= (1 << 32) - 1
    return value - (1 << 32) if value > INT32_MAX else value


def float_to_int64(value: float) -> int:
    """int64(f): truncation toward zero; NaN and out-of-range values give amd64's MinInt64."""
    if math.isnan(value) or not -_2_POW_63 <= value < _2_POW_63:
        return INT64_MIN
    return int(value)
