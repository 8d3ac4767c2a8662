"""The harness the built-in case tables share: the node's table without a chain, and check()."""

from __future__ import annotations

from typing import Any

import pytest

from chain.crypto import Crypto
from contracts.builtins import node_builtins
from contracts.builtins.math import money_builtins

ERR = object()  # marks a case whose expected outcome is an exception

# FormatMoney without a chain (on a node, digit 0 reads the ecosystem: tests/api).
TABLE = {**node_builtins(Crypto()), **money_builtins(None)}


def call(name: str, *args: Any) -> Any:
    """Call built-in `name` of TABLE with `args`."""
    return TABLE[name].fn(*args)


def check(
    name: str, args: tuple[Any, ...], expected: Any, table: dict[str, Any] | None = None
) -> None:
    """Call a built-in; `expected` is a value, or (ERR, exception type, message fragment)."""
    fn = (table or TABLE)[name].fn
    if isinstance(expected, tuple) and expected and expected[0] is ERR:
        _, kind, fragment = expected
        with pytest.raises(kind) as info:
            fn(*args)
        assert fragment in str(info.value)
    else:
        result = fn(*args)
        assert type(result) is type(expected), (result, expected)
        assert result == expected


def fails(kind: type[Exception], fragment: str) -> tuple[object, type[Exception], str]:
    return (ERR, kind, fragment)
