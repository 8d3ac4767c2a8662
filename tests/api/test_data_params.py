"""Parameters, interface rows, sections, members and files over the API, per ecosystem."""

from __future__ import annotations

import hashlib
from typing import Any

from aiohttp.test_utils import TestClient
from multidict import MultiDict
from sqlalchemy import update

from api.appkeys import ENGINE
from api.handlers.interface import section_visible
from api.request import page_of
from chain.address import address_to_string
from chain.storage.ecosystem_defaults import DEVELOPER
from chain.storage.schema import members
from contracts.reads import history_entry
from node.config import Config
from pages.lang import lang_macro, resources_from_rows
from tests.api.test_data_tables import call_in, err
from tests.helpers import Wallet

Client = TestClient[Any, Any]

APP = 7  # the application every item of the scenario belongs to
PAGE = {"Name": "pets_page", "Value": "Div(){Pets}", "Menu": "pets_menu", "Conditions": "true"}
MENU = {"Name": "pets_menu", "Value": "MenuItem(Pets)", "Title": "Pets", "Conditions": "true"}
SNIPPET = {"Name": "pets_snippet", "Value": "Span(Pet)", "Conditions": "true"}
APP_PARAM = {"Name": "color", "Value": "red", "Conditions": "true"}
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256))
HELLO = """contract Hello {
    action {
        $result = "hi"
    }
}"""


class Api:
    """GET and POST as one logged-in wallet (or anonymously)."""

    def __init__(self, client: Client, wallet: Wallet | None) -> None:
        self.client = client
        self.headers = wallet.auth if wallet is not None else {}

    async def get(self, path: str, **params: Any) -> tuple[int, Any]:
        resp = await self.client.get("/api/v2/" + path, params=params, headers=self.headers)
        return resp.status, await resp.json()


async def make_content(client: Client, config: Config, founder: Wallet) -> Wallet:
    """Ecosystem 2 with a page, menu, snippet, contract, app parameter and file of app 7."""
    await call_in(client, founder, "@1NewEcosystem", {"Name": "Second"})
    wallet = Wallet(config.crypto, private=founder.private)
    await wallet.login(client, ecosystem="2")
    for name, params in (
        ("@1NewMenu", MENU),
        ("@1NewPage", dict(PAGE, ApplicationId=APP)),
        ("@1NewSnippet", dict(SNIPPET, ApplicationId=APP)),
        ("@1NewAppParam", dict(APP_PARAM, ApplicationId=APP)),
        ("@1NewContract", {"ApplicationId": APP, "Value": HELLO, "Conditions": "true"}),
        (
            "@1UploadBinary",
            {"ApplicationId": APP, "Name": "avatar.png", "Data": PNG, "DataMimeType": "image/png"},
        ),
    ):
        await call_in(client, wallet, name, params, ecosystem=2)
    return wallet


