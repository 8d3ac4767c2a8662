"""What Weaver's login path reads: keyinfo's notification counts, config/{option}, blockper."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from aiohttp.test_utils import TestClient

from chain.address import address_to_string
from chain.txcodec import build_client_tx
from node.app import create_app
from node.config import Config
from tests.helpers import Wallet, call_contract, ok, send_txs, smart_tx, utxo_tx, wait_status

Client = TestClient[Any, Any]

# The basic app's contract names: the notifications and roles_participants tables let only
# these insert (ContractAccess), so the founder deploys stand-ins under the same names.
NOTIFY = """contract NotificationsSend {
    data {
        Account string
        RoleId int
        Type int
        Closed int "optional"
        Started int "optional"
        Processor string "optional"
    }
    action {
        var recipient map
        recipient["account"] = $Account
        recipient["role_id"] = Str($RoleId)
        var proc map
        proc["account"] = $Processor
        $result = DBInsert("notifications", {recipient: recipient,
            notification: {"type": $Type, "header": "hello"}, page_name: "default_page",
            closed: $Closed, date_start_processing: $Started, processing_info: proc})
    }
}"""

ASSIGN = """contract RolesAssign {
    data {
        Account string
        RoleId int
        RoleName string
        Deleted int "optional"
    }
    action {
        $result = DBInsert("roles_participants", {
            role: {"id": Str($RoleId), "name": $RoleName, "type": "1"},
            member: {"account": $Account}, deleted: $Deleted})
    }
}"""


async def get(client: Client, path: str) -> tuple[int, Any]:
    resp = await client.get("/api/v2/" + path)
    return resp.status, await resp.json()


async def _call_all(
    client: Client, wallet: Wallet, name: str, calls: list[dict[str, Any]]
) -> None:
    """Send every call of one contract in one sendTx batch and wait for each to pass."""
    resp = await client.get(f"/api/v2/contract/{name}", headers=wallet.auth)
    contract_id = (await resp.json())["id"]
    now = int(time.time())
    # Equal calls would be one tx: each gets its own second.
    raws = [
        build_client_tx(
            smart_tx(wallet, contract_id=contract_id, params=params, time_s=now - i),
            wallet.private,
            wallet.crypto,
        )
        for i, params in enumerate(calls)
    ]
    status, body = await send_txs(client, wallet, *raws)
    assert status == 200, body
    for tx_hash in {h for h in body["hashes"] if len(h) == 64}:
        ok(await wait_status(client, wallet, tx_hash))


async def test_keyinfo_counts_unread_notifications_per_role(
    client: Client, config: Config, founder: Wallet
) -> None:
    me = address_to_string(founder.key_id)
    other = "1111-2222-3333-4444-5555"
    wallet = f"keyinfo/{founder.key_id}"
    # A known key always has the entry of role "0", the notifications addressed to it alone.
    _, body = await get(client, wallet)
    assert body["ecosystems"] == [
        {
            "ecosystem": "1",
            "name": "platform ecosystem",
            "digits": 12,
            "notifications": [{"role_id": "0", "count": 0}],
        }
    ]

    deploy = {"ApplicationId": 1, "Conditions": 'ContractConditions("MainCondition")'}
    ok(await call_contract(client, founder, "@1NewContract", dict(deploy, Value=NOTIFY)))
    ok(await call_contract(client, founder, "@1NewContract", dict(deploy, Value=ASSIGN)))
    await _call_all(
        client,
        founder,
        "@1RolesAssign",
        [
            {"Account": me, "RoleId": 7, "RoleName": "Admin"},
            {"Account": me, "RoleId": 3, "RoleName": "Auditor"},
            {"Account": me, "RoleId": 9, "RoleName": "Former", "Deleted": 1},
            {"Account": other, "RoleId": 5, "RoleName": "Other"},
        ],
    )
    await _call_all(
        client,
        founder,
        "@1NotificationsSend",
        [
            # To the account: two open ones count; a closed one and another account's do not.
            {"Account": me, "RoleId": 0, "Type": 1},
            {"Account": me, "RoleId": 0, "Type": 1},
            {"Account": me, "RoleId": 0, "Type": 1, "Closed": 1},
            {"Account": other, "RoleId": 0, "Type": 1},
            # To role 7: open and unclaimed, or being processed by this account, count.
            {"Account": "", "RoleId": 7, "Type": 2},
            {"Account": "", "RoleId": 7, "Type": 2, "Started": 5, "Processor": me},
            {"Account": "", "RoleId": 7, "Type": 2, "Started": 5, "Processor": other},
            {"Account": "", "RoleId": 7, "Type": 2, "Closed": 1},
            # Roles the account does not hold (or no longer holds) count nowhere.
            {"Account": "", "RoleId": 5, "Type": 2},
            {"Account": "", "RoleId": 9, "Type": 2},
        ],
    )
    status, body = await get(client, wallet)
    assert status == 200
    [entry] = body["ecosystems"]
    assert entry["roles"] == [{"id": "7", "name": "Admin"}, {"id": "3", "name": "Auditor"}]
    assert entry["notifications"] == [
        {"role_id": "0", "count": 2},
        {"role_id": "7", "count": 2},
        {"role_id": "3", "count": 0},
    ]


async def test_config_option_centrifugo_without_live_events(
    aiohttp_client: Callable[..., Any], make_config: Callable[..., Config]
) -> None:
    # Live events off: the reference's answer when its Centrifugo client cannot reach one.
    client = await aiohttp_client(create_app(make_config(events=False)))
    assert await get(client, "config/centrifugo") == (
        400,
        {"error": "E_SERVER", "msg": "publisher not initialized"},
    )
    assert await get(client, "config/other") == (
        404,
        {"error": "E_NOTFOUND", "msg": "Page not found"},
    )
    network = await get(client, "network")
    assert network[1]["centrifugo_url"] == ""
    # No live events, no route and no token for them.
    resp = await client.get("/connection/websocket")
    assert resp.status == 404
    founder = Wallet(
        Config().crypto,
        private=bytes.fromhex((make_config().data_dir / "PrivateKey").read_text()),
    )
    assert "notify_key" not in await founder.login(client)


async def test_blocks_per_node_and_mode(client: Client, founder: Wallet) -> None:
    status, body = await send_txs(client, founder, utxo_tx(founder, 5555, 3))
    assert status == 200, body
    ok(await wait_status(client, founder, next(h for h in body["hashes"] if len(h) == 64)))
    _, head = await get(client, "maxblockid")
    total = head["max_block_id"]
    blocks = [(await get(client, f"block/{i}"))[1] for i in range(1, total + 1)]
    ours = sum(1 for b in blocks if b["node_position"] == 0 and b["consensus_mode"] == 1)
    assert ours == total  # this node signs every block, as honor node 0

    assert await get(client, "metrics/blockper/0/1") == (
        200,
        {"totalcount": total, "partialcount": ours},
    )
    assert await get(client, "metrics/blockper/0/2") == (
        200,
        {"totalcount": total, "partialcount": 0},
    )
    assert await get(client, "metrics/blockper/3/1") == (
        200,
        {"totalcount": total, "partialcount": 0},
    )
    # Both path values are read as StrToInt64 reads them: bad syntax is 0, overflow saturates.
    assert (await get(client, "metrics/blockper/zero/1"))[1]["partialcount"] == ours
    assert (await get(client, "metrics/blockper/99999999999999999999/1"))[1][
        "partialcount"
    ] == 0
    assert (await get(client, "metrics/blockper/0/+1"))[1]["partialcount"] == ours
    for mode in ("0", "3", "x", "-1"):
        assert await get(client, f"metrics/blockper/0/{mode}") == (
            404,
            {"error": "E_PARAMNOTFOUND", "msg": "Parameter mode has not been found"},
        )
