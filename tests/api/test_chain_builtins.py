"""The built-ins that read the chain or change tables' shape, called from deployed contracts
through the real API on both backends: results, refusals, and rollbacks of their blocks."""

from __future__ import annotations

import io
import json
import time
from decimal import Decimal
from typing import Any

import openpyxl
from aiohttp.test_utils import TestClient
from sqlalchemy import inspect, select

from chain.address import address_to_string
from chain.rollback import rollback_blocks
from chain.storage.engine import make_engine
from chain.storage.repo.blocks import get_block
from chain.storage.schema import ecosystems, views
from node.config import Config
from tests.api.events.test_socket import call, connected, publications, subscribe
from tests.chain.test_rollback import (
    TX_TABLES,
    assert_same,
    height,
    native,
    snapshot,
    stop_node,
)
from tests.helpers import Wallet, call_contract, deploy, ok, utxo_tx

Client = TestClient[Any, Any]

OPEN = json.dumps({"insert": "true", "update": "true", "new_column": "true"})
LOCKED = json.dumps({"insert": "true", "update": "false", "new_column": "true"})


def columns(*specs: tuple[str, str, str]) -> str:
    return json.dumps(
        [{"name": n, "type": t, "index": i, "conditions": "true"} for n, t, i in specs]
    )


def refused(status: dict[str, Any], text: str) -> None:
    assert status["penalty"] == 1 and text in status["errmsg"]["error"], status


async def new_table(client: Client, wallet: Wallet, name: str, cols: str, perms: str) -> None:
    params = {"ApplicationId": 1, "Name": name, "Columns": cols, "Permissions": perms}
    ok(await call_contract(client, wallet, "@1NewTable", params))


async def result(
    client: Client, wallet: Wallet, name: str, params: dict[str, Any] | None = None
) -> Any:
    return json.loads(ok(await call_contract(client, wallet, name, params))["result"])


# ---- GetHistory, GetHistoryRow, GetBlock, FormatMoney -------------------------------------

NOTES = """contract AddNote {
    data { Text string }
    action { $result = DBInsert("notes", {text: $Text}) }
}"""
SET_NOTE = """contract SetNote {
    data { Id int
           Text string }
    action { DBUpdate("notes", $Id, {text: $Text}) }
}"""
PROBE = """contract ChainProbe {
    data { Id int
           Rollback int
           What string }
    action {
        var found map
        found["history"] = GetHistory("notes", $Id)
        found["row"] = GetHistoryRow("notes", $Id, $Rollback)
        found["newest"] = GetHistoryRow("notes", $Id, 0)
        found["block"] = GetBlock(1)
        found["nothing"] = GetBlock(1000000)
        found["money"] = FormatMoney("1234500", 0)
        found["cents"] = FormatMoney("1234500", 2)
        $result = JSONEncode(found[$What])
    }
}"""


async def test_history_blocks_and_money_digits(
    client: Client, config: Config, founder: Wallet
) -> None:
    cols = columns(("text", "varchar", "0"), ("extra", "varchar", "0"))
    await new_table(client, founder, "notes", cols, OPEN)
    await deploy(client, founder, NOTES, SET_NOTE, PROBE)
    added = ok(await call_contract(client, founder, "AddNote", {"Text": "a"}))
    note = int(added["result"])
    first = ok(await call_contract(client, founder, "SetNote", {"Id": note, "Text": "b"}))
    ok(await call_contract(client, founder, "SetNote", {"Id": note, "Text": "c"}))

    async def probe(what: str, rollback: int = 0) -> Any:
        params = {"Id": note, "Rollback": rollback, "What": what}
        return await result(client, founder, "ChainProbe", params)

    history = await probe("history")
    # The row before each change, newest first, labelled with the change that made it.
    assert [v["text"] for v in history] == ["b", "a"]
    assert [v["extra"] for v in history] == ["NULL", "NULL"]  # never set
    assert [v["block_id"] for v in history] == [first["blockid"], added["blockid"]]
    assert all(len(v["block_time"]) == 19 and v["id"].isdigit() for v in history)
    assert await probe("newest") == history[0]
    assert await probe("row") == history[0]  # rollback id 0: the newest version
    assert await probe("row", int(history[1]["id"])) == history[1]
    assert await probe("row", 10**9) == {}

    engine = make_engine(config.db_url)
    try:
        async with engine.connect() as conn:
            genesis = await get_block(conn, 1)
            digits = (await conn.execute(select(ecosystems.c.digits))).scalar_one()
    finally:
        await engine.dispose()
    assert genesis is not None
    assert await probe("block") == {"id": 1, "key_id": genesis.key_id, "time": genesis.time}
    assert await probe("nothing") == ""  # nil: JSONEncode gets it as "", as the reference
    # digit 0: the ecosystem's money digits.
    assert digits > 0
    shifted = format(Decimal("1234500").scaleb(-digits).normalize(), "f")
    assert (await probe("money"), await probe("cents")) == (shifted, "12345")


