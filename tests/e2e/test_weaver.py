"""The real Weaver frontend (2022 build) uses our node in headless Chromium, as a person would."""

# (Over 600 lines: one browser session's script, a WeaverRun method per screen, sharing its page.)
#
# What runs: our node as a user starts it (`python -m node run`, P-256/SHA-256, a temp data
# dir, a free port, SQLite), a copy of the Weaver build in ../shared/weaver with settings.json
# pointed at that node, and Debian's chromium driven by Playwright (never a downloaded browser).
# Every request to a host other than this machine's loopback is aborted in the browser, so
# Weaver's map and analytics scripts stay offline. Screenshots of each step are kept.
#
# Before the browser starts, the founder prepares the ecosystem through the API, as its
# developer would: a welcome text on the default page, a table, a contract that inserts into
# it and a page whose button calls that contract. The steps are then methods of WeaverRun, one
# per screen: log in, the default page and its menu, the Developer page's DBFind table, and
# the button that signs and sends the contract, whose row the page then shows.

from __future__ import annotations

import functools
import json
import shutil
import subprocess
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, Request, Response, Route, WebSocket, sync_playwright

from chain.address import address_to_string
from chain.crypto import Crypto, Cryptoer, Hasher
from node.client import SyncNodeClient, finished
from tests.e2e.browser import CHROMIUM_FLAGS, LOOPBACK, find_chromium, unavailable
from tests.nodeproc import free_port, node_cmd, wait_for

REPO = Path(__file__).resolve().parents[2]
# CI clones the repository with shared/ beside it; a worktree has a link there.
WEAVER_BUILD = REPO.parent / "shared" / "weaver"
NETWORK_ID = 7  # not the default 1, so a Weaver left pointed elsewhere would notice
PASSWORD = "weaver-e2e-password"
STEP_TIMEOUT_MS = 20_000


WHAT = "the Weaver end-to-end test"


@pytest.fixture
def chromium() -> str:
    """Debian's chromium, which the test drives (CI installs it)."""
    return find_chromium(WHAT)


@pytest.fixture
def weaver_build() -> Path:
    """The prebuilt Weaver, found beside the repository."""
    if not (WEAVER_BUILD / "index.html").is_file():
        unavailable(WHAT, f"no Weaver build at {WEAVER_BUILD}")
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


# -- what the founder prepares through the API before the browser starts ---------------------

WELCOME = "Welcome to the notes of this ecosystem"
NOTES_PAGE = "e2e_notes"
NOTES_TABLE = "e2e_notes"
NOTES_COLUMNS = json.dumps(
    [
        {"name": "text", "type": "varchar", "index": "0", "conditions": "true"},
        {"name": "author", "type": "number", "index": "0", "conditions": "true"},
    ]
)
NOTES_PERMISSIONS = json.dumps({"insert": "true", "update": "true", "new_column": "true"})
ADD_NOTE = """contract AddNote {
    data {
        Text string
    }
    action {
        $result = DBInsert("e2e_notes", {text: $Text, author: $key_id})
    }
}"""
# The default page of ecosystem 1 is empty (the platform's default_ecosystem_page includes a
# welcome snippet only for ecosystems above 1), so its developer writes one, with variables.
WELCOME_TEMPLATE = f"""Div(content-wrapper){{
    SetTitle(Welcome)
    P(Class: welcome, Body: "{WELCOME}, #account_id#")
    LinkPage(Body: "Open the notes", Page: {NOTES_PAGE}, Class: btn btn-link)
}}"""
# A form whose button sends AddNote with the input's value (Params), then shows this page
# again; the table below reads the contract's rows.
NOTES_TEMPLATE = f"""Div(content-wrapper){{
    SetTitle(Notes)
    Form(notes-form){{
        Input(Name: NoteText, Placeholder: "A note")
        Button(Body: "Add note", Class: btn btn-primary, Contract: AddNote, Params: "Text=Val(NoteText)", Page: {NOTES_PAGE})
    }}
    DBFind({NOTES_TABLE}, notes).Columns("id,text,author").Order("id")
    Table(notes, "ID=id,Note=text,Author=author")
}}"""  # noqa: E501 - a Logicor call stays on one line


