"""Table and column names as the reference accepts them (latin letters, digits, `_` and `-`)."""

from __future__ import annotations

import json
from typing import Any

from aiohttp.test_utils import TestClient

from tests.api.test_contracts import call
from tests.api.test_data_tables import OPEN, call_in
from tests.helpers import Wallet

Client = TestClient[Any, Any]

DASHED = json.dumps([{"name": "the-text", "type": "varchar", "conditions": "true"}])

NOTE_DASH = """contract NoteDash {
    data {
        Text string
    }
    action {
        var id int
        id = DBInsert("my-notes", {"the-text": $Text})
        $result = DBFind("my-notes").WhereId(id).One("the-text")
    }
}"""


async def contract_id(client: Client, wallet: Wallet, name: str) -> int:
    resp = await client.get(f"/api/v2/contract/{name}", headers=wallet.auth)
    return int((await resp.json())["id"])


async def test_dashes_in_table_and_column_names(client: Client, founder: Wallet) -> None:
    table = {"ApplicationId": 1, "Name": "my-notes", "Columns": DASHED, "Permissions": OPEN}
    await call_in(client, founder, "@1NewTable", table)
    source = {"ApplicationId": 1, "Value": NOTE_DASH, "Conditions": "true"}
    await call_in(client, founder, "@1NewContract", source)
    noted = await call_in(client, founder, "NoteDash", {"Text": "hi"})
    assert noted["result"] == "hi"
    resp = await client.get("/api/v2/list/my-notes", headers=founder.auth)
    listed = await resp.json()
    assert resp.status == 200 and listed["list"] == [{"id": "1", "the-text": "hi"}], listed


async def test_names_the_reference_refuses(client: Client, founder: Wallet) -> None:
    new_table = await contract_id(client, founder, "@1NewTable")

    async def refused(name: str, columns: str) -> str:
        params = {"ApplicationId": 1, "Name": name, "Columns": columns, "Permissions": OPEN}
        done = await call(client, founder, new_table, params)
        assert done["penalty"] == 1, done
        text: str = done["errmsg"]["error"]
        return text.split(" [")[0]

    assert await refused("1abc", DASHED) == "the name of the table cannot begin with @"
    latin = "Name {} must only contain latin, digit and '_', '-' characters"
    assert await refused("@abc", DASHED) == latin.format("@abc")
    assert await refused("caf\u00e9", DASHED) == latin.format("caf\u00e9")
    digit = json.dumps([{"name": "1col", "type": "varchar", "conditions": "true"}])
    assert await refused("good", digit) == "column name cannot begin with digit"
    spaced = json.dumps([{"name": "a b", "type": "varchar", "conditions": "true"}])
    assert await refused("good", spaced) == latin.format("a b")


async def test_duplicate_names_give_the_reference_warnings(client: Client, founder: Wallet) -> None:
    cases = {
        "@1NewMenu": ("Menu {} already exists", {}),
        "@1NewSnippet": ("Block {} already exists", {"ApplicationId": 1}),
        "@1NewAppParam": ("Application parameter {} already exists", {"ApplicationId": 1}),
    }
    for contract, (text, extra) in cases.items():
        params = {"Name": "twice", "Value": "v", "Conditions": "true", **extra}
        await call_in(client, founder, contract, params)
        params["Value"] = "w"  # else the tx would be the first one's twin
        again = await call(client, founder, await contract_id(client, founder, contract), params)
        assert again["errmsg"] == {"type": "warning", "error": text.format("twice")}, again
