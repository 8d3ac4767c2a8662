"""The API's Swagger UI page in headless Chromium: it renders the document, offline.

A node runs in its own process; Debian's chromium (driven by Playwright, as the Weaver test
does) opens /api/v2/docs with every request to a non-loopback host aborted, and the page must
list the node's operations. A screenshot goes to the test's tmp dir (-rP prints where).
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from urllib.parse import urlsplit

from playwright.sync_api import Route, sync_playwright

from tests.e2e.browser import CHROMIUM_FLAGS, LOOPBACK, find_chromium
from tests.node.test_cli import free_port, node_cmd, wait_for


def test_swagger_ui_shows_the_document_offline(tmp_path: Path) -> None:
    chromium = find_chromium("the API docs browser test")
    port = free_port()
    log = tmp_path / "node.log"
    args = ["run", "--data-dir", str(tmp_path / "d"), "--port", str(port)]
    outside: list[str] = []

    def keep_offline(route: Route) -> None:
        if urlsplit(route.request.url).hostname in LOOPBACK:
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort("blockedbyclient")

    with (
        log.open("wb") as out,
        subprocess.Popen(node_cmd(*args), stdout=out, stderr=subprocess.STDOUT) as proc,
    ):
        try:
            url = f"http://127.0.0.1:{port}"
            wait_for(f"{url}/healthz", proc)
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=chromium, args=CHROMIUM_FLAGS, headless=True
                )
                try:
                    page = browser.new_page(viewport={"width": 1280, "height": 900})
                    page.route("**/*", keep_offline)
                    errors: list[str] = []
                    page.on("pageerror", lambda exc: errors.append(str(exc)))
                    page.goto(f"{url}/api/v2/docs")
                    page.wait_for_selector(".opblock-summary-path", timeout=20_000)
                    paths = page.locator(".opblock-summary-path").all_inner_texts()
                    title = page.locator(".info .title").inner_text()
                    shot = tmp_path / "api-docs.png"
                    page.screenshot(path=str(shot))
                    print(f"\nAPI docs screenshot: {shot}")
                finally:
                    browser.close()
        finally:
            proc.terminate()
            proc.wait(timeout=20)
    assert errors == []
    assert outside == []
    assert "ibax-node" in title
    assert any("/api/v2/sendTx" in p for p in paths)
    assert any("/readyz" in p for p in paths)