def _api_get(node: RunningNode, route: str, token: str) -> Any:
    request = urllib.request.Request(
        f"{node.url}/api/v2/{route}", headers={"Authorization": f"Bearer {token}"}
    )
    with urllib.request.urlopen(request, timeout=10) as resp:
        return json.loads(resp.read())


def prepare_ecosystem(node: RunningNode) -> None:
    """As the founder: the welcome page, the notes table, AddNote and the notes page."""
    with SyncNodeClient(node.url, bytes.fromhex(node.founder_key)) as client:
        session = client.login()
        default_page = _api_get(node, "interface/page/default_page", session.token)
        calls: list[tuple[str, dict[str, str]]] = [
            ("@1EditPage", {"Id": str(default_page["id"]), "Value": WELCOME_TEMPLATE}),
            (
                "@1NewTable",
                {
                    "ApplicationId": "1",
                    "Name": NOTES_TABLE,
                    "Columns": NOTES_COLUMNS,
                    "Permissions": NOTES_PERMISSIONS,
                },
            ),
            ("@1NewContract", {"ApplicationId": "1", "Value": ADD_NOTE, "Conditions": "true"}),
            (
                "@1NewPage",
                {
                    "ApplicationId": "1",
                    "Name": NOTES_PAGE,
                    "Value": NOTES_TEMPLATE,
                    "Menu": "default_menu",
                    "Conditions": "true",
                },
            ),
        ]
        for contract, params in calls:
            status = client.wait(client.call(contract, params), timeout=STEP_TIMEOUT_MS / 1000)
            assert status["blockid"] and status["penalty"] == 0, (contract, status)


# -- the browser side -------------------------------------------------------------------------


@dataclass
class ApiCall:
    """One request the browser sent to the node's API, and the answer it got."""

    method: str
    route: str  # the path after /api/v2/
    headers: dict[str, str]
    response: Response | None = None  # None until answered
    failure: str | None = None  # set when the request failed without an answer

    @property
    def status(self) -> int | None:
        return self.response.status if self.response is not None else None

    def json(self) -> Any:
        assert self.response is not None, f"{self.method} {self.route} has no answer"
        return self.response.json()


# Answers with an error status that the reference gives Weaver too on this path: no
# `stylesheet` parameter in ecosystem 1 (Weaver then uses none).
EXPECTED_REFUSALS = {
    ("GET", "ecosystemparam/stylesheet", 404),
}
# The founder has no avatar: the node answers 404 in JSON, as the reference, and Chromium
# drops that answer to an <img> (ORB) before the page sees it; Weaver shows its own picture.
AVATAR = "avatar/"
# Resolves when the CSS animations of an element and its ancestors are over (a fade-in), so
# the screenshot shows the element as a person sees it.
FADED_IN = """el => {
    const animations = [];
    for (let node = el; node; node = node.parentElement) animations.push(...node.getAnimations());
    return Promise.all(animations.map(a => a.finished));
}"""