async def test_history_of_a_row_that_does_not_exist_fails(client: Client, founder: Wallet) -> None:
    await new_table(client, founder, "notes", columns(("text", "varchar", "0")), OPEN)
    await deploy(client, founder, PROBE)
    params = {"Id": 42, "Rollback": 0, "What": "row"}
    status = await call_contract(client, founder, "ChainProbe", params)
    refused(status, "record has not been found")


# ---- TopAmounts ---------------------------------------------------------------------------

TOP = """contract Top {
    data { Rank int
           Dense int
           Key string }
    action {
        var list array
        var entry map
        var i, last int
        list = TopAmounts(1, $Rank, $Dense == 1)
        $result = "none"
        while i < Len(list) {
            entry = list[i]
            if Int(entry["rank"]) < last {
                error "out of order"
            }
            last = Int(entry["rank"])
            if entry["id"] == $Key {
                $result = entry["rank"] + ":" + entry["amount"]
            }
            i = i + 1
        }
    }
}"""


async def test_top_amounts_ranks_balances(client: Client, config: Config, founder: Wallet) -> None:
    bob, carol, dave = (Wallet(config.crypto) for _ in range(3))
    for wallet in (bob, carol, dave):
        await wallet.login(client)  # a key row with its public key
    # Bob's two equal outputs both count (the reference's UNION would count one).
    now = int(time.time())
    for to, amount, at in ((bob, 2500, now), (bob, 2500, now - 1), (carol, 5000, now),
                           (dave, 3000, now)):  # fmt: skip
        ok(await native(client, founder, utxo_tx(founder, to.key_id, amount, time_s=at)))
    await deploy(client, founder, TOP)

    async def top(wallet: Wallet, rank: int, dense: int) -> str:
        params = {"Rank": rank, "Dense": dense, "Key": str(wallet.key_id)}
        status = ok(await call_contract(client, founder, "Top", params))
        return str(status["result"])

    tie, amount = (await top(bob, 100, 0)).split(":")
    assert amount == "5000"
    assert await top(carol, 100, 0) == f"{tie}:5000"  # ties share a rank
    assert await top(dave, 100, 0) == f"{int(tie) + 2}:3000"  # after two of rank `tie`
    assert await top(dave, int(tie) + 1, 1) == f"{int(tie) + 1}:3000"  # dense: no gap
    assert await top(dave, int(tie) + 1, 0) == "none"
    assert await top(bob, int(tie), 0) == f"{tie}:5000"


# ---- DelColumn, DelTable ------------------------------------------------------------------

DROP_COLUMN = """contract DropColumn {
    data { T string
           C string }
    action { DelColumn($T, $C) }
}"""
DROP_TABLE = """contract DropTable {
    data { T string }
    action { DelTable($T) }
}"""
FILL = """contract Fill {
    action { DBInsert("full", {b: 1}) }
}"""


async def test_del_column_and_del_table_are_refused_checked_and_rolled_back(
    client: Client, config: Config, founder: Wallet
) -> None:
    cols = columns(("a", "varchar", "1"), ("b", "number", "0"))
    await new_table(client, founder, "tmp", cols, OPEN)
    await new_table(client, founder, "full", cols, OPEN)
    await new_table(client, founder, "locked", cols, LOCKED)
    await deploy(client, founder, DROP_COLUMN, DROP_TABLE, FILL)
    ok(await call_contract(client, founder, "Fill"))

    # The reference's checks: the table's update permission, no rows, a known column.
    refused(await call_contract(client, founder, "DropTable", {"T": "locked"}), "Access denied")
    refused(
        await call_contract(client, founder, "DropColumn", {"T": "locked", "C": "b"}),
        "Access denied",
    )
    refused(
        await call_contract(client, founder, "DropTable", {"T": "full"}),
        "Table 1_full is not empty",
    )
    refused(
        await call_contract(client, founder, "DropColumn", {"T": "tmp", "C": "nosuch"}),
        "column nosuch doesn't exist",
    )
    refused(
        await call_contract(client, founder, "DropTable", {"T": "nosuch"}),
        "1_nosuch is not a custom table",
    )

    engine = make_engine(config.db_url)
    try:
        base = await height(engine)
        before = await snapshot(engine)
        ok(await call_contract(client, founder, "DropColumn", {"T": "tmp", "C": "a"}))
        middle = await snapshot(engine)
        ok(await call_contract(client, founder, "DropTable", {"T": "tmp"}))
        after = await snapshot(engine)
        # Nothing remembers the dropped table: the name is free at once.
        await new_table(client, founder, "tmp", columns(("c", "text", "0")), OPEN)
    finally:
        await engine.dispose()
    assert "a" in before["1_tmp"][0] and before["1_tmp"][1]  # the column and its index
    assert middle["1_tmp"][0] == ("id", "b") and not middle["1_tmp"][1]
    tables_row = [r for r in middle["1_tables"][2] if "tmp" in r]
    assert tables_row and '"a"' not in json.dumps([str(v) for v in tables_row[0]])
    assert "1_tmp" not in after
    assert not [r for r in after["1_tables"][2] if "tmp" in r]

    engine, node = await stop_node(client, config)
    try:
        top = await height(engine)
        assert await rollback_blocks(engine, node, top - base) == base
        assert_same(before, await snapshot(engine), TX_TABLES)
    finally:
        await engine.dispose()


