"""Tables and rows over the API: tables, table, list, listWhere, sumWhere, row and history.

One scenario per test, shared setup inside it: ecosystem 2 gets a table `pets` through
@1NewTable and rows through its own contracts, then every endpoint must show them, in the
reference's shapes, to a client of ecosystem 2, and nothing of ecosystem 1.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from typing import Any

from aiohttp.test_utils import TestClient

from chain.txcodec import build_client_tx
from node.config import Config
from tests.helpers import Wallet, send_txs, smart_tx, wait_status

Client = TestClient[Any, Any]

PETS_COLUMNS = json.dumps(
    [
        {"name": "name", "type": "varchar", "index": "1", "conditions": "true"},
        {"name": "age", "type": "number", "index": "0", "conditions": "true"},
        {"name": "price", "type": "money", "index": "0", "conditions": "true"},
        # Readable by nobody: the API must leave it out of every answer.
        {"name": "note", "type": "text", "conditions": {"update": "true", "read": "false"}},
    ]
)
OPEN = json.dumps({"insert": "true", "update": "true", "new_column": "true"})

ADD_PET = """contract AddPet {
    data {
        Name string
        Age int
        Price int
        Note string
    }
    action {
        $result = DBInsert("pets", {name: $Name, age: $Age, price: $Price, note: $Note})
    }
}"""

AGE_PET = """contract AgePet {
    data {
        Id int
        Age int
    }
    action {
        DBUpdate("pets", $Id, {age: $Age})
    }
}"""

TRICKY = 'O\'Brien"; DROP TABLE "2_pets"; --'


async def call_in(
    client: Client,
    wallet: Wallet,
    name: str,
    params: dict[str, Any] | None = None,
    ecosystem: int = 1,
) -> dict[str, Any]:
    """Call a contract in `ecosystem` (the tx header's) and wait for its block; its status."""
    resp = await client.get(f"/api/v2/contract/{name}", headers=wallet.auth)
    info = await resp.json()
    assert resp.status == 200, info
    tx = smart_tx(wallet, contract_id=info["id"], params=params or {})
    tx = replace(tx, header=replace(tx.header, ecosystem_id=ecosystem))
    status, body = await send_txs(
        client, wallet, build_client_tx(tx, wallet.private, wallet.crypto)
    )
    assert status == 200, body
    result = await wait_status(client, wallet, next(h for h in body["hashes"] if len(h) == 64))
    assert result["penalty"] == 0 and "errmsg" not in result, (name, result)
    return result


@dataclass
class Eco2:
    """Ecosystem 2 with its `pets`: the founder logged in there, and the pets' row ids."""

    wallet: Wallet
    ids: dict[str, int]

    async def get(self, client: Client, path: str, **params: Any) -> tuple[int, Any]:
        resp = await client.get("/api/v2/" + path, params=params, headers=self.wallet.auth)
        return resp.status, await resp.json()

    async def post(self, client: Client, path: str, **form: Any) -> tuple[int, Any]:
        resp = await client.post("/api/v2/" + path, data=form, headers=self.wallet.auth)
        return resp.status, await resp.json()


async def make_eco2(client: Client, config: Config, founder: Wallet) -> Eco2:
    """Ecosystem 2, its table pets with three rows (one aged twice), and the founder in it."""
    created = await call_in(client, founder, "@1NewEcosystem", {"Name": "Second"})
    assert created["result"] == "2"
    wallet = Wallet(config.crypto, private=founder.private)
    await wallet.login(client, ecosystem="2")

    async def call(name: str, params: dict[str, Any]) -> dict[str, Any]:
        return await call_in(client, wallet, name, params, ecosystem=2)

    table = {"ApplicationId": 1, "Name": "pets", "Columns": PETS_COLUMNS, "Permissions": OPEN}
    await call("@1NewTable", table)
    for source in (ADD_PET, AGE_PET):
        await call("@1NewContract", {"ApplicationId": 1, "Value": source, "Conditions": "true"})
    ids = {}
    for name, age, price in (("Rex", 3, 10), ("Tom", 7, 20), (TRICKY, 1, 5)):
        added = await call("AddPet", {"Name": name, "Age": age, "Price": price, "Note": "x"})
        ids[name] = int(added["result"])
    await call("AgePet", {"Id": ids["Rex"], "Age": 4})
    await call("AgePet", {"Id": ids["Rex"], "Age": 5})
    return Eco2(wallet, ids)


def err(status: int, code: str, msg: str) -> tuple[int, dict[str, str]]:
    return status, {"error": code, "msg": msg}


PETS = [
    {"id": "1", "name": "Rex", "age": "5", "price": "10"},
    {"id": "2", "name": "Tom", "age": "7", "price": "20"},
    {"id": "3", "name": TRICKY, "age": "1", "price": "5"},
]


async def test_tables_list_row_and_history_of_ecosystem_2(
    client: Client, config: Config, founder: Wallet
) -> None:
    eco = await make_eco2(client, config, founder)
    assert eco.ids == {"Rex": 1, "Tom": 2, TRICKY: 3}

    # tables: ecosystem 2's 1_tables rows (its shared tables, then pets) with their row counts.
    status, body = await eco.get(client, "tables", limit="1000")
    assert status == 200
    counts = {item["name"]: item["count"] for item in body["list"]}
    assert body["count"] == len(body["list"]) and counts["pets"] == "3"
    assert counts["pages"] == "2" and counts["menu"] == "2"  # ecosystem 2's, not 1's
    assert "ecosystems" not in counts  # a platform table: described in ecosystem 1 only
    status, page = await eco.get(client, "tables", limit="2", offset="1")
    assert (status, page["count"], page["list"]) == (200, body["count"], body["list"][1:3])

    # table/{name}: permissions, then each column's IBAX type and permission.
    status, table = await eco.get(client, "table/PETS")
    assert status == 200
    assert {k: v for k, v in table.items() if k != "columns"} == {
        "name": "pets",
        "insert": "true",
        "new_column": "true",
        "update": "true",
        "conditions": 'ContractAccess("@1EditTable")',
        "app_id": "1",
    }
    assert sorted(table["columns"], key=lambda c: c["name"]) == [
        {"name": "age", "type": "number", "perm": "true"},
        {"name": "name", "type": "varchar", "perm": "true"},
        {"name": "note", "type": "text", "perm": '{"update": "true", "read": "false"}'},
        {"name": "price", "type": "money", "perm": "true"},
    ]

    # list: all values strings, by id, the unreadable column left out.
    assert await eco.get(client, "list/pets") == (200, {"count": 3, "list": PETS})
    assert await eco.get(client, "list/@2pets", limit="1", offset="1") == (
        200,
        {"count": 3, "list": PETS[1:2]},
    )
    assert await eco.get(client, "list/pets", columns="name, note") == (
        200,
        {"count": 3, "list": [{"id": p["id"], "name": p["name"]} for p in PETS]},
    )
    assert await eco.get(client, "list/pets", offset="10") == (200, {"count": 3, "list": None})
    # A shared table lists this ecosystem's rows only.
    status, pages = await eco.get(client, "list/pages", columns="name,ecosystem")
    assert status == 200 and {p["ecosystem"] for p in pages["list"]} == {"2"}
    assert sorted(p["name"] for p in pages["list"]) == ["default_page", "developer_index"]
    status, mine = await eco.get(client, "list/keys", columns="account")
    assert status == 200 and mine["count"] == 4  # founder, guest, black and white holes

    # row: by id or another column; every value a string.
    assert await eco.get(client, "row/pets/2") == (200, {"value": PETS[1]})
    assert await eco.get(client, "row/pets/name/Tom", columns="age") == (
        200,
        {"value": {"id": "2", "age": "7"}},
    )
    assert await eco.get(client, "row/pets/9") == err(404, "E_NOTFOUND", "Page not found")
    # Ecosystem 1's pages are not rows of ecosystem 2's.
    _, first = await founder_get(client, founder, "list/pages", columns="id")
    eco1_page = first["list"][0]["id"]
    assert await eco.get(client, f"row/pages/{eco1_page}") == err(
        404, "E_NOTFOUND", "Page not found"
    )

    # history: previous values, newest first; inserts have none; unreadable columns left out.
    assert await eco.get(client, "history/pets/1") == (
        200,
        {"list": [{"age": "4"}, {"age": "3"}]},
    )
    assert await eco.get(client, "history/pets/2") == (200, {"list": []})
    assert await eco.get(client, "history/nosuch/1") == (200, {"list": []})


async def founder_get(client: Client, wallet: Wallet, path: str, **params: Any) -> tuple[int, Any]:
    resp = await client.get("/api/v2/" + path, params=params, headers=wallet.auth)
    return resp.status, await resp.json()
