"""Text built-ins: Go's strings functions on byte strings, Sprintf, regular expressions, encodings.

Each does what go-ibax's function of the same name does (smart/funcs.go), including how its VM
calls it: a nil argument arrives as "", and a typed parameter given another type fails as Go's
reflect call does. Functions whose output can be much larger than their input (Join, Sprintf,
Replace...) are capped at MAX_TEXT and pay fuel for what they return.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any, Final

import re2

from chain.golang.bounds import check_length
from chain.golang.encoding import base64_decode, hex_decode
from chain.golang.strconv import unquote
from chain.golang.strings import GO_SPACE
from contracts.builtins.format import go_text
from contracts.builtins.gotypes import (
    ARRAY,
    BYTES,
    INT,
    canonical,
    check_size,
    go_bytes,
    go_str,
    param,
    want_str,
)
from contracts.builtins.printf import sprintf
from contracts.builtins.registry import REGISTRY

MAX_PATTERN: Final = 16 << 10
# RE2's memory budget per pattern (its default); bigger programs are refused ("pattern too
# large"), e.g. \pL{1000}, which would take 32 MiB and over a second to build.
REGEX_MAX_MEM: Final = 8 << 20
_BOM: Final = b"\xef\xbb\xbf"


@REGISTRY.builtin("Sprintf", fuel=10, output_fuel=True)
def sprintf_(pattern: Any, *args: Any) -> str:
    """Sprintf(format string, args ...any) string: Go's fmt.Sprintf."""
    return canonical(sprintf(pattern, *args))


@REGISTRY.builtin("Size", fuel=1)
def size(text: Any) -> int:
    """Size(s string) int: the length in bytes."""
    return len(go_bytes(want_str(text)))


@REGISTRY.builtin("Substr", fuel=5)
def substr(text: Any, offset: Any, length: Any) -> str:
    """Substr(s string, off, len int) string: bytes off..off+len, "" when out of range."""
    data = go_bytes(want_str(text))
    off, count = param(offset, INT), param(length, INT)
    if off < 0 or count < 0 or off > len(data):
        return ""
    return go_str(data[off : off + count])


@REGISTRY.builtin("Split", fuel=10, output_fuel=True)
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


@REGISTRY.builtin("Join", fuel=10, output_fuel=True)
def join(items: Any, sep: Any) -> str:
    """Join(in array, sep string) string: each item as %v, joined; bounded in size."""
    array, separator = param(items, ARRAY), want_str(sep)
    parts: list[str] = []
    total = 0
    for i, item in enumerate(array):
        text = go_text(item)
        total += len(text) + (len(separator) if i else 0)
        check_size(total)
        parts.append(text)
    return canonical(separator.join(parts))


@REGISTRY.builtin("Contains", fuel=5)
def contains(text: Any, part: Any) -> bool:
    """Contains(s, substr string) bool."""
    return go_bytes(want_str(part)) in go_bytes(want_str(text))


@REGISTRY.builtin("HasPrefix", fuel=5)
def has_prefix(text: Any, prefix: Any) -> bool:
    """HasPrefix(s, prefix string) bool."""
    return go_bytes(want_str(text)).startswith(go_bytes(want_str(prefix)))


@REGISTRY.builtin("Replace", fuel=10, output_fuel=True)
def replace(text: Any, old: Any, new: Any) -> str:
    """Replace(s, old, new string) string: every occurrence (strings.Replace with n = -1)."""
    value, before, after = want_str(text), want_str(old), want_str(new)
    if not before:
        # An empty old string matches before every character and at the end.
        value = go_str(go_bytes(value))
        check_size(len(value) + (len(value) + 1) * len(after))
        return canonical(after + "".join(ch + after for ch in value))
    data, old_bytes, new_bytes = go_bytes(value), go_bytes(before), go_bytes(after)
    count = data.count(old_bytes)
    check_size(len(data) + count * (len(new_bytes) - len(old_bytes)))
    return go_str(data.replace(old_bytes, new_bytes))


