"""JSONDecode as the reference reads JSON: Go's json.Decoder (UseNumber) then types.ConvertMap.

What that means: only the first JSON value of the text is read (what follows it is ignored),
empty text is the error `EOF`, a value cut short `unexpected EOF`, bad text Go's scanner
message (`invalid character 'x' looking for beginning of value`); NaN and Infinity are refused;
invalid UTF-8 and lone surrogate escapes become U+FFFD; maps come back with their keys sorted
(ConvertMap rebuilds them in sorted order) and a repeated key keeps its last value. Numbers
become int64 when they are integers that fit, else float64; a number too large for a float64
stays its text (the reference keeps a json.Number there). The reference leaves numbers outside
maps as json.Number; we convert them the same way, so they print and encode alike.

Work is linear in the text and nesting is bounded by MAX_DEPTH. Python's C decoder reads the
text first (invalid bytes replaced beforehand, lone surrogate escapes fixed afterwards); text it
refuses, or that Go reads differently, goes to the exact scanner below, which finds Go's error
(skipping runs of plain items in bulk) or, for text Go accepts, builds the value.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any, Final

from chain.golang.ints import in_int64
from chain.golang.json import unquote
from chain.golang.strconv import quote

MAX_DEPTH: Final = 1000

_WS: Final = re.compile(rb"[ \t\r\n]*")
_WS_TEXT: Final = re.compile(r"[ \t\r\n]*")
_STRING: Final = re.compile(
    rb'"[^"\\\x00-\x1f]*(?:\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4})[^"\\\x00-\x1f]*)*"'
)
_PLAIN: Final = re.compile(rb'[^"\\\x00-\x1f]*')
_NUMBER: Final = re.compile(rb"-?(?:0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?")
_HEX: Final = frozenset(b"0123456789abcdefABCDEF")
_ESCAPE_CODES: Final = frozenset(b'"\\/bfnrt')
_LITERALS: Final = {
    ord("t"): (b"true", True),
    ord("f"): (b"false", False),
    ord("n"): (b"null", None),
}
_SURROGATE: Final = re.compile("[\ud800-\udfff]")
_SURROGATE_ESCAPE: Final = re.compile(r"\\u[dD][89a-fA-F]")
# Runs of plain items the error scanner may skip at once: each is complete and followed by a
# comma, so the item it stops at is read one byte at a time as Go reads it.
_SCALAR: Final = (
    rb"(?:-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?|true|false|null"
    rb'|"[^"\\\x00-\x1f]*(?:\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4})[^"\\\x00-\x1f]*)*")'
)
_ARRAY_RUN: Final = re.compile(rb"(?:" + _SCALAR + rb"[ \t\r\n]*,[ \t\r\n]*)*")
_OBJECT_RUN: Final = re.compile(
    rb"(?:" + _SCALAR + rb'[ \t\r\n]*,[ \t\r\n]*"[^"\\\x00-\x1f]*"[ \t\r\n]*:[ \t\r\n]*)*'
)


def json_decode(text: str) -> Any:
    """JSONDecode(input string): the first JSON value of the text, as Needle values."""
    start = _WS_TEXT.match(text).end()  # type: ignore[union-attr]
    if start == len(text):
        raise ValueError("unmarshalling json: EOF")
    fast = _fast_decode(text, start)
    if fast is not _REFUSED:
        return fast
    # Surrogates that are not byte escapes cannot be in a Go string: U+FFFD stands there.
    raw = re.sub("[\ud800-\udc7f\udd00-\udfff]", "\ufffd", text).encode("utf-8", "surrogateescape")
    _Scanner(raw, build=False).decode()  # raises Go's error, if there is one
    return _Scanner(raw, build=True).decode()


# ---- number and string values ---------------------------------------------------------------


def number_value(text: str) -> int | float | str:
    """ConvertMap's reading of a json.Number: Int64() if it works, else Float64(), else text."""
    digits = text[1:] if text.startswith("-") else text
    if digits.isdigit() and len(digits) <= 19:
        value = int(text)
        if in_int64(value):
            return value
    number = float(text)
    if math.isinf(number):
        return text  # strconv.ParseFloat says "value out of range": json.Number is kept
    return number


