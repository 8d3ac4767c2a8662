"""Go's strconv: float text (FormatFloat, %v), ParseFloat, quoting, printability, Unquote.

Strings are str whose bytes that are not UTF-8 are lone surrogates (Python's surrogateescape),
so a Go string's every byte survives: quoting writes such a byte as \\xff, as strconv does.
"""

from __future__ import annotations

import math
import re
import struct
from decimal import Decimal
from typing import Final

from chain.golang.ints import UINT64_MAX

LDIGITS: Final = "0123456789abcdefx"
UDIGITS: Final = "0123456789ABCDEFX"
MAX_RUNE: Final = 0x10FFFF
_SHORT_ESCAPES: Final = {
    "\a": "\\a",
    "\b": "\\b",
    "\f": "\\f",
    "\n": "\\n",
    "\r": "\\r",
    "\t": "\\t",
    "\v": "\\v",
}

# ---- printability and quoting ------------------------------------------------------------------


def is_print(ch: str) -> bool:
    """strconv.IsPrint: letters, marks, numbers, punctuation, symbols and the ASCII space.

    That is what Python calls printable (everything but the C* and Z* categories, the space
    excepted); the two differ only on characters Unicode assigned after Go's tables.
    """
    return ch.isprintable()


def _escaped_rune(ch: str, quote: str, ascii_only: bool) -> str:
    if ch == quote or ch == "\\":
        return "\\" + ch
    code = ord(ch)
    if 0xDC80 <= code <= 0xDCFF:  # an invalid UTF-8 byte (surrogateescape)
        return f"\\x{code - 0xDC00:02x}"
    if 0xD800 <= code <= 0xDFFF:
        ch, code = "\ufffd", 0xFFFD
    if ascii_only:
        if code < 0x80 and is_print(ch):
            return ch
    elif is_print(ch):
        return ch
    if ch in _SHORT_ESCAPES:
        return _SHORT_ESCAPES[ch]
    if code < 0x20 or code == 0x7F:
        return f"\\x{code:02x}"
    if code < 0x10000:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def quote(text: str, ascii_only: bool = False) -> str:
    """strconv.Quote (or QuoteToASCII) of a string whose invalid bytes are surrogate escapes."""
    if not ascii_only and text.isprintable() and '"' not in text and "\\" not in text:
        return '"' + text + '"'
    return '"' + "".join([_escaped_rune(ch, '"', ascii_only) for ch in text]) + '"'


def quote_rune(code: int, ascii_only: bool = False) -> str:
    """strconv.QuoteRune (or QuoteRuneToASCII); an invalid rune is written as U+FFFD."""
    if not 0 <= code <= MAX_RUNE or 0xD800 <= code <= 0xDFFF:
        code = 0xFFFD
    return "'" + _escaped_rune(chr(code), "'", ascii_only) + "'"


def can_backquote(text: str) -> bool:
    """strconv.CanBackquote: one line, no control character but tab, no backquote, no BOM."""
    for ch in text:
        code = ord(ch)
        if (code < 0x20 and ch != "\t") or ch == "`" or code == 0x7F or ch == "\ufeff":
            return False
        if 0xD800 <= code <= 0xDFFF:
            return False
    return True


_SIMPLE_ESCAPES: Final = {
    "a": 0x07,
    "b": 0x08,
    "f": 0x0C,
    "n": 0x0A,
    "r": 0x0D,
    "t": 0x09,
    "v": 0x0B,
    "\\": 0x5C,
    '"': 0x22,
}
_HEX_DIGITS: Final = frozenset("0123456789abcdefABCDEF")


