"""JSON from clients, parsed with bounds on its size, nesting and numbers."""

# Python's json module recurses once per level and gives up with a RecursionError near
# 1,000 levels, after as much work as the text allowed; its numbers are as long as the
# text. Every JSON value a client sends (form fields, the bank's bodies) is read here, so
# a bad one is a ValueError the handler answers with a 4xx, never a 500 or a slow request.

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, Final

from chain.numbers import MAX_NUMBER_TEXT, NumberError, parse_float, parse_int

# Deep enough for any where object the query builder accepts (32 levels of $and/$or take
# about 70 JSON levels), shallow enough that nothing recursive downstream is at risk.
MAX_DEPTH: Final = 100
MAX_SIZE: Final = 1 << 20  # characters; the request body limit is the real bound
_ANY_INT: Final = 10**MAX_NUMBER_TEXT


class JsonError(ValueError):
    """The text is not JSON, or is JSON beyond the bounds; the message says which."""


def _int(text: str) -> int:
    try:
        return parse_int(text, minimum=-_ANY_INT, maximum=_ANY_INT)
    except NumberError as exc:
        raise JsonError(f"number {text[:20]}... is too long") from exc


def _float(text: str) -> float:
    try:
        return parse_float(text)
    except NumberError as exc:
        # Go's decoder refuses 1e400 too ("cannot unmarshal number 1e400 into float64").
        raise JsonError(str(exc)) from exc


def _constant(name: str) -> Any:
    raise JsonError(f"{name} is not JSON")  # Python would accept NaN and Infinity


def _depth_exceeds(value: Any, limit: int) -> bool:
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False


def loads(
    text: str | bytes,
    *,
    max_size: int = MAX_SIZE,
    max_depth: int = MAX_DEPTH,
    object_pairs_hook: Callable[[list[tuple[str, Any]]], Any] | None = None,
) -> Any:
    """Parse client JSON; raise JsonError when it is malformed, too large or too deep."""
    if len(text) > max_size:
        raise JsonError(f"JSON is larger than {max_size} characters")
    try:
        value = json.loads(
            text,
            parse_int=_int,
            parse_float=_float,
            parse_constant=_constant,
            object_pairs_hook=object_pairs_hook,
        )
    except RecursionError as exc:
        raise JsonError("JSON is nested too deeply") from exc
    except JsonError:
        raise
    except ValueError as exc:  # JSONDecodeError, UnicodeDecodeError
        raise JsonError(f"invalid JSON: {exc}") from exc
    # A text with fewer brackets than the limit cannot be nested past it: skip the walk.
    brackets = (
        text.count("[") + text.count("{")
        if isinstance(text, str)
        else (text.count(b"[") + text.count(b"{"))
    )
    if brackets > max_depth and _depth_exceeds(value, max_depth):
        raise JsonError(f"JSON is nested deeper than {max_depth} levels")
    return value
