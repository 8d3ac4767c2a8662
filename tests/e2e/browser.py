"""What the browser tests share: Debian's chromium, its flags, and skipping only where allowed.

Without chromium (or the Weaver build) a browser test is skipped with its reason printed, so a
developer's run stays usable; with IBAX_E2E_REQUIRED=1, as `.ci/run` sets it, the test fails
instead: CI is not green while the explorer, the API docs and Weaver went untested.
"""

from __future__ import annotations

import os
import shutil
from typing import NoReturn

import pytest

REQUIRED = "IBAX_E2E_REQUIRED"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
LOOPBACK = {"127.0.0.1", "localhost", "[::1]", "::1"}
NO_CHROMIUM = "no chromium on PATH (apt-get install --no-install-recommends chromium)"


def unavailable(what: str, reason: str) -> NoReturn:
    """Skip `what` for `reason`, printed; fail it instead when the browser tests are required."""
    if os.environ.get(REQUIRED) == "1":
        pytest.fail(f"{what} cannot run ({REQUIRED}=1): {reason}", pytrace=False)
    print(f"\nSKIPPING {what}: {reason}")
    pytest.skip(reason)


def find_chromium(what: str) -> str:
    """Debian's chromium, which Playwright drives through `executable_path`."""
    path = shutil.which("chromium")
    if path is None:
        unavailable(what, NO_CHROMIUM)
    return path