def unquote(body: str) -> bytes | None:
    """strconv.Unquote of `"` + body + `"`: the bytes Go's escapes spell, or None on its error.

    \\x and octal escapes give single bytes, which need not form UTF-8 (a Go string is bytes).
    """
    out = bytearray()
    i, n = 0, len(body)
    while i < n:
        ch = body[i]
        if ch == '"' or ch == "\n":
            return None
        if ch != "\\":
            out += ch.encode("utf-8", "surrogateescape")
            i += 1
            continue
        if i + 1 >= n:
            return None
        code = body[i + 1]
        if code in _SIMPLE_ESCAPES:
            out.append(_SIMPLE_ESCAPES[code])
            i += 2
        elif code in "xuU":
            size = {"x": 2, "u": 4, "U": 8}[code]
            digits = body[i + 2 : i + 2 + size]
            if len(digits) != size or not all(c in _HEX_DIGITS for c in digits):
                return None
            number = int(digits, 16)
            if code == "x":
                out.append(number)
            elif number > MAX_RUNE or 0xD800 <= number <= 0xDFFF:
                return None
            else:
                out += chr(number).encode()
            i += 2 + size
        elif code in "01234567":
            digits = body[i + 1 : i + 4]
            if len(digits) != 3 or not all(c in "01234567" for c in digits):
                return None
            number = int(digits, 8)
            if number > 255:
                return None
            out.append(number)
            i += 4
        else:
            return None
    return bytes(out)


# ---- float text --------------------------------------------------------------------------------


def shortest_digits(value: float) -> tuple[str, int]:
    """The shortest digits that read back as |value| (finite, non-zero) and where the point goes.

    Python's repr and Go's strconv both pick the shortest round-trip digits, so the digit
    strings agree; only the layout around them differs. ("125", 1) is 1.25.
    """
    _, digits, exponent = Decimal(repr(abs(value))).normalize().as_tuple()
    if not isinstance(exponent, int):
        raise ValueError(f"{value} is not a finite number")
    text = "".join(map(str, digits))
    return text, len(text) + exponent


def exponent_form(digits: str, point: int, mark: str = "e") -> str:
    """d.ddde±XX: Go's %e layout of shortest digits (at least two exponent digits)."""
    mantissa = (digits[:1] or "0") + ("." + digits[1:] if len(digits) > 1 else "")
    exp = point - 1 if digits else 0
    return f"{mantissa}{mark}{'-' if exp < 0 else '+'}{abs(exp):02d}"


def fixed_form(digits: str, point: int) -> str:
    """ddd.ddd: Go's %f layout of shortest digits."""
    if not digits:
        return "0"
    if point <= 0:
        return "0." + "0" * -point + digits
    if point >= len(digits):
        return digits + "0" * (point - len(digits))
    return digits[:point] + "." + digits[point:]


def _float_bits(value: float) -> tuple[int, int]:
    """(mantissa with the implicit bit, unbiased exponent) as strconv's genericFtoa sees them."""
    bits: int = struct.unpack("<Q", struct.pack("<d", value))[0]
    exp = (bits >> 52) & 0x7FF
    mant = bits & ((1 << 52) - 1)
    if exp == 0:
        exp += 1
    else:
        mant |= 1 << 52
    return mant, exp - 1023


def _hex_float(value: float, prec: int, fmt: str) -> str:
    # %x: 0x1.yyyyp±dd, rounded to `prec` hex digits when prec is below 15.
    mant, exp = _float_bits(value)
    if mant == 0:
        exp = 0
    mant <<= 8
    while mant != 0 and mant & (1 << 60) == 0:
        mant <<= 1
        exp -= 1
    if 0 <= prec < 15:
        shift = prec * 4
        extra = (mant << shift) & ((1 << 60) - 1)
        mant >>= 60 - shift
        if extra | (mant & 1) > 1 << 59:
            mant += 1
        mant <<= 60 - shift
        if mant & (1 << 61):
            mant >>= 1
            exp += 1
    digits = LDIGITS if fmt == "x" else UDIGITS
    out = ["0", fmt, "1" if (mant >> 60) & 1 else "0"]
    mant = (mant << 4) & UINT64_MAX
    if prec < 0 and mant != 0:
        out.append(".")
        while mant != 0:
            out.append(digits[(mant >> 60) & 15])
            mant = (mant << 4) & UINT64_MAX
    elif prec > 0:
        out.append(".")
        for _ in range(min(prec, 16)):
            out.append(digits[(mant >> 60) & 15])
            mant = (mant << 4) & UINT64_MAX
        out.append("0" * (prec - 16) if prec > 16 else "")
    out.append("p" if fmt == "x" else "P")
    out.append("-" if exp < 0 else "+")
    out.append(f"{abs(exp):02d}")
    return "".join(out)


