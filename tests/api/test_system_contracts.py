"""The system contracts, written in Needle, called through sendTx as clients call them."""

from __future__ import annotations

import json
from typing import Any

from aiohttp.test_utils import TestClient
from sqlalchemy import select

from api.appkeys import ENGINE
from chain.address import address_to_string
from chain.storage.schema import ecosystems, history, keys, tables
from node.app import create_app
from node.config import Config
from tests.helpers import Wallet, call_contract, deploy, ok, send_txs, transfer_self_tx, wait_status

Client = TestClient[Any, Any]

PETS_COLUMNS = json.dumps(
    [
        {"name": "name", "type": "varchar", "index": "1", "conditions": "true"},
        {"name": "age", "type": "number", "index": "0", "conditions": "true"},
    ]
)
OPEN = json.dumps({"insert": "true", "update": "true", "new_column": "true"})

ADD_PET = """contract AddPet {
    data {
        Name string
        Age int
    }
    action {
        $result = DBInsert("pets", {name: $Name, age: $Age})
    }
}"""

OLDEST_PET = """contract OldestPet {
    action {
        var rows array
        rows = DBFind("pets").Columns("name,age").Order({"age": -1}).Limit(1)
        $result = Sprintf("%s:%s of %d", One(rows, "name"), rows[0]["age"],
            DBCount("pets", {"age": {"$gt": 0}}))
    }
}"""


async def test_new_table_and_a_contract_that_inserts_rows(
    client: Client, config: Config, founder: Wallet
) -> None:
    params = {"ApplicationId": 1, "Name": "pets", "Columns": PETS_COLUMNS, "Permissions": OPEN}
    ok(await call_contract(client, founder, "@1NewTable", params))
    ok(await deploy(client, founder, ADD_PET))
    ok(await deploy(client, founder, OLDEST_PET))
    first = ok(await call_contract(client, founder, "AddPet", {"Name": "Rex", "Age": 3}))
    second = ok(await call_contract(client, founder, "AddPet", {"Name": "Tom", "Age": 7}))
    assert (first["result"], second["result"]) == ("1", "2")
    oldest = ok(await call_contract(client, founder, "OldestPet"))
    assert oldest["result"] == "Tom:7 of 2"

    # Different bytes (another app id): an identical tx would be the same tx, included once.
    again = await call_contract(client, founder, "@1NewTable", dict(params, ApplicationId=2))
    assert again["penalty"] == 1 and again["errmsg"]["error"].startswith(
        "table pets exists [TableConditions @1NewTable:"
    )
    bad_type = dict(params, Name="bad", Columns=PETS_COLUMNS.replace("number", "integer"))
    failed = await call_contract(client, founder, "@1NewTable", bad_type)
    assert failed["errmsg"]["type"] == "panic" and failed["errmsg"]["error"].startswith(
        "incorrect type ["
    )


async def test_new_ecosystem_gets_its_rows_and_contracts(
    client: Client, config: Config, founder: Wallet
) -> None:
    created = ok(await call_contract(client, founder, "@1NewEcosystem", {"Name": "Second"}))
    assert created["result"] == "2"
    async with client.app[ENGINE].connect() as conn:
        row = (await conn.execute(select(ecosystems).where(ecosystems.c.id == 2))).one()
        key = (
            await conn.execute(
                select(keys).where(keys.c.ecosystem == 2, keys.c.id == founder.key_id)
            )
        ).one()
    assert row.name == "Second" and key.pub == founder.public
    resp = await client.get("/api/v2/contract/@2MainCondition", headers=founder.auth)
    assert resp.status == 200 and (await resp.json())["name"] == "@2MainCondition"


async def test_new_page_and_its_duplicate(client: Client, config: Config, founder: Wallet) -> None:
    params = {
        "ApplicationId": 1,
        "Name": "pets_page",
        "Value": "Div(){Pets}",
        "Menu": "default_menu",
        "Conditions": "true",
    }
    ok(await call_contract(client, founder, "@1NewPage", params))
    again = await call_contract(client, founder, "@1NewPage", dict(params, Value="P(){Pets}"))
    assert again["penalty"] == 1
    assert again["errmsg"]["type"] == "warning"
    assert again["errmsg"]["error"] == "Page pets_page already exists"


async def test_tokens_send_moves_account_balances_and_records_history(
    client: Client, config: Config, founder: Wallet
) -> None:
    status, body = await send_txs(
        client, founder, transfer_self_tx(founder, 1000, "UTXO", "Account")
    )
    ok(await wait_status(client, founder, next(h for h in body["hashes"] if len(h) == 64)))
    bob = Wallet(config.crypto)
    to_bob = {"Recipient": address_to_string(bob.key_id), "Amount": "300", "Comment": "hi"}
    sent = ok(await call_contract(client, founder, "@1TokensSend", to_bob))
    resp = await client.get(f"/api/v2/balance/{address_to_string(bob.key_id)}")
    assert (await resp.json())["amount"] == "300"
    resp = await client.get(f"/api/v2/balance/{address_to_string(founder.key_id)}")
    assert (await resp.json())["amount"] == "700"
    async with client.app[ENGINE].connect() as conn:
        [row] = (
            await conn.execute(select(history).where(history.c.recipient_id == bob.key_id))
        ).all()
    assert (row.sender_id, row.amount, row.comment, row.block_id) == (
        founder.key_id,
        300,
        "hi",
        int(sent["blockid"]),
    )
    too_much = await call_contract(client, founder, "@1TokensSend", dict(to_bob, Amount="701"))
    assert too_much["errmsg"]["type"] == "error"
    assert too_much["errmsg"]["error"] == (
        f"account {address_to_string(founder.key_id)} current balance is not enough in ecosystem 1"
    )
    nobody = await call_contract(client, founder, "@1TokensSend", dict(to_bob, Recipient="12"))
    assert nobody["errmsg"]["error"] == "Recipient 12 is invalid"
    resp = await client.get(f"/api/v2/balance/{address_to_string(bob.key_id)}")
    assert (await resp.json())["amount"] == "300"


