"""Explorer reads beyond test_explorer: TransferSelf, cross-endpoint consistency, exact errors."""

from __future__ import annotations

import base64
import json
from typing import Any

from aiohttp.test_utils import TestClient

from chain.address import address_to_string
from chain.block import Block
from chain.genesis import FOUNDER_AMOUNT
from chain.txview import storage_size
from node.config import Config
from tests.helpers import Wallet, send_txs, transfer_self_tx, utxo_fee, utxo_tx, wait_status

Client = TestClient[Any, Any]


async def get(client: Client, path: str, **params: str) -> tuple[int, Any]:
    resp = await client.get("/api/v2/" + path, params=params)
    return resp.status, await resp.json()


async def _included(client: Client, founder: Wallet, raw: bytes) -> tuple[str, str]:
    status, body = await send_txs(client, founder, raw)
    assert status == 200, body
    tx_hash = next(h for h in body["hashes"] if len(h) == 64)
    result = await wait_status(client, founder, tx_hash)
    assert result["penalty"] == 0 and "errmsg" not in result, result
    return tx_hash, result["blockid"]


def _err(status: int, code: str, msg: str) -> tuple[int, dict[str, str]]:
    return status, {"error": code, "msg": msg}


async def test_transfer_self_in_blocks_txinfo_and_balance(client: Client, founder: Wallet) -> None:
    tx_hash, block_id = await _included(
        client, founder, transfer_self_tx(founder, 5, "UTXO", "Account")
    )
    body = {"TransferSelf": {"Value": "5", "Source": "UTXO", "Target": "Account"}}

    _, blocks = await get(client, "blocks", block_id=block_id, count="1")
    assert blocks[block_id] == [
        {
            "hash": base64.b64encode(bytes.fromhex(tx_hash)).decode(),
            "contract_name": "TransferSelf",
            "params": body,
            "key_id": founder.key_id,
        }
    ]
    _, detailed = await get(client, "detailed_blocks", block_id=block_id, count="1")
    [dtx] = detailed[block_id]["transactions"]
    assert dtx["type"] == 6 and dtx["params"] == body and dtx["contract_name"] == "TransferSelf"

    # txinfo keeps the reference's lower-case keys for native transfers.
    _, info = await get(client, f"txinfo/{tx_hash}", contractinfo="1")
    assert info["data"]["params"] == {"transferSelf": body["TransferSelf"]}

    _, balance = await get(client, f"balance/{address_to_string(founder.key_id)}")
    assert balance == {
        "amount": "5",
        "digits": 12,
        "total": str(FOUNDER_AMOUNT),
        "utxo": str(FOUNDER_AMOUNT - 5),
        "token_symbol": "IBXC",
        "token_name": "IBAX Coin",
    }
    # The account row changed (tx_record leaves 1_keys out) and its history row was written.
    status, record = await get(client, f"tx_record/{tx_hash}")
    assert status == 200
    assert [[{k: r[k] for k in ("table", "previous")} for r in tx] for tx in record] == [
        [{"table": "1_history", "previous": ""}]
    ]


async def test_unregistered_recipient_has_outputs_but_no_account(
    client: Client, config: Config, founder: Wallet
) -> None:
    bob = Wallet(config.crypto)
    value = 2**53 + 1  # not representable as a float: money must stay exact
    raw = utxo_tx(founder, bob.key_id, value)
    await _included(client, founder, raw)
    assert await get(client, f"balance/{bob.key_id}") == (
        200,
        {
            "amount": "",
            "digits": 12,
            "total": str(value),
            "utxo": str(value),
            "token_symbol": "IBXC",
            "token_name": "IBAX Coin",
        },
    )
    _, founder_balance = await get(client, f"balance/{founder.key_id}", ecosystem="1")
    assert founder_balance["amount"] == "0"
    reward, _taxes = utxo_fee(raw)  # the founder, the taxes wallet, keeps the taxes
    left = str(FOUNDER_AMOUNT - value - reward)
    assert founder_balance["utxo"] == founder_balance["total"] == left
    # Outputs alone do not make an account: keyinfo answers the "exists nowhere" shape.
    _, info = await get(client, f"keyinfo/{address_to_string(bob.key_id)}")
    assert info["account"] == address_to_string(bob.key_id)
    assert info["ecosystems"][0]["notifications"] == [{"role_id": "", "count": 0}]


