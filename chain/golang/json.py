"""Go's encoding/json: Marshal's bytes (struct order vs sorted maps), string and float text.

Block and rollback hashes, API answers and contract output are hashed or compared byte for
byte against the reference, so this is the one encoder: compact, `<`, `>`, `&`, U+2028 and
U+2029 escaped, UTF-8 kept, invalid UTF-8 (lone surrogates here) as \\ufffd, bytes as padded
base64, and \\b, \\f as \\u0008, \\u000c (their short forms arrived only in Go 1.22; go-ibax's
go.mod says 1.20).
"""

from __future__ import annotations

import base64
import math
import re
from collections.abc import Callable, Mapping
from operator import itemgetter
from typing import Any, Final

from chain.golang.strconv import exponent_form, fixed_form, format_float, shortest_digits


class Struct(dict[str, Any]):
    """A Go struct: its fields keep declaration (insertion) order; plain dicts are Go maps."""


_ESCAPES: Final = {
    ord('"'): '\\"',
    ord("\\"): "\\\\",
    ord("\n"): "\\n",
    ord("\r"): "\\r",
    ord("\t"): "\\t",
}
# Every character quote() must rewrite; text without any is copied as it is.
_NEEDS_ESCAPE: Final = re.compile('[\x00-\x1f"\\\\<>&\u2028\u2029\ud800-\udfff]')


def _escape_char(match: re.Match[str]) -> str:
    code = ord(match.group())
    escaped = _ESCAPES.get(code)
    if escaped is not None:
        return escaped
    if 0xD800 <= code <= 0xDFFF:
        return "\\ufffd"  # Go sees invalid UTF-8 where Python has a lone surrogate
    return f"\\u{code:04x}"


def quote(text: str) -> str:
    """A string as json.Marshal writes it (with HTML escaping, Marshal's default)."""
    if _NEEDS_ESCAPE.search(text) is None:
        return '"' + text + '"'
    return '"' + _NEEDS_ESCAPE.sub(_escape_char, text) + '"'


def marshal_float(value: float) -> str:
    """A float64 as json.Marshal writes it: plain digits, the exponent form below 1e-6 or from
    1e21 (with e-7, not e-07); NaN and infinities are errors."""
    if math.isnan(value) or math.isinf(value):
        raise ValueError(f"json: unsupported value: {format_float(value)}")
    sign = "-" if math.copysign(1.0, value) < 0 else ""
    if value == 0:
        return sign + "0"
    digits, point = shortest_digits(value)
    magnitude = abs(value)
    if magnitude < 1e-6 or magnitude >= 1e21:
        text = exponent_form(digits, point)
        if text[-3:-1] == "-0":
            text = text[:-2] + text[-1]  # Go trims e-07 to e-7 but keeps e+21
        return sign + text
    return sign + fixed_form(digits, point)


# Go sorts map keys by their UTF-8 bytes, which is code point order: Python's str order.
_by_key: Final = itemgetter(0)


Default = Callable[[Any], Any]


def _encode(value: Any, sort_keys: bool, default: Default | None, out: list[str]) -> None:
    kind = type(value)
    if kind is str:
        out.append(quote(value))
    elif value is None:
        out.append("null")
    elif value is True:
        out.append("true")
    elif value is False:
        out.append("false")
    elif kind is int:
        out.append(str(value))
    elif kind is dict or kind is Struct or isinstance(value, Mapping):
        _encode_map(value, sort_keys, default, out)
    elif kind is list or kind is tuple:
        _encode_list(value, sort_keys, default, out)
    elif isinstance(value, int):
        out.append(str(int(value)))
    elif isinstance(value, float):
        out.append(marshal_float(value))
    elif isinstance(value, str):
        out.append(quote(value))
    elif isinstance(value, bytes | bytearray | memoryview):
        out.append('"' + base64.b64encode(bytes(value)).decode("ascii") + '"')
    elif isinstance(value, list | tuple):
        _encode_list(value, sort_keys, default, out)
    elif default is not None:
        _encode(default(value), sort_keys, None, out)
    else:
        raise TypeError(f"json: unsupported type {type(value).__name__}")


