"""Go's view of Needle values: type names, strict parameters, number text and string escapes."""

from __future__ import annotations

import math
import re
from decimal import Decimal
from typing import Any, Final

# Bounds on what the number parsers accept, so no input makes them (or later arithmetic) slow.
MAX_NUMBER_TEXT: Final = 1000
MAX_DECIMAL_EXP: Final = 4000
MAX_DECIMAL_DIGITS: Final = 1000
INT32_MIN, INT32_MAX = -(1 << 31), (1 << 31) - 1
INT64_MIN, INT64_MAX = -(1 << 63), (1 << 63) - 1

# Go's reflect type names of the runtime value model (what GetType answers).
INT = "int64"
FLOAT = "float64"
STRING = "string"
BOOL = "bool"
BYTES = "[]uint8"
DECIMAL = "decimal.Decimal"
MAP = "*types.Map"
ARRAY = "[]interface {}"


def go_type(value: Any) -> str:
    """reflect.TypeOf(value).String() for a Needle value; `nil` for None."""
    if value is None:
        return "nil"
    kind = type(value)
    if kind is bool:
        return BOOL
    if kind is int:
        return INT
    if kind is float:
        return FLOAT
    if kind is str:
        return STRING
    if kind is bytes:
        return BYTES
    if kind is Decimal:
        return DECIMAL
    if kind is dict:
        return MAP
    if kind is list:
        return ARRAY
    return kind.__name__


def want(value: Any, go_name: str) -> Any:
    """A parameter of a Go-typed built-in: the reference's reflect call accepts only that type.

    nil becomes "" for string parameters, as the reference's VM passes a zero string for nil.
    """
    if value is None and go_name == STRING:
        return ""
    if go_type(value) != go_name:
        raise TypeError(f"reflect: Call using {go_type(value)} as type {go_name}")
    return value


def want_int(value: Any) -> int:
    """An int64 parameter."""
    result: int = want(value, INT)
    return result


def want_float(value: Any) -> float:
    """A float64 parameter."""
    result: float = want(value, FLOAT)
    return result


def want_str(value: Any) -> str:
    """A string parameter (nil reads as "")."""
    result: str = want(value, STRING)
    return result


def want_bool(value: Any) -> bool:
    """A bool parameter."""
    result: bool = want(value, BOOL)
    return result


def want_bytes(value: Any) -> bytes:
    """A []byte parameter."""
    result: bytes = want(value, BYTES)
    return result


def want_decimal(value: Any) -> Decimal:
    """A decimal.Decimal (money) parameter."""
    result: Decimal = want(value, DECIMAL)
    return result


def want_map(value: Any) -> dict[str, Any]:
    """A *types.Map parameter."""
    result: dict[str, Any] = want(value, MAP)
    return result


def check_int64(value: int) -> int:
    """An int result that must fit int64 (Go would wrap silently; we refuse)."""
    if not INT64_MIN <= value <= INT64_MAX:
        raise ValueError("integer overflow")
    return value


def check_text(text: str, limit: int, what: str) -> str:
    """Refuse an input longer than `limit` characters, naming it."""
    if len(text) > limit:
        raise ValueError(f"{what} is too long ({len(text)} characters, at most {limit})")
    return text


# ---- floats --------------------------------------------------------------------------------


def _shortest(f: float) -> tuple[str, int]:
    """Shortest round-trip digits of |f| (f finite, non-zero) and the decimal point position.

    Python's repr and Go's strconv both give the shortest digits that read back exactly,
    so the digit strings agree; only the layout around them differs.
    """
    value = Decimal(repr(abs(f))).normalize()
    text = "".join(map(str, value.as_tuple().digits))
    return text, len(text) + exponent_of(value)


def _exp_form(digits: str, point: int) -> str:
    mantissa = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
    exp = point - 1
    return f"{mantissa}e{'-' if exp < 0 else '+'}{abs(exp):02d}"


