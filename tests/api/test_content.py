"""The content routes over real HTTP on both backends: shapes, statuses, errors, variables.

content, content/page|menu|source|hash/{name} and page/validators_count/{name}, answered as
go-ibax's content.go answers them; the pages a fresh ecosystem has render (ecosystem 1 and
a new one); hostile templates are bounded with E_HEAVYPAGE and never stall the node.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from typing import Any

from aiohttp.test_utils import TestClient

from api.appkeys import ENGINE, INTERFACE_ROWS, PAGES
from chain.address import address_to_string
from chain.freshness import read_head
from chain.storage.repo.ecosystem import guest_account_id
from node.app import create_app
from node.config import Config
from pages import Limits, PageEngine
from tests.api.test_data_tables import call_in
from tests.helpers import Wallet

Client = TestClient[Any, Any]
HEAVY = {"error": "E_HEAVYPAGE", "msg": "This page is heavy"}
NOT_FOUND = {"error": "E_NOTFOUND", "msg": "Page not found"}
JSON_TYPE = "application/json; charset=utf-8"


async def post(
    client: Client, path: str, wallet: Wallet | None = None, **form: str
) -> tuple[int, Any]:
    headers = wallet.auth if wallet is not None else {}
    resp = await client.post("/api/v2/" + path, data=form, headers=headers)
    return resp.status, await resp.json()


async def tree(client: Client, template: str, wallet: Wallet | None = None, **form: str) -> Any:
    status, body = await post(client, "content", wallet, template=template, **form)
    assert status == 200, body
    return body["tree"]


def text(value: str) -> list[dict[str, str]]:
    return [{"tag": "text", "text": value}]


async def test_content_renders_a_template_and_its_source(client: Client, founder: Wallet) -> None:
    template = "SetVar(n, 3)Div(box){Span(#n# items)}"
    resp = await client.post("/api/v2/content", data={"template": template})
    assert resp.status == 200 and resp.headers["Content-Type"] == JSON_TYPE
    assert await resp.text() == (
        '{"tree":[{"tag":"div","attr":{"class":"box"},"children":[{"tag":"span",'
        '"children":[{"tag":"text","text":"3 items"}]}]}]}'
    )
    # source: the unexecuted tree; any of gorilla/schema's true values.
    for value in ("1", "true", "on"):
        assert await tree(client, template, source=value) == [
            {"tag": "setvar", "attr": {"name": "n", "value": "3"}},
            {
                "tag": "div",
                "attr": {"class": "box"},
                "children": [{"tag": "span", "children": text("#n# items")}],
            },
        ]
    assert await tree(client, "Span(x)", source="0") == [{"tag": "span", "children": text("x")}]
    assert await post(client, "content", template="Span(x)", source="yes") == (
        400,
        {"error": "E_SERVER", "msg": 'schema: error converting value for "source"'},
    )
    assert await post(client, "content") == (400, {"error": "E_SERVER", "msg": "Empty template"})
    assert await post(client, "content", template="") == (
        400,
        {"error": "E_SERVER", "msg": "Empty template"},
    )
    assert await tree(client, "   ") == []  # nothing but blanks: an empty tree
    # The template may come in the query string too; a body value wins over a query one.
    resp = await client.post("/api/v2/content?template=Span(q)&x=1", data={"x": "2"})
    assert await resp.json() == {"tree": [{"tag": "span", "children": text("q")}]}
    resp = await client.post("/api/v2/content?template=P(%23x%23)&x=1", data={"x": "2"})
    assert await resp.json() == {"tree": [{"tag": "p", "children": text("2")}]}
    # GET is not routed, as in the reference.
    resp = await client.get("/api/v2/content", params={"template": "Span(x)"})
    assert resp.status == 405


async def test_page_variables(client: Client, config: Config, founder: Wallet) -> None:
    guest = guest_account_id(config.crypto)
    names = (
        "ecosystem_id key_id account_id role_id ecosystem_name guest_key guest_account "
        "black_hole_key black_hole_account white_hole_key white_hole_account lang app_id"
    ).split()
    template = "".join(f"Div({name}, #{name}#)" for name in names) + "Span(#current_time#)"

    def values(nodes: list[Any]) -> dict[str, str]:
        return {
            # A variable that is not set leaves a text node without text (as the reference).
            n["attr"]["class"]: n["children"][0].get("text", "")
            for n in nodes
            if n["tag"] == "div"
        }

    common = {
        "guest_key": str(guest),
        "guest_account": address_to_string(guest),
        "black_hole_key": "0",
        "black_hole_account": "0000-0000-0000-0000-0000",
        "white_hole_key": "5555",
        "white_hole_account": "0000-0000-0000-0000-5555",
        "app_id": "",
    }
    # Logged in: from the token; lang from Accept-Language unless the form names one.
    resp = await client.post(
        "/api/v2/content",
        data={"template": template},
        headers={**founder.auth, "Accept-Language": "ru-RU,ru;q=0.9"},
    )
    nodes = (await resp.json())["tree"]
    assert values(nodes) == {
        **common,
        "ecosystem_id": "1",
        "key_id": str(founder.key_id),
        "account_id": address_to_string(founder.key_id),
        "role_id": "0",
        "ecosystem_name": "platform ecosystem",
        "lang": "ru-RU,ru;q=0.9",
    }
    now = int(nodes[-1]["children"][0]["text"])
    assert abs(now - time.time()) < 60
    # Anonymous: ecosystem, keyID and roleID come from the form (as content/hash sends them).
    nodes = await tree(client, template, ecosystem="1", keyID="5555", roleID="7", lang="de")
    assert values(nodes) == {
        **common,
        "ecosystem_id": "1",
        "key_id": "5555",
        "account_id": "0000-0000-0000-0000-5555",
        "role_id": "7",
        "ecosystem_name": "platform ecosystem",
        "lang": "de",
    }
    nodes = await tree(client, template)
    assert values(nodes) == {
        **common,
        "ecosystem_id": "",
        "key_id": "0",
        "account_id": "",
        "role_id": "0",
        "ecosystem_name": "",
        "lang": "",
    }
    # Form values are variables; the reference's are set over them.
    assert await tree(client, "P(#mine# #guest_key#)", mine="x", guest_key="forged") == [
        {"tag": "p", "children": text(f"x {guest}")}
    ]


async def test_pages_of_ecosystem_one(client: Client, config: Config, founder: Wallet) -> None:
    # What Weaver opens after login: the default page, its menu, and @1notifications.
    resp = await client.post("/api/v2/content/page/default_page", headers=founder.auth)
    assert resp.status == 200 and resp.headers["Content-Type"] == JSON_TYPE
    page_body = await resp.read()
    page = json.loads(page_body)
    assert list(page) == ["menu", "menutree", "tree", "nodesCount"]
    assert page["menu"] == "default_menu" and page["tree"] == [] and page["nodesCount"] == 1
    assert [item["attr"]["page"] for item in page["menutree"]] == [
        "default_page",
        "developer_index",
    ]
    status, menu = await post(client, "content/menu/default_menu", founder)
    assert status == 200 and list(menu) == ["title", "tree"]
    assert menu == {"title": "default", "tree": page["menutree"]}
    status, notes = await post(client, "content/page/@1notifications", founder)
    assert status == 200 and notes["menu"] == "default_menu"
    dbfind = notes["tree"][0]["children"][1]
    assert dbfind["tag"] == "dbfind" and dbfind["attr"]["data"] == []
    status, dev = await post(client, "content/page/developer_index", founder)
    assert status == 200 and dev["menu"] == "developer_menu"
    pages = dev["tree"][0]["children"][1]["attr"]
    assert pages["columns"] == ["id", "name", "menu"]
    assert {row[1] for row in pages["data"]} == {
        "default_page",
        "developer_index",
        "import_app",
        "import_upload",
        "notifications",
    }
    status, imp = await post(client, "content/page/@1import_upload", founder)
    assert status == 200 and imp["tree"][0]["children"][0]["tag"] == "settitle"
    status, source = await post(client, "content/source/developer_index", founder)
    assert status == 200 and list(source) == ["tree"]
    found = source["tree"][0]["children"][1]
    assert found["tag"] == "dbfind" and "data" not in found["attr"]
    assert [t["tag"] for t in found["tail"]] == ["columns", "order"]

    # Missing pages and menus, names, methods and logins.
    assert await post(client, "content/page/nosuch", founder) == (404, NOT_FOUND)
    assert await post(client, "content/page/@", founder) == (404, NOT_FOUND)
    assert await post(client, "content/page/@x", founder) == (404, NOT_FOUND)
    assert await post(client, "content/page/@2default_page", founder) == (404, NOT_FOUND)
    assert await post(client, "content/menu/nosuch", founder) == (404, NOT_FOUND)
    assert await post(client, "content/source/nosuch", founder) == (404, NOT_FOUND)
    unauthorized = (401, {"error": "E_UNAUTHORIZED", "msg": "Unauthorized"})
    for path in ("content/page/default_page", "content/menu/default_menu", "content/source/x"):
        assert await post(client, path) == unauthorized
    for path in ("content/page/default_page", "content/menu/default_menu", "content/hash/x"):
        resp = await client.get("/api/v2/" + path, headers=founder.auth)
        assert resp.status == 405

    # validators_count: public, GET.
    resp = await client.get("/api/v2/page/validators_count/default_page")
    assert resp.status == 200 and await resp.text() == '{"validate_count":1}'
    resp = await client.get("/api/v2/page/validators_count/@1notifications")
    assert await resp.json() == {"validate_count": 1}
    resp = await client.get("/api/v2/page/validators_count/nosuch")
    assert (resp.status, await resp.json()) == (404, NOT_FOUND)

    # content/hash: the node's hash of content/page's bytes; the same for an anonymous
    # caller naming the ecosystem, key and role; another key, another hash.
    page_hash = config.crypto.hash(page_body).hex()
    assert await post(client, "content/hash/default_page", founder) == (200, {"hash": page_hash})
    anonymous = {"ecosystem": "1", "keyID": str(founder.key_id), "roleID": "0"}
    assert await post(client, "content/hash/default_page", **anonymous) == (
        200,
        {"hash": page_hash},
    )
    assert await post(client, "content/hash/nosuch", **anonymous) == (404, NOT_FOUND)


async def test_hash_follows_the_page_and_the_key(
    client: Client, config: Config, founder: Wallet
) -> None:
    value = "Div(,#ecosystem_id#)Div(,#key_id#)Div(,#role_id#)"
    page = {
        "ApplicationId": 1,
        "Name": "whoami",
        "Value": value,
        "Menu": "default_menu",
        "Conditions": "true",
    }
    await call_in(client, founder, "@1NewPage", page)
    status, body = await post(client, "content/page/whoami", founder)
    assert status == 200 and [d["children"][0]["text"] for d in body["tree"]] == [
        "1",
        str(founder.key_id),
        "0",
    ]
    status, logged = await post(client, "content/hash/whoami", founder)
    assert status == 200 and len(logged["hash"]) == 64
    mine = {"ecosystem": "1", "keyID": str(founder.key_id), "roleID": "0"}
    assert await post(client, "content/hash/whoami", **mine) == (200, logged)
    other = {"ecosystem": "1", "keyID": "5555", "roleID": "0"}
    status, theirs = await post(client, "content/hash/whoami", **other)
    assert status == 200 and theirs != logged
    # `@N` in the name is kept (the form's ecosystem is not put before it again); the form's
    # ecosystem is still the page's #ecosystem_id#, so without it the hash differs.
    assert await post(client, "content/hash/@1whoami", **mine) == (200, logged)
    status, no_ecosystem = await post(client, "content/hash/@1whoami", keyID=mine["keyID"])
    assert status == 200 and no_ecosystem not in (logged, theirs)


async def test_a_new_ecosystem_has_the_default_pages(
    client: Client, config: Config, founder: Wallet
) -> None:
    created = await call_in(client, founder, "@1NewEcosystem", {"Name": "Second"})
    assert created["result"] == "2"
    wallet = Wallet(config.crypto, private=founder.private)
    await wallet.login(client, ecosystem="2")
    status, page = await post(client, "content/page/default_page", wallet)
    # The reference's default page includes @1welcome, which a fresh node does not have.
    assert status == 200 and page["tree"] == text("Inlcude @1welcome has not been found")
    assert page["menu"] == "default_menu" and len(page["menutree"]) == 2
    status, dev = await post(client, "content/page/developer_index", wallet)
    assert status == 200 and dev["menu"] == "developer_menu"
    pages = dev["tree"][0]["children"][1]["attr"]
    assert sorted(row[1] for row in pages["data"]) == ["default_page", "developer_index"]
    status, menu = await post(client, "content/menu/developer_menu", wallet)
    assert status == 200 and menu["tree"][0]["attr"]["page"] == "developer_index"
    # Ecosystem 1's pages stay reachable with @1.
    status, notes = await post(client, "content/page/@1notifications", wallet)
    assert status == 200 and notes["tree"][0]["tag"] == "div"


async def test_hostile_templates_are_bounded(client: Client, founder: Wallet) -> None:
    assert await post(client, "content", template="Range(r, 0, 1000000000)") == (400, HEAVY)
    assert await post(client, "content", template="Range(r, 0, 10, -1)Span(ok)") == (
        200,
        {
            "tree": [
                {"tag": "range", "attr": {"columns": ["id"], "data": [], "source": "r"}},
                {"tag": "span", "children": text("ok")},
            ]
        },
    )
    deep = "Div(){" * 60 + "x" + "}" * 60
    assert await post(client, "content", template=deep) == (400, HEAVY)
    status, body = await post(client, "content", template="Div(){" * 49 + "x" + "}" * 49)
    assert status == 200 and body["tree"][0]["tag"] == "div"  # just inside the limit
    assert await post(client, "content", template="P(" * 60 + "x" + ")" * 60) == (400, HEAVY)
    # Div's first parameter is its class: the nested calls are that text, not templates.
    status, body = await post(client, "content", template="Div(" * 60 + "x" + ")" * 60)
    assert status == 200 and body["tree"][0]["attr"]["class"].startswith("Div(Div(")
    doubling = "SetVar(a0, xxxxxxxxxxxxxxxx)" + "".join(
        f"SetVar(a{i + 1}, #a{i}##a{i}#)" for i in range(40)
    )
    assert await post(client, "content", template=doubling) == (400, HEAVY)
    many = "Range(r, 0, 10000)ForList(r){ForList(r){Span(#id#)}}"
    assert await post(client, "content", template=many) == (400, HEAVY)
    # A Limit beyond DBFindLimit reads at most 10,000 rows.
    status, body = await post(
        client, "content", founder, template="DBFind(parameters, p).Limit(100000000)"
    )
    assert status == 200 and len(body["tree"][0]["attr"]["data"]) == 14


class WatchedEngine(PageEngine):
    """The page engine, telling the test when a render runs (the server's side of it)."""

    def __init__(self, limits: Limits) -> None:
        super().__init__(limits)
        self.rendering = False
        self.started = asyncio.Event()

    async def render(self, *args: Any, **kwargs: Any) -> Any:
        self.rendering = True
        self.started.set()
        try:
            return await super().render(*args, **kwargs)
        finally:
            self.rendering = False


async def test_a_slow_page_stops_at_its_time_limit_and_others_are_served(
    aiohttp_client: Callable[..., Any], config: Config
) -> None:
    app = create_app(config)
    engine = app[PAGES] = WatchedEngine(Limits(seconds=2.0, max_rows=10**7, max_nodes=10**7))
    client: Client = await aiohttp_client(app)
    slow = "Range(r, 0, 3000)ForList(r){ForList(r){#id#}}"
    render = asyncio.create_task(post(client, "content", template=slow))
    await engine.started.wait()
    answered_during_render = 0
    # The render gives the event loop away: other requests are answered while it runs. A render
    # that held the loop would run from start to end (its 2 s limit) without any of these being
    # answered in between; on a loaded machine only a few are, so one will do.
    while engine.rendering:
        resp = await client.get("/api/v2/version")
        assert resp.status == 200
        if engine.rendering:
            answered_during_render += 1
    assert await render == (400, HEAVY)
    assert answered_during_render >= 1, answered_during_render


async def test_a_body_that_is_not_a_form_is_a_400(client: Client, founder: Wallet) -> None:
    for content_type in ("application/x-www-form-urlencoded", "multipart/form-data; boundary=x"):
        headers = dict(founder.auth, **{"Content-Type": content_type})
        resp = await client.post("/api/v2/content", data=b"\x80", headers=headers)
        assert resp.status == 400, content_type
        body = await resp.json()
        assert body["error"] == "E_SERVER" and "not a valid form" in body["msg"], body


async def test_page_rows_are_read_once_per_head_and_an_edit_is_seen_at_once(
    client: Client, founder: Wallet
) -> None:
    page = {
        "ApplicationId": 1,
        "Name": "cached",
        "Value": "Div(,one)",
        "Menu": "default_menu",
        "Conditions": "true",
    }
    await call_in(client, founder, "@1NewPage", page)
    status, body = await post(client, "content/page/cached", founder)
    assert status == 200 and body["tree"][0]["children"][0]["text"] == "one"
    # The row is kept for this head: a second render reads it from the cache.
    async with client.app[ENGINE].connect() as conn:
        head = await read_head(conn)
    rows = client.app[INTERFACE_ROWS].at(head)
    assert rows[("page", 1, "cached")].value == "Div(,one)"
    assert ("menu", 1, "default_menu") in rows
    resp = await client.get("/api/v2/interface/page/cached", headers=founder.auth)
    page_id = int((await resp.json())["id"])
    await call_in(client, founder, "@1EditPage", {"Id": page_id, "Value": "Div(,two)"})
    status, body = await post(client, "content/page/cached", founder)
    assert status == 200 and body["tree"][0]["children"][0]["text"] == "two"
