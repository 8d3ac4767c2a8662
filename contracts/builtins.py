"""Built-ins over plain values (text, numbers, arrays, JSON, hashes) with the reference's semantics.

Each function does what go-ibax's function of the same name does (smart/funcs.go, smart_p.go),
including how its VM calls it: a nil argument arrives as "" (so Str(nil) is "" and Len(nil)
fails as Len("") does), and a typed parameter given another type fails as Go's reflect call
does ("reflect: Call using int64 as type string").

A Go string is bytes; ours is a str whose bytes that are not UTF-8 are kept as lone surrogates
(Python's surrogateescape). `go_bytes` and `go_str` convert, so byte-level functions (Size,
Substr, Split, Replace...) see the bytes Go sees and hand back the same bytes.

Functions whose output can be much larger than their input (Str of aliased arrays, Join,
Sprintf, Replace, JSONEncode...) are capped at MAX_TEXT and also pay fuel for what they
return (JSONDecode for what it reads), so a loop over them cannot run long on the price of
one call.
"""

from __future__ import annotations

import base64
import binascii
import math
import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any, Final

from chain.address import address_to_id, id_to_address, key_id_from_hash
from chain.crypto import ADDRESS_SEED_PREFIX, Crypto
from contracts.godecode import json_decode
from contracts.goprintf import sprintf
from contracts.program import Builtin as MachineBuiltin
from contracts.program import BuiltinEntry
from contracts.stdlib import go_text
from contracts.stdlib.gojson import json_encode_indent
from contracts.stdlib.golang import (
    ARRAY,
    BYTES,
    INT,
    MAP,
    go_type,
    hex_decode,
    make_decimal,
    parse_decimal,
    split_decimal,
    want,
    want_int,
    want_str,
)
from contracts.stdlib.keys import hex_to_pub
from contracts.vm import Machine

__all__ = ["BASIC", "Builtin", "canonical", "chain_builtins", "go_bytes", "go_str", "sprintf"]

Builtin = Callable[..., Any]

