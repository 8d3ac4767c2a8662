"""What the built-in case tables share: a chain-less node table, check(), hostile values."""

from __future__ import annotations

import math
from typing import Any

import pytest

from chain.crypto import Crypto
from contracts.builtins import node_builtins
from contracts.builtins.math import money_builtins
from contracts.run import compile_source
from contracts.vm import Limits, Machine

CRYPTO = Crypto()
# FormatMoney without a chain (on a node, digit 0 reads the ecosystem: tests/api).
TABLE = {**node_builtins(CRYPTO), **money_builtins(None)}

# Far above any bounded run on a loaded CI machine, far below an unbounded one.
HANG_S = 20.0

ERR = object()  # marks a case whose expected outcome is an exception with a message fragment


class Fails:
    """An expected error: its type and the exact text."""

    def __init__(self, text: str, kind: type[Exception] = ValueError) -> None:
        self.text, self.kind = text, kind

    def __repr__(self) -> str:
        return f"exactly({self.text!r})"


def exactly(text: str, kind: type[Exception] = ValueError) -> Fails:
    """The case fails with exactly this text."""
    return Fails(text, kind)


def fails(kind: type[Exception], fragment: str) -> tuple[object, type[Exception], str]:
    """The case fails with an error of `kind` whose text contains `fragment`."""
    return (ERR, kind, fragment)


def call(name: str, *args: Any, table: dict[str, Any] | None = None) -> Any:
    """A built-in of the table, called as the VM calls it."""
    entry = (table or TABLE)[name]
    if entry.machine:
        return entry.fn(Machine(Limits()), *args)
    return entry.fn(*args)


def check(
    name: str, args: tuple[Any, ...], expected: Any, table: dict[str, Any] | None = None
) -> None:
    """Call a built-in; `expected` is a value, `exactly(text)` or `fails(kind, fragment)`."""
    if isinstance(expected, Fails):
        with pytest.raises(expected.kind) as info:
            call(name, *args, table=table)
        assert str(info.value) == expected.text
    elif isinstance(expected, tuple) and expected and expected[0] is ERR:
        _, kind, fragment = expected
        with pytest.raises(kind) as info:
            call(name, *args, table=table)
        assert fragment in str(info.value)
    else:
        result = call(name, *args, table=table)
        assert type(result) is type(expected), (result, expected)
        if isinstance(expected, float) and math.isnan(expected):
            assert math.isnan(result)
        else:
            assert result == expected


def alias_bomb(levels: int = 40, leaves: int = 1) -> list[Any]:
    """[a, a] nested `levels` times over `leaves` ones: 2**levels * leaves items, few objects."""
    value: list[Any] = [1] * leaves
    for _ in range(levels):
        value = [value, value]
    return value


def run(source: str, fuel: int = 10_000_000) -> Any:
    """Compile Needle `source` against TABLE and run its `main` with `fuel`: what it returns."""
    program = compile_source(source, "test", TABLE)
    fn = program.funcs["main"]
    assert fn.body is not None
    machine = Machine(Limits(fuel=fuel, seconds=10), {})
    return getattr(fn.body(machine, [None] * fn.nslots), "value", None)