async def test_parameters_and_interface_of_ecosystem_2(
    client: Client, config: Config, founder: Wallet
) -> None:
    wallet = await make_content(client, config, founder)
    eco2, eco1 = Api(client, wallet), Api(client, founder)

    # ecosystemparams: all of them without names (the reference's current code answers none).
    status, body = await eco2.get("ecosystemparams")
    assert status == 200
    names = [p["name"] for p in body["list"]]
    assert len(names) == 15 and names[0] == "founder_account" and names[-1] == "ecosystem_wallet"
    founder_param = body["list"][0]
    assert founder_param == {
        "id": founder_param["id"],
        "name": "founder_account",
        "value": str(founder.key_id),
        "conditions": DEVELOPER,
    }
    status, some = await eco2.get("ecosystemparams", names="max_sum,nosuch,founder_account")
    assert (status, [p["name"] for p in some["list"]]) == (200, ["founder_account", "max_sum"])
    _, eco1_params = await eco1.get("ecosystemparams", names="founder_account")
    assert eco1_params["list"][0]["id"] != founder_param["id"]  # its own row in each ecosystem
    assert await eco2.get("ecosystemparams", ecosystem="1", names="founder_account") == (
        200,
        eco1_params,
    )
    assert await eco2.get("ecosystemparams", ecosystem="3") == err(
        400, "E_ECOSYSTEM", "Ecosystem 3 doesn't exist"
    )
    assert await eco2.get("ecosystemparam/founder_account") == (200, founder_param)
    assert await eco2.get("ecosystemparam/myval") == err(
        404, "E_PARAMNOTFOUND", "Parameter myval has not been found"
    )
    assert (await eco1.get("ecosystemparam/ecosystem_wallet"))[0] == 404  # eco 2 only

    # systemparams: the platform's, all without names; none found is the reference's 400.
    status, system = await eco2.get("systemparams")
    assert status == 200 and len(system["list"]) >= 28
    status, two = await eco2.get("systemparams", names="max_columns,max_indexes")
    assert [(p["name"], p["value"]) for p in two["list"]] == [
        ("max_columns", "50"),
        ("max_indexes", "5"),
    ]
    assert await eco2.get("systemparams", names="nosuch,other") == err(
        400, "E_PARAMNOTFOUND", "Parameter nosuch,other has not been found"
    )

    # appparams / appparam / appcontent: app 7 of ecosystem 2 only.
    status, app = await eco2.get(f"appparams/{APP}")
    [color] = app["list"]
    assert (status, app["app_id"]) == (200, "7")
    assert color == {"id": color["id"], "name": "color", "value": "red", "conditions": "true"}
    assert await eco2.get(f"appparams/{APP}", names="other") == (200, {"app_id": "7", "list": []})
    assert await eco1.get(f"appparams/{APP}") == (200, {"app_id": "7", "list": []})
    assert await eco1.get(f"appparams/{APP}", ecosystem="2") == (200, app)
    assert await eco2.get(f"appparam/{APP}/color") == (200, color)
    assert await eco2.get(f"appparam/{APP}/myval") == err(
        404, "E_PARAMNOTFOUND", "Parameter myval has not been found"
    )
    assert (await eco2.get("appparam/abc/color"))[0] == 400
    status, content = await eco2.get(f"appcontent/{APP}")
    assert status == 200
    assert [s["name"] for s in content["snippets"]] == ["pets_snippet"]
    assert [p["name"] for p in content["pages"]] == ["pets_page"]
    assert [c["name"] for c in content["contracts"]] == ["Hello"]
    assert all(set(item) == {"id", "name"} for item in content["pages"])
    assert await eco1.get(f"appcontent/{APP}") == (
        200,
        {"snippets": None, "pages": None, "contracts": None},
    )

    # interface: numbers as numbers, the page's empty fields left out; block = snippet.
    status, page = await eco2.get("interface/page/pets_page")
    assert status == 200
    assert page == {
        "id": page["id"],
        "name": "pets_page",
        "value": "Div(){Pets}",
        "menu": "pets_menu",
        "nodesCount": 1,
        "app_id": 7,
        "conditions": "true",
    }
    status, menu = await eco2.get("interface/menu/pets_menu")
    assert (status, menu) == (200, {"id": menu["id"], "title": "Pets", **_lower(MENU, "Title")})
    status, snippet = await eco2.get("interface/snippet/pets_snippet")
    assert (status, snippet) == (200, {"id": snippet["id"], **_lower(SNIPPET)})
    assert await eco2.get("interface/block/pets_snippet") == (200, snippet)
    assert await eco1.get("interface/page/@2pets_page") == (200, page)
    for kind in ("page", "menu", "snippet", "block"):
        assert await eco1.get(f"interface/{kind}/pets_{kind}") == err(
            404, "E_NOTFOUND", "Page not found"
        )
    # Ecosystem 2's own default page, not ecosystem 1's.
    _, default2 = await eco2.get("interface/page/default_page")
    _, default1 = await eco1.get("interface/page/default_page")
    assert default2["id"] != default1["id"] and default2["menu"] == "default_menu"

    # sections: ecosystem 2's two default sections, every value a string.
    status, sections = await eco2.get("sections")
    assert (status, sections["count"]) == (200, 2)
    home = sections["list"][0]
    assert {k: v for k, v in home.items() if k != "id"} == {
        "title": "Home",
        "urlname": "home",
        "page": "default_page",
        "roles_access": "[]",
        "status": "2",
        "ecosystem": "2",
    }
    assert await eco2.get("sections", limit="1", offset="1") == (
        200,
        {"count": 2, "list": sections["list"][1:]},
    )


