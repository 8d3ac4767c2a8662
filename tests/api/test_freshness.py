"""What a block changes is seen by the very next tx: contracts, parameters, table shapes, in
one process and in another process sharing the database (two apps on one data dir)."""

from __future__ import annotations

import json
from typing import Any

from aiohttp.test_utils import TestClient

from node.app import create_app
from node.config import Config
from tests.helpers import NEW_COLUMN, Wallet, call_contract, deploy, ok, send_txs, utxo_tx

Client = TestClient[Any, Any]

GREETER = """contract Greeter {
    data { Name string }
    action { $result = "hello " + $Name }
}"""
GREETER_2 = """contract Greeter {
    data { Who string }
    action { $result = "bye " + $Who }
}"""
# UpdatePlatformParam hands the new value to a contract named after the parameter first.
MAX_TX_SIZE = """contract max_tx_size {
    data { Value string }
    action {}
}"""
NOTES_COLUMNS = json.dumps(
    [{"name": "text", "type": "varchar", "index": "0", "conditions": "true"}]
)
OPEN = json.dumps({"insert": "true", "update": "true", "new_column": "true", "read": "true"})
ADD_NOTE = """contract AddNote {
    data { Text string }
    action { $result = DBInsert("notes", {text: $Text}) }
}"""
ADD_COLORED_NOTE = """contract AddColoredNote {
    data { Text string
           Color string }
    action { $result = DBInsert("notes", {text: $Text, color: $Color}) }
}"""


async def edit_greeter(client: Client, wallet: Wallet) -> None:
    resp = await client.get("/api/v2/contract/Greeter", headers=wallet.auth)
    info = await resp.json()
    params = {"Id": info["id"] - 5000, "Value": GREETER_2}
    ok(await call_contract(client, wallet, "@1EditContract", params))


async def test_the_next_tx_after_edit_contract_runs_the_new_code(
    client: Client, founder: Wallet
) -> None:
    await deploy(client, founder, GREETER)
    assert ok(await call_contract(client, founder, "Greeter", {"Name": "Ann"}))["result"] == (
        "hello Ann"
    )
    await edit_greeter(client, founder)
    # Sent as soon as the edit is final: checked against the new data section, run anew.
    assert ok(await call_contract(client, founder, "Greeter", {"Who": "Bob"}))["result"] == (
        "bye Bob"
    )


async def test_a_new_max_tx_size_holds_for_the_next_send_tx(
    client: Client, founder: Wallet
) -> None:
    raw = utxo_tx(founder, 5555, 1)
    status, body = await send_txs(client, founder, raw)
    assert status == 200, body  # the size limit of this head is now remembered
    await deploy(client, founder, MAX_TX_SIZE)
    size = str(len(raw) - 1)
    ok(
        await call_contract(
            client, founder, "@1UpdatePlatformParam", {"Name": "max_tx_size", "Value": size}
        )
    )
    status, body = await send_txs(client, founder, utxo_tx(founder, 5555, 2))
    assert status == 400, body
    assert body["error"] == "E_LIMITTXSIZE"


async def test_an_edit_through_one_process_is_seen_by_the_others_next_check(
    aiohttp_client: Any, client: Client, config: Config, founder: Wallet
) -> None:
    other = await aiohttp_client(create_app(config))  # another process on the same database
    await founder.login(other)
    await deploy(client, founder, GREETER)
    # The other process reads the contract's description and keeps it for this head.
    assert ok(await call_contract(other, founder, "Greeter", {"Name": "Ann"}))["result"] == (
        "hello Ann"
    )
    await edit_greeter(client, founder)
    assert ok(await call_contract(other, founder, "Greeter", {"Who": "Bob"}))["result"] == (
        "bye Bob"
    )


async def test_a_new_column_is_seen_by_the_other_process_at_once(
    aiohttp_client: Any, client: Client, config: Config, founder: Wallet
) -> None:
    other = await aiohttp_client(create_app(config))
    await founder.login(other)
    table = {"ApplicationId": 1, "Name": "notes", "Columns": NOTES_COLUMNS, "Permissions": OPEN}
    ok(await call_contract(client, founder, "@1NewTable", table))
    for source in (ADD_NOTE, NEW_COLUMN):
        await deploy(client, founder, source)
    ok(await call_contract(client, founder, "AddNote", {"Text": "one"}))

    async def listed(node: Client) -> Any:
        resp = await node.get("/api/v2/list/notes", headers=founder.auth)
        body = await resp.json()
        assert resp.status == 200, body
        return body["list"]

    assert await listed(other) == [{"id": "1", "text": "one"}]  # the table's shape is kept
    column = {"TableName": "notes", "Name": "color", "Type": "varchar", "Permissions": "true"}
    ok(await call_contract(client, founder, "@1NewColumn", column))
    assert await listed(other) == [{"id": "1", "text": "one", "color": "NULL"}]
    # A contract deployed through the other process writes the new column in the next block.
    await deploy(other, founder, ADD_COLORED_NOTE)
    added = {"Text": "two", "Color": "red"}
    ok(await call_contract(other, founder, "AddColoredNote", added))
    assert (await listed(client))[1] == {"id": "2", "text": "two", "color": "red"}