def _fixed_form(digits: str, point: int) -> str:
    if point <= 0:
        return "0." + "0" * -point + digits
    if point >= len(digits):
        return digits + "0" * (point - len(digits))
    return digits[:point] + "." + digits[point:]


def go_float_text(f: float) -> str:
    """fmt's %v of a float64: strconv's 'g' with the shortest digits.

    The exponent form is used when the exponent is below -4 or at least 6 (Go decides with
    precision 6 for shortest output), so 100000 but 1e+06 and 1.234567e+06.
    """
    if math.isnan(f):
        return "NaN"
    if math.isinf(f):
        return "+Inf" if f > 0 else "-Inf"
    sign = "-" if math.copysign(1.0, f) < 0 else ""
    if f == 0:
        return sign + "0"
    digits, point = _shortest(f)
    exp = point - 1
    if exp < -4 or exp >= 6:
        return sign + _exp_form(digits, point)
    return sign + _fixed_form(digits, point)


def go_float_json(f: float) -> str:
    """encoding/json's text of a float64: plain digits, exponent form below 1e-6 or from 1e21."""
    if math.isnan(f) or math.isinf(f):
        raise ValueError(f"json: unsupported value: {go_float_text(f)}")
    sign = "-" if math.copysign(1.0, f) < 0 else ""
    if f == 0:
        return sign + "0"
    digits, point = _shortest(f)
    if abs(f) < 1e-6 or abs(f) >= 1e21:
        text = _exp_form(digits, point)
        # Go writes e-07 as e-7 (but keeps two digits for positive exponents).
        text = re.sub(r"e-0([0-9])$", r"e-\1", text)
        return sign + text
    return sign + _fixed_form(digits, point)


_FLOAT_DEC = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_FLOAT_HEX = re.compile(r"([+-]?)0[xX]([0-9a-fA-F]*)(?:\.([0-9a-fA-F]*))?[pP]([+-]?[0-9]+)")
_FLOAT_INF = re.compile(r"[+-]?(?:inf|infinity)", re.IGNORECASE)


def parse_go_float(text: str) -> float:
    """strconv.ParseFloat(text, 64): Go's syntax (no spaces, no '_'), overflow refused."""
    check_text(text, MAX_NUMBER_TEXT, "float value")
    if _FLOAT_INF.fullmatch(text):
        return -math.inf if text.startswith("-") else math.inf
    if text.lower() == "nan":
        return math.nan
    if _FLOAT_DEC.fullmatch(text):
        value = float(text)
    else:
        value = _parse_hex_float(text)
    if math.isinf(value):
        raise ValueError(f'strconv.ParseFloat: parsing "{text}": value out of range')
    return value


def _parse_hex_float(text: str) -> float:
    # Go also allows '_' between hex digits; contracts never need that, so it is refused.
    match = _FLOAT_HEX.fullmatch(text)
    if match is None or not (match.group(2) + (match.group(3) or "")):
        raise ValueError(f'strconv.ParseFloat: parsing "{text}": invalid syntax')
    sign, whole, frac, exp = match.groups()
    try:
        return float.fromhex(f"{sign}0x{whole or '0'}.{frac or '0'}p{exp}")
    except OverflowError:
        return -math.inf if sign == "-" else math.inf


# ---- decimals (shopspring/decimal) ---------------------------------------------------------

_SIGNED_DIGITS = re.compile(r"[+-]?[0-9]+")


def exponent_of(value: Decimal) -> int:
    """The exponent of a finite decimal; NaN and infinities are not Needle values."""
    exponent = value.as_tuple().exponent
    if not isinstance(exponent, int):
        raise ValueError(f"{value} is not a finite number")
    return exponent


def make_decimal(mantissa: int, exponent: int) -> Decimal:
    """mantissa * 10**exponent, exactly (no context rounding)."""
    whole = Decimal(mantissa).as_tuple()
    return Decimal((whole.sign, whole.digits, exponent))


