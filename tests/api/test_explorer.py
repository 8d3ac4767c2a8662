"""Explorer reads: blocks, detailed blocks, txinfo, balances, keyinfo, ecosystems, metrics."""

from __future__ import annotations

import base64
import json
from typing import Any

from aiohttp.test_utils import TestClient

from chain.address import address_to_string
from chain.block import Block
from chain.genesis import FOUNDER_AMOUNT
from node.config import Config
from tests.helpers import Wallet, send_txs, transfer_self_tx, utxo_fee, utxo_tx, wait_status

Client = TestClient[Any, Any]


async def get(client: Client, path: str, **params: str) -> tuple[int, Any]:
    resp = await client.get("/api/v2/" + path, params=params)
    return resp.status, await resp.json()


async def _transfer(client: Client, founder: Wallet, to_id: int, value: int) -> tuple[str, str]:
    status, body = await send_txs(client, founder, utxo_tx(founder, to_id, value))
    assert status == 200, body
    tx_hash = next(h for h in body["hashes"] if len(h) == 64)
    result = await wait_status(client, founder, tx_hash)
    return tx_hash, result["blockid"]


async def test_blocks_and_detailed_blocks_show_a_transfer(
    client: Client, config: Config, founder: Wallet
) -> None:
    alice = Wallet(config.crypto)
    tx_hash, block_id = await _transfer(client, founder, alice.key_id, 42)
    status, blocks = await get(client, "blocks", block_id=block_id, count="1")
    assert status == 200 and list(blocks) == [block_id]
    [tx] = blocks[block_id]
    assert base64.b64decode(tx["hash"]).hex() == tx_hash
    assert tx["contract_name"] == "UTXO" and tx["key_id"] == founder.key_id
    assert tx["params"] == {"UTXO": {"ToID": alice.key_id, "Value": "42", "Comment": ""}}

    status, genesis = await get(client, "blocks", block_id="1", count="1")
    [first] = genesis["1"]
    assert first["contract_name"] == "" and first["params"] is None

    status, detailed = await get(client, "detailed_blocks", block_id=block_id, count="1")
    entry = detailed[block_id]
    assert entry["header"]["block_id"] == int(block_id) and entry["header"]["version"] == 3
    assert entry["tx_count"] == 1 and entry["stop_count"] == 0
    assert entry["size"].endswith("B")
    stored = Block.deserialize(base64.b64decode(entry["bin_data"]))
    assert base64.b64decode(entry["merkle_root"]) == stored.merkle_root
    assert base64.b64decode(entry["hash"]) == stored.header.block_hash
    [dtx] = entry["transactions"]
    assert dtx["type"] == 5 and dtx["size"].endswith("B") and dtx["time"] > 10**12

    status, block = await get(client, f"block/{block_id}")
    assert status == 200 and block["tx_count"] == 1
    assert list(block) == [
        "hash",
        "ecosystem_id",
        "key_id",
        "time",
        "tx_count",
        "rollbacks_hash",
        "node_position",
        "consensus_mode",
    ]
    status, head = await get(client, "maxblockid")
    assert head["max_block_id"] >= int(block_id)


async def test_block_range_rules_and_errors(client: Client, founder: Wallet) -> None:
    status, body = await get(client, "blocks", block_id="0", count="2000")
    assert status == 200 and "1" in body
    assert await get(client, "blocks", block_id="-1") == (
        400,
        {"error": "E_SERVER", "msg": "parameter is invalid"},
    )
    assert await get(client, "blocks", block_id="999999") == (
        404,
        {"error": "E_NOTFOUND", "msg": "Page not found"},
    )
    assert (await get(client, "block/999999"))[0] == 404
    assert await get(client, "block/x") == (404, {"error": "E_NOTFOUND", "msg": "Page not found"})


async def test_txinfo_and_multiple(client: Client, config: Config, founder: Wallet) -> None:
    tx_hash, block_id = await _transfer(client, founder, 5555, 3)
    status, info = await get(client, f"txinfo/{tx_hash}")
    assert info == {"blockid": block_id, "confirm": 0}
    status, info = await get(client, f"txinfo/{tx_hash}", contractinfo="1")
    data = info["data"]
    assert data["hash"] == tx_hash and data["block_id"] == int(block_id)
    assert data["address"] == address_to_string(founder.key_id)
    assert data["params"] == {"utxo": {"ToID": 5555, "Value": "3", "Comment": ""}}
    assert data["status"] == 0 and data["contract_name"] == "UTXO"
    unknown = "00" * 32
    assert await get(client, f"txinfo/{unknown}") == (200, {"blockid": "", "confirm": 0})
    assert (await get(client, "txinfo/zz"))[1]["error"] == "E_HASHWRONG"

    for data_param in (f"{tx_hash},{unknown}", json.dumps({"hashes": [tx_hash, unknown]})):
        status, multi = await get(client, "txinfomultiple", data=data_param)
        assert status == 200
        assert multi["results"][tx_hash]["blockid"] == block_id
        assert multi["results"][unknown] == {"blockid": "", "confirm": 0}


