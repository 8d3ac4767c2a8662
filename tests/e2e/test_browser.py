"""The browser tests skip only where allowed: CI (IBAX_E2E_REQUIRED=1) fails them instead."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.browser import REQUIRED, find_chromium

CI_RUN = Path(__file__).resolve().parents[2] / ".ci" / "run"


def test_without_chromium_a_developer_run_skips(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # nothing to run there
    monkeypatch.delenv(REQUIRED, raising=False)
    with pytest.raises(pytest.skip.Exception, match="no chromium on PATH"):
        find_chromium("a browser test")


def test_without_chromium_a_required_run_fails(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setenv(REQUIRED, "1")
    with pytest.raises(pytest.fail.Exception, match="a browser test cannot run"):
        find_chromium("a browser test")


def test_ci_requires_the_browser_tests() -> None:
    # CI's script sets the variable before it runs the suite, and stops where it cannot
    # install chromium rather than going on without it.
    script = CI_RUN.read_text()
    assert script.index(f"export {REQUIRED}=1") < script.index("-m pytest")
    assert "cannot be installed here" in script.split("exit 1", 1)[0]