def parse_decimal(text: str) -> Decimal:
    """decimal.NewFromString: the same syntax and error texts, bounded in size.

    Its quirks are kept: the exponent is cut at the first e/E, the point may sit anywhere
    among the digits, and the value keeps the scale written (1.50 has exponent -2).
    """
    check_text(text, MAX_NUMBER_TEXT, "decimal value")
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


def parse_decimal_or_zero(text: str) -> Decimal:
    """What the reference's math helpers do with NewFromString's result: errors become zero.

    Oversized input is still refused, so hostile text never reaches the arithmetic.
    """
    check_text(text, MAX_NUMBER_TEXT, "decimal value")
    try:
        return parse_decimal(text)
    except ValueError as exc:
        if "supported range" in str(exc):
            raise
        return Decimal(0)


def check_decimal(value: Decimal, what: str = "decimal value") -> Decimal:
    """Refuse a decimal too large to compute with exactly (or not finite)."""
    exponent = exponent_of(value)
    if len(value.as_tuple().digits) > MAX_DECIMAL_DIGITS or abs(exponent) > MAX_DECIMAL_EXP:
        raise ValueError(f"{what} is too large")
    return value


def split_decimal(value: Decimal) -> tuple[int, int]:
    """(mantissa, exponent) with value == mantissa * 10**exponent."""
    sign, digits, _ = value.as_tuple()
    exponent = exponent_of(value)
    # int(Decimal) avoids int(str), which Python limits to 4300 digits.
    mantissa = int(Decimal((0, digits, 0))) if digits else 0
    return (-mantissa if sign else mantissa), exponent


def decimal_text(value: Decimal) -> str:
    """Decimal.String(): plain digits, no exponent, trailing fractional zeros dropped, no -0."""
    exponent_of(value)
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


# ---- strings ------------------------------------------------------------------------------


def _is_print(ch: str) -> bool:
    return ch.isprintable() and ch != "\x7f"


_NOT_HEX = re.compile(rb"[^0-9a-fA-F]")


def hex_decode(text: str) -> bytes:
    """hex.DecodeString with Go's error texts (no whitespace, either case)."""
    raw = text.encode("utf-8", "surrogateescape")
    # Go reports the first bad byte before an odd length.
    bad = _NOT_HEX.search(raw)
    if bad is not None:
        raise ValueError(_invalid_hex_byte(raw[bad.start()]))
    if len(raw) % 2 == 1:
        raise ValueError("encoding/hex: odd length hex string")
    return bytes.fromhex(raw.decode("ascii"))


def _invalid_hex_byte(byte: int) -> str:
    # Go prints the byte as a rune with %#U: U+0067 'g', or just U+0000 when not printable.
    ch = chr(byte)
    shown = f" '{ch}'" if _is_print(ch) else ""
    return f"encoding/hex: invalid byte: U+{byte:04X}{shown}"


_SIMPLE_ESCAPES: Final = {
    "a": "\a",
    "b": "\b",
    "f": "\f",
    "n": "\n",
    "r": "\r",
    "t": "\t",
    "v": "\v",
    "\\": "\\",
    '"': '"',
}


def go_unquote(body: str) -> str | None:
    """strconv.Unquote of `"` + body + `"`: the Go escapes, or None where Go reports an error.

    \\x and octal escapes give bytes; if they do not form UTF-8 the result is None as well,
    since the caller (a regexp) would refuse such text.
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
            out += _SIMPLE_ESCAPES[code].encode()
            i += 2
        elif code in "xuU":
            size = {"x": 2, "u": 4, "U": 8}[code]
            digits = body[i + 2 : i + 2 + size]
            if len(digits) != size or not all(c in "0123456789abcdefABCDEF" for c in digits):
                return None
            number = int(digits, 16)
            if code == "x":
                out.append(number)
            elif number > 0x10FFFF or 0xD800 <= number <= 0xDFFF:
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
    try:
        return out.decode("utf-8")
    except UnicodeDecodeError:
        return None