async def test_block_endpoints_agree(client: Client, config: Config, founder: Wallet) -> None:
    tx_hash, block_id = await _included(client, founder, utxo_tx(founder, 5555, 7))

    status, block = await get(client, f"block/{block_id}")
    assert status == 200
    _, detailed = await get(client, "detailed_blocks", block_id=block_id, count="1")
    entry = detailed[block_id]
    for field in ("hash", "key_id", "time", "tx_count", "rollbacks_hash", "node_position"):
        assert entry[field] == block[field], field
    assert list(entry) == [
        "header",
        "hash",
        "node_position",
        "key_id",
        "time",
        "tx_count",
        "size",
        "rollbacks_hash",
        "merkle_root",
        "bin_data",
        "stop_count",
        "transactions",
    ]
    assert list(entry["header"]) == ["block_id", "time", "key_id", "node_position", "version"]
    bin_data = base64.b64decode(entry["bin_data"])
    assert entry["size"] == storage_size(len(bin_data))
    stored = Block.deserialize(bin_data)
    assert entry["header"]["time"] == stored.header.timestamp == block["time"]
    [dtx] = entry["transactions"]
    assert list(dtx) == ["hash", "contract_name", "params", "key_id", "time", "type", "size"]
    assert dtx["key_id"] == founder.key_id and dtx["contract_name"] == "UTXO"

    _, info = await get(client, f"txinfo/{tx_hash}", contractinfo="1")
    data = info["data"]
    assert list(data) == [
        "block_id",
        "block_hash",
        "address",
        "ecosystem",
        "hash",
        "expedite",
        "contract_name",
        "params",
        "created_at",
        "size",
        "status",
    ]
    assert data["block_hash"] == base64.b64decode(block["hash"]).hex()
    assert data["created_at"] == dtx["time"] and data["size"] == dtx["size"]
    assert data["ecosystem"] == 1

    # Genesis: no contract, no params, the block header's key.
    _, first = await get(client, "detailed_blocks", block_id="1", count="1")
    [genesis_tx] = first["1"]["transactions"]
    assert genesis_tx["type"] == 1 and genesis_tx["params"] is None
    assert genesis_tx["key_id"] == first["1"]["header"]["key_id"]

    # Metrics agree with the chain they summarise.
    _, head = await get(client, "maxblockid")
    _, all_blocks = await get(client, "detailed_blocks", block_id="1", count="1000")
    assert sorted(map(int, all_blocks)) == list(range(1, head["max_block_id"] + 1))
    assert await get(client, "metrics/blocks") == (200, {"count": head["max_block_id"]})
    total_txs = sum(b["tx_count"] for b in all_blocks.values())
    assert await get(client, "metrics/transactions") == (200, {"count": total_txs})


async def test_block_range_bounds(client: Client, founder: Wallet) -> None:
    await _included(client, founder, utxo_tx(founder, 5555, 1))
    _, head = await get(client, "maxblockid")
    top = head["max_block_id"]
    assert top >= 2
    # block_id is inclusive: block_id=1&count=2 lists blocks 1 and 2.
    _, body = await get(client, "blocks", block_id="1", count="2")
    assert list(body) == ["1", "2"]
    _, body = await get(client, "blocks", block_id=str(top), count="5")
    assert list(body) == [str(top)]
    # count <= 0 means the default page of 25, from block 1 when block_id is 0.
    _, body = await get(client, "blocks", count="0")
    assert list(map(int, body)) == list(range(1, min(top, 25) + 1))


async def test_keys_metric_counts_a_new_account(client: Client, config: Config) -> None:
    _, before = await get(client, "metrics/keys")
    await Wallet(config.crypto).login(client)
    _, after = await get(client, "metrics/keys")
    assert after == {"count": before["count"] + 1}


async def test_txinfomultiple_with_contract_info(client: Client, founder: Wallet) -> None:
    first, _ = await _included(client, founder, utxo_tx(founder, 5555, 1))
    second, _ = await _included(client, founder, utxo_tx(founder, 6666, 2))
    for data in (f"{first},{second}", json.dumps({"hashes": [first, second]})):
        status, body = await get(client, "txinfomultiple", data=data, contractinfo="1")
        assert status == 200
        results = body["results"]
        assert list(results) == sorted([first, second])
        assert results[first]["data"]["params"]["utxo"]["ToID"] == 5555
        assert results[second]["data"]["params"]["utxo"]["Value"] == "2"


async def test_read_errors_exact(client: Client, founder: Wallet) -> None:
    not_found = _err(404, "E_NOTFOUND", "Page not found")
    invalid = _err(400, "E_SERVER", "parameter is invalid")
    hash_wrong = _err(400, "E_HASHWRONG", "Hash is incorrect")
    assert await get(client, "block/0") == not_found
    assert await get(client, "block/999999") == not_found
    assert await get(client, "detailed_blocks", block_id="999999") == not_found
    assert await get(client, "detailed_blocks", block_id="-1") == invalid
    assert await get(client, "detailed_blocks", count="-1") == invalid
    assert await get(client, "blocks", count="-5") == invalid
    assert await get(client, "blocks", block_id="abc") == _err(
        400, "E_SERVER", 'schema: error converting value for "block_id"'
    )
    assert await get(client, "txinfo/zz") == hash_wrong
    assert await get(client, "txinfomultiple", data="zz") == hash_wrong
    assert await get(client, "txinfomultiple", data='{"hashes": 5}') == hash_wrong
    assert await get(client, "tx_record/zz") == hash_wrong
    assert await get(client, "tx_record/" + "00" * 32) == (200, None)
    assert await get(client, "balance/nope") == _err(
        400, "E_INVALIDWALLET", "Wallet nope is not valid"
    )
    assert await get(client, "keyinfo/nope") == _err(
        400, "E_INVALIDWALLET", "Wallet nope is not valid"
    )
    # The first id past the last ecosystem is already unknown.
    assert await get(client, f"balance/{founder.key_id}", ecosystem="2") == _err(
        400, "E_ECOSYSTEM", "Ecosystem 2 doesn't exist"
    )
    name_missing = _err(404, "E_PARAMNOTFOUND", "Parameter name has not been found")
    assert await get(client, "ecosystemname") == name_missing
    assert await get(client, "ecosystemname", id="0") == name_missing
    _, mem = await get(client, "metrics/mem")
    assert list(mem) == ["alloc", "sys"]
    assert all(isinstance(v, int) and v > 0 for v in mem.values())
