"""JSONEncode, JSONEncodeIndent, JSONDecode: JSON as the reference writes and reads it.

What that means for the text: maps keep their insertion order, money is a quoted decimal,
bytes are base64, floats use Go's shortest form (1e+21, 1e-7, 0.5), and `<`, `>`, `&` are left
as they are (the reference HTML-escapes them and then replaces the escapes back in the whole
text, which we repeat literally, quirks included). The encoder is iterative, bounded in depth
and output size, and refuses cycles.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Final

from chain.golang.bounds import check_length
from chain.golang.decimal import decimal_text
from chain.golang.json import marshal_float, quote
from contracts.builtins.gotypes import go_type, want_str
from contracts.builtins.jsondecode import json_decode
from contracts.builtins.registry import REGISTRY

MAX_JSON: Final = 1 << 20
MAX_DEPTH: Final = 1000
MAX_INDENT: Final = 64

# What a key may hold once the reference has escaped only its quotes: valid JSON string text.
_KEY_BODY: Final = re.compile(r'(?:[^"\\\x00-\x1f]|\\["\\/bfnrt]|\\u[0-9a-fA-F]{4})*')
_UNESCAPE_HTML: Final = (("\\u003c", "<"), ("\\u003e", ">"), ("\\u0026", "&"))


def _key(key: Any) -> str:
    """How *types.Map.MarshalJSON writes a key: only `"` is escaped, then Go re-checks it."""
    if not isinstance(key, str):
        raise TypeError(f"json: unsupported map key type {go_type(key)}")
    body = key.replace('"', '\\"')
    if not _KEY_BODY.fullmatch(body):
        raise ValueError(
            "json: error calling MarshalJSON for type *types.Map: "
            f"invalid character in map key {quote(key[:100])}"
        )
    # The outer json.Marshal re-escapes HTML characters and line separators inside it.
    return '"' + re.sub("[<>&\u2028\u2029]", lambda m: f"\\u{ord(m.group()):04x}", body) + '"'


# The JSON of each scalar kind of the value model (money is a quoted decimal, as shopspring's).
_SCALAR_JSON: Final[dict[type, Callable[[Any], str]]] = {
    type(None): lambda _: "null",
    bool: lambda value: "true" if value else "false",
    int: str,
    float: marshal_float,
    str: quote,
    Decimal: lambda value: '"' + decimal_text(value) + '"',
    bytes: lambda value: '"' + base64.b64encode(value).decode("ascii") + '"',
}


def _scalar(value: Any) -> str:
    text = _SCALAR_JSON.get(type(value))
    if text is None:
        raise TypeError(f"json: unsupported type: {go_type(value)}")
    return text(value)


@dataclass
class _Frame:
    items: Iterator[Any]
    is_map: bool
    ident: int
    empty: bool = True


@dataclass
class _Writer:
    indent: str
    parts: list[str] = field(default_factory=list)
    size: int = 0
    stack: list[_Frame] = field(default_factory=list)
    open_ids: set[int] = field(default_factory=set)

    def emit(self, text: str) -> None:
        self.size += len(text)
        if self.size > MAX_JSON:
            raise ValueError(f"json: the encoded value is longer than {MAX_JSON} characters")
        self.parts.append(text)

    def open(self, value: Any) -> None:
        kind = type(value)
        if kind is not list and kind is not dict:
            self.emit(_scalar(value))
            return
        if id(value) in self.open_ids:
            raise ValueError(f"json: unsupported value: encountered a cycle via {go_type(value)}")
        if len(self.stack) >= MAX_DEPTH:
            raise ValueError(f"json: the value is nested deeper than {MAX_DEPTH} levels")
        is_map = kind is dict
        self.emit("{" if is_map else "[")
        items = iter(value.items()) if is_map else iter(value)
        self.stack.append(_Frame(items, is_map, id(value)))
        self.open_ids.add(id(value))

    def step(self) -> None:
        """Write the current container's items up to its next nested container or its end."""
        frame = self.stack[-1]
        depth = len(self.stack)
        lead = ""
        if self.indent:
            # Check the size before building the text, so a deep indent cannot blow up memory.
            if self.size + 1 + len(self.indent) * depth > MAX_JSON:
                self.emit("x" * (MAX_JSON + 1))
            lead = "\n" + self.indent * depth
        colon = ": " if self.indent else ":"
        comma = "," + lead
        parts, is_map = self.parts, frame.is_map
        for item in frame.items:
            # The hot loop: scalars are written here without a method call each.
            piece = lead if frame.empty else comma
            frame.empty = False
            if is_map:
                key, item = item
                piece += _key(key) + colon
            kind = type(item)
            if kind is list or kind is dict:
                self.emit(piece)
                self.open(item)
                return
            piece += str(item) if kind is int else _scalar(item)
            self.size += len(piece)
            if self.size > MAX_JSON:
                self.emit(piece)  # raises
            parts.append(piece)
        self.stack.pop()
        self.open_ids.discard(frame.ident)
        if not frame.empty and self.indent:
            self.emit("\n" + self.indent * (depth - 1))
        self.emit("}" if frame.is_map else "]")


def encode(value: Any, indent: str = "") -> str:
    """json.Marshal (or MarshalIndent with prefix "" and `indent`) plus the reference's fix-up."""
    writer = _Writer(indent)
    writer.open(value)
    while writer.stack:
        writer.step()
    text = "".join(writer.parts)
    for escaped, plain in _UNESCAPE_HTML:
        text = text.replace(escaped, plain)
    return text


@REGISTRY.builtin("JSONEncodeIndent", fuel=20)
def json_encode_indent(value: Any, indent: Any) -> str:
    """JSONEncodeIndent(value any, indent string) string.

    At the top, nil arrives as "" (the reference's VM passes nil as a zero string) and money
    is refused, as the reference refuses every struct but *types.Map there.
    """
    text = check_length(want_str(indent), MAX_INDENT, "indent")
    if value is None:
        value = ""
    if type(value) is Decimal:
        raise TypeError("Type decimal.Decimal doesn't support json marshalling")
    return encode(value, text)


@REGISTRY.builtin("JSONEncode", fuel=20, output_fuel=True)
def json_encode(value: Any) -> str:
    """JSONEncode(v any) string: the reference's JSONEncodeIndent(v, "").

    Maps keep their order, money is a quoted decimal, bytes base64, NaN an error; nil arrives
    as "" (so the text is ""), and money on its own is refused.
    """
    return json_encode_indent(value, "")


@REGISTRY.builtin("JSONDecode", fuel=20, output_fuel=True, input_fuel=True)
def json_decode_text(text: Any) -> Any:
    """JSONDecode(input string) any: see contracts.builtins.jsondecode."""
    return json_decode(want_str(text))
