"""Needle lexer and parser: golden cases (cases/*.sim -> *.out), limits and fuzzing."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from contracts.ast import dump
from contracts.errors import ContractSyntaxError
from contracts.lexer import MAX_SOURCE
from contracts.parser import MAX_DEPTH, parse

CASES = Path(__file__).parent / "cases"
SOURCES = sorted(CASES.glob("*.sim"))


def render(source: str, name: str) -> str:
    """What a golden file holds: the tree's dump, or the positioned error."""
    try:
        return dump(parse(source, name)) + "\n"
    except ContractSyntaxError as exc:
        return f"error: {exc.position} {exc.message}\n"


@pytest.mark.parametrize("case", SOURCES, ids=lambda p: p.stem)
def test_golden(case: Path) -> None:
    expected = case.with_suffix(".out")
    actual = render(case.read_text(), case.stem)
    if os.environ.get("NEEDLE_BLESS") == "1":  # regenerate after a deliberate change, then review
        expected.write_text(actual)
    assert actual == expected.read_text()


def test_error_shows_position_and_line() -> None:
    with pytest.raises(ContractSyntaxError) as info:
        parse("func f() {\n    $a = 1 # 2\n}\n", "@1Demo")
    assert str(info.value) == "[@1Demo:2:12] unexpected character '#'\n        $a = 1 # 2"


@pytest.mark.parametrize("opener,closer", [("(", ")"), ("[", "]"), ("{", "}"), ("!", "")])
def test_deep_nesting_is_refused_not_a_crash(opener: str, closer: str) -> None:
    depth = MAX_DEPTH * 5
    inner = "{" * depth + "}" * depth if opener == "{" else opener * depth + "1" + closer * depth
    source = f"func f() {{\n $a = {inner}\n}}" if opener != "{" else f"func f() {inner}"
    with pytest.raises(ContractSyntaxError, match="nesting is deeper than"):
        parse(source)


def test_oversized_source_is_refused() -> None:
    with pytest.raises(ContractSyntaxError, match="source is too long"):
        parse(" " * (MAX_SOURCE + 1))


@settings(max_examples=400, deadline=None)
@given(st.text(max_size=300))
def test_fuzz_arbitrary_text(source: str) -> None:
    started = time.monotonic()
    try:
        parse(source)
    except ContractSyntaxError as exc:
        assert exc.line >= 1 and exc.col >= 1
    assert time.monotonic() - started < 2


ALPHABET = list('{}()[]\n ,.:=+-*/%!<>&|$@"`;') + [
    "func ",
    "contract ",
    "data ",
    "if ",
    "else ",
    "while ",
    "var ",
    "return ",
    "x",
    "1",
    "int ",
    "error ",
    "action ",
    "conditions ",
    "...",
    "f(",
    "@1X(",
]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(ALPHABET), max_size=80))
def test_fuzz_token_soup(pieces: list[str]) -> None:
    try:
        parse("".join(pieces))
    except ContractSyntaxError as exc:
        assert exc.message