def _lower(fields: dict[str, str], *drop: str) -> dict[str, str]:
    return {k.lower(): v for k, v in fields.items() if k not in drop}


async def test_members_avatars_and_files(client: Client, config: Config, founder: Wallet) -> None:
    wallet = await make_content(client, config, founder)
    anyone = Api(client, None)
    account = address_to_string(founder.key_id)
    status, member = await anyone.get(f"member/2/{account}")
    assert (status, member) == (
        200,
        {"ID": member["ID"], "MemberName": "founder", "ImageID": None, "MemberInfo": ""},
    )
    assert await anyone.get(f"member/2/{founder.key_id}") == (200, member)  # any address form
    stranger = address_to_string(Wallet(config.crypto).key_id)
    assert await anyone.get(f"member/2/{stranger}") == (
        200,
        {"ID": 0, "MemberName": "", "ImageID": None, "MemberInfo": ""},
    )
    assert (await anyone.get(f"member/x/{account}"))[0] == 400
    assert await anyone.get(f"avatar/2/{account}") == err(404, "E_NOTFOUND", "Record not found")

    # The uploaded file: by id and its MD5 or node hash, anonymously.
    status, files = await Api(client, wallet).get("list/binaries", columns="name,hash,mime_type")
    [file] = files["list"]
    file_id, md5 = file["id"], hashlib.md5(PNG).hexdigest()
    resp = await client.get(f"/api/v2/data/{file_id}/data/{md5}")
    assert resp.status == 200 and await resp.read() == PNG
    assert resp.headers["Content-Type"] == "image/png"
    assert resp.headers["Content-Disposition"] == 'attachment; filename="avatar.png"'
    assert resp.headers["Access-Control-Allow-Origin"] == "*"
    node_hash = config.crypto.hash(PNG).hex()
    resp = await client.get(f"/api/v2/data/{file_id}/data/{node_hash.upper()}")
    assert resp.status == 200 and await resp.read() == PNG
    assert await anyone.get(f"data/{file_id}/data/{'0' * 32}") == err(
        400, "E_HASHWRONG", "Hash is incorrect"
    )
    assert await anyone.get(f"data/999/data/{md5}") == err(404, "E_NOTFOUND", "Page not found")
    resp = await client.get(f"/api/v2/data/1_binaries/{file_id}/data/{md5}")
    assert resp.status == 200 and await resp.read() == PNG
    assert resp.headers["Content-Type"] == "application/octet-stream"
    assert resp.headers["Content-Disposition"] == "attachment"
    name_md5 = hashlib.md5(b"avatar.png").hexdigest()
    resp = await client.get(f"/api/v2/data/1_binaries/{file_id}/name/{name_md5}")
    assert resp.status == 200 and await resp.read() == b"avatar.png"
    for path in (
        f"data/1_binaries/{file_id}/nosuch/{md5}",
        f"data/1_binaries/{file_id}/data;drop/{md5}",
        f"data/2_binaries/{file_id}/data/{md5}",
        f"data/binaries/{file_id}/data/{md5}",
        f"data/1_binaries/x/data/{md5}",
    ):
        assert await anyone.get(path) == err(404, "E_NOTFOUND", "Page not found"), path

    # The member's image is that file.
    async with client.app[ENGINE].begin() as conn:
        await conn.execute(
            update(members)
            .where(members.c.ecosystem == 2, members.c.account == account)
            .values(image_id=int(file_id))
        )
    resp = await client.get(f"/api/v2/avatar/2/{account}")
    assert resp.status == 200 and await resp.read() == PNG
    assert resp.headers["Content-Type"] == "image/png"
    assert (await anyone.get(f"member/2/{account}"))[1]["ImageID"] == int(file_id)
    assert await anyone.get(f"avatar/1/{account}") == err(404, "E_NOTFOUND", "Record not found")


