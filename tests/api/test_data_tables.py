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
from sqlalchemy import insert

from api.appkeys import ENGINE, READS
from chain.storage.engine import write_transaction
from chain.txcodec import build_client_tx
from node.app import create_app
from node.config import Config
from tests.helpers import NEW_COLUMN, Wallet, send_txs, smart_tx, wait_status

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

PERMS_OF_PETS = json.dumps(
    {
        c["name"]: c["conditions"]
        if isinstance(c["conditions"], str)
        else json.dumps(c["conditions"])
        for c in json.loads(PETS_COLUMNS)
    }
)
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


async def make_eco2(client: Client, config: Config, founder: Wallet, ecosystem: int = 2) -> Eco2:
    """Ecosystem 2 (or 1), its table pets with three rows (one aged twice), the founder in it."""
    wallet = founder
    if ecosystem == 2:
        created = await call_in(client, founder, "@1NewEcosystem", {"Name": "Second"})
        assert created["result"] == "2"
        wallet = Wallet(config.crypto, private=founder.private)
        await wallet.login(client, ecosystem="2")

    async def call(name: str, params: dict[str, Any]) -> dict[str, Any]:
        return await call_in(client, wallet, name, params, ecosystem=ecosystem)

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
    assert await eco.get(client, "list/pets", columns="*") == (200, {"count": 3, "list": PETS})
    assert await eco.get(client, "row/pets/1", columns="name,*") == (200, {"value": PETS[0]})
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


async def test_where_order_sums_and_what_another_ecosystem_sees(
    client: Client, config: Config, founder: Wallet
) -> None:
    eco = await make_eco2(client, config, founder)
    older = json.dumps({"age": {"$gt": 3}})
    assert await eco.post(client, "listWhere/pets", where=older, order='{"age": -1}') == (
        200,
        {"count": 2, "list": [PETS[1], PETS[0]]},
    )
    assert await eco.post(
        client, "nodelistWhere/pets", where=older, columns="name", order='"name desc"', limit="1"
    ) == (200, {"count": 2, "list": [{"id": "2", "name": "Tom"}]})
    assert await eco.post(client, "listWhere/pets", where='{"name": {"$begin": "O\'"}}') == (
        200,
        {"count": 1, "list": [PETS[2]]},
    )
    assert await eco.post(client, "listWhere/pets") == (200, {"count": 3, "list": PETS})
    assert await eco.post(client, "sumWhere/pets", column="price", where=older) == (
        200,
        {"sum": "30"},
    )
    assert await eco.post(client, "sumWhere/pets", column="price") == (200, {"sum": "35"})
    none = json.dumps({"age": {"$gt": 100}})
    assert await eco.post(client, "sumWhere/pets", column="age", where=none) == (
        200,
        {"sum": ""},
    )
    # A shared table's where cannot reach another ecosystem's rows.
    other = json.dumps({"ecosystem": 1})
    assert await eco.post(client, "listWhere/pages", where=other) == (
        200,
        {"count": 0, "list": None},
    )

    # Ecosystem 1's client: its own name space, unless it names ecosystem 2 with @2.
    assert await founder_get(client, founder, "list/pets") == err(
        404, "E_TABLENOTFOUND", "Table 1_pets has not been found"
    )
    assert await founder_get(client, founder, "table/pets") == err(
        404, "E_TABLENOTFOUND", "Table pets has not been found"
    )
    assert await founder_get(client, founder, "list/@2pets", columns="name") == (
        200,
        {"count": 3, "list": [{"id": p["id"], "name": p["name"]} for p in PETS]},
    )
    status, body = await founder_get(client, founder, "tables", limit="100")
    assert status == 200 and "pets" not in {t["name"] for t in body["list"]}


