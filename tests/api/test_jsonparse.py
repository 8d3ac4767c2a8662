"""Client JSON: parsed as json.loads would, or refused with a JsonError, never anything else."""

from __future__ import annotations

import json
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from api.jsonparse import MAX_DEPTH, JsonError, loads

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-(10**40), 10**40) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=30,
)


def test_plain_json() -> None:
    assert loads('{"a": [1, 2.5, "x", null, true]}') == {"a": [1, 2.5, "x", None, True]}
    assert loads(b'{"a": 1}') == {"a": 1}
    assert loads("[" * MAX_DEPTH + "]" * MAX_DEPTH) is not None
    assert loads('{"a": 1, "a": 2}', object_pairs_hook=lambda pairs: pairs[0]) == ("a", 1)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "invalid JSON"),
        ("{", "invalid JSON"),
        (b"\xff", "invalid JSON"),
        ("[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1), "nested deeper"),
        ('{"a":' * 500 + "1" + "}" * 500, "nested deeper"),
        ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
        ("NaN", "not JSON"),
        ("[-Infinity]", "not JSON"),
        ("1e400", "out of range"),
        ("1" * 5000, "too long"),
        ("[1." + "0" * 200 + "]", "too long"),
        ('"' + "x" * (1 << 20) + '"', "larger than"),
    ],
)
def test_refused(text: str | bytes, message: str) -> None:
    started = time.perf_counter()
    with pytest.raises(JsonError, match=message):
        loads(text)
    assert time.perf_counter() - started < 10  # a hang guard (unbounded: minutes), not a speed test


@settings(max_examples=200, deadline=None)
@given(JSON_VALUES)
def test_round_trip(value: object) -> None:
    assert loads(json.dumps(value)) == value