AUTH_ROUTES = [
    ("GET", "tables"),
    ("GET", "table/pages"),
    ("GET", "history/pages/1"),
    ("GET", "list/pages"),
    ("POST", "listWhere/pages"),
    ("POST", "nodelistWhere/pages"),
    ("POST", "sumWhere/pages"),
    ("GET", "row/pages/1"),
    ("GET", "row/pages/name/x"),
    ("GET", "sections"),
    ("GET", "interface/page/x"),
    ("GET", "interface/menu/x"),
    ("GET", "interface/snippet/x"),
    ("GET", "interface/block/x"),
    ("GET", "ecosystemparams"),
    ("GET", "ecosystemparam/x"),
    ("GET", "systemparams"),
    ("GET", "appparams/1"),
    ("GET", "appparam/1/x"),
    ("GET", "appcontent/1"),
]


async def test_login_is_required_where_the_reference_requires_it(
    client: Client, founder: Wallet
) -> None:
    for method, path in AUTH_ROUTES:
        resp = await client.request(method, "/api/v2/" + path)
        assert (resp.status, await resp.json()) == err(401, "E_UNAUTHORIZED", "Unauthorized"), path
    api = Api(client, founder)
    assert await api.get("table/qwert") == err(
        404, "E_TABLENOTFOUND", "Table qwert has not been found"
    )
    assert await api.get("list/qwert") == err(
        404, "E_TABLENOTFOUND", "Table 1_qwert has not been found"
    )
    assert await api.get("row/qwert/1") == err(
        404, "E_TABLENOTFOUND", "Table 1_qwert has not been found"
    )
    assert await api.get("list/@3qwert") == err(
        404, "E_TABLENOTFOUND", "Table 3_qwert has not been found"
    )
    assert await api.get("ecosystemparam/myval") == err(
        404, "E_PARAMNOTFOUND", "Parameter myval has not been found"
    )
    assert await api.get("history/pages/x") == err(400, "E_SERVER", "row id x is not a number")


def test_page_of_lang_macro_and_history_values() -> None:
    assert page_of(MultiDict()) == (25, 0)
    assert page_of(MultiDict(limit="5000", offset="7")) == (1000, 7)
    assert page_of(MultiDict(limit="-1"), default=100) == (100, 0)
    texts = resources_from_rows(
        [("home", '{"en": "Home", "de": "Start", "pt-br": "Casa"}'), ("x", '{"fr": "X"}')]
    )

    def macro(text: str, accept: str) -> str:
        return lang_macro(text, 1, accept, lambda ecosystem: texts)

    assert macro("$home$ page", "de-DE,de;q=0.9") == "Start page"
    assert macro("$home$", "pt-BR") == "Casa"
    assert macro("$home$", "") == "Home"
    assert macro("$x$", "en") == "X"  # no English: any translation
    assert macro("$nosuch$ and $home$", "en") == "$nosuch$ and Home"
    assert macro("costs 5$", "en") == "costs 5$"
    assert macro("$two words$", "en") == "$two words$"
    # Rollback records keep NULL as null; history shows it as list does, "NULL".
    assert history_entry('{"a": null, "b": "x", "c": "y"}', ["id", "a", "b"]) == {
        "a": "NULL",
        "b": "x",
    }
    assert history_entry("not json", None) == {}
    # A section limited to roles is shown to those roles only (ids as numbers or strings).
    assert section_visible([], 0) and section_visible([3, 5], 5) and section_visible(["5"], 5)
    assert not section_visible([3], 0) and not section_visible(["x"], 0)