async def test_read_permissions_deny_tables_and_columns(
    aiohttp_client: Any, client: Client, config: Config, founder: Wallet
) -> None:
    # In ecosystem 1: @1EditTable cannot yet change a table of another ecosystem (PermTable
    # looks for the 1_tables row in ecosystem 1 only).
    eco = await make_eco2(client, config, founder, ecosystem=1)
    denied = err(400, "E_SERVER", "Access denied")
    # Every column the caller asked for is unreadable: nothing to answer (in any case).
    assert await eco.get(client, "list/pets", columns="note") == denied
    assert await eco.get(client, "list/pets", columns="NOTE") == denied
    assert await eco.get(client, "list/pets", columns="Name,Note") == (
        200,
        {"count": 3, "list": [{"id": p["id"], "name": p["name"]} for p in PETS]},
    )
    assert await eco.post(client, "sumWhere/pets", column="NOTE") == denied
    assert await eco.get(client, "row/pets/1", columns="note") == denied
    assert await eco.post(client, "sumWhere/pets", column="note") == denied

    closed = {
        "Name": "pets",
        "InsertPerm": "true",
        "UpdatePerm": "true",
        "NewColumnPerm": "true",
        "ReadPerm": "false",
    }
    await call_in(client, founder, "@1EditTable", closed)
    status, table = await eco.get(client, "table/pets")
    assert status == 200 and table["read"] == "false"
    assert await eco.get(client, "list/pets") == denied
    assert await eco.get(client, "row/pets/1") == denied
    assert await eco.get(client, "row/pets/99") == denied  # not "not found": no row is told
    assert await eco.get(client, "list/pets", offset="50") == denied
    assert await eco.get(client, "history/pets/1") == denied
    assert await eco.post(client, "listWhere/pets") == denied
    assert await eco.post(client, "nodelistWhere/pets") == denied
    assert await eco.post(client, "sumWhere/pets", column="price") == denied

    # A condition the caller meets opens it again.
    mine = dict(closed, ReadPerm=f"$key_id == {founder.key_id}")
    await call_in(client, founder, "@1EditTable", mine)
    assert await eco.get(client, "list/pets") == (200, {"count": 3, "list": PETS})

    # A column added since the node first read the table, by another node process sharing
    # the database, is listed too.
    other = await aiohttp_client(create_app(config))
    await founder.login(other)
    deploy = {"ApplicationId": 1, "Value": NEW_COLUMN, "Conditions": "true"}
    await call_in(other, founder, "@1NewContract", deploy)
    column = {"TableName": "pets", "Name": "color", "Type": "varchar", "Permissions": "true"}
    await call_in(other, founder, "@1NewColumn", column)
    assert await eco.get(client, "list/pets") == (
        200,
        {"count": 3, "list": [dict(p, color="NULL") for p in PETS]},
    )
    # Asked for by name, before any plain read has seen it.
    await call_in(other, founder, "@1NewColumn", dict(column, Name="size", Type="number"))
    assert await eco.get(client, "row/pets/2", columns="size") == (
        200,
        {"value": {"id": "2", "size": "0"}},
    )
    assert await eco.get(client, "list/pets", columns="nosuch") == err(
        400, "E_SERVER", "column nosuch does not exist"
    )


HOSTILE_GETS = {
    "list/pets;drop table 1_pets": (
        "E_TABLENOTFOUND",
        "Table 1_pets;drop table 1_pets has not been found",
    ),
    'list/pets" --': ("E_TABLENOTFOUND", 'Table 1_pets" -- has not been found'),
    "list/1_keys": ("E_TABLENOTFOUND", "Table 1_1_keys has not been found"),
    "list/@0pets": ("E_SERVER", None),
    "row/pets/1 OR 1=1": ("E_SERVER", "value 1 OR 1=1 is not a valid number for column id"),
    "row/pets/name;drop/1": ("E_SERVER", "column name;drop does not exist"),
    "row/pets/age->x/1": ("E_SERVER", "column age->x does not exist"),
    "history/pets/1;drop": ("E_SERVER", "row id 1;drop is not a number"),
}
HOSTILE_COLUMNS = [
    "name; DROP TABLE 1_pets",
    "*) FROM 1_keys --",
    "name,(select pub from 1_keys)",
    'name" --',
]
HOSTILE_WHERE = [
    "1=1",
    '"id > 0"',
    '{"name; DROP TABLE 1_pets": 1}',
    '{"$or": "1=1"}',
    '{"name": {"$raw": "1=1"}}',
    '{"age": "1 OR 1=1"}',
    '{"age": {"$in": ["1) OR (1=1"]}}',
    '{"name": {"$like": 5, "$eq": []}}',
    "[" * 5000,
]
HOSTILE_ORDER = ['"id; DROP TABLE 1_pets"', '{"name": "desc; drop"}', '{"note)": 1}', "id desc"]