async def test_balance_exact_for_both_keys(client: Client, config: Config, founder: Wallet) -> None:
    alice = Wallet(config.crypto)
    await alice.login(client)
    raw = utxo_tx(founder, alice.key_id, 1_000_000_000_000_007)
    _, sent = await send_txs(client, founder, raw)
    await wait_status(client, founder, next(h for h in sent["hashes"] if len(h) == 64))
    status, body = await get(client, f"balance/{address_to_string(alice.key_id)}")
    assert status == 200
    assert body == {
        "amount": "0",
        "digits": 12,
        "total": "1000000000000007",
        "utxo": "1000000000000007",
        "token_symbol": "IBXC",
        "token_name": "IBAX Coin",
    }
    _, body = await get(client, f"balance/{founder.key_id}")
    reward, _taxes = utxo_fee(raw)  # the founder, the taxes wallet, keeps the taxes
    assert body["utxo"] == str(FOUNDER_AMOUNT - 1_000_000_000_000_007 - reward)
    _, _ = await send_txs(client, founder, transfer_self_tx(founder, 5, "UTXO", "Account"))
    status, body = await get(client, "balance/3434341")
    assert status == 200 and body["amount"] == "" and body["total"] == "0"
    assert await get(client, "balance/1234-5678-9012-3444-3488") == (
        400,
        {"error": "E_INVALIDWALLET", "msg": "Wallet 1234-5678-9012-3444-3488 is not valid"},
    )
    assert await get(client, f"balance/{founder.key_id}", ecosystem="9") == (
        400,
        {"error": "E_ECOSYSTEM", "msg": "Ecosystem 9 doesn't exist"},
    )


async def test_keyinfo(client: Client, config: Config, founder: Wallet) -> None:
    status, body = await get(client, f"keyinfo/{founder.key_id}")
    assert status == 200
    assert body == {
        "account": address_to_string(founder.key_id),
        "ecosystems": [
            {
                "ecosystem": "1",
                "name": "platform ecosystem",
                "digits": 12,
                "notifications": [{"role_id": "0", "count": 0}],
            }
        ],
    }
    stranger = Wallet(config.crypto)
    _, body = await get(client, f"keyinfo/{stranger.key_id}")
    assert body["ecosystems"] == [
        {
            "ecosystem": "1",
            "name": "platform ecosystem",
            "digits": 0,
            "notifications": [{"role_id": "", "count": 0}],
        }
    ]
    assert (await get(client, "keyinfo/nope"))[1]["error"] == "E_INVALIDWALLET"


async def test_ecosystems_and_metrics(client: Client, config: Config, founder: Wallet) -> None:
    assert await get(client, "ecosystemname", id="1") == (
        200,
        {"ecosystem_name": "platform ecosystem"},
    )
    assert await get(client, "ecosystemname", id="7") == (
        404,
        {"error": "E_PARAMNOTFOUND", "msg": "Parameter name has not been found"},
    )
    assert await get(client, "ecosystems") == (200, {"number": 1})
    _, before = await get(client, "metrics/transactions")
    await _transfer(client, founder, 5555, 1)
    _, after = await get(client, "metrics/transactions")
    assert after["count"] == before["count"] + 1
    _, keys = await get(client, "metrics/keys")
    assert keys["count"] >= 5  # founder, node, guest, black and white holes
    _, blocks = await get(client, "metrics/blocks")
    assert blocks["count"] >= 2
    assert await get(client, "metrics/ecosystems") == (200, {"count": 1})
    assert await get(client, "metrics/honornodes") == (200, {"count": 1})
    _, mem = await get(client, "metrics/mem")
    assert mem["alloc"] > 0 and mem["sys"] >= mem["alloc"] // 2
    assert await get(client, "metrics/ban") == (200, [{"node_position": 0, "status": False}])


async def test_tx_record(client: Client, config: Config, founder: Wallet) -> None:
    tx_hash, _ = await _transfer(client, founder, 5555, 1)
    assert await get(client, f"tx_record/{tx_hash}") == (200, None)
    assert (await get(client, "tx_record/zz"))[1]["error"] == "E_HASHWRONG"
