"""Random, RandomFloat, RandomDecimal: deterministic streams, one per transaction.

The reference reseeds Go's math/rand with a CRC-64 of the tx hash; we draw from SHA-256 in
counter mode over the transaction's hash, so every node replaying a block gets the same
numbers and nothing depends on the clock. The numbers differ from the reference's (its
generator's tables are not part of the protocol).
"""

from __future__ import annotations

import hashlib
import math
from decimal import Decimal
from fractions import Fraction
from typing import Any

from chain.golang.decimal import check_decimal, decimal_text
from chain.golang.ints import INT64_MAX
from chain.golang.strconv import format_float
from contracts.builtins.data import host_of
from contracts.builtins.gotypes import want_decimal, want_float, want_int
from contracts.builtins.registry import REGISTRY
from contracts.vm import Machine

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
        limit = INT64_MAX - (INT64_MAX + 1) % n
        value = self.int63()
        while value > limit:
            value = self.int63()
        return value % n

    def float64(self) -> float:
        """Uniform in [0, 1) with 53 random bits."""
        return (self.int63() >> 10) / (1 << 53)


def tx_stream(m: Machine) -> SeededStream:
    """The running transaction's stream, seeded by its hash at the first draw."""
    if m.random is None:
        m.random = SeededStream(host_of(m).ctx.hash)
    return m.random


def random_int(stream: SeededStream, low: Any, high: Any) -> int:
    """Random(min, max int) int in [min, max); both non-negative, min < max."""
    a, b = want_int(low), want_int(high)
    if a < 0 or b < 0 or a >= b:
        raise ValueError(_ERR.format(a, b))
    return a + stream.int63n(b - a)


def random_float(stream: SeededStream, low: Any, high: Any) -> float:
    """RandomFloat(min, max float) float in [min, max)."""
    a, b = want_float(low), want_float(high)
    if not (a >= 0 and b >= 0 and a < b) or math.isinf(b):
        raise ValueError(_ERR.format(format_float(a), format_float(b)))
    return a + stream.float64() * (b - a)


def random_decimal(stream: SeededStream, low: Any, high: Any) -> Decimal:
    """RandomDecimal(min, max money) money: floor(min + r*(max-min)) for r in [0, 1)."""
    a = check_decimal(want_decimal(low))
    b = check_decimal(want_decimal(high))
    if a < 0 or b < 0 or a >= b:
        raise ValueError(_ERR.format(decimal_text(a), decimal_text(b)))
    # decimal.NewFromFloat keeps the float's shortest digits, which repr gives.
    r = Fraction(Decimal(repr(stream.float64())))
    return Decimal(math.floor(r * (Fraction(b) - Fraction(a)) + Fraction(a)))


@REGISTRY.builtin("Random", fuel=5, machine=True)
def random_int_(m: Machine, low: Any, high: Any) -> int:
    """Random(min, max int) int, from the transaction's stream."""
    return random_int(tx_stream(m), low, high)


@REGISTRY.builtin("RandomFloat", fuel=5, machine=True)
def random_float_(m: Machine, low: Any, high: Any) -> float:
    """RandomFloat(min, max float) float, from the transaction's stream."""
    return random_float(tx_stream(m), low, high)


@REGISTRY.builtin("RandomDecimal", fuel=5, machine=True)
def random_decimal_(m: Machine, low: Any, high: Any) -> Decimal:
    """RandomDecimal(min, max money) money, from the transaction's stream."""
    return random_decimal(tx_stream(m), low, high)