# ---- CreateView ---------------------------------------------------------------------------

NEW_VIEW = """contract NewView {
    data { Name string
           Columns string
           Where string
           ApplicationId int }
    action { CreateView($Name, $Columns, $Where, $ApplicationId) }
}"""
OTHER_VIEW = NEW_VIEW.replace("contract NewView", "contract OtherView")
PETS = """contract AddPets {
    action {
        var owner int
        owner = DBInsert("owners", {name: "ann"})
        DBInsert("pets", {owner: owner, pname: "rex"})
        DBInsert("pets", {owner: 0, pname: "stray"})
    }
}"""
READ_VIEW = """contract ReadView {
    action { $result = JSONEncode(DBFind("petview").Columns("id,pname,owner_name")) }
}"""
VIEW_COLUMNS = json.dumps(
    [
        {"table": "pets", "col": "id"},
        {"table": "pets", "col": "pname"},
        {"table": "owners", "col": "name", "alias": "owner_name"},
    ]
)
VIEW_WHERE = json.dumps(
    [{"table1": "pets", "col1": "owner", "compare": "=", "table2": "owners", "col2": "id"}]
)


async def view_names(engine: Any) -> list[str]:
    async with engine.connect() as conn:
        names: list[str] = await conn.run_sync(lambda sync: inspect(sync).get_view_names())
    return names


async def test_create_view_only_from_new_view_and_rolled_back(
    client: Client, config: Config, founder: Wallet
) -> None:
    await new_table(client, founder, "owners", columns(("name", "varchar", "0")), OPEN)
    pets = columns(("owner", "number", "0"), ("pname", "varchar", "0"))
    await new_table(client, founder, "pets", pets, OPEN)
    await deploy(client, founder, NEW_VIEW, OTHER_VIEW, PETS, READ_VIEW, DROP_TABLE)
    ok(await call_contract(client, founder, "AddPets"))
    params = {
        "Name": "petview",
        "Columns": VIEW_COLUMNS,
        "Where": VIEW_WHERE,
        "ApplicationId": 1,
    }
    refused(
        await call_contract(client, founder, "OtherView", params),
        'CreateView can only be called with condition: ContractAccess("@1NewView")',
    )
    bad = dict(params, Where=VIEW_WHERE.replace('"="', '"; drop"'))
    refused(await call_contract(client, founder, "NewView", bad), "compare operator")
    missing = dict(params, Columns=VIEW_COLUMNS.replace('"owners"', '"nosuch"'))
    refused(await call_contract(client, founder, "NewView", missing), "has not been found")

    engine = make_engine(config.db_url)
    try:
        base = await height(engine)
        before = await snapshot(engine)
        ok(await call_contract(client, founder, "NewView", params))
        assert await view_names(engine) == ["1_petview"]
        async with engine.connect() as conn:
            described = (await conn.execute(select(views))).mappings().all()
        assert [(r["name"], r["ecosystem"], r["app_id"]) for r in described] == [("petview", 1, 1)]
        owner = {"table": "1_owners", "col": "name", "alias": "owner_name"}
        assert described[0]["columns"][2] == owner
        join = {"table1": "1_pets", "table2": "1_owners", "col1": "owner", "col2": "id"}
        assert described[0]["wheres"] == [dict(join, compare="=")]
    finally:
        await engine.dispose()
    assert await result(client, founder, "ReadView") == [
        {"id": "1", "pname": "rex", "owner_name": "ann"}
    ]
    refused(await call_contract(client, founder, "NewView", params), "table petview exists")
    # An empty table a view shows is not dropped from under it.
    await new_table(client, founder, "blank", columns(("note", "text", "0")), OPEN)
    itself = [{"table1": "blank", "col1": "id", "compare": "=", "table2": "blank", "col2": "id"}]
    blank_view = {
        "Name": "blankview",
        "Columns": json.dumps([{"table": "blank", "col": "note"}]),
        "Where": json.dumps(itself),
        "ApplicationId": 1,
    }
    ok(await call_contract(client, founder, "NewView", blank_view))
    refused(
        await call_contract(client, founder, "DropTable", {"T": "blank"}),
        "table 1_blank is used by view 1_blankview",
    )

    engine, node = await stop_node(client, config)
    try:
        top = await height(engine)
        assert await rollback_blocks(engine, node, top - base) == base
        assert_same(before, await snapshot(engine), TX_TABLES)
        assert await view_names(engine) == []
    finally:
        await engine.dispose()