@dataclass
class WeaverRun:
    """One browser context on Weaver: the steps a person takes, each with its screenshot."""

    page: Page
    shots: Path
    node: RunningNode
    calls: list[ApiCall] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    # Frames of the page's WebSockets (Weaver's centrifuge-js to the node's live events).
    socket_urls: list[str] = field(default_factory=list)
    frames_sent: list[str] = field(default_factory=list)
    frames_received: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    step: int = 0

    def watch(self) -> None:
        """Record the node API calls, the script errors and the console errors of the page."""
        prefix = self.node.url + "/api/v2/"

        def route_of(url: str) -> str | None:
            path = url.split("?", 1)[0]
            return path[len(prefix) :].replace("%40", "@") if path.startswith(prefix) else None

        def pending(request: Request) -> ApiCall | None:
            route = route_of(request.url)
            return next(
                (
                    c
                    for c in self.calls
                    if (c.method, c.route) == (request.method, route)
                    and c.response is None
                    and c.failure is None
                ),
                None,
            )

        def on_request(request: Request) -> None:
            if (route := route_of(request.url)) is not None:
                self.calls.append(ApiCall(request.method, route, dict(request.headers)))

        def on_response(response: Response) -> None:
            if (call := pending(response.request)) is not None:
                call.response = response

        def on_failure(request: Request) -> None:
            if (call := pending(request)) is not None:
                call.failure = request.failure or "failed"

        self.page.on("request", on_request)
        self.page.on("response", on_response)
        self.page.on("requestfailed", on_failure)
        self.page.on("pageerror", lambda error: self.page_errors.append(str(error)))

        def on_socket(socket: WebSocket) -> None:
            self.socket_urls.append(socket.url)
            socket.on("framesent", lambda payload: self.frames_sent.append(str(payload)))
            socket.on("framereceived", lambda payload: self.frames_received.append(str(payload)))

        self.page.on("websocket", on_socket)
        self.page.on(
            "console",
            lambda msg: self.console_errors.append(msg.text) if msg.type == "error" else None,
        )

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

    def wait_for_call(
        self, method: str, route: str, accept: Callable[[Any], bool] | None = None
    ) -> ApiCall:
        """Wait until the page has sent this request and had an answer (one `accept` takes)."""
        deadline = time.monotonic() + STEP_TIMEOUT_MS / 1000
        while True:
            for call in self.calls:
                if (call.method, call.route) == (method, route) and call.response is not None:
                    if accept is None or accept(call.json()):
                        return call
            if time.monotonic() > deadline:
                seen = [f"{c.method} {c.route} -> {c.status}" for c in self.calls]
                raise AssertionError(f"no answer to {method} {route} in Weaver's calls: {seen}")
            self.page.wait_for_timeout(100)

    def open_page(self, name: str, click: Callable[[], None]) -> Any:
        """Click something that opens a page; answers the node's content/page answer."""
        with self.page.expect_response(
            lambda r: r.url == f"{self.node.url}/api/v2/content/page/{name}"
        ) as answer:
            click()
        assert answer.value.status == 200, answer.value.text()
        return answer.value.json()

    def menu_links(self) -> list[tuple[str, str]]:
        """The sidebar menu as shown: (title, link) of each item."""
        links = self.page.locator("aside nav a")
        links.first.wait_for()
        items: list[list[str]] = links.evaluate_all(
            "links => links.map(a => [a.textContent, a.getAttribute('href')])"
        )
        return [(title, href) for title, href in items]

    def table_rows(self) -> list[list[str]]:
        """The cells of the page's table, row by row, headers first."""
        table = self.page.locator("article table")
        rows: list[list[str]] = table.evaluate(
            "t => Array.from(t.rows, r => Array.from(r.cells, c => c.textContent))"
        )
        return rows

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
        return request

    def see_default_page(self, page_call: ApiCall, address: str) -> None:
        """The default page's text and, beside it, the menu that came with it."""
        answer = page_call.json()
        assert answer["menu"] == "default_menu"
        self.page.locator("article p.welcome").wait_for()
        assert self.page.locator("article p.welcome").text_content() == f"{WELCOME}, {address}"
        # Weaver shows the menu of content/page's answer (menutree); it asks content/menu
        # only for menus that a page does not bring.
        items = [n["attr"] for n in answer["menutree"] if n["tag"] == "menuitem"]
        assert self.menu_links() == [(i["title"], _link(i["page"])) for i in items]
        assert [title for title, _ in self.menu_links()] == ["Home", "Developer"]
        # The same menu by its own route, with Weaver's login token.
        menu = self.page.request.post(
            f"{self.node.url}/api/v2/content/menu/{answer['menu']}",
            headers={"Authorization": page_call.headers["authorization"]},
        )
        assert menu.status == 200, menu.text()
        assert menu.json() == {"title": "default", "tree": answer["menutree"]}
        self.shot("default-page")

    def see_developer_table(self) -> None:
        """The menu's Developer page: its DBFind of the ecosystem's pages, as a table."""
        menu_item = self.page.locator("aside nav a", has_text="Developer")
        answer = self.open_page("developer_index", menu_item.click)
        self.page.locator("article table td", has_text=NOTES_PAGE).first.wait_for()
        [source] = _find_nodes(answer["tree"], "dbfind")
        columns, rows = source["attr"]["columns"], source["attr"]["data"]
        shown = [[row[columns.index(c)] for c in ("id", "name", "menu")] for row in rows]
        assert self.table_rows() == [["ID", "Name", "Menu"], *shown]
        names = [row[1] for row in shown]
        assert {"default_page", "developer_index", NOTES_PAGE} <= set(names)
        assert names == sorted(names)  # .Order("name")
        # The page's own menu now stands in the sidebar.
        assert answer["menu"] == "developer_menu"
        items = [n["attr"] for n in answer["menutree"] if n["tag"] == "menuitem"]
        assert self.menu_links() == [(i["title"], _link(i["page"])) for i in items]
        self.shot("developer-table")

    def send_note_from_button(self, note: str) -> str:
        """Home -> the notes link -> type a note -> the button: Weaver signs and sends AddNote.

        Answers the hash of the transaction, once txstatus has shown it in a block."""
        # The Developer page brought its own menu without Home: the browser's Back leads there.
        self.open_page("default_page", self.page.go_back)
        link = self.page.locator("article a", has_text="Open the notes")
        self.open_page(NOTES_PAGE, link.click)
        self.page.locator("article input[name=NoteText]").fill(note)
        self.shot("notes-form")
        button = self.page.locator("article button", has_text="Add note")
        with self.page.expect_response(lambda r: r.url.endswith("/api/v2/sendTx")) as sent:
            button.click()
        assert sent.value.status == 200, sent.value.text()
        [tx_hash] = {h for h in sent.value.json()["hashes"].values()}
        # Weaver asks txstatus every 2 s until the tx is in a block or has failed.
        status = self.wait_for_call(
            "POST", "txstatus", lambda body: finished(body.get("results", {}).get(tx_hash, {}))
        ).json()["results"][tx_hash]
        assert status["penalty"] == 0 and "errmsg" not in status, status
        assert status["result"] == "1"  # AddNote's $result: the id of the row it inserted
        # Weaver's notice of a finished batch (its TX_BATCH notification, shown for 5 s).
        notice = self.page.locator(".notification-body", has_text="Blockchain has been injected")
        notice.wait_for()
        notice.evaluate(FADED_IN)
        self.shot("tx-done")
        return tx_hash

    def see_note_in_table(self, note: str, author: int) -> None:
        """The button's page again, its table now holding the row the contract inserted."""
        self.page.locator("article table td", has_text=note).wait_for()
        assert self.table_rows() == [["ID", "Note", "Author"], ["1", note, str(author)]]
        self.shot("note-in-table")
        # The row as the data API shows it, read with Weaver's own token.
        sent = self.called("POST", "sendTx")
        assert sent is not None
        rows = self.page.request.get(
            f"{self.node.url}/api/v2/list/{NOTES_TABLE}",
            headers={"Authorization": sent.headers["authorization"]},
        ).json()["list"]
        assert [(r["id"], r["text"], r["author"]) for r in rows] == [("1", note, str(author))]