@REGISTRY.builtin("TrimSpace", fuel=5)
def trim_space(text: Any) -> str:
    """TrimSpace(s string) string: strings.TrimSpace (unicode.IsSpace at both ends)."""
    return want_str(text).strip(GO_SPACE)


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


@REGISTRY.builtin("ToUpper", fuel=5)
def to_upper(text: Any) -> str:
    """ToUpper(s string) string: strings.ToUpper (simple case mapping per character)."""
    value = want_str(text)
    return value.upper() if value.isascii() else _map_runes(value, _simple_upper)


@REGISTRY.builtin("ToLower", fuel=5)
def to_lower(text: Any) -> str:
    """ToLower(s string) string: strings.ToLower (simple case mapping per character)."""
    value = want_str(text)
    return value.lower() if value.isascii() else _map_runes(value, _simple_lower)


@REGISTRY.builtin("CheckNumberChars", fuel=5)
def check_number_chars(text: Any) -> bool:
    """CheckNumberChars(s string) bool: only ASCII letters and digits (true for "")."""
    value = want_str(text)
    return value.isascii() and (value == "" or value.isalnum())


# ---- regular expressions -------------------------------------------------------------------


def _regex_options() -> Any:
    options = re2.Options()
    options.log_errors = False
    options.max_mem = REGEX_MAX_MEM
    return options


@REGISTRY.builtin("RegexpMatch", fuel=50)
def regexp_match(text: Any, pattern: Any) -> bool:
    """RegexpMatch(s, re string) bool: Go's (RE2) syntax, unanchored, linear time.

    As in the reference, a pattern with \\u or \\U is first read as a Go string literal
    (false if that fails, or if its bytes are not UTF-8); a pattern RE2 cannot compile is an
    error.
    """
    subject = want_str(text)
    source = check_length(want_str(pattern), MAX_PATTERN, "regular expression")
    if "\\u" in source or "\\U" in source:
        unquoted = unquote(source)
        if unquoted is None:
            return False
        try:
            source = unquoted.decode("utf-8")
        except UnicodeDecodeError:
            return False
    try:
        # Built directly, not through re2.compile: its process-wide cache would keep up to 128
        # hostile patterns (8 MiB each) alive across transactions.
        compiled = re2._Regexp(source, _regex_options())
    except re2.error as exc:
        detail = exc.args[0].decode() if exc.args and isinstance(exc.args[0], bytes) else exc
        raise ValueError(f"regexp: Compile({source!r}): error parsing regexp: {detail}") from exc
    return compiled.search(subject) is not None


# ---- bytes, hex and base64 --------------------------------------------------------------------


@REGISTRY.builtin("StringToBytes", fuel=5)
def string_to_bytes(text: Any) -> bytes:
    """StringToBytes(src string) bytes."""
    return go_bytes(want_str(text))


@REGISTRY.builtin("BytesToString", fuel=5)
def bytes_to_string(data: Any) -> str:
    """BytesToString(src bytes) string: a UTF-8 BOM is dropped when the rest is valid UTF-8."""
    raw: bytes = param(data, BYTES)
    if raw.startswith(_BOM):
        try:
            return raw[3:].decode("utf-8")
        except UnicodeDecodeError:
            pass
    return go_str(raw)


@REGISTRY.builtin("HexToBytes", fuel=5)
def hex_to_bytes(text: Any) -> bytes:
    """HexToBytes(hexdata string) bytes: hex.DecodeString with Go's errors."""
    return hex_decode(want_str(text))


@REGISTRY.builtin("EncodeBase64", fuel=10, output_fuel=True)
def encode_base64(text: Any) -> str:
    """EncodeBase64(input string) string: standard alphabet, padded."""
    return base64.b64encode(go_bytes(want_str(text))).decode("ascii")


@REGISTRY.builtin("DecodeBase64", fuel=10)
def decode_base64(text: Any) -> str:
    """DecodeBase64(input string) string: Go's decoder (skips \\r and \\n, needs padding).

    The decoded bytes are returned as a Go string, invalid UTF-8 kept byte for byte.
    """
    return go_str(base64_decode(go_bytes(want_str(text))))
