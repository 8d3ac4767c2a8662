"""The real Weaver frontend (2022 build) logs in to our node in headless Chromium."""

# What runs: our node as a user starts it (`python -m node run`, P-256/SHA-256, a temp data
# dir, a free port, SQLite), a copy of the Weaver build in ../shared/weaver with settings.json
# pointed at that node, and Debian's chromium driven by Playwright (never a downloaded browser).
# Every request to a host other than this machine's loopback is aborted in the browser, so
# Weaver's map and analytics scripts stay offline. Screenshots of each step are kept.
#
# The steps are methods of WeaverRun, one per screen. Once the content/* routes exist, the
# test goes on with: the default page's tree and the menu beside it, a page with a DBFind
# table, and a page button that sends a contract and shows its result.

from __future__ import annotations

import functools
import json
import shutil
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, NoReturn
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, Request, Response, Route, sync_playwright

from chain.address import address_to_string
from chain.crypto import Crypto, Cryptoer, Hasher
from tests.node.test_cli import free_port, node_cmd, wait_for

REPO = Path(__file__).resolve().parents[2]
# CI clones the repository with shared/ beside it; a worktree has a link there.
WEAVER_BUILD = REPO.parent / "shared" / "weaver"
NETWORK_ID = 7  # not the default 1, so a Weaver left pointed elsewhere would notice
PASSWORD = "weaver-e2e-password"
STEP_TIMEOUT_MS = 20_000
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


def _skip(reason: str) -> NoReturn:
    print(f"\nSKIPPING the Weaver end-to-end test: {reason}")
    pytest.skip(reason)


@pytest.fixture
def chromium() -> str:
    """Debian's chromium, which the test drives (CI installs it)."""
    path = shutil.which("chromium")
    if path is None:
        _skip("no chromium on PATH (apt-get install --no-install-recommends chromium)")
    return path


@pytest.fixture
def weaver_build() -> Path:
    """The prebuilt Weaver, found beside the repository."""
    if not (WEAVER_BUILD / "index.html").is_file():
        _skip(f"no Weaver build at {WEAVER_BUILD}")
    return WEAVER_BUILD


@dataclass(frozen=True)
class RunningNode:
    """Our node in its own process."""

    url: str
    data_dir: Path
    log: Path

    @property
    def founder_key(self) -> str:
        return (self.data_dir / "PrivateKey").read_text().strip()


@pytest.fixture
def node(tmp_path: Path) -> Iterator[RunningNode]:
    """A fresh node with the Weaver-era crypto pair on a free port."""
    port = free_port()
    data_dir = tmp_path / "node-data"
    log = tmp_path / "node.log"
    args = [
        "run",
        "--data-dir",
        str(data_dir),
        "--port",
        str(port),
        "--network-id",
        str(NETWORK_ID),
        "--cryptoer",
        "ECC_P256",
        "--hasher",
        "SHA256",
    ]
    with log.open("wb") as out, subprocess.Popen(
        node_cmd(*args), stdout=out, stderr=subprocess.STDOUT
    ) as proc:
        try:
            url = f"http://127.0.0.1:{port}"
            wait_for(f"{url}/api/v2/version", proc)
            yield RunningNode(url=url, data_dir=data_dir, log=log)
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def weaver_url(tmp_path: Path, weaver_build: Path, node: RunningNode) -> Iterator[str]:
    """A copy of the build, its settings.json naming our node, served on loopback."""
    site = tmp_path / "weaver"
    shutil.copytree(weaver_build, site)
    settings_file = site / "settings.json"
    settings_file.chmod(0o644)  # shared/ may come without write bits
    settings = json.loads(settings_file.read_text())
    [network] = settings["networks"]
    network.update(networkID=NETWORK_ID, honorNodes=[node.url], socketUrl="")
    settings_file.write_text(json.dumps(settings, indent=2))
    handler = functools.partial(_QuietHandler, directory=str(site))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@dataclass
class ApiCall:
    """One request the browser sent to the node's API, and the status it got back."""

    method: str
    route: str  # the path after /api/v2/
    headers: dict[str, str]
    status: int | None = None  # None until answered