def _link(page: str) -> str:
    """Where Weaver's menu links a page of the home section."""
    return f"/browse/home/{page}"


def _find_nodes(tree: list[Any], tag: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for node in tree:
        if node.get("tag") == tag:
            found.append(node)
        found.extend(_find_nodes(node.get("children", []), tag))
    return found


def test_weaver_shows_pages_and_sends_a_contract_from_a_page_button(
    tmp_path: Path, chromium: str, node: RunningNode, weaver_url: str
) -> None:
    shots = tmp_path / "weaver-screenshots"
    shots.mkdir()
    print(f"\nWeaver screenshots: {shots}\nnode log: {node.log}")
    founder = bytes.fromhex(node.founder_key)
    crypto = Crypto(Cryptoer.P256, Hasher.SHA256)
    key_id = crypto.address(crypto.public_key(founder))
    address = address_to_string(key_id)
    prepare_ecosystem(node)

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
                page_call = _log_in_as_founder(run, weaver_url, node, address, key_id)
                run.see_default_page(page_call, address)
                run.see_developer_table()
                note = "Sent from a Weaver page button"
                run.send_note_from_button(note)
                run.see_note_in_table(note, key_id)
                _check_what_weaver_saw(run)
                _check_weaver_listens_to_the_node(run, address)
            except Exception:
                run.failure_shot()
                raise
        finally:
            browser.close()
    log = node.log.read_text()
    assert "Traceback" not in log and " ERROR " not in log, log


def _log_in_as_founder(
    run: WeaverRun, weaver_url: str, node: RunningNode, address: str, key_id: int
) -> ApiCall:
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

    page_call = run.reach_main_page(address, platform["name"])
    assert page_call.headers.get("authorization") == f"Bearer {login['token']}"
    # On its way Weaver read its session's settings from the node.
    centrifugo = run.wait_for_call("GET", "config/centrifugo")
    assert centrifugo.status == 200 and centrifugo.json() == node.url.replace("http:", "ws:")
    for method, route in (
        ("GET", "config/centrifugo"),
        ("GET", "systemparams"),
        ("GET", "sections"),
        ("GET", "ecosystemparam/print_stylesheet"),
    ):
        assert run.called(method, route), f"Weaver did not send {method} {route}"
    return page_call


def _check_what_weaver_saw(run: WeaverRun) -> None:
    """No script error; every call answered, with an error only where the reference errs."""
    assert run.page_errors == []
    wrong = [
        f"{c.method} {c.route} -> {c.status or c.failure}"
        for c in run.calls
        if not c.route.startswith(AVATAR)
        and (c.status is None or c.status >= 400)
        and (c.method, c.route, c.status) not in EXPECTED_REFUSALS
    ]
    assert wrong == []
    # What Weaver logs as an error is only the browser's note of those refusals and of the
    # blocked requests to other hosts, never one of its own scripts.
    assert [e for e in run.console_errors if not e.startswith("Failed to load resource:")] == []


def _check_weaver_listens_to_the_node(run: WeaverRun, address: str) -> None:
    """Weaver's centrifuge-js connected to the node's live events with its login's notify_key
    and subscribed to its account's notification channel, as with the reference's Centrifugo."""
    deadline = time.monotonic() + STEP_TIMEOUT_MS / 1000
    channel = f"client{address}"

    def replies() -> list[dict[str, Any]]:
        return [json.loads(line) for f in run.frames_received for line in f.split("\n") if line]

    def sent() -> list[dict[str, Any]]:
        return [json.loads(line) for f in run.frames_sent for line in f.split("\n") if line]

    while True:
        subscribe = [c for c in sent() if c.get("params", {}).get("channel") == channel]
        answered = {r.get("id"): r for r in replies()}
        if subscribe and subscribe[0]["id"] in answered:
            break
        if time.monotonic() > deadline:
            raise AssertionError(f"no subscription to {channel}: sent {sent()}, got {replies()}")
        run.page.wait_for_timeout(100)
    assert run.socket_urls[0] == run.node.url.replace("http:", "ws:") + "/connection/websocket"
    connect = sent()[0]
    assert connect.get("method", 0) == 0 and connect["params"]["token"], connect
    assert "client" in answered[connect["id"]]["result"]
    assert answered[subscribe[0]["id"]] == {"id": subscribe[0]["id"], "result": {}}
    assert not [r for r in replies() if "error" in r]