def format_float(value: float, fmt: str = "g", prec: int = -1) -> str:
    """strconv.FormatFloat(value, fmt, prec, 64) for fmt in b e E f g G x X; prec -1 is shortest.

    fmt's %v of a float64 is FormatFloat(f, 'g', -1, 64): the exponent form when the exponent
    is below -4 or at least 6 (1e+06 but 100000), unlike encoding/json (see golang.json).
    """
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    sign = "-" if math.copysign(1.0, value) < 0 else ""
    value = abs(value)
    if fmt in "xX":
        return sign + _hex_float(value, prec, fmt)
    if fmt == "b":
        mant, exp = _float_bits(value)
        exp -= 52
        return f"{sign}{mant}p{'+' if exp >= 0 else ''}{exp}"
    if prec >= 0:
        # Python's correctly rounded e/f/g agree with strconv's (both round half to even).
        text = format(value, f".{prec}{fmt.lower()}")
        return sign + (text.upper() if fmt in "EG" else text)
    digits, point = shortest_digits(value) if value else ("", 0)
    if fmt in "eE":
        return sign + exponent_form(digits, point, fmt)
    if fmt == "f":
        return sign + fixed_form(digits, point)
    exp = point - 1
    if digits and (exp < -4 or exp >= 6):
        return sign + exponent_form(digits, point, "E" if fmt == "G" else "e")
    return sign + fixed_form(digits, point)


# ---- ParseFloat --------------------------------------------------------------------------------


class NumError(ValueError):
    """strconv.NumError: Go's message, and the value ParseFloat returns beside the error."""

    def __init__(self, func: str, text: str, reason: str, value: float) -> None:
        super().__init__(f'strconv.{func}: parsing {quote(text)}: {reason}')
        self.value = value


_DEC_FLOAT: Final = re.compile(r"[+-]?[0-9_]*(?:\.[0-9_]*)?(?:[eE][+-]?[0-9][0-9_]*)?")
_HEX_FLOAT: Final = re.compile(r"[+-]?0[xX][0-9a-fA-F_]*(?:\.[0-9a-fA-F_]*)?[pP][+-]?[0-9][0-9_]*")
_MANTISSA_DIGIT: Final = re.compile(r"[+-]?(?:0[xX])?[._]*[0-9a-fA-F]")
_SPECIAL_FLOAT: Final = re.compile(r"([+-]?)(?:inf|infinity)|nan", re.IGNORECASE)


def _underscores_ok(text: str) -> bool:
    """strconv's underscoreOK: '_' only between digits (or after a base prefix)."""
    body = text[1:] if text[:1] in ("+", "-") else text
    hexadecimal = body[:2].lower() == "0x"
    saw, i = ("0", 2) if hexadecimal else ("^", 0)
    for ch in body[i:]:
        if ch.isdigit() or (hexadecimal and ch.lower() in "abcdef"):
            saw = "0"
        elif ch == "_":
            if saw != "0":
                return False
            saw = "_"
        elif saw == "_":
            return False
        else:
            saw = "!"
    return saw != "_"


def parse_float(text: str) -> float:
    """strconv.ParseFloat(text, 64): Go's syntax (signs, '_' separators, hex, inf, nan).

    Errors are NumError, whose `value` is what Go returns with them: 0 for invalid syntax,
    ±Inf for a value out of range.
    """
    special = _SPECIAL_FLOAT.fullmatch(text)
    if special is not None:
        if text.lower().endswith("nan"):
            return math.nan
        return -math.inf if special.group(1) == "-" else math.inf
    hexadecimal = _HEX_FLOAT.fullmatch(text) is not None
    syntax_ok = hexadecimal or _DEC_FLOAT.fullmatch(text) is not None
    # The mantissa needs a digit (of its base: "e5" and "0xp1" are not numbers).
    digit = _MANTISSA_DIGIT.match(text) if syntax_ok else None
    if digit is None or (not hexadecimal and not digit.group()[-1].isdigit()):
        raise NumError("ParseFloat", text, "invalid syntax", 0.0)
    cleaned = text
    if "_" in text:
        if not _underscores_ok(text):
            raise NumError("ParseFloat", text, "invalid syntax", 0.0)
        cleaned = text.replace("_", "")
    try:
        value = float.fromhex(cleaned) if hexadecimal else float(cleaned)
    except OverflowError:
        value = -math.inf if cleaned.startswith("-") else math.inf
    if math.isinf(value):
        raise NumError("ParseFloat", text, "value out of range", value)
    return value
