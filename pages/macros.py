"""Page variables and `#name#` macros, as go-ibax's template replaces them."""

from __future__ import annotations

import re
from typing import Final, NamedTuple

from pages.errors import PageLimitError

MAX_MACRO_DEPTH: Final = 16  # the reference's maxDeep: a variable inside a variable, ...
MAX_NAME: Final = 64  # a longer "#name" is text
_BREAK = re.compile(r"[\x00-\x20]")  # a blank or control character ends a name: it is text


class Var(NamedTuple):
    """A page variable; `as_is` (VarAsIs) values are not searched for macros again."""

    value: str
    as_is: bool = False


Vars = dict[str, Var]


class Budget:
    """How many characters macro expansion may still produce in one render."""

    __slots__ = ("left",)

    def __init__(self, limit: int) -> None:
        self.left = limit

    def spend(self, size: int) -> None:
        self.left -= size
        if self.left < 0:
            raise PageLimitError("the page's text is too large")


def macro(text: str, variables: Vars, budget: Budget) -> str:
    """`#name#` replaced by the variables' values (nothing in source mode, `_full` = 1)."""
    if "#" not in text:
        return text
    full = variables.get("_full")
    if full is not None and full.value == "1":
        return text
    return replace(text, variables, [], budget)


def macro_replace(text: str, variables: Vars, budget: Budget) -> str:
    """macro() without the source-mode check (SetVar and ForList always replace)."""
    if "#" not in text:
        return text
    return replace(text, variables, [], budget)


def replace(text: str, variables: Vars, level: list[str], budget: Budget) -> str:
    """The reference's replace(): known names take their value (itself replaced, unless as-is,
    up to 16 deep and never a name inside itself), unknown `#names#` vanish, a `#` that opens
    no name stays."""
    out: list[str] = []
    pos = 0
    size = len(text)
    while True:
        hash_at = text.find("#", pos)
        if hash_at == -1:
            out.append(text[pos:])
            break
        out.append(text[pos:hash_at])
        start = hash_at + 1
        close = text.find("#", start)
        stop = size if close == -1 else close
        cut = -1
        found = _BREAK.search(text, start, stop)
        if found is not None:
            cut = found.start()
        if stop - start > MAX_NAME and (cut == -1 or cut > start + MAX_NAME):
            cut = start + MAX_NAME
        if cut != -1:
            # The name broke off: "#" and what was read so far are text, the scan goes on.
            out.append(text[hash_at : cut + 1])
            pos = cut + 1
            continue
        if close == -1:
            out.append(text[hash_at:])
            break
        name = text[start:close]
        pos = close + 1
        var = variables.get(name)
        if var is None:
            continue
        if name in level or len(level) >= MAX_MACRO_DEPTH:
            out.append("#" + name + "#")
            continue
        value = var.value
        if not var.as_is and "#" in value:
            level.append(name)
            value = replace(value, variables, level, budget)
            level.pop()
        budget.spend(len(value))
        out.append(value)
    return "".join(out)
