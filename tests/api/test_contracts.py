"""Needle contracts on the chain: deploy with @1NewContract, call through sendTx, read $result."""

from __future__ import annotations

from typing import Any

from aiohttp.test_utils import TestClient
from sqlalchemy import update

from api.appkeys import ENGINE
from chain.storage.schema import platform_parameters
from chain.txcodec import build_client_tx
from node.config import Config
from tests.helpers import Wallet, send_txs, smart_tx, wait_status

Client = TestClient[Any, Any]
NEW_CONTRACT_ID = 5024

HELLO = """contract Hello {
    data {
        Name string
        Times int "optional"
    }
    conditions {
        if Size($Name) == 0 {
            warning "Name is empty"
        }
    }
    action {
        var n int
        n = $Times
        if n == 0 { n = 1 }
        $result = Sprintf("hello %s x%d from %d", $Name, n, $key_id)
    }
}"""

CALLER = """contract Caller {
    data {
        Who string
    }
    action {
        $result = "caller got: " + @1Hello($Who, 2)
    }
}"""


async def call(
    client: Client, wallet: Wallet, contract_id: int, params: dict[str, Any]
) -> dict[str, Any]:
    raw = build_client_tx(
        smart_tx(wallet, contract_id=contract_id, params=params), wallet.private, wallet.crypto
    )
    status, body = await send_txs(client, wallet, raw)
    assert status == 200, body
    return await wait_status(client, wallet, next(h for h in body["hashes"] if len(h) == 64))


async def deploy(client: Client, wallet: Wallet, source: str) -> dict[str, Any]:
    params = {
        "ApplicationId": 1,
        "Value": source,
        "Conditions": 'ContractConditions("MainCondition")',
    }
    return await call(client, wallet, NEW_CONTRACT_ID, params)


async def test_deploy_call_and_contract_to_contract(
    client: Client, config: Config, founder: Wallet
) -> None:
    deployed = await deploy(client, founder, HELLO)
    assert deployed["penalty"] == 0 and deployed["result"] == "39", deployed

    resp = await client.get("/api/v2/contract/@1Hello", headers=founder.auth)
    info = await resp.json()
    assert resp.status == 200 and info["id"] == 5039 and info["name"] == "@1Hello"
    assert info["fields"] == [
        {"name": "Name", "type": "string", "optional": False},
        {"name": "Times", "type": "int", "optional": True},
    ]
    assert info["walletid"] == "0"  # the reference creates contracts unbound to a wallet

    result = await call(client, founder, 5039, {"Name": "ibax", "Times": 3})
    assert result["penalty"] == 0
    assert result["result"] == f"hello ibax x3 from {founder.key_id}"

    await deploy(client, founder, CALLER)
    resp = await client.get("/api/v2/contract/Caller", headers=founder.auth)
    caller_id = (await resp.json())["id"]
    result = await call(client, founder, caller_id, {"Who": "bob"})
    assert result["result"] == f"caller got: hello bob x2 from {founder.key_id}", result

    resp = await client.get("/api/v2/contracts?limit=1000", headers=founder.auth)
    listing = await resp.json()
    names = [c["name"] for c in listing["list"]]
    # The 38 system contracts first, in the reference's order, then ours.
    assert listing["count"] == 40 and names[:2] == ["DeveloperCondition", "MainCondition"]
    assert names[-3:] == ["TokensSend", "Hello", "Caller"]


async def test_contract_failures_are_recorded_with_positions(
    client: Client, config: Config, founder: Wallet
) -> None:
    broken = await deploy(client, founder, "contract Broken {\n action {\n $x = 1 +\n }\n}")
    assert broken["penalty"] == 1
    assert broken["errmsg"]["type"] == "panic"
    assert broken["errmsg"]["error"].endswith(" [Ln:4 Col:2]")

    await deploy(client, founder, HELLO)
    warned = await call(client, founder, 5039, {"Name": ""})
    assert warned["penalty"] == 1
    assert warned["errmsg"] == {"type": "warning", "error": "Name is empty"}

    await deploy(client, founder, "contract Spin {\n action {\n while true { }\n }\n}")
    spin = await call(client, founder, 5040, {})
    assert spin["penalty"] == 1 and spin["errmsg"]["type"] in ("panic", "txError")
    # Out of fuel or of time, whichever comes first on this machine.
    error = spin["errmsg"]["error"]
    assert "runtime cost limit overflow" in error or "Time limit exceeded" in error, error

    await deploy(client, founder, "contract Loop {\n action {\n $result = @1Loop()\n }\n}")
    loop = await call(client, founder, 5041, {})
    assert loop["errmsg"]["error"] == "there is loop in @1Loop contract [@1Loop:3]"

    again = await deploy(client, founder, HELLO)
    assert again["errmsg"]["type"] == "panic"
    assert again["errmsg"]["error"].startswith(
        "contract @1Hello already exists [CreateContract @1NewContract:"
    )