def _encode_map(
    value: Mapping[Any, Any], sort_keys: bool, default: Default | None, out: list[str]
) -> None:
    items: list[tuple[str, Any]] = []
    for key, item in value.items():
        if type(key) is not str:
            if isinstance(key, bool) or not isinstance(key, int | str):
                raise TypeError(f"json: unsupported map key {key!r}")
            key = str(key)
        items.append((key, item))
    if sort_keys and not isinstance(value, Struct):
        items.sort(key=_by_key)
    separator = "{"
    for key, item in items:
        # Plain strings, the common case, are written here without a call each.
        if type(item) is str:
            out.append(separator + quote(key) + ":" + quote(item))
        else:
            out.append(separator + quote(key) + ":")
            _encode(item, sort_keys, default, out)
        separator = ","
    out.append("}" if separator == "," else "{}")


def _encode_list(
    value: list[Any] | tuple[Any, ...], sort_keys: bool, default: Default | None, out: list[str]
) -> None:
    separator = "["
    for item in value:
        out.append(separator)
        _encode(item, sort_keys, default, out)
        separator = ","
    out.append("]" if separator == "," else "[]")


def marshal(value: Any, *, sort_keys: bool = True, default: Default | None = None) -> bytes:
    """json.Marshal's output: a Struct keeps its field order, other mappings are sorted by key.

    `sort_keys=False` keeps every mapping's order, as Go marshals a struct. `default` turns a
    value of another type into one it can encode (what a Go type's MarshalJSON would do).
    """
    out: list[str] = []
    _encode(value, sort_keys, default, out)
    return "".join(out).encode("utf-8")


# ---- decoding strings ---------------------------------------------------------------------------

_UNESCAPES: Final = {
    ord('"'): '"',
    ord("\\"): "\\",
    ord("/"): "/",
    ord("b"): "\b",
    ord("f"): "\f",
    ord("n"): "\n",
    ord("r"): "\r",
    ord("t"): "\t",
}
_INVALID_BYTE: Final = re.compile("[\udc80-\udcff]")


def utf8_text(data: bytes) -> str:
    """Bytes as a Go JSON decoder reads them: each byte that is not valid UTF-8 is U+FFFD."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return _INVALID_BYTE.sub("\ufffd", data.decode("utf-8", "surrogateescape"))


def unquote(body: bytes) -> str:
    """The text of a valid JSON string literal (without its quotes), as encoding/json reads it.

    Unlike strconv.Unquote: \\/ is an escape, \\x and octal are not, a \\u surrogate pair is
    one character and a lone surrogate escape is U+FFFD.
    """
    if b"\\" not in body:
        return utf8_text(body)
    out: list[str] = []
    i, size = 0, len(body)
    while i < size:
        j = body.find(b"\\", i)
        if j < 0:
            out.append(utf8_text(body[i:]))
            break
        out.append(utf8_text(body[i:j]))
        code = body[j + 1]
        if code != ord("u"):
            out.append(_UNESCAPES[code])
            i = j + 2
            continue
        rune = int(body[j + 2 : j + 6], 16)
        i = j + 6
        if 0xD800 <= rune < 0xE000:
            # A high surrogate pairs with a following \u low surrogate; anything else is U+FFFD.
            low = int(body[i + 2 : i + 6], 16) if body[i : i + 2] == b"\\u" else -1
            if rune < 0xDC00 and 0xDC00 <= low < 0xE000:
                rune = 0x10000 + ((rune - 0xD800) << 10) + (low - 0xDC00)
                i += 6
            else:
                rune = 0xFFFD
        out.append(chr(rune))
    return "".join(out)