MAX_TEXT: Final = 1 << 20
INT64_MIN, INT64_MAX = -(1 << 63), (1 << 63) - 1
_BOM: Final = b"\xef\xbb\xbf"
# unicode.IsSpace: ASCII white space, U+0085, U+00A0 and the Z categories (not U+001C-U+001F,
# which Python's str.strip also removes).
_GO_SPACE: Final = (
    " \t\n\v\f\r\x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006"
    "\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)
_OTHER_SURROGATE: Final = re.compile("[\ud800-\udc7f\udd00-\udfff]")


# ---- Go strings -------------------------------------------------------------------------------


def go_bytes(text: str) -> bytes:
    """The bytes of a Go string held as str (invalid bytes are surrogate escapes)."""
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        # Surrogates that are not byte escapes cannot be UTF-8: Go would hold U+FFFD there.
        text = _OTHER_SURROGATE.sub("\ufffd", text)
        return text.encode("utf-8", "surrogateescape")


def go_str(data: bytes) -> str:
    """A Go string of these bytes, every byte kept (the canonical str form)."""
    return data.decode("utf-8", "surrogateescape")


def canonical(text: str) -> str:
    """The one str form of a Go string: pieces joined may turn escaped bytes into a character."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return go_str(go_bytes(text))
    return text


def _param(value: Any, go_name: str) -> Any:
    """A typed parameter: the reference's VM passes nil as "", which only a string accepts."""
    return want("" if value is None else value, go_name)


def _check_size(size: int) -> None:
    if size > MAX_TEXT:
        raise ValueError(f"the result is longer than {MAX_TEXT} characters")


# ---- conversions ------------------------------------------------------------------------------


def str_(value: Any) -> str:
    """Str(v any) string: fmt's %v, and "" for nil."""
    return "" if value is None else go_text(value)


def _wrap_int64(value: int) -> int:
    # big.Int.Int64 and Go's int64 conversions keep the low 64 bits.
    value &= (1 << 64) - 1
    return value - (1 << 64) if value > INT64_MAX else value


def _float_to_int64(value: float) -> int:
    """int64(f): truncation; NaN and out-of-range values give the amd64 result, MinInt64."""
    if math.isnan(value) or not -(2.0**63) <= value < 2.0**63:
        return INT64_MIN
    return int(value)


_INT_DIGITS: Final = re.compile(r"[0-9]*")


def parse_int64(text: str) -> int:
    """strconv.ParseInt(text, 10, 64) with ValueToInt's error text."""
    body = text[1:] if text[:1] in ("+", "-") else text
    digits = _INT_DIGITS.match(body).group()  # type: ignore[union-attr]
    # ParseUint reads digit by digit: overflow is reported before a later bad character.
    significant = digits.lstrip("0")
    if len(significant) > 20 or (significant and int(significant) >= 1 << 64):
        reason = "value out of range"
    elif not digits or len(digits) != len(body):
        reason = "invalid syntax"
    else:
        value = -int(digits) if text[0] == "-" else int(digits)
        if INT64_MIN <= value <= INT64_MAX:
            return value
        reason = "value out of range"
    raise ValueError(f"{text} is not a valid integer : {reason}")


def int_(value: Any) -> int:
    """Int(v any) int: converter.ValueToInt (0 for nil and "", strict text, error on bool)."""
    kind = type(value)
    if value is None:
        return 0
    if kind is int:
        result: int = value
        return result
    if kind is str:
        return parse_int64(value) if value else 0
    if kind is float:
        return _float_to_int64(value)
    if kind is Decimal:
        return _wrap_int64(int(value))  # IntPart truncates toward zero
    raise ValueError(f"{go_text(value)} is not a valid integer")


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


def parse_float_lenient(text: str) -> float:
    """strconv.ParseFloat(text, 64) as ValueToFloat uses it: bad text is 0, overflow ±Inf."""
    special = _SPECIAL_FLOAT.fullmatch(text)
    if special is not None:
        if text.lower().endswith("nan"):
            return math.nan
        return -math.inf if special.group(1) == "-" else math.inf
    hexadecimal = _HEX_FLOAT.fullmatch(text) is not None
    if not hexadecimal and _DEC_FLOAT.fullmatch(text) is None:
        return 0.0
    # The mantissa needs a digit (of its base: "e5" and "0xp1" are not numbers).
    digit = _MANTISSA_DIGIT.match(text)
    if digit is None or (not hexadecimal and not digit.group()[-1].isdigit()):
        return 0.0
    if "_" in text:
        if not _underscores_ok(text):
            return 0.0
        text = text.replace("_", "")
    if not hexadecimal:
        return float(text)
    try:
        return float.fromhex(text)
    except OverflowError:
        return -math.inf if text.startswith("-") else math.inf


def float_(value: Any) -> float:
    """Float(v any) float: script.ValueToFloat, which never fails (other values give 0)."""
    kind = type(value)
    if kind is float:
        result: float = value
        return result
    if kind is int:
        return float(value)
    if kind is str:
        return parse_float_lenient(value)
    if kind is Decimal:
        return float(value)
    return 0.0


def _floor_decimal(value: Decimal) -> Decimal:
    """decimal.Floor, written without an exponent where the value is small enough to print."""
    mantissa, exponent = split_decimal(value)
    if exponent < 0:
        return Decimal(mantissa // 10**-exponent)
    if exponent and len(str(abs(mantissa))) + exponent <= 100:
        return Decimal(mantissa * 10**exponent)
    return make_decimal(mantissa, exponent)


def money(value: Any) -> Decimal:
    """Money(v any) money: script.ValueToDecimal (floors text and floats, keeps money)."""
    kind = type(value)
    if value is None or kind is str:
        return _floor_decimal(parse_decimal("" if value is None else value))
    if kind is Decimal:
        result: Decimal = value
        return result
    if kind is int:
        return Decimal(value)
    if kind is float:
        if math.isnan(value) or math.isinf(value):
            raise ValueError(f"Cannot create a Decimal from {go_text(value)}")
        return _floor_decimal(Decimal(repr(value)))
    raise TypeError(
        f"interface conversion: interface {{}} is {go_type(value)}, not decimal.Decimal"
    )


# ---- strings ----------------------------------------------------------------------------------


def _sprintf(pattern: Any, *args: Any) -> str:
    """Sprintf(format string, args ...any) string: Go's fmt.Sprintf."""
    return canonical(sprintf(pattern, *args))


def size(text: Any) -> int:
    """Size(s string) int: the length in bytes."""
    return len(go_bytes(want_str(text)))


def substr(text: Any, offset: Any, length: Any) -> str:
    """Substr(s string, off, len int) string: bytes off..off+len, "" when out of range."""
    data = go_bytes(want_str(text))
    off, count = _param(offset, INT), _param(length, INT)
    if off < 0 or count < 0 or off > len(data):
        return ""
    return go_str(data[off : off + count])


def split(text: Any, sep: Any) -> list[Any]:
    """Split(s, sep string) array: strings.Split ("" gives [""], "" sep splits characters)."""
    value, separator = want_str(text), want_str(sep)
    if not separator:
        # strings.Split explodes into characters; an invalid byte becomes U+FFFD, except in
        # the last item, which is the rest of the text as it is.
        chars = list(go_str(go_bytes(value)))
        for i in range(len(chars) - 1):
            if "\udc80" <= chars[i] <= "\udcff":
                chars[i] = "\ufffd"
        return chars
    pieces: list[Any] = [go_str(p) for p in go_bytes(value).split(go_bytes(separator))]
    return pieces


def join(items: Any, sep: Any) -> str:
    """Join(in array, sep string) string: each item as %v, joined; bounded in size."""
    array, separator = _param(items, ARRAY), want_str(sep)
    parts: list[str] = []
    total = 0
    for i, item in enumerate(array):
        text = go_text(item)
        total += len(text) + (len(separator) if i else 0)
        _check_size(total)
        parts.append(text)
    return canonical(separator.join(parts))


def contains(text: Any, part: Any) -> bool:
    """Contains(s, substr string) bool."""
    return go_bytes(want_str(part)) in go_bytes(want_str(text))


def has_prefix(text: Any, prefix: Any) -> bool:
    """HasPrefix(s, prefix string) bool."""
    return go_bytes(want_str(text)).startswith(go_bytes(want_str(prefix)))


def replace(text: Any, old: Any, new: Any) -> str:
    """Replace(s, old, new string) string: every occurrence (strings.Replace with n = -1)."""
    value, before, after = want_str(text), want_str(old), want_str(new)
    if not before:
        # An empty old string matches before every character and at the end.
        value = go_str(go_bytes(value))
        _check_size(len(value) + (len(value) + 1) * len(after))
        return canonical(after + "".join(ch + after for ch in value))
    data, old_bytes, new_bytes = go_bytes(value), go_bytes(before), go_bytes(after)
    count = data.count(old_bytes)
    _check_size(len(data) + count * (len(new_bytes) - len(old_bytes)))
    return go_str(data.replace(old_bytes, new_bytes))


def trim_space(text: Any) -> str:
    """TrimSpace(s string) string: strings.TrimSpace (unicode.IsSpace at both ends)."""
    return want_str(text).strip(_GO_SPACE)


def _simple_upper(ch: str) -> str:
    # unicode.ToUpper is the one-character (simple) mapping; Python's upper() is the full one.
    upper = ch.upper()
    if len(upper) == 1:
        return upper
    code = ord(ch)
    if 0x1F80 <= code <= 0x1FAF and code & 0x8 == 0:
        return chr(code + 8)  # Greek with ypogegrammeni: its simple uppercase is the title case
    if code in (0x1FB3, 0x1FC3, 0x1FF3):
        return chr(code + 9)
    return ch


def _simple_lower(ch: str) -> str:
    lower = ch.lower()
    return lower if len(lower) == 1 else "i" if ch == "\u0130" else ch


def _map_runes(text: str, mapping: Callable[[str], str]) -> str:
    # strings.Map per character; invalid bytes become U+FFFD as Go's decoding loop writes them.
    table: dict[int, str] = {}
    for ch in set(text):
        code = ord(ch)
        table[code] = "\ufffd" if 0xD800 <= code <= 0xDFFF else mapping(ch)
    return text.translate(table)


def to_upper(text: Any) -> str:
    """ToUpper(s string) string: strings.ToUpper (simple case mapping per character)."""
    value = want_str(text)
    return value.upper() if value.isascii() else _map_runes(value, _simple_upper)


def to_lower(text: Any) -> str:
    """ToLower(s string) string: strings.ToLower (simple case mapping per character)."""
    value = want_str(text)
    return value.lower() if value.isascii() else _map_runes(value, _simple_lower)


# ---- arrays, maps and JSON --------------------------------------------------------------------


def length(array: Any) -> int:
    """Len(in array) int: the number of items (Len takes arrays only)."""
    return len(_param(array, ARRAY))


def append(array: Any, value: Any) -> list[Any]:
    """Append(slice array, val any) array: a new array with the value added.

    The reference's VM passes nil as "", so Append(a, nil) adds "".
    """
    items: list[Any] = _param(array, ARRAY)
    return [*items, "" if value is None else value]


def get_map_keys(value: Any) -> list[Any]:
    """GetMapKeys(m map) array: the keys in insertion order."""
    return list(_param(value, MAP))


def json_encode(value: Any) -> str:
    """JSONEncode(v any) string: the reference's JSONEncodeIndent(v, "").

    Maps keep their order, money is a quoted decimal, bytes base64, NaN an error; nil arrives
    as "" (so the text is ""), and money on its own is refused.
    """
    return json_encode_indent(value, "")


def json_decode_text(text: Any) -> Any:
    """JSONDecode(input string) any."""
    return json_decode(want_str(text))


# ---- bytes, hex and base64 --------------------------------------------------------------------


def string_to_bytes(text: Any) -> bytes:
    """StringToBytes(src string) bytes."""
    return go_bytes(want_str(text))


def bytes_to_string(data: Any) -> str:
    """BytesToString(src bytes) string: a UTF-8 BOM is dropped when the rest is valid UTF-8."""
    raw: bytes = _param(data, BYTES)
    if raw.startswith(_BOM):
        try:
            return raw[3:].decode("utf-8")
        except UnicodeDecodeError:
            pass
    return go_str(raw)


def hex_to_bytes(text: Any) -> bytes:
    """HexToBytes(hexdata string) bytes: hex.DecodeString with Go's errors."""
    return hex_decode(want_str(text))


def encode_base64(text: Any) -> str:
    """EncodeBase64(input string) string: standard alphabet, padded."""
    return base64.b64encode(go_bytes(want_str(text))).decode("ascii")


_B64_BAD: Final = re.compile(rb"[^A-Za-z0-9+/\r\n]")


def _base64_error(raw: bytes) -> int | None:
    """Where base64.StdEncoding.DecodeString reports an error, or None if it decodes."""
    bad = _B64_BAD.search(raw)
    stop = bad.start() if bad else len(raw)
    kept = stop - raw.count(b"\n", 0, stop) - raw.count(b"\r", 0, stop)
    j = kept % 4  # position inside the quantum being read at `stop`
    if stop == len(raw):
        return None if j == 0 else len(raw) - j  # a short final quantum lacks its padding
    if raw[stop] != ord("=") or j < 2:
        return stop  # a byte outside the alphabet, or padding too early
    si = stop + 1
    if j == 2:  # "==" is expected; newlines may sit between the two
        while si < len(raw) and raw[si] in b"\r\n":
            si += 1
        if si == len(raw):
            return len(raw)
        if raw[si] != ord("="):
            return si - 1
        si += 1
    while si < len(raw) and raw[si] in b"\r\n":
        si += 1
    return si if si < len(raw) else None  # anything after the padding is an error


def decode_base64(text: Any) -> str:
    """DecodeBase64(input string) string: Go's decoder (skips \\r and \\n, needs padding).

    The decoded bytes are returned as a Go string, invalid UTF-8 kept byte for byte.
    """
    raw = go_bytes(want_str(text))
    error = _base64_error(raw)
    if error is not None:
        raise ValueError(f"illegal base64 data at input byte {error}")
    cleaned = raw.replace(b"\n", b"").replace(b"\r", b"")
    return go_str(binascii.a2b_base64(cleaned))


# ---- tables -----------------------------------------------------------------------------------


# Fuel per character (or item) a priced built-in produces, or reads where noted: building or
# parsing a MiB of text takes this machine 0.1-0.7 s, and the machine runs ~3M fuel a second.
OUTPUT_FUEL_UNIT: Final = 16


def _size_fuel(value: Any) -> int:
    kind = type(value)
    if kind is str or kind is bytes or kind is list or kind is dict:
        return len(value) // OUTPUT_FUEL_UNIT
    return 0


def _priced(fn: Callable[..., Any], cost: int, reads: bool = False) -> MachineBuiltin:
    """A built-in that also pays for the size of its result (and of its text, if it `reads`).

    The VM prices the call and its arguments before it (cost + stdlib.arg_size_fuel); this
    fuel is taken after it, and the machine's next charge stops the transaction there if the
    fuel is gone, with that statement's position. A call that fails ends the transaction.
    """

    def call(machine: Machine, *args: Any) -> Any:
        result = fn(*args)
        machine.fuel -= _size_fuel(result) + (_size_fuel(args[0]) if reads and args else 0)
        return result

    call.__name__ = getattr(fn, "__name__", "builtin")
    return MachineBuiltin(call, cost)


BASIC: dict[str, BuiltinEntry] = {
    # name: (function, fuel charged before the call); _priced ones also pay for their result.
    "Str": _priced(str_, 1),
    "Int": (int_, 1),
    "Float": (float_, 1),
    "Money": (money, 1),
    "Sprintf": _priced(_sprintf, 10),
    "Len": (length, 1),
    "Size": (size, 1),
    "Join": _priced(join, 10),
    "Split": _priced(split, 10),
    "Substr": (substr, 5),
    "Replace": _priced(replace, 10),
    "Contains": (contains, 5),
    "HasPrefix": (has_prefix, 5),
    "TrimSpace": (trim_space, 5),
    "ToLower": (to_lower, 5),
    "ToUpper": (to_upper, 5),
    "Append": _priced(append, 5),
    "GetMapKeys": _priced(get_map_keys, 10),
    "JSONEncode": _priced(json_encode, 20),
    "JSONDecode": _priced(json_decode_text, 20, reads=True),
}


def chain_builtins(crypto: Crypto) -> dict[str, BuiltinEntry]:
    """BASIC plus what needs the node's crypto pair: hashes, key ids and addresses."""

    def pub_to_id(hexkey: Any) -> int:
        """PubToID(hexkey string) int: the key id of a hex public key, 0 if it is not hex."""
        try:
            key = hex_to_pub(want_str(hexkey))
        except ValueError:
            return 0
        return key_id_from_hash(crypto.hash(key))

    def seed_to_id(seed: Any) -> int:
        """SeedToID(seed string) int."""
        return key_id_from_hash(crypto.hash(ADDRESS_SEED_PREFIX + go_bytes(want_str(seed))))

    def hash_hex(data: Any) -> str:
        """Hash(data any) string: hex of the node's hash of bytes or of a string's bytes."""
        if data is None:
            data = ""
        if type(data) is str:
            return crypto.hash(go_bytes(data)).hex()
        if type(data) is bytes:
            return crypto.hash(data).hex()
        raise TypeError(f"Unsupported type {go_type(data)}")

    def double_hash(data: Any) -> bytes:
        """DoubleHash(msg bytes) bytes: the raw double hash (the reference takes bytes only)."""
        return crypto.double_hash(_param(data, BYTES))

    extra: dict[str, BuiltinEntry] = {
        "AddressToId": (_address_to_id, 5),
        "IdToAddress": (_id_to_address, 5),
        "PubToID": (pub_to_id, 20),
        "SeedToID": (seed_to_id, 20),
        "Hash": (hash_hex, 20),
        "DoubleHash": (double_hash, 40),
        "HexToBytes": (hex_to_bytes, 5),
        "BytesToString": (bytes_to_string, 5),
        "StringToBytes": (string_to_bytes, 5),
        "EncodeBase64": _priced(encode_base64, 10),
        "DecodeBase64": (decode_base64, 10),
    }
    return {**BASIC, **extra}


def _address_to_id(text: Any) -> int:
    """AddressToId(input string) int: any account form to its id, 0 when invalid."""
    value = want_str(text).strip(_GO_SPACE)
    if value != value.strip():
        return 0  # Go's parsers refuse the control characters Python's strip would drop
    return address_to_id(value)


def _id_to_address(key_id: Any) -> str:
    """IdToAddress(id int) string: XXXX-XXXX-XXXX-XXXX-XXXX, or "invalid"."""
    return id_to_address(want_int(key_id))