@dataclass
class WeaverRun:
    """One browser context on Weaver: the steps a person takes, each with its screenshot."""

    page: Page
    shots: Path
    node: RunningNode
    calls: list[ApiCall] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    step: int = 0

    def watch(self) -> None:
        """Record the node API calls and the script errors of the page."""
        prefix = self.node.url + "/api/v2/"

        def route_of(url: str) -> str | None:
            path = url.split("?", 1)[0]
            return path[len(prefix) :].replace("%40", "@") if path.startswith(prefix) else None

        def on_request(request: Request) -> None:
            if (route := route_of(request.url)) is not None:
                self.calls.append(ApiCall(request.method, route, dict(request.headers)))

        def on_response(response: Response) -> None:
            route = route_of(response.url)
            for call in self.calls:
                if (call.method, call.route, call.status) == (response.request.method, route, None):
                    call.status = response.status
                    break

        self.page.on("request", on_request)
        self.page.on("response", on_response)
        self.page.on("pageerror", lambda error: self.page_errors.append(str(error)))

    def shot(self, name: str) -> None:
        self.step += 1
        self.page.screenshot(path=str(self.shots / f"{self.step:02d}-{name}.png"))

    def failure_shot(self) -> None:
        try:
            self.shot("failure")
        except Exception as exc:  # the page may be gone; the test's own error matters more
            print(f"no failure screenshot: {exc!r}")

    def called(self, method: str, route: str) -> ApiCall | None:
        return next((c for c in self.calls if (c.method, c.route) == (method, route)), None)

    def wait_for_call(self, method: str, route: str) -> ApiCall:
        """Wait until the page has sent this request to the node and had its answer."""
        deadline = time.monotonic() + STEP_TIMEOUT_MS / 1000
        while (call := self.called(method, route)) is None or call.status is None:
            if time.monotonic() > deadline:
                seen = [f"{c.method} {c.route} -> {c.status}" for c in self.calls]
                raise AssertionError(f"no answer to {method} {route} in Weaver's calls: {seen}")
            self.page.wait_for_timeout(100)
        return call

    # -- the steps ----------------------------------------------------------------------------

    def open_welcome(self, url: str) -> None:
        self.page.goto(url)
        self.page.get_by_role("button", name="Create or import account").wait_for()
        self.shot("welcome")

    def import_key(self, private_key: str) -> dict[str, Any]:
        """Import a private key with a password; answers the keyinfo Weaver then reads."""
        self.page.get_by_role("button", name="Create or import account").click()
        self.page.get_by_role("button", name="Import existing key").click()
        self.page.locator("textarea.input-seed").fill(private_key)
        self.page.locator("input[name=password]").fill(PASSWORD)
        self.shot("import-key")
        with self.page.expect_response(lambda r: "/api/v2/keyinfo/" in r.url) as keyinfo:
            self.page.get_by_role("button", name="Confirm").click()
        assert keyinfo.value.status == 200
        body: dict[str, Any] = keyinfo.value.json()
        return body

    def choose_account(self, address: str, ecosystem_name: str) -> None:
        """The account list shows the imported key; pick its ecosystem without a role."""
        self.page.get_by_text(address).wait_for()
        access = self.page.locator(".wallet-access", has_text=ecosystem_name)
        access.wait_for()
        self.shot("accounts")
        access.locator(".wallet-btn").first.click()
        self.page.locator("input[name=password]").wait_for()
        self.shot("password")

    def log_in(self) -> dict[str, Any]:
        """Enter the password; answers the node's login reply."""
        self.page.locator("input[name=password]").fill(PASSWORD)
        with self.page.expect_response(lambda r: r.url.endswith("/api/v2/login")) as login:
            self.page.locator("button[type=submit]").click()
        assert login.value.status == 200
        body: dict[str, Any] = login.value.json()
        return body

    def reach_main_page(self, address: str, ecosystem_name: str) -> ApiCall:
        """The main page (/browse) with the account in its header; answers its page request."""
        self.page.wait_for_url("**/browse**")
        user = self.page.locator(".user-info")
        user.locator(".user-title", has_text=address).wait_for()
        assert user.locator(".user-subtitle").text_content() == ecosystem_name
        request = self.wait_for_call("POST", "content/page/default_page")
        # The account screen fades out over the page: wait until it is gone.
        self.page.get_by_role("button", name="Create or import account").wait_for(
            state="detached"
        )
        self.shot("main-page")
        return request


def test_weaver_imports_a_key_logs_in_and_reaches_the_main_page(
    tmp_path: Path, chromium: str, node: RunningNode, weaver_url: str
) -> None:
    shots = tmp_path / "weaver-screenshots"
    shots.mkdir()
    print(f"\nWeaver screenshots: {shots}\nnode log: {node.log}")
    founder = bytes.fromhex(node.founder_key)
    crypto = Crypto(Cryptoer.P256, Hasher.SHA256)
    key_id = crypto.address(crypto.public_key(founder))
    address = address_to_string(key_id)

    def keep_offline(route: Route) -> None:
        if urlsplit(route.request.url).hostname in LOOPBACK:
            route.continue_()
        else:
            route.abort("blockedbyclient")

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium, args=CHROMIUM_FLAGS, headless=True
        )
        try:
            context = browser.new_context(viewport={"width": 1280, "height": 900})
            context.set_default_timeout(STEP_TIMEOUT_MS)
            context.route("**/*", keep_offline)
            run = WeaverRun(page=context.new_page(), shots=shots, node=node)
            run.watch()
            try:
                _log_in_as_founder(run, weaver_url, node, address, key_id)
            except Exception:
                run.failure_shot()
                raise
        finally:
            browser.close()


def _log_in_as_founder(
    run: WeaverRun, weaver_url: str, node: RunningNode, address: str, key_id: int
) -> None:
    """Welcome -> import the founder's key -> account list -> password -> main page."""
    run.open_welcome(weaver_url)

    keyinfo = run.import_key(node.founder_key)
    # The array Weaver's account list reads for each ecosystem; without it, its script threw
    # and nothing after the key import (login included) ever ran.
    assert keyinfo["account"] == address
    [platform] = keyinfo["ecosystems"]
    assert platform["notifications"] == [{"role_id": "0", "count": 0}]

    run.choose_account(address, platform["name"])
    login = run.log_in()
    assert login["key_id"] == str(key_id) and login["ecosystem_id"] == "1"

    page_request = run.reach_main_page(address, platform["name"])
    assert page_request.headers.get("authorization") == f"Bearer {login['token']}"
    # On its way Weaver read its session's settings from the node.
    for method, route in (
        ("GET", "config/centrifugo"),
        ("GET", "systemparams"),
        ("GET", "sections"),
        ("GET", "ecosystemparam/print_stylesheet"),
    ):
        assert run.called(method, route), f"Weaver did not send {method} {route}"
    assert run.page_errors == []
