"""Hostile arguments to the built-ins: every call ends quickly, answered or refused."""

from __future__ import annotations

import time
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

from chain.crypto import Crypto
from contracts.builtins import node_builtins
from tests.contracts.builtins.cases import HANG_S, alias_bomb

D = Decimal
TABLE = node_builtins(Crypto())


def _big_map(last: int) -> dict[str, Any]:
    value: dict[str, Any] = {str(i): i for i in range(100000)}
    value["last"] = last
    return value


HOSTILE: list[tuple[str, str, Callable[[], tuple[Any, ...]]]] = [
    # (label, built-in, a function building its arguments: only the call itself is timed)
    ("regex backtracking bait", "RegexpMatch", lambda: ("a" * (1 << 20) + "b", "(a+)+$")),
    ("regex nested repeats", "RegexpMatch", lambda: ("a" * 5000, "((a{1,100}){1,100}){1,50}")),
    ("regex huge unquote", "RegexpMatch", lambda: ("x", "\\u0061" * 2700)),
    ("json alias bomb", "JSONEncodeIndent", lambda: (alias_bomb(leaves=1000), "")),
    ("json alias bomb indented", "JSONEncodeIndent", lambda: (alias_bomb(leaves=1000), " " * 64)),
    ("json wide", "JSONEncodeIndent", lambda: (["\u2028<" * 100] * 100000, "")),
    ("sqrt decimal largest", "SqrtDecimal", lambda: ("9" * 1000,)),
    ("div extreme scale", "Div", lambda: ("9" * 990 + "e4000", "1e-4000")),
    ("compare extreme scale", "GreaterThan", lambda: ("1e4000", "1e-4000")),
    ("decimal huge exponent", "LessThan", lambda: ("1e2000000000", "1")),
    ("mod decimal big", "MathModDecimal", lambda: (D("9" * 999 + "e4000"), D("7e-4000"))),
    ("pow huge exponent", "Pow", lambda: (1.0000001, 1e300)),
    ("pow huge int exponent", "Pow", lambda: (-1.0000001, 9.2e18)),
    ("float text long", "Floor", lambda: ("9" * 1000,)),
    ("date format long", "DateFormat", lambda: ("Monday January _2 2006 " * 40, 1 << 62)),
    ("date far future zone", "DateTimeLocation", lambda: ((1 << 63) - 1, "Australia/Lord_Howe")),
    ("add date extreme", "AddDate", lambda: (1 << 62, 1 << 62, 1 << 62, 1 << 62)),
    ("format money shift", "FormatMoney", lambda: ("1", 1 << 30)),
    ("has slice deep", "HasSlice", lambda: (alias_bomb(leaves=1000), [alias_bomb(leaves=1000)])),
    ("has slice big maps", "HasSlice", lambda: (_big_map(0), [_big_map(1)] * 1000000)),
    (
        "has slice big maps distinct",
        "HasSlice",
        lambda: (_big_map(0), [_big_map(i) for i in range(1, 7)]),
    ),
    (
        "has slice long texts",
        "HasSlice",
        lambda: ("x" * (1 << 20), ["x" * (1 << 20) + "y"] * 10**6),
    ),
    (
        "has slice long texts distinct",
        "HasSlice",
        lambda: ("x" * (1 << 20), ["x" * (1 << 20) + chr(i) for i in range(400)]),
    ),
    ("sorted keys many", "SortedKeys", lambda: ({str(i): i for i in range(100000)},)),
    ("hex long", "HexToPub", lambda: ("ab" * (1 << 19) + "zz",)),
    ("eth long", "EthereumAddress", lambda: (b"x" * (1 << 20),)),
    ("unix date time long", "UnixDateTime", lambda: ("2009-11-11 04:00:00" + "0" * (1 << 20),)),
    ("check number chars long", "CheckNumberChars", lambda: ("a" * (1 << 20) + "!",)),
    ("has slice million ints", "HasSlice", lambda: (-1, list(range(10**6)))),
    ("has slice million arrays", "HasSlice", lambda: ([1, 2], [[1, 3]] * 10**6)),
    ("json deep", "JSONDecode", lambda: ("[" * 1_000_000,)),
    ("json long valid", "JSONDecode", lambda: ("[" + "1," * 500_000 + "1]",)),
    ("json long bad end", "JSONDecode", lambda: ("[" + "1," * 500_000 + "x]",)),
    ("json long surrogates", "JSONDecode", lambda: ('["\\ud800",' + "[]," * 300_000 + "1]",)),
    ("json empty arrays bad", "JSONDecode", lambda: ("[" + "[]," * 330_000 + "x]",)),
    ("json long number", "JSONDecode", lambda: ("1" * 1_000_000,)),
    ("sprintf width", "Sprintf", lambda: ("%9999999d", 1)),
    ("sprintf precision", "Sprintf", lambda: ("%.9999999f", 1e308)),
    ("sprintf sharp g", "Sprintf", lambda: ("%#.9999999g", 1.0)),
    ("sprintf quote", "Sprintf", lambda: ("%q", "\x01é\u0378" * 300_000)),
    ("sprintf many", "Sprintf", lambda: ("%v" * 100_000, *range(100_000))),
    ("replace blow-up", "Replace", lambda: ("a" * 1_000_000, "a", "bb")),
    ("replace empty", "Replace", lambda: ("a" * 1_000_000, "", "b")),
    ("split chars", "Split", lambda: ("\udcff" * 1_000_000, "")),
    ("upper all", "ToUpper", lambda: ("".join(map(chr, range(0x20000))).replace("\ud800", ""),)),
    ("int long", "Int", lambda: ("9" * 1_000_000,)),
    ("float long", "Float", lambda: ("1_" * 500_000 + "1",)),
    ("money long", "Money", lambda: ("1" * 999,)),
    ("base64 bad end", "DecodeBase64", lambda: ("QUJD" * 250_000 + "!",)),
    ("join alias", "Join", lambda: ([alias_bomb(), alias_bomb()], ",")),
    ("hex long", "HexToBytes", lambda: ("ab" * 500_000 + "g",)),
    ("trim spaces", "TrimSpace", lambda: (" " * 1_000_000 + "x" + " " * 1_000_000,)),
]


@pytest.mark.parametrize("label, name, make_args", HOSTILE, ids=[h[0] for h in HOSTILE])
def test_hostile_input_is_answered_quickly(
    label: str, name: str, make_args: Callable[[], tuple[Any, ...]]
) -> None:
    args = make_args()
    started = time.perf_counter()
    try:
        TABLE[name].fn(*args)
    except (ValueError, TypeError, ArithmeticError):
        pass
    # A hang guard, not a speed claim: bounded, each answers in well under a second alone.
    assert time.perf_counter() - started < HANG_S, label