# ---- GetDataFromXLSX, GetRowsCountXLSX ----------------------------------------------------

SHEET = """contract Sheet {
    data { Id int
           What string }
    action {
        var found map
        found["rows"] = GetDataFromXLSX($Id, 1, 2, 1)
        found["header"] = GetDataFromXLSX($Id, 0, 1, 1)
        found["count"] = GetRowsCountXLSX($Id, 1)
        found["second"] = GetRowsCountXLSX($Id, 2)
        found["none"] = GetDataFromXLSX(999999, 0, 5, 1)
        $result = JSONEncode(found[$What])
    }
}"""
COUNT_MISSING = """contract CountMissing {
    action { $result = GetRowsCountXLSX(999999, 1) }
}"""


def workbook() -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for row in (("name", "qty", "note"), ("apple", 3), ("pear", 2.5, "ripe")):
        sheet.append(row)
    book.create_sheet("empty")
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


async def test_xlsx_rows_of_a_stored_binary(client: Client, founder: Wallet) -> None:
    upload = {
        "ApplicationId": 1,
        "Name": "fruit.xlsx",
        "Data": workbook(),
        "DataMimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    }
    binary = int(ok(await call_contract(client, founder, "@1UploadBinary", upload))["result"])
    await deploy(client, founder, SHEET, COUNT_MISSING)

    async def sheet(what: str) -> Any:
        return await result(client, founder, "Sheet", {"Id": binary, "What": what})

    assert await sheet("rows") == [["apple", "3", ""], ["pear", "2.5", "ripe"]]
    assert await sheet("header") == [["name", "qty", "note"]]
    assert (await sheet("count"), await sheet("second"), await sheet("none")) == (3, 0, "")
    refused(await call_contract(client, founder, "CountMissing"), "has not been found")


# ---- UpdateNotifications ------------------------------------------------------------------

NOTIFY = """contract Notify {
    action { UpdateNotifications($ecosystem_id, [$account_id]) }
}"""


async def test_update_notifications_publishes_the_accounts_counts(
    client: Client, founder: Wallet
) -> None:
    await deploy(client, founder, NOTIFY)
    account = address_to_string(founder.key_id)
    ws = await connected(client)
    await subscribe(ws, 2, f"client{account}")
    # The tx changes no notification: its counts go out only because the contract asked.
    ok(await call_contract(client, founder, "Notify"))
    [(channel, counts)] = await publications(ws, 1)
    assert channel == f"client{account}"
    assert counts == [{"ecosystem": "1", "role_id": "0", "count": 0}]
    await ws.close()


ASSIGN = """contract RolesAssign {
    action {
        DBInsert("roles_participants", {role: {"id": "7", "name": "Tester"},
            member: {"account": $account_id}, date_created: $block_time})
    }
}"""
NOTIFY_ROLES = """contract NotifyRoles {
    data { Role int }
    action { UpdateRolesNotifications($ecosystem_id, [Str($Role)]) }
}"""


async def test_update_roles_notifications_reaches_the_roles_holders(
    client: Client, founder: Wallet
) -> None:
    # The reference's RolesAssign comes with its basic apps: the one allowed to add members.
    await deploy(client, founder, ASSIGN, NOTIFY_ROLES)
    ok(await call_contract(client, founder, "RolesAssign"))
    account = address_to_string(founder.key_id)
    ws = await connected(client)
    await subscribe(ws, 2, f"client{account}")
    ok(await call_contract(client, founder, "NotifyRoles", {"Role": 99}))  # nobody's role
    ok(await call_contract(client, founder, "NotifyRoles", {"Role": 7}))
    [(channel, counts)] = await publications(ws, 1)
    assert channel == f"client{account}"
    assert counts == [
        {"ecosystem": "1", "role_id": "0", "count": 0},
        {"ecosystem": "1", "role_id": "7", "count": 0},
    ]
    # Role 99's block, earlier, published nothing: the next frame is our own command's reply.
    reply = await call(ws, 3, 7)  # ping
    assert reply == {"id": 3, "result": {}}, reply
    await ws.close()