HOSTILE = {
    "Spin": (
        "while true { }",
        ("txError", "Time limit exceeded"),
        ("panic", "runtime cost limit overflow"),
    ),
    "Deep": ("$result = deep(0)", ("panic", "the call stack is too deep"), None),
    "Huge": (
        'var s string\n s = "0123456789abcdef"\n while true { s = s + s }',
        ("panic", "the string is too long"),
        None,
    ),
    "DivZero": ("var a int\n $result = 1 / a", ("panic", "divided by zero"), None),
}


async def test_hostile_contracts_fail_and_blocks_go_on(
    client: Client, config: Config, founder: Wallet
) -> None:
    for name, (body, expected, alternative) in HOSTILE.items():
        source = (
            f"contract {name} {{\n action {{\n {body}\n }}\n"
            " func deep(n int) int { return deep(n + 1) }\n}"
        )
        ok(await deploy(client, founder, source))
        status = await call_contract(client, founder, name)
        assert status["penalty"] == 1 and status["blockid"], status
        # The message, then where: `divided by zero [@1DivZero:4]`.
        found = (status["errmsg"]["type"], status["errmsg"]["error"].split(" [", 1)[0])
        assert found in (expected, alternative), (name, status)
    # The chain is alive: a plain transfer still makes it into a block.
    status, body = await send_txs(client, founder, transfer_self_tx(founder, 1, "UTXO", "Account"))
    ok(await wait_status(client, founder, next(h for h in body["hashes"] if len(h) == 64)))


async def test_two_nodes_share_accounts_without_stale_memory(
    aiohttp_client: Any, client: Client, config: Config, founder: Wallet
) -> None:
    # Each producer keeps rows it read by key across its blocks; blocks of the other process
    # in between must make it read them again, or it would pay from a stale balance.
    raw = transfer_self_tx(founder, 1000, "UTXO", "Account")
    status, body = await send_txs(client, founder, raw)
    ok(await wait_status(client, founder, next(h for h in body["hashes"] if len(h) == 64)))
    other = await aiohttp_client(create_app(config))
    await founder.login(other)
    recipients = [Wallet(config.crypto) for _ in range(12)]
    for i, bob in enumerate(recipients):
        target = other if i % 2 else client
        params = {"Recipient": address_to_string(bob.key_id), "Amount": "10"}
        ok(await call_contract(target, founder, "@1TokensSend", params))
    async with client.app[ENGINE].connect() as conn:
        founder_row = (
            await conn.execute(select(keys.c.amount).where(keys.c.id == founder.key_id))
        ).scalar_one()
        paid = (
            (
                await conn.execute(
                    select(keys.c.amount).where(keys.c.id.in_([b.key_id for b in recipients]))
                )
            )
            .scalars()
            .all()
        )
    assert founder_row == 1000 - 120 and sorted(paid) == [10] * 12


async def test_table_and_column_rights_are_edited_in_the_txs_ecosystem(
    client: Client, config: Config, founder: Wallet
) -> None:
    ok(await call_contract(client, founder, "@1NewEcosystem", {"Name": "Second"}))
    columns = json.dumps(
        [
            {"name": "note", "type": "text", "index": "0", "conditions": "true"},
            {
                "name": "secret",
                "type": "text",
                "index": "0",
                "conditions": '{"update": "true", "read": "false"}',
            },
        ]
    )
    new = {"ApplicationId": 1, "Name": "notes", "Columns": columns, "Permissions": OPEN}
    ok(await call_contract(client, founder, "@1NewTable", new, ecosystem=2))
    rights = {
        "Name": "notes",
        "InsertPerm": "true",
        "UpdatePerm": "false",
        "NewColumnPerm": "true",
    }
    ok(await call_contract(client, founder, "@1EditTable", rights, ecosystem=2))
    column = {"TableName": "notes", "Name": "note", "Permissions": "false"}
    ok(await call_contract(client, founder, "@1EditColumn", column, ecosystem=2))
    async with client.app[ENGINE].connect() as conn:
        row = (
            await conn.execute(
                select(tables.c.permissions, tables.c.columns).where(
                    tables.c.name == "notes", tables.c.ecosystem == 2
                )
            )
        ).one()
    assert row.permissions["update"] == "false" and row.columns["note"] == "false"
    # Column read rights hold whatever the case a contract spells the column in.
    reader = 'contract ReadSecret {\n action {\n $result = DBFind("notes").Columns("SECRET")\n }\n}'
    ok(
        await call_contract(
            client,
            founder,
            "@1NewContract",
            {"ApplicationId": 1, "Value": reader, "Conditions": "true"},
            ecosystem=2,
        )
    )
    denied = await call_contract(client, founder, "@2ReadSecret", ecosystem=2)
    assert denied["errmsg"]["type"] == "panic"
    assert denied["errmsg"]["error"].startswith("Access denied [")


async def test_account_and_log_builtins(client: Client, config: Config, founder: Wallet) -> None:
    source = """contract Facts {
    action {
        $result = Sprintf("%d %v %d", CurrentKeyFromAccount($account_id) == $key_id,
            GetLogTxCount($ecosystem_id) > 0, Println("abc", 1))
    }
}"""
    ok(await deploy(client, founder, source))
    facts = ok(await call_contract(client, founder, "Facts"))
    assert facts["result"] == "%!d(bool=true) true 6"
