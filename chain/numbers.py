"""Numbers from untrusted text: length, syntax and range checked before any conversion."""

# Python's int(), Decimal arithmetic and int(Decimal) are fast on small numbers and very slow
# on huge ones: int(Decimal("1e999000")) builds a million-digit integer and kept the event loop
# busy for 95 s. Every number a client sends goes through here, so the expensive step only
# ever sees text of bounded length whose magnitude is already known to be in range.

from __future__ import annotations

import re
from decimal import Decimal
from typing import Final

from chain.errors import ChainError
from chain.golang.ints import INT64_MAX, INT64_MIN

# No number a client has reason to send is longer: a 30-digit amount with a fraction, a sign
# and an exponent fits several times over. Longer text is refused before it is looked at.
MAX_NUMBER_TEXT: Final = 100
# Decimal exponents beyond this (either way) are refused: nothing on the chain is that large or
# that small, and the bound keeps every later Decimal step cheap.
MAX_DECIMAL_EXPONENT: Final = 100

_INT_RE: Final = re.compile(r"([+-]?)0*([0-9]+)", re.ASCII)
_DECIMAL_RE: Final = re.compile(
    r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?", re.ASCII
)
_INT64_DIGITS: Final = 19  # len(str(INT64_MAX))


class NumberError(ChainError, ValueError):
    """Text that is not a number of the wanted kind; the message says what was wanted."""


class NumberRangeError(NumberError, OverflowError):
    """A well-formed number outside the allowed range."""


def _bounded(text: str, what: str) -> str:
    if len(text) > MAX_NUMBER_TEXT:
        raise NumberError(f"{what} is too long ({len(text)} characters, at most {MAX_NUMBER_TEXT})")
    return text


def parse_int(
    text: str, *, minimum: int = INT64_MIN, maximum: int = INT64_MAX, what: str = "number"
) -> int:
    """A base-10 integer as Go's strconv.ParseInt reads it (sign, ASCII digits, nothing else).

    Raises NumberError for bad syntax, NumberRangeError outside [minimum, maximum] (int64 by
    default). Text of any length is fine: more digits than the bounds have is out of range
    without int() ever seeing them.
    """
    match = _INT_RE.fullmatch(text)
    if match is None:
        raise NumberError(f"{what} is not an integer")
    sign, digits = match.groups()
    if len(digits) > max(len(str(abs(minimum))), len(str(abs(maximum)))):
        raise NumberRangeError(f"{what} is out of range")
    value = int(digits)
    if sign == "-":
        value = -value
    if not minimum <= value <= maximum:
        raise NumberRangeError(f"{what} is out of range")
    return value


def clamp_int64(text: str) -> int:
    """Go's converter.StrToInt64: ParseInt's value with its error ignored.

    Bad syntax gives 0; a number out of range gives the nearest int64, as ParseInt does.
    Text of any length is fine: only up to 19 significant digits are ever converted.
    """
    match = _INT_RE.fullmatch(text)
    if match is None:
        return 0
    sign, digits = match.groups()
    if len(digits) > _INT64_DIGITS:
        return INT64_MIN if sign == "-" else INT64_MAX
    value = -int(digits) if sign == "-" else int(digits)
    return max(INT64_MIN, min(INT64_MAX, value))


def parse_decimal(
    text: str, *, max_exponent: int = MAX_DECIMAL_EXPONENT, what: str = "number"
) -> Decimal:
    """A finite decimal (`12`, `-0.5`, `.5`, `1e5`) whose magnitude is within 10^±max_exponent.

    Zero, however it is written, is Decimal(0).
    """
    if not _DECIMAL_RE.fullmatch(_bounded(text, what)):
        raise NumberError(f"{what} is not a decimal number")
    value = Decimal(text)  # cheap: the text is short, and nothing is computed yet
    if value.is_zero():
        return Decimal(0)
    if abs(value.adjusted()) > max_exponent:
        raise NumberRangeError(f"{what} is out of range")
    return value


def parse_whole(text: str, *, digits: int, what: str = "amount") -> int:
    """A whole number (`5`, `5.00`, `5e3`) with at most `digits` digits, either sign."""
    value = parse_decimal(text, what=what)
    if value != 0 and value.adjusted() >= digits:
        raise NumberRangeError(f"{what} has more than {digits} digits")
    if value != value.to_integral_value():
        raise NumberError(f"{what} is not a whole number")
    return int(value)


def parse_float(text: str, *, what: str = "number") -> float:
    """A finite float64 from decimal text (no `inf` or `nan` spellings)."""
    if not _DECIMAL_RE.fullmatch(_bounded(text, what)):
        raise NumberError(f"{what} is not a number")
    value = float(text)
    if value in (float("inf"), float("-inf")):
        raise NumberRangeError(f"{what} is out of range")
    return value
