"""The block explorer in headless Chromium: live blocks, a block, a tx, an account, search.

A node runs in its own process; Debian's chromium (Playwright with `executable_path`, the
Weaver test's flags) opens /explorer with every request to a non-loopback host aborted. While
the page is open, the founder sends transactions with the signing client: their block must
appear on the page without a reload (the events socket), and the pages behind its links must
show them. Screenshots of each step go to `explorer-screenshots/` in the test's tmp dir.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, Route, expect, sync_playwright

from chain.address import address_to_string
from chain.crypto import Crypto
from node.client import SyncNodeClient
from tests.e2e.browser import CHROMIUM_FLAGS, LOOPBACK, find_chromium
from tests.nodeproc import free_port, node_cmd, wait_for

STEP_MS = 20_000


@pytest.fixture
def chromium() -> str:
    return find_chromium("the explorer browser test")


@pytest.fixture
def node(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """A fresh node on a free port: its URL and data dir."""
    port = free_port()
    data_dir = tmp_path / "node-data"
    args = ["run", "--data-dir", str(data_dir), "--port", str(port)]
    log = tmp_path / "node.log"
    with log.open("wb") as out, subprocess.Popen(
        node_cmd(*args), stdout=out, stderr=subprocess.STDOUT
    ) as proc:
        try:
            url = f"http://127.0.0.1:{port}"
            wait_for(f"{url}/healthz", proc)
            yield url, data_dir
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
    text = log.read_text()
    assert "Traceback" not in text and " ERROR " not in text, text


def test_explorer_shows_live_blocks_and_follows_their_links(
    tmp_path: Path, chromium: str, node: tuple[str, Path]
) -> None:
    url, data_dir = node
    shots = tmp_path / "explorer-screenshots"
    shots.mkdir()
    print(f"\nexplorer screenshots: {shots}")
    founder = bytes.fromhex((data_dir / "PrivateKey").read_text().strip())
    address = address_to_string(Crypto().address(Crypto().public_key(founder)))
    outside: list[str] = []
    errors: list[str] = []
    # Playwright's sync API runs an event loop in this thread: the client works in another.
    pool = ThreadPoolExecutor(1)
    client = pool.submit(SyncNodeClient, url, founder).result()

    def transfer(to: str, amount: int) -> str:
        return pool.submit(client.transfer, to, amount).result()

    def call(contract: str, params: dict[str, str]) -> str:
        return pool.submit(client.call, contract, params).result()

    def wait(tx_hash: str) -> dict[str, Any]:
        return pool.submit(client.wait, tx_hash).result()

    try:
        _browse(chromium, url, address, shots, transfer, call, wait, outside, errors)
    finally:
        pool.submit(client.close).result()
        pool.shutdown()
    assert errors == []
    assert outside == []


def _browse(
    chromium: str,
    url: str,
    address: str,
    shots: Path,
    transfer: Callable[[str, int], str],
    call: Callable[[str, dict[str, str]], str],
    wait: Callable[[str], dict[str, Any]],
    outside: list[str],
    errors: list[str],
) -> None:
    def keep_offline(route: Route) -> None:
        if urlsplit(route.request.url).hostname in LOOPBACK:
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort("blockedbyclient")

    step = 0

    def shot(page: Page, name: str) -> None:
        nonlocal step
        step += 1
        page.screenshot(path=str(shots / f"{step:02d}-{name}.png"), full_page=True)

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium, args=CHROMIUM_FLAGS, headless=True
        )
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.set_default_timeout(STEP_MS)
            page.route("**/*", keep_offline)
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            try:
                page.goto(f"{url}/explorer")
                expect(page.locator("#live")).to_have_text("live")
                expect(page.locator('#blocks tr[data-block="1"]')).to_be_visible()
                shot(page, "latest")
                # A transfer lands while the page is open: its block comes in over the socket.
                page.evaluate("window.stillTheSamePage = true")
                tx_hash = transfer("0000-0000-0000-0000-5555", 12_345)
                status = wait(tx_hash)
                block_id = status["blockid"]
                row = page.locator(f'#blocks tr[data-block="{block_id}"]')
                expect(row).to_be_visible()
                assert page.evaluate("window.stillTheSamePage") is True
                assert page.locator("#blocks tbody tr").first.get_attribute("data-block") == (
                    block_id
                )
                shot(page, "live-block")
                # Its links: the block, the tx with its params, the sender's account.
                row.get_by_role("link").click()
                expect(page.locator("h1")).to_have_text(f"Block {block_id}")
                shot(page, "block")
                page.get_by_role("link", name=tx_hash).click()
                expect(page.locator("#status")).to_have_text("ok")
                expect(page.locator("#params")).to_contain_text("12345")
                shot(page, "tx")
                page.locator("#tx").get_by_role("link", name=address).click()
                expect(page.locator("h1")).to_have_text(f"Account {address}")
                expect(page.locator("#balances")).to_contain_text("IBXC")
                expect(page.locator("#signed")).to_contain_text(tx_hash)
                expect(page.locator("#outputs")).to_contain_text(tx_hash)  # its UTXO history
                shot(page, "account")
                # A failed call, found by searching its hash: its error is shown.
                failed = call("@1TokensSend", {"Recipient": "nobody", "Amount": "1"})
                assert wait(failed)["penalty"] == 1
                page.get_by_label("search").fill(failed)
                page.get_by_role("button", name="Search").click()
                expect(page.locator("#error")).to_contain_text("nobody")
                expect(page.locator("#status")).to_have_text("failed")
                shot(page, "failed-tx")
                # Search by block id and by address.
                page.get_by_label("search").fill("1")
                page.get_by_role("button", name="Search").click()
                expect(page.locator("h1")).to_have_text("Block 1")
                page.get_by_label("search").fill(address)
                page.get_by_role("button", name="Search").click()
                expect(page.locator("h1")).to_have_text(f"Account {address}")
                shot(page, "search")
            except Exception:
                shot(page, "failure")
                raise
        finally:
            browser.close()