async def test_send_tx_checks_contract_parameters(
    client: Client, config: Config, founder: Wallet
) -> None:
    await deploy(client, founder, HELLO)
    raw = build_client_tx(
        smart_tx(founder, contract_id=5039, params={"Name": "x", "Color": "red"}),
        founder.private,
        founder.crypto,
    )
    status, body = await send_txs(client, founder, raw)
    assert status == 400
    assert body == {"error": "E_SERVER", "msg": "'Color' parameter is not required"}
    raw = build_client_tx(
        smart_tx(founder, contract_id=5039, params={}), founder.private, founder.crypto
    )
    status, body = await send_txs(client, founder, raw)
    assert body == {"error": "E_SERVER", "msg": "Parameter Name has not been found"}
    resp = await client.get("/api/v2/contract/@1Nope", headers=founder.auth)
    assert resp.status == 404
    assert await resp.json() == {"error": "E_CONTRACT", "msg": "There is not @1Nope contract"}
    resp = await client.get("/api/v2/contract/@1Hello")
    assert resp.status == 401


async def test_explorer_names_stored_contracts(
    client: Client, config: Config, founder: Wallet
) -> None:
    await deploy(client, founder, HELLO)
    result = await call(client, founder, 5039, {"Name": "x"})
    block_id = result["blockid"]
    resp = await client.get("/api/v2/blocks", params={"block_id": block_id, "count": "1"})
    [tx] = (await resp.json())[block_id]
    assert tx["contract_name"] == "@1Hello" and tx["params"] == {"Name": "x"}
    resp = await client.get("/api/v2/detailed_blocks", params={"block_id": block_id, "count": "1"})
    [dtx] = (await resp.json())[block_id]["transactions"]
    assert dtx["contract_name"] == "@1Hello"


async def test_throw_call_contract_and_chain_builtins(
    client: Client, config: Config, founder: Wallet
) -> None:
    await deploy(client, founder, HELLO)
    source = """contract Tools {
    data {
        Mode string
    }
    action {
        if $Mode == "throw" {
            Throw("E42", "custom failure")
        }
        if $Mode == "call" {
            $result = CallContract("Hello", {"Name": "via map"})
            return
        }
        if $Mode == "bad" {
            $result = CallContract("Hello", {"Nam": "typo"})
            return
        }
        $result = Sprintf("%v %v %v", IdToAddress($key_id) == $account_id,
            AddressToId($account_id) == $key_id,
            DoubleHash(StringToBytes("x")) == HexToBytes(Hash(HexToBytes(Hash("x")))))
    }
}"""
    tools = await deploy(client, founder, source)
    tools_id = int(tools["result"]) + 5000
    thrown = await call(client, founder, tools_id, {"Mode": "throw"})
    assert thrown["penalty"] == 1
    assert thrown["errmsg"] == {
        "type": "exception",
        "error": "custom failure",
        "id": "E42",
    }
    called = await call(client, founder, tools_id, {"Mode": "call"})
    assert called["result"] == f"hello via map x1 from {founder.key_id}", called
    bad = await call(client, founder, tools_id, {"Mode": "bad"})
    assert bad["errmsg"]["error"] == "'Nam' parameter is not required [@1Tools:14]"
    checks = await call(client, founder, tools_id, {"Mode": "pure"})
    assert checks["result"] == "true true true", checks


async def test_only_developers_deploy_and_node_contracts_are_not_implemented(
    client: Client, config: Config, founder: Wallet
) -> None:
    stranger = Wallet(config.crypto)
    await stranger.login(client)
    refused = await deploy(client, stranger, HELLO)
    # The ecosystem's contracts table lets DeveloperCondition insert, as the reference's.
    assert refused["penalty"] == 1 and refused["errmsg"]["type"] == "warning"
    assert refused["errmsg"]["error"].endswith(
        "DeveloperCondition: Sorry, you do not have access to this action."
    )
    resp = await client.post("/api/v2/node/NewUser")
    assert resp.status == 501
    assert await resp.json() == {"error": "E_NOTIMPLEMENTED", "msg": "Not implemented"}


async def test_block_fuel_limit_moves_txs_to_later_blocks(
    client: Client, config: Config, founder: Wallet
) -> None:
    await deploy(client, founder, HELLO)
    async with client.app[ENGINE].begin() as conn:
        await conn.execute(
            update(platform_parameters)
            .where(platform_parameters.c.name == "max_fuel_block")
            .values(value="1")
        )
    raws = [
        build_client_tx(
            smart_tx(founder, contract_id=5039, params={"Name": f"n{i}"}),
            founder.private,
            founder.crypto,
        )
        for i in range(3)
    ]
    status, body = await send_txs(client, founder, *raws)
    assert status == 200, body
    results = [await wait_status(client, founder, h) for h in body["hashes"] if len(h) == 64]
    # Each tx alone exceeds the block's fuel: each is the first (and only) of its block.
    assert all(r["penalty"] == 0 for r in results), results
    assert len({r["blockid"] for r in results}) == 3
