"""Logicor golden cases: template -> the reference's exact JSON (cases/*.tpl -> *.out)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from pages import PageEngine
from tests.pages.emptychain import EmptyChain

CASES = Path(__file__).parent / "cases"
RENDERED = sorted(CASES.glob("*.tpl"))
SOURCES = sorted((CASES / "source").glob("*.tpl"))
# The variables go-ibax's own template test renders with.
VARIABLES = {"_full": "0", "mytest": "Span(test)"}


async def _check(case: Path, variables: dict[str, str]) -> None:
    expected = case.with_suffix(".out")
    template = case.read_text(encoding="utf-8")
    actual = (await PageEngine().render_json(template, variables, EmptyChain())).decode() + "\n"
    if os.environ.get("PAGES_BLESS") == "1":  # regenerate after a deliberate change, review
        expected.write_text(actual, encoding="utf-8")
    assert actual == expected.read_text(encoding="utf-8")


@pytest.mark.parametrize("case", RENDERED, ids=lambda p: p.stem)
async def test_render(case: Path) -> None:
    await _check(case, dict(VARIABLES))


@pytest.mark.parametrize("case", SOURCES, ids=lambda p: p.stem)
async def test_source_mode(case: Path) -> None:
    await _check(case, {"_full": "1"})
