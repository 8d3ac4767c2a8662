"""Live events over a real WebSocket: blocks and tx statuses while txs land, on both backends."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import aiohttp
from aiohttp.test_utils import TestClient

from api.appkeys import ENGINE
from api.events.hub import EVENTS
from chain.address import address_to_string
from chain.storage.engine import write_transaction
from chain.storage.repo.txs import QueuedTx, enqueue
from chain.txcheck import MAX_TX_AGE_S
from chain.txcodec import decode_tx
from node.app import create_app
from node.config import Config
from tests.helpers import Wallet, call_contract, send_txs, utxo_tx

PATH = "/connection/websocket"
Client = TestClient[Any, Any]
Socket = aiohttp.ClientWebSocketResponse


async def receive(ws: Socket, timeout: float = 15) -> dict[str, Any]:
    """The next JSON message (one line of a frame)."""
    message = await ws.receive(timeout=timeout)
    assert message.type is aiohttp.WSMsgType.TEXT, message
    lines = [line for line in message.data.split("\n") if line]
    assert len(lines) == 1, lines
    body: dict[str, Any] = json.loads(lines[0])
    return body


async def call(ws: Socket, command_id: int, method: int, **params: Any) -> dict[str, Any]:
    """Send one command and answer its reply (publications must not come in between here)."""
    command: dict[str, Any] = {"id": command_id, "method": method}
    if params:
        command["params"] = params
    await ws.send_str(json.dumps(command))
    answer = await receive(ws)
    assert answer.get("id") == command_id, answer
    return answer


async def connected(client: Client, **params: Any) -> Socket:
    ws = await client.ws_connect(PATH)
    answer = await call(ws, 1, 0, **params)
    assert set(answer["result"]) == {"client", "version"}, answer
    return ws


async def subscribe(ws: Socket, command_id: int, channel: str) -> None:
    assert await call(ws, command_id, 1, channel=channel) == {"id": command_id, "result": {}}


async def publications(ws: Socket, count: int) -> list[tuple[str, Any]]:
    """The next `count` publications as (channel, payload)."""
    found = []
    for _ in range(count):
        push = await receive(ws)
        assert "id" not in push, push
        found.append((push["result"]["channel"], push["result"]["data"]["data"]))
    return found


def signed(wallet: Wallet, to: int, amount: int) -> tuple[bytes, str]:
    raw = utxo_tx(wallet, to, amount)
    return raw, decode_tx(raw, wallet.crypto).hash.hex()


async def test_blocks_and_tx_statuses_arrive_while_txs_land(
    client: Client, founder: Wallet
) -> None:
    ws = await connected(client)
    await subscribe(ws, 2, "blocks")
    raw, tx_hash = signed(founder, 5555, 7)
    await subscribe(ws, 3, f"tx:{tx_hash}")
    status, body = await send_txs(client, founder, raw)
    assert status == 200, body
    found = dict(await publications(ws, 2))
    block = found["blocks"]
    tx = found[f"tx:{tx_hash}"]
    assert tx == {"hash": tx_hash, "blockid": str(block["id"]), "result": "", "penalty": 0}
    assert block["tx_count"] == 1
    # The block's publication is block/{id}'s answer, plus its id.
    resp = await client.get(f"/api/v2/block/{block['id']}")
    assert {k: v for k, v in block.items() if k != "id"} == await resp.json()
    # Later blocks keep coming, each once, in order.
    raw2, _ = signed(founder, 5555, 8)
    await send_txs(client, founder, raw2)
    [(channel, later)] = await publications(ws, 1)
    assert channel == "blocks" and later["id"] == block["id"] + 1
    await ws.close()


async def test_a_tx_that_settled_before_the_subscription_is_told_at_once(
    client: Client, founder: Wallet
) -> None:
    raw, tx_hash = signed(founder, 5555, 1)
    await send_txs(client, founder, raw)
    for _ in range(300):  # until the tx is in its block
        resp = await client.get(f"/api/v2/txinfo/{tx_hash}")
        if (await resp.json())["blockid"]:
            break
        await asyncio.sleep(0.05)
    ws = await connected(client)
    await subscribe(ws, 2, f"tx:{tx_hash.upper()}")
    [(channel, tx)] = await publications(ws, 1)
    # Told on the channel as the client named it.
    assert channel == f"tx:{tx_hash.upper()}" and tx["hash"] == tx_hash and tx["blockid"]


async def test_subscribing_by_key_hears_every_tx_the_key_signs(
    client: Client, founder: Wallet, config: Config
) -> None:
    other = Wallet(config.crypto)
    await other.login(client)
    ws = await connected(client)
    channel = f"key:{address_to_string(founder.key_id)}"
    await subscribe(ws, 2, channel)
    # The same key by its id is the same subscription.
    answer = await call(ws, 3, 1, channel=f"key:{founder.key_id}")
    assert answer["error"]["code"] == 105, answer
    mine = [signed(founder, 5555, n) for n in (1, 2)]
    status, body = await send_txs(client, founder, *(raw for raw, _ in mine))
    assert status == 200, body
    # Another key's tx is not told here.
    await send_txs(client, other, signed(other, 5555, 1)[0])
    heard = await publications(ws, 2)
    assert {channel} == {c for c, _ in heard}
    assert sorted(tx["hash"] for _, tx in heard) == sorted(h for _, h in mine)
    # A failed tx is told with its error, on the key's channel too.
    raw, tx_hash = signed(founder, 5555, 10**40)  # more than the founder has
    await send_txs(client, founder, raw)
    [(_, failed)] = await publications(ws, 1)
    assert failed["hash"] == tx_hash and failed["penalty"] == 1 and failed["blockid"]
    assert "not enough" in failed["errmsg"]["error"]


async def test_a_tx_refused_when_its_block_runs_is_told_on_its_channels(
    client: Client, founder: Wallet
) -> None:
    # Queued long ago (say, before the node was down for a day): by the time a block takes it,
    # it is too old. It is refused in no block, and its listeners hear that too.
    old = int(time.time()) - MAX_TX_AGE_S - 60
    raw = utxo_tx(founder, 5555, 1, time_s=old)
    decoded = decode_tx(raw, founder.crypto)
    tx_hash = decoded.hash.hex()
    ws = await connected(client)
    await subscribe(ws, 2, f"key:{address_to_string(founder.key_id)}")
    await subscribe(ws, 3, f"tx:{tx_hash}")
    queued = QueuedTx(
        decoded.hash, raw, founder.key_id, 1, int(decoded.tx.tx_type), old * 1000
    )
    async with write_transaction(client.app[ENGINE]) as conn:
        await enqueue(conn, [queued])
    heard = await publications(ws, 2)  # the producer polls the queue: no wake-up needed
    assert sorted(channel for channel, _ in heard) == sorted(
        [f"key:{address_to_string(founder.key_id)}", f"tx:{tx_hash}"]
    )
    for _, refused in heard:
        assert refused["hash"] == tx_hash and refused["blockid"] == ""
        assert "older than" in refused["errmsg"]["error"], refused
    await ws.close()


async def test_bad_commands_get_error_replies_and_the_connection_stays(client: Client) -> None:
    ws = await client.ws_connect(PATH)
    answer = await call(ws, 5, 1, channel="blocks")
    assert answer["error"] == {"code": 107, "message": "send connect (method 0) first"}
    await call(ws, 6, 0)
    cases = [
        ({"id": 7, "method": 1, "params": {"channel": "nothing"}}, 102),
        ({"id": 8, "method": 1, "params": {"channel": "tx:zz"}}, 102),
        ({"id": 9, "method": 1, "params": {"channel": "client1234"}}, 102),
        ({"id": 10, "method": 1, "params": {}}, 107),
        ({"id": 11, "method": 3, "params": {"channel": "blocks", "data": {}}}, 103),
        ({"id": 12, "method": 6, "params": {"channel": "blocks"}}, 108),
        ({"id": 13, "method": 42}, 104),
        ({"id": 14, "method": 0}, 107),
    ]
    for command, code in cases:
        await ws.send_str(json.dumps(command))
        answer = await receive(ws)
        assert answer["id"] == command["id"] and answer["error"]["code"] == code, answer
        assert answer["error"]["message"]
    assert await call(ws, 15, 7) == {"id": 15, "result": {}}  # ping: still connected
    await ws.close()


async def test_a_frame_that_is_not_commands_gets_an_error_frame_and_a_close(
    client: Client,
) -> None:
    for frame in ("not json", "[1, 2]", '{"method": 1}', '{"id": 1, "params": 3}'):
        ws = await connected(client)
        await ws.send_str(frame)
        error = await receive(ws)
        assert error["error"]["code"] == 107 and error["error"]["message"], (frame, error)
        closing = await ws.receive(timeout=5)
        assert closing.type is aiohttp.WSMsgType.CLOSE, closing
        assert closing.data == 3003
        assert json.loads(closing.extra) == {"reason": "bad request", "reconnect": False}
    ws = await connected(client)
    await ws.send_bytes(b"\x00\x01")
    assert (await receive(ws))["error"]["message"] == "frames are JSON text"


async def test_notify_keys_connect_other_tokens_do_not(client: Client, founder: Wallet) -> None:
    # The login's notify_key (go-ibax's Centrifugo token) connects, as Weaver does.
    ws = await connected(client, token=founder.login_body["notify_key"])
    await ws.close()
    # A login token is not a connect token: the connection is closed, not to be retried.
    ws = await client.ws_connect(PATH)
    await ws.send_str(json.dumps({"id": 1, "params": {"token": founder.token}}))
    closing = await ws.receive(timeout=5)
    assert closing.type is aiohttp.WSMsgType.CLOSE and closing.data == 3002
    assert json.loads(closing.extra) == {"reason": "invalid token", "reconnect": False}


async def test_idle_and_extra_clients_are_bounded(
    aiohttp_client: Callable[..., Any], make_config: Callable[..., Config]
) -> None:
    client: Client = await aiohttp_client(create_app(make_config(events_max_clients=3)))
    hub = client.app[EVENTS]
    hub.limits = replace(hub.limits, connect_timeout=0.3, max_channels=2)
    sockets = [await client.ws_connect(PATH) for _ in range(3)]
    upgrade = {
        "Upgrade": "websocket",
        "Connection": "Upgrade",
        "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
        "Sec-WebSocket-Version": "13",
    }
    resp = await client.get(PATH, headers=upgrade)
    assert resp.status == 503
    assert (await resp.json())["error"] == "E_SERVER"
    # Clients that never send connect are closed (stale), which frees their places.
    for ws in sockets:
        closing = await ws.receive(timeout=5)
        assert closing.type is aiohttp.WSMsgType.CLOSE and closing.data == 3007
    for _ in range(50):
        if not hub.sessions:
            break
        await asyncio.sleep(0.02)
    assert not hub.sessions
    ws = await connected(client)
    await subscribe(ws, 2, "blocks")
    await subscribe(ws, 3, "key:0000-0000-0000-0000-5555")
    answer = await call(ws, 4, 1, channel=f"tx:{'ab' * 32}")
    assert answer["error"]["code"] == 106
    # A plain GET is told this is a WebSocket endpoint.
    resp = await client.get(PATH)
    assert resp.status == 400 and "WebSocket" in (await resp.json())["msg"]


async def test_config_centrifugo_names_the_node_itself(client: Client, founder: Wallet) -> None:
    resp = await client.get("/api/v2/config/centrifugo")
    url = await resp.json()
    assert resp.status == 200 and url == f"ws://{client.host}:{client.port}"
    network = await (await client.get("/api/v2/network")).json()
    assert network["centrifugo_url"] == f"http://{client.host}:{client.port}"
    # Weaver connects to what it answers, plus Centrifugo's path.
    async with aiohttp.ClientSession() as session:
        ws = await session.ws_connect(url + PATH)
        token = founder.login_body["notify_key"]
        await ws.send_str(json.dumps({"id": 1, "params": {"token": token}}))
        assert "client" in (await receive(ws))["result"]
        await ws.close()


async def test_notification_counts_reach_the_accounts_channel(
    client: Client, founder: Wallet
) -> None:
    # What Weaver subscribes to: "client" + its account's address; go-ibax's payload.
    account = address_to_string(founder.key_id)
    ws = await connected(client)
    await subscribe(ws, 2, f"client{account}")
    # Only @1NotificationsSend may write notifications: the founder writes that contract.
    source = """contract NotificationsSend {
    data { Account string }
    action {
        DBInsert("notifications", {recipient: {"account": $Account},
            notification: {"type": 1, "header": "hi", "body": "there"},
            date_created: $block_time, closed: 0})
    }
}"""
    status = await call_contract(
        client,
        founder,
        "@1NewContract",
        {"ApplicationId": "1", "Value": source, "Conditions": "true"},
    )
    assert status["penalty"] == 0, status
    status = await call_contract(client, founder, "NotificationsSend", {"Account": account})
    assert status["penalty"] == 0, status
    [(channel, counts)] = await publications(ws, 1)
    assert channel == f"client{account}"
    assert counts == [{"ecosystem": "1", "role_id": "0", "count": 1}]
    keyinfo = await (await client.get(f"/api/v2/keyinfo/{account}")).json()
    assert keyinfo["ecosystems"][0]["notifications"] == [{"role_id": "0", "count": 1}]


async def test_a_client_that_vanishes_mid_write_is_forgotten_quietly(
    client: Client, caplog: Any
) -> None:
    hub = client.app[EVENTS]
    ws = await connected(client)
    [session] = hub.sessions
    transport = ws._response.connection.transport  # type: ignore[union-attr]
    assert transport is not None
    transport.abort()  # gone without a close frame
    for n in range(200):  # the writer meets the dead connection while it writes
        session.push(json.dumps({"result": {"channel": "blocks", "data": {"data": n}}}))
    for _ in range(100):
        if not hub.sessions:
            break
        await asyncio.sleep(0.02)
    assert not hub.sessions
    assert [r for r in caplog.records if r.levelname == "ERROR"] == []
