"""Random, RandomFloat, RandomDecimal: deterministic streams from a per-transaction seed.

The reference reseeds Go's math/rand with a CRC-64 of the tx hash; we draw from SHA-256 in
counter mode over the seed the executor passes (tx hash and block hash), so every node
replaying a block gets the same numbers and nothing depends on the clock. The numbers differ
from the reference's (its generator's tables are not part of the protocol).
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable
from decimal import Decimal
from fractions import Fraction
from typing import Any

from contracts.stdlib.golang import (
    check_decimal,
    decimal_text,
    go_float_text,
    want_decimal,
    want_float,
    want_int,
)

_ERR = "wrong random parameters min: {}, max: {}"


class SeededStream:
    """63-bit integers and floats in [0, 1) drawn from SHA-256(seed || counter)."""

    def __init__(self, seed: bytes) -> None:
        self._seed = hashlib.sha256(b"ibax-needle-random" + seed).digest()
        self._counter = 0
        self._buffer = b""

    def _take(self, size: int) -> bytes:
        while len(self._buffer) < size:
            block = self._seed + self._counter.to_bytes(8, "big")
            self._buffer += hashlib.sha256(block).digest()
            self._counter += 1
        out, self._buffer = self._buffer[:size], self._buffer[size:]
        return out

    def int63(self) -> int:
        return int.from_bytes(self._take(8), "big") >> 1

    def int63n(self, n: int) -> int:
        """Uniform in [0, n) without modulo bias (Go's Int63n method)."""
        if n & (n - 1) == 0:
            return self.int63() & (n - 1)
        limit = (1 << 63) - 1 - (1 << 63) % n
        value = self.int63()
        while value > limit:
            value = self.int63()
        return value % n

    def float64(self) -> float:
        """Uniform in [0, 1) with 53 random bits."""
        return (self.int63() >> 10) / (1 << 53)


def random_stdlib(seed: bytes) -> dict[str, tuple[Callable[..., Any], int]]:
    """The random built-ins of one transaction; the same seed gives the same sequence."""
    stream = SeededStream(seed)

    def random_int(low: Any, high: Any) -> int:
        """Random(min, max int) int in [min, max); both non-negative, min < max."""
        a, b = want_int(low), want_int(high)
        if a < 0 or b < 0 or a >= b:
            raise ValueError(_ERR.format(a, b))
        return a + stream.int63n(b - a)

    def random_float(low: Any, high: Any) -> float:
        """RandomFloat(min, max float) float in [min, max)."""
        a, b = want_float(low), want_float(high)
        if not (a >= 0 and b >= 0 and a < b) or math.isinf(b):
            raise ValueError(_ERR.format(go_float_text(a), go_float_text(b)))
        return a + stream.float64() * (b - a)

    def random_decimal(low: Any, high: Any) -> Decimal:
        """RandomDecimal(min, max money) money: floor(min + r*(max-min)) for r in [0, 1)."""
        a = check_decimal(want_decimal(low))
        b = check_decimal(want_decimal(high))
        if a < 0 or b < 0 or a >= b:
            raise ValueError(_ERR.format(decimal_text(a), decimal_text(b)))
        # decimal.NewFromFloat keeps the float's shortest digits, which repr gives.
        r = Fraction(Decimal(repr(stream.float64())))
        return Decimal(math.floor(r * (Fraction(b) - Fraction(a)) + Fraction(a)))

    return {
        "Random": (random_int, 5),
        "RandomFloat": (random_float, 5),
        "RandomDecimal": (random_decimal, 10),
    }
