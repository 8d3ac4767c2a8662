"""Go's %v text of a Needle value (what Str, Join and Sprintf's %v print), bounded in size.

For the executor's Str/Join/Sprintf: arrays print as [a b], maps as map[k:v] in insertion
order (*types.Map's String(), which also trims trailing spaces), floats as Go's %g (1e+06),
money as decimal text, bytes as [104 105], nil inside a value as <nil>. Aliased arrays (a =
[a, a] repeated) cannot make it run long: output past MAX_TEXT is refused, and cycles too.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any, Final

from chain.golang.decimal import decimal_text
from chain.golang.strconv import format_float
from contracts.builtins.gotypes import MAX_TEXT, go_type

MAX_DEPTH: Final = 1000
_END: Final = object()


# %v of each scalar kind of the value model.
_SCALAR_TEXT: Final[dict[type, Callable[[Any], str]]] = {
    type(None): lambda _: "<nil>",
    bool: lambda value: "true" if value else "false",
    str: str,
    int: str,
    float: format_float,
    Decimal: decimal_text,
    bytes: lambda value: "[" + " ".join(map(str, value)) + "]",
}


def _scalar(value: Any) -> str:
    text = _SCALAR_TEXT.get(type(value))
    if text is None:
        raise TypeError(f"cannot format a {go_type(value)}")
    return text(value)


class _Text:
    """Pieces of the text with a running size, so a huge result stops early."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.size = 0

    def add(self, piece: str) -> None:
        self.size += len(piece)
        if self.size > MAX_TEXT:
            raise ValueError(f"the text of the value is longer than {MAX_TEXT} characters")
        self.parts.append(piece)


def go_text(value: Any) -> str:
    """fmt.Sprintf("%v", value) for the runtime value model."""
    kind = type(value)
    if kind is not list and kind is not dict:
        return _scalar(value)
    out = _Text()
    # Each frame: (items, is_map, id, index); maps collect their text to trim trailing spaces.
    stack: list[tuple[Iterator[Any], bool, int, list[int]]] = []
    open_ids: set[int] = set()

    def enter(container: Any) -> None:
        if id(container) in open_ids:
            raise ValueError(f"the value contains itself ({go_type(container)})")
        if len(stack) >= MAX_DEPTH:
            raise ValueError(f"the value is nested deeper than {MAX_DEPTH} levels")
        is_map = type(container) is dict
        out.add("map[" if is_map else "[")
        items = iter(container.items()) if is_map else iter(container)
        stack.append((items, is_map, id(container), [0, len(out.parts)]))
        open_ids.add(id(container))

    enter(value)
    while stack:
        items, is_map, ident, state = stack[-1]
        item: Any = next(items, _END)
        if item is _END:
            stack.pop()
            open_ids.discard(ident)
            if is_map:
                _trim_trailing_spaces(out, state[1])
            out.add("]")
            continue
        if state[0]:
            out.add(" ")
        state[0] += 1
        if is_map:
            key, item = item
            out.add(f"{key}:")
        if type(item) is list or type(item) is dict:
            enter(item)
        else:
            out.add(_scalar(item))
    return "".join(out.parts)


def _trim_trailing_spaces(out: _Text, start: int) -> None:
    # types.Map.String() ends with strings.TrimRight(text, " "): values' own trailing spaces
    # go too.
    while len(out.parts) > start:
        last = out.parts[-1]
        trimmed = last.rstrip(" ")
        out.size -= len(last) - len(trimmed)
        if trimmed:
            out.parts[-1] = trimmed
            return
        out.parts.pop()