async def test_hostile_names_columns_where_and_order_change_nothing(
    client: Client, config: Config, founder: Wallet
) -> None:
    eco = await make_eco2(client, config, founder, ecosystem=1)
    for path, (code, msg) in HOSTILE_GETS.items():
        status, body = await eco.get(client, path)
        assert status == (404 if code == "E_TABLENOTFOUND" else 400), (path, body)
        assert body["error"] == code and (msg is None or body["msg"] == msg), (path, body)
    for columns in HOSTILE_COLUMNS:
        for path in ("list/pets", "row/pets/1"):
            status, body = await eco.get(client, path, columns=columns)
            assert (status, body["error"]) == (400, "E_SERVER"), (path, columns, body)
        status, body = await eco.post(client, "listWhere/pets", columns=columns)
        assert (status, body["error"]) == (400, "E_SERVER"), (columns, body)
        status, body = await eco.post(client, "sumWhere/pets", column=columns)
        assert (status, body["error"]) == (400, "E_SERVER"), (columns, body)
    for where in HOSTILE_WHERE:
        for path in ("listWhere/pets", "sumWhere/pets"):
            status, body = await eco.post(client, path, where=where, column="price")
            assert (status, body["error"]) == (400, "E_SERVER"), (path, where, body)
    for order in HOSTILE_ORDER:
        status, body = await eco.post(client, "listWhere/pets", order=order)
        assert (status, body["error"]) == (400, "E_SERVER"), (order, body)
    # A quote inside a value is a value: it matches nothing and breaks nothing.
    quoted = json.dumps({"name": "x' OR '1'='1"})
    assert await eco.post(client, "listWhere/pets", where=quoted) == (
        200,
        {"count": 0, "list": None},
    )
    assert await eco.get(client, "row/pets/name/x' OR '1'='1") == err(
        404, "E_NOTFOUND", "Page not found"
    )
    # Nothing was dropped or changed.
    assert await eco.get(client, "list/pets") == (200, {"count": 3, "list": PETS})
    status, keys = await eco.get(client, "list/keys", columns="id")
    assert status == 200 and keys["count"] >= 4


async def test_paging_is_bounded(client: Client, config: Config, founder: Wallet) -> None:
    eco = await make_eco2(client, config, founder, ecosystem=1)
    # Immediate: it reads, then writes, beside the running producer (a deferred SQLite
    # transaction that read before a block's commit could no longer write).
    async with write_transaction(client.app[ENGINE]) as conn:
        ref = await client.app[READS].table(conn, 1, "pets")
        assert ref is not None
        await conn.execute(
            insert(ref.table),
            [{"id": i, "name": f"p{i}", "age": i, "price": 1} for i in range(4, 1105)],
        )
    total = 1104
    for limit, size in (("", 25), ("0", 25), ("-5", 25), ("2", 2), ("1000", 1000), ("5000", 1000)):
        status, body = await eco.get(client, "list/pets", limit=limit)
        assert (status, body["count"], len(body["list"])) == (200, total, size), limit
        status, body = await eco.post(client, "listWhere/pets", limit=limit)
        assert (status, body["count"], len(body["list"])) == (200, total, size), limit
    status, body = await eco.get(client, "list/pets", limit="10", offset="1100")
    assert (status, body["count"], [r["id"] for r in body["list"]]) == (
        200,
        total,
        ["1101", "1102", "1103", "1104"],
    )
    assert await eco.get(client, "list/pets", offset="-1") == err(
        400, "E_SERVER", "offset must not be negative"
    )
    assert await eco.get(client, "list/pets", limit="ten") == err(
        400, "E_SERVER", 'schema: error converting value for "limit"'
    )
    status, body = await eco.get(client, "tables", limit="5000")
    assert status == 200 and len(body["list"]) == body["count"] <= 1000