def _sorted_map(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    # Go decodes into a map (a repeated key keeps its last value), ConvertMap sorts the keys.
    return dict(sorted(dict(pairs).items()))


# ---- fast path ------------------------------------------------------------------------------

_REFUSED: Final = object()


def _refuse_constant(name: str) -> Any:
    raise ValueError(name)


_DECODER: Final = json.JSONDecoder(
    parse_float=number_value,
    parse_int=number_value,
    parse_constant=_refuse_constant,
    object_pairs_hook=_sorted_map,
    strict=True,
)


_FIXING_DECODER: Final = json.JSONDecoder(
    parse_float=number_value,
    parse_int=number_value,
    parse_constant=_refuse_constant,
    object_pairs_hook=lambda pairs: _sorted_map([(_fix(k), v) for k, v in pairs]),
    strict=True,
)


def _fix(text: str) -> str:
    return _SURROGATE.sub("\ufffd", text)


def _fast_decode(text: str, start: int) -> Any:
    """Python's C decoder where it agrees with Go, else _REFUSED."""
    escapes = _SURROGATE_ESCAPE.search(text) is not None
    if _SURROGATE.search(text):
        # Outside strings these bytes are errors either way; inside, Go reads each as U+FFFD.
        text = _fix(text)
    try:
        value, end = (_FIXING_DECODER if escapes else _DECODER).raw_decode(text, start)
    except (ValueError, RecursionError):
        return _REFUSED
    first = text[start]
    if (first == "-" or first.isdigit()) and end < len(text) and text[end] in ".eE":
        return _REFUSED  # Go reads on into the number ("1." is an error to it)
    if text.count("[") + text.count("{") > MAX_DEPTH and _depth(value) > MAX_DEPTH:
        return _REFUSED
    # Python keeps a lone surrogate escape as a lone surrogate; Go writes U+FFFD.
    return _fix_strings(value) if escapes else value


def _fix_strings(value: Any) -> Any:
    if type(value) is str:
        return _fix(value)
    stack = [value]
    while stack:
        item = stack.pop()
        if type(item) is list:
            for i, child in enumerate(item):
                if type(child) is str:
                    item[i] = _fix(child)
                elif type(child) is list or type(child) is dict:
                    stack.append(child)
        elif type(item) is dict:
            for key, child in item.items():
                if type(child) is str:
                    item[key] = _fix(child)
                elif type(child) is list or type(child) is dict:
                    stack.append(child)
    return value


def _depth(value: Any) -> int:
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if type(item) is list or type(item) is dict:
            deepest = max(deepest, depth)
            children = item.values() if type(item) is dict else item
            stack.extend((child, depth + 1) for child in children)
    return deepest


# ---- exact scanner --------------------------------------------------------------------------


def _quote_char(byte: int) -> str:
    """encoding/json's quoteChar: the byte as a rune in single quotes, Go-escaped."""
    if byte == ord("'"):
        return "'\\''"
    if byte == ord('"'):
        return "'\"'"
    return "'" + quote(chr(byte))[1:-1] + "'"


def _syntax(byte: int, context: str) -> ValueError:
    return ValueError(f"unmarshalling json: invalid character {_quote_char(byte)} {context}")


def _unexpected_eof() -> ValueError:
    return ValueError("unmarshalling json: unexpected EOF")


class _Scanner:
    """Go's JSON scanner over the bytes of the text, building values as it goes."""

    def __init__(self, raw: bytes, build: bool) -> None:
        self.raw = raw
        self.size = len(raw)
        self.build = build

    def skip(self, pos: int) -> int:
        return _WS.match(self.raw, pos).end()  # type: ignore[union-attr]

    def byte_at(self, pos: int) -> int:
        if pos >= self.size:
            raise _unexpected_eof()
        return self.raw[pos]

    def decode(self) -> Any:
        # Each open container: [the list or the pairs, whether it is a map, the pending key].
        stack: list[list[Any]] = []
        pos = self.skip(0)
        while True:
            # A value starts at pos.
            if stack and not self.build:
                pos = (_OBJECT_RUN if stack[-1][1] else _ARRAY_RUN).match(self.raw, pos).end()  # type: ignore[union-attr]
            byte = self.byte_at(pos)
            if byte == ord("[") or byte == ord("{"):
                if len(stack) >= MAX_DEPTH:
                    raise _syntax(byte, "exceeded max depth")
                is_map = byte == ord("{")
                stack.append([[], is_map, None])
                pos = self.skip(pos + 1)
                close = self.byte_at(pos)
                if close == (ord("}") if is_map else ord("]")):
                    pos += 1
                    value = self.close(stack.pop())
                elif is_map:
                    stack[-1][2], pos = self.key(pos)
                    continue
                else:
                    continue
            else:
                value, pos = self.scalar(pos, byte)
            # A value is complete: hand it to its container, closing containers as they end.
            while True:
                if not stack:
                    return value
                frame = stack[-1]
                items, is_map = frame[0], frame[1]
                if self.build:
                    items.append((frame[2], value) if is_map else value)
                pos = self.skip(pos)
                after = self.byte_at(pos)
                if after == ord(","):
                    pos = self.skip(pos + 1)
                    if is_map:
                        frame[2], pos = self.key(pos)
                    break
                if after == (ord("}") if is_map else ord("]")):
                    pos += 1
                    value = self.close(stack.pop())
                    continue
                raise _syntax(
                    after, "after object key:value pair" if is_map else "after array element"
                )

    @staticmethod
    def close(frame: list[Any]) -> Any:
        return _sorted_map(frame[0]) if frame[1] else frame[0]

    def key(self, pos: int) -> tuple[str, int]:
        """An object key at pos, then its colon: (key, position of the value)."""
        if self.byte_at(pos) != ord('"'):
            raise _syntax(self.raw[pos], "looking for beginning of object key string")
        key, pos = self.string(pos)
        pos = self.skip(pos)
        colon = self.byte_at(pos)
        if colon != ord(":"):
            raise _syntax(colon, "after object key")
        return key, self.skip(pos + 1)

    def scalar(self, pos: int, byte: int) -> tuple[Any, int]:
        if byte == ord('"'):
            return self.string(pos)
        if byte == ord("-") or ord("0") <= byte <= ord("9"):
            return self.number(pos)
        literal = _LITERALS.get(byte)
        if literal is None:
            raise _syntax(byte, "looking for beginning of value")
        word, value = literal
        for offset in range(1, len(word)):
            found = self.byte_at(pos + offset)
            if found != word[offset]:
                expected = _quote_char(word[offset])
                raise _syntax(found, f"in literal {word.decode()} (expecting {expected})")
        return value, pos + len(word)

    def string(self, pos: int) -> tuple[str, int]:
        match = _STRING.match(self.raw, pos)
        if match is None:
            raise self.string_error(pos)
        return unquote(self.raw[pos + 1 : match.end() - 1]), match.end()

    def string_error(self, pos: int) -> ValueError:
        """Why the string literal at pos is invalid (the scanner's first complaint)."""
        raw, i = self.raw, pos + 1
        while True:
            i = _PLAIN.match(raw, i).end()  # type: ignore[union-attr]
            byte = self.byte_at(i)
            if byte != ord("\\"):
                return _syntax(byte, "in string literal")  # a control character
            code = self.byte_at(i + 1)
            if code == ord("u"):
                for offset in range(2, 6):
                    digit = self.byte_at(i + offset)
                    if digit not in _HEX:
                        return _syntax(digit, "in \\u hexadecimal character escape")
                i += 6
            elif code in _ESCAPE_CODES:
                i += 2
            else:
                return _syntax(code, "in string escape code")

    def number(self, pos: int) -> tuple[Any, int]:
        match = _NUMBER.match(self.raw, pos)
        if match is None:  # a lone minus sign
            raise _syntax(self.byte_at(pos + 1), "in numeric literal")
        end = match.end()
        fraction, exponent = match.group(1), match.group(2)
        after = self.raw[end] if end < self.size else -1
        if after == ord(".") and fraction is None and exponent is None:
            raise _syntax(self.byte_at(end + 1), "after decimal point in numeric literal")
        if after in (ord("e"), ord("E")) and exponent is None:
            sign = self.byte_at(end + 1)
            if sign in (ord("+"), ord("-")):
                sign = self.byte_at(end + 2)
            raise _syntax(sign, "in exponent of numeric literal")
        return number_value(match.group().decode("ascii")), end
