"""Go's strconv text of floats and quoted strings, as fmt and encoding/json print them.

Strings are str whose bytes that are not UTF-8 are lone surrogates (surrogateescape); quoting
writes such a byte as \\xff, as strconv does for invalid UTF-8.
"""

from __future__ import annotations

import math
import struct
from decimal import Decimal
from typing import Final

LDIGITS: Final = "0123456789abcdefx"
UDIGITS: Final = "0123456789ABCDEFX"
_M64: Final = (1 << 64) - 1
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


def is_print(ch: str) -> bool:
    # strconv.IsPrint: letters, marks, numbers, punctuation, symbols and the ASCII space, which
    # is what Python calls printable (everything but the C* and Z* categories, space excepted).
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


def go_quote(text: str, ascii_only: bool = False) -> str:
    """strconv.Quote (or QuoteToASCII) of a string whose invalid bytes are surrogate escapes."""
    if not ascii_only and text.isprintable() and '"' not in text and "\\" not in text:
        return '"' + text + '"'
    return '"' + "".join([_escaped_rune(ch, '"', ascii_only) for ch in text]) + '"'


def quote_rune(code: int, ascii_only: bool) -> str:
    if code > MAX_RUNE or 0xD800 <= code <= 0xDFFF:
        code = 0xFFFD
    return "'" + _escaped_rune(chr(code), "'", ascii_only) + "'"


def can_backquote(text: str) -> bool:
    for ch in text:
        code = ord(ch)
        if (code < 0x20 and ch != "\t") or ch == "`" or code == 0x7F or ch == "\ufeff":
            return False
        if 0xD800 <= code <= 0xDFFF:
            return False
    return True


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


def _fmt_hex_float(value: float, prec: int, verb: str) -> str:
    # strconv's %x: 0x1.yyyyp±dd, rounded to `prec` hex digits when prec is below 15.
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
    digits = LDIGITS if verb == "x" else UDIGITS
    out = ["0", verb, "1" if (mant >> 60) & 1 else "0"]
    mant = (mant << 4) & _M64
    if prec < 0 and mant != 0:
        out.append(".")
        while mant != 0:
            out.append(digits[(mant >> 60) & 15])
            mant = (mant << 4) & _M64
    elif prec > 0:
        out.append(".")
        for _ in range(min(prec, 16)):
            out.append(digits[(mant >> 60) & 15])
            mant = (mant << 4) & _M64
        out.append("0" * (prec - 16) if prec > 16 else "")
    out.append("p" if verb == "x" else "P")
    out.append("-" if exp < 0 else "+")
    out.append(f"{abs(exp):02d}")
    return "".join(out)


def _shortest_digits(value: float) -> tuple[str, int]:
    """Shortest round-trip digits of a positive finite float and its decimal point position."""
    sign, digits, exponent = Decimal(repr(value)).normalize().as_tuple()
    text = "".join(map(str, digits))
    if not isinstance(exponent, int):
        raise ValueError("not a finite number")
    return text, len(text) + exponent


def append_float(value: float, verb: str, prec: int) -> str:
    """strconv.FormatFloat(value, verb, prec, 64), with its sign."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    sign = "-" if math.copysign(1.0, value) < 0 else ""
    value = abs(value)
    if verb in "xX":
        return sign + _fmt_hex_float(value, prec, verb)
    if verb == "b":
        mant, exp = _float_bits(value)
        exp -= 52
        return f"{sign}{mant}p{'+' if exp >= 0 else ''}{exp}"
    if prec >= 0:
        text = format(value, f".{prec}{verb.lower()}")
        return sign + (text.upper() if verb in "EG" else text)
    # Shortest digits: only %v, %g and %G get here.
    if value == 0:
        digits, point = "", 0
    else:
        digits, point = _shortest_digits(value)
    exp = point - 1
    if exp < -4 or exp >= 6:
        body = (digits[:1] or "0") + ("." + digits[1:] if len(digits) > 1 else "")
        mark = "E" if verb == "G" else "e"
        return f"{sign}{body}{mark}{'-' if exp < 0 else '+'}{abs(exp):02d}"
    if point <= 0:
        body = "0." + "0" * -point + digits if digits else "0"
    elif point >= len(digits):
        body = digits + "0" * (point - len(digits))
    else:
        body = digits[:point] + "." + digits[point:]
    return sign + body
