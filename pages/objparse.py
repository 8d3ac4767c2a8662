"""ParseObject: the page language's loose object syntax (DBFind's Where, Order, Columns).

`{name: "John", id: {$gt: 2}}` and `[a, {b: 1}, c: 2]`: keys and values need no quotes
(quotes around a whole key or value are dropped), `key: value` inside an array is a
one-key object, and every scalar is text. As go-ibax's template/dbfind.go ParseObject,
including its quirks: an object inside an object without a key is dropped, an empty object
or array is "", and a doubled or trailing comma is "unexpected comma".
"""

from __future__ import annotations

from typing import Any, Final

from chain.golang.strings import trim_space

ERR_WHERE: Final = "Where has wrong format"
ERR_COMMA: Final = "unexpected comma"
MAX_DEPTH: Final = 64


class ObjectSyntaxError(ValueError):
    """The text is not an object or array (or has a misplaced comma)."""


def _trim(text: str) -> str:
    out = trim_space(text)
    if len(out) > 1 and out[0] == '"' and out[-1] == '"':
        out = out[1:-1]
    return out


def parse_object(text: str) -> Any:
    """The value of `text`: a dict (insertion-ordered), a list, or "" when it is empty."""
    if not text:
        raise ObjectSyntaxError(ERR_WHERE)
    return _parse(text, 0, 0)[0]


def _parse(text: str, begin: int, depth: int) -> tuple[Any, int]:
    """The object starting at text[begin]; returns it and the index of its last character."""
    if depth > MAX_DEPTH:
        raise ObjectSyntaxError("the object is nested too deeply")
    opening = text[begin]
    if opening == "[":
        items: list[Any] = []
        fields: dict[str, Any] = {}
        map_mode = False
    elif opening == "{":
        items = []
        fields = {}
        map_mode = True
    else:
        raise ObjectSyntaxError(ERR_WHERE)
    key = ""
    quote = False
    start = begin + 1
    i = begin + 1
    prev = " "
    length = len(text)

    def add(value: Any) -> None:
        nonlocal key
        if map_mode:
            fields[key] = value
        elif key:
            items.append({key: value})
        else:
            items.append(value)
        key = ""

    while i < length:
        ch = text[i]
        if quote and ch != '"':
            i += 1
            continue
        if ch == "]" and not map_mode:
            break
        if ch == "}" and map_mode:
            break
        if ch == "{" or ch == "[":
            value, end = _parse(text, i, depth + 1)
            if map_mode:
                # An object without a key inside an object is dropped (the reference merges
                # only a Go map, which its parser never makes).
                if key:
                    fields[key] = value
                    key = ""
            else:
                if key:
                    value = {key: value}
                    key = ""
                items.append(value)
            i = end
            start = i + 1
        elif ch == '"':
            quote = not quote
        elif ch == ":":
            if not key:
                key = _trim(text[start:i])
                start = i + 1
        elif ch == ",":
            value = _trim(text[start:i])
            if prev == ",":
                raise ObjectSyntaxError(ERR_COMMA)
            if not value and key:
                add("")
            if value:
                add(value)
            start = i + 1
        if ch != " ":
            prev = ch
        i += 1
    if prev == ",":
        raise ObjectSyntaxError(ERR_COMMA)
    if start < i:
        last = _trim(text[start:i])
        if last:
            add(last)
        elif key:
            add("")
    result: Any = fields if map_mode else items
    if not result:
        result = ""
    return result, i
