"""Every CCash endpoint on v1 and v2: statuses, bodies and errors as the seed and original give."""

from __future__ import annotations

import asyncio
import base64
from typing import Any

from aiohttp.test_utils import TestClient

from node.app import create_app
from tests.api.bank.conftest import ADMIN, ADMIN_AUTH, ADMIN_PW, JSON, balance, basic, register

Client = TestClient[Any, Any]


async def answer(resp: Any) -> tuple[int, str]:
    return resp.status, await resp.text()


async def test_properties_help_and_version_paths(bank: Client) -> None:
    resp = await bank.get("/api/properties")
    assert await answer(resp) == (
        200,
        '{"version":2,"min_version":1,"max_log":100,"add_user_open":true,'
        '"return_on_del":null,"min_name_size":3,"max_name_size":16}',
    )
    assert resp.content_type == "application/json"
    resp = await bank.get("/api/help", allow_redirects=False)
    assert resp.status == 301
    assert resp.headers["Location"].startswith("https://")
    # GetLog is v1 only, GetLogV2 v2 only; the rest answer on both.
    for version in (1, 2):
        resp = await bank.get(f"/api/v{version}/user/balance?name={ADMIN}", headers=JSON)
        assert await answer(resp) == (200, "0")
    assert (await bank.get("/api/v3/user/balance?name=admin", headers=JSON)).status == 404


async def test_balance_and_exists(bank: Client) -> None:
    await register(bank, "alice", amount=42)
    for version in (1, 2):
        base = f"/api/v{version}/user"
        assert await answer(await bank.get(f"{base}/balance?name=alice", headers=JSON)) == (
            200,
            "42",
        )
        assert await answer(await bank.get(f"{base}/balance?name=nobody", headers=JSON)) == (
            404,
            '"User not found"',
        )
        assert await answer(await bank.get(f"{base}/balance", headers=JSON)) == (
            404,
            '"User not found"',
        )
        assert await answer(await bank.get(f"{base}/exists?name=alice", headers=JSON)) == (
            204,
            "",
        )
        assert await answer(await bank.get(f"{base}/exists?name=ALICE", headers=JSON)) == (
            404,
            '"User not found"',
        )
    # Accept: */* passes, a missing or other Accept is 406 (Jresp).
    resp = await bank.get("/api/v1/user/balance?name=alice", headers={"Accept": "*/*"})
    assert await answer(resp) == (200, "42")
    resp = await bank.get("/api/v1/user/balance?name=alice", headers={"Accept": "text/html"})
    assert await answer(resp) == (406, '"Client must Accept JSON"')
    resp = await bank.get("/api/v1/user/exists?name=alice", headers={"Accept": ""})
    assert resp.status == 406


async def test_register_open_and_admin(bank: Client) -> None:
    # No Content-Type at all, as CCash-Exchange sends it; the body is hand-built JSON.
    resp = await bank.post("/api/v1/user/register", data=b'{"name": "carol", "pass": "pw"}')
    assert await answer(resp) == (204, "")
    resp = await bank.post("/api/v2/user/register", json={"name": "carol", "pass": "x"})
    assert await answer(resp) == (409, '"User already exists"')
    for bad in ("ab", "Bob", "a" * 17, "bad-name", "Ω"):
        resp = await bank.post("/api/v1/user/register", json={"name": bad, "pass": "x"})
        assert await answer(resp) == (400, '"Invalid Username"'), bad
    resp = await bank.post("/api/v1/user/register", data=b"")
    assert await answer(resp) == (400, '"Invalid JSON"')
    resp = await bank.post("/api/v1/user/register", data=b'{"name": "dave"}')
    assert await answer(resp) == (400, '"Missing/Invalid JSON arg(s)"')
    resp = await bank.post("/api/v1/user/register", data=b"[1,2]")
    assert await answer(resp) == (400, '"Missing/Invalid JSON arg(s)"')
    # An amount in a user registration is ignored.
    resp = await bank.post(
        "/api/v1/user/register", json={"name": "dave", "pass": "pw", "amount": 500}
    )
    assert resp.status == 204
    assert await balance(bank, "dave") == 0
    # The admin's: a starting balance; all three fields; Jreq; admin only.
    body = {"name": "erin", "amount": 7, "pass": "pw"}
    resp = await bank.post("/api/v2/admin/user/register", json=body, headers=ADMIN_AUTH)
    assert await answer(resp) == (204, "")
    assert await balance(bank, "erin") == 7
    resp = await bank.post(
        "/api/v2/admin/user/register", json={"name": "fred", "pass": "pw"}, headers=ADMIN_AUTH
    )
    assert await answer(resp) == (400, '"Missing/Invalid JSON arg(s)"')
    resp = await bank.post(
        "/api/v2/admin/user/register",
        json={"name": "fred", "amount": 1 << 32, "pass": "pw"},
        headers=ADMIN_AUTH,
    )
    assert resp.status == 400
    resp = await bank.post(
        "/api/v1/admin/user/register", json=body | {"name": "fred"}, headers=basic("dave", "pw")
    )
    assert await answer(resp) == (401, '"Invalid Credentials"')
    resp = await bank.post(
        "/api/v1/admin/user/register",
        data=b'{"name":"fred","amount":1,"pass":"p"}',
        headers={"Authorization": ADMIN_AUTH["Authorization"], "Accept": "*/*"},
    )
    assert await answer(resp) == (406, '"Client must Accept and have content-type of JSON"')
    # Nobody can take the admin's name: it is provisioned at start.
    resp = await bank.post("/api/v1/user/register", json={"name": ADMIN, "pass": "mine"})
    assert await answer(resp) == (409, '"User already exists"')


async def test_transfer_and_its_errors(bank: Client) -> None:
    await register(bank, "alice", amount=100)
    await register(bank, "bob", amount=(1 << 32) - 11)
    alice = basic("alice", "pw")

    async def send(body: Any, headers: dict[str, str] = alice, version: int = 1) -> Any:
        return await answer(
            await bank.post(f"/api/v{version}/user/transfer", json=body, headers=headers)
        )

    assert await send({"name": "bob", "amount": 5}) == (200, "95")
    assert await send({"name": "bob", "amount": 5}, version=2) == (200, "90")
    assert await send({"name": "bob", "amount": 0}) == (400, '"Amount cannot be 0"')
    assert await send({"name": "alice", "amount": 1}) == (400, '"Names cannot match"')
    assert await send({"name": "nobody", "amount": 1}) == (404, '"Reciever does not exist"')
    assert await send({"name": "bob", "amount": 91}) == (400, '"Insufficient funds"')
    # bob holds 2^32 - 1 now: one more unit would wrap in the original; here it is refused.
    assert await balance(bank, "bob") == (1 << 32) - 1
    assert await send({"name": "bob", "amount": 1}) == (400, '"Balance would overflow"')
    assert await balance(bank, "alice") == 90
    for bad in (
        {"name": "bob"},
        {"name": "bob", "amount": -1},
        {"name": "bob", "amount": "1"},
        {"name": "bob", "amount": 1.5},
        {"name": "bob", "amount": True},
        {"name": 5, "amount": 1},
        {"name": "bob", "amount": 1 << 32},
    ):
        assert await send(bad) == (400, '"Missing/Invalid JSON arg(s)"'), bad
    assert await send({"name": "bob", "amount": 1}, basic("alice", "wrong")) == (
        401,
        '"Invalid Credentials"',
    )
    # Jreq: a charset parameter is fine; another type or a missing Accept is 406.
    headers = alice | {"Content-Type": "application/json; charset=utf-8"}
    assert await send({"name": "bob", "amount": 0}, headers) == (400, '"Amount cannot be 0"')
    for broken in ({"Content-Type": "text/plain"}, {"Accept": "text/html"}):
        resp = await bank.post(
            "/api/v1/user/transfer", data=b'{"name":"bob","amount":1}', headers=alice | broken
        )
        assert await answer(resp) == (406, '"Client must Accept and have content-type of JSON"')
    # The authenticated user sends, whatever the query says.
    resp = await bank.post(
        "/api/v1/user/transfer?name=bob", json={"name": "erin", "amount": 1}, headers=alice
    )
    assert await answer(resp) == (404, '"Reciever does not exist"')


async def test_basic_auth_rules(bank: Client) -> None:
    await register(bank, "alice", password="p:w")  # the password may hold ':'
    ok = basic("alice", "p:w")
    assert (await bank.post("/api/v1/user/verify_password", headers=ok)).status == 204
    assert (await bank.post("/api/v2/user/verify_password", headers=ok)).status == 204
    bad_headers = [
        {},
        {"Authorization": "Bearer abc"},
        {"Authorization": "Basic !!!"},
        {"Authorization": "Basic " + base64.b64encode(b"alice").decode()},
        {"Authorization": "Basic " + base64.b64encode(b"ALICE:p:w").decode()},
        basic("alice", "p:x"),
        basic("nobody", "p:w"),
    ]
    for headers in bad_headers:
        resp = await bank.post("/api/v1/user/verify_password", headers=JSON | headers)
        assert await answer(resp) == (401, '"Invalid Credentials"'), headers
    # User filter first, then Accept.
    resp = await bank.post(
        "/api/v1/user/verify_password",
        headers={"Authorization": ok["Authorization"], "Accept": "text/html"},
    )
    assert await answer(resp) == (406, '"Client must Accept JSON"')
    # Admin endpoints refuse a plain user with the right password.
    resp = await bank.post("/api/v1/admin/verify_account", headers=ok)
    assert await answer(resp) == (401, '"Invalid Credentials"')
    assert (await bank.post("/api/v2/admin/verify_account", headers=ADMIN_AUTH)).status == 204


async def test_change_password(bank: Client) -> None:
    await register(bank, "alice", password="old")
    old, new = basic("alice", "old"), basic("alice", "new")
    assert (await bank.post("/api/v1/user/verify_password", headers=old)).status == 204
    resp = await bank.patch("/api/v1/user/change_password", json={"pass": "new"}, headers=old)
    assert await answer(resp) == (204, "")
    # The cached verification of the old password is gone at once.
    assert (await bank.post("/api/v1/user/verify_password", headers=old)).status == 401
    assert (await bank.post("/api/v1/user/verify_password", headers=new)).status == 204
    resp = await bank.patch("/api/v2/user/change_password", json={"pas": "x"}, headers=new)
    assert await answer(resp) == (400, '"Missing/Invalid JSON arg(s)"')
    resp = await bank.patch(
        "/api/v2/admin/user/change_password",
        json={"name": "alice", "pass": "adm"},
        headers=ADMIN_AUTH,
    )
    assert await answer(resp) == (204, "")
    assert (await bank.post("/api/v1/user/verify_password", headers=new)).status == 401
    resp = await bank.patch(
        "/api/v1/admin/user/change_password",
        json={"name": "zed", "pass": "x"},
        headers=ADMIN_AUTH,
    )
    assert await answer(resp) == (404, '"User not found"')
    resp = await bank.patch(
        "/api/v1/admin/user/change_password",
        json={"name": "alice", "pass": "x"},
        headers=basic("alice", "adm"),
    )
    assert await answer(resp) == (401, '"Invalid Credentials"')


async def test_set_and_impact_balance(bank: Client) -> None:
    await register(bank, "alice", amount=10)
    for version in (1, 2):
        resp = await bank.patch(
            f"/api/v{version}/admin/set_balance",
            json={"name": "alice", "amount": 50},
            headers=ADMIN_AUTH,
        )
        assert await answer(resp) == (204, "")
    resp = await bank.patch(
        "/api/v1/admin/set_balance", json={"name": "zed", "amount": 5}, headers=ADMIN_AUTH
    )
    assert await answer(resp) == (404, '"User not found"')
    resp = await bank.patch(
        "/api/v1/admin/set_balance", json={"name": "alice", "amount": -5}, headers=ADMIN_AUTH
    )
    assert await answer(resp) == (400, '"Missing/Invalid JSON arg(s)"')

    async def impact(amount: int, name: str = "alice") -> tuple[int, str]:
        return await answer(
            await bank.post(
                "/api/v2/admin/impact_balance",
                json={"name": name, "amount": amount},
                headers=ADMIN_AUTH,
            )
        )

    assert await impact(25) == (200, "75")
    assert await impact(-100) == (200, "0")  # clamps at 0
    assert await impact(0) == (400, '"Amount cannot be 0"')
    assert await impact(0, "zed") == (400, '"Amount cannot be 0"')  # checked before the name
    assert await impact(5, "zed") == (404, '"User not found"')
    assert await impact(1 << 32) == (400, '"Balance would overflow"')
    resp = await bank.get("/api/v2/user/log", headers=basic("alice", "pw"))
    assert resp.status == 200
    entries = await resp.json()
    assert [(e["counterparty"], e["receiving"], e["amount"]) for e in entries] == [
        ("Ω", False, 75),
        ("Ω", True, 25),
        ("Ω", False, 0),
        ("Ω", True, 40),
    ]


async def test_logs_v1_v2_and_admin(bank: Client) -> None:
    await register(bank, "alice", amount=100)
    await register(bank, "bob")
    alice, bob = basic("alice", "pw"), basic("bob", "pw")
    assert await answer(await bank.get("/api/v2/user/log", headers=bob)) == (200, "null")
    assert await answer(await bank.get("/api/v1/user/log", headers=bob)) == (200, "null")
    for amount in (1, 2, 3):
        resp = await bank.post(
            "/api/v1/user/transfer", json={"name": "bob", "amount": amount}, headers=alice
        )
        assert resp.status == 200
    v2 = await (await bank.get("/api/v2/user/log", headers=alice)).json()
    assert [(e["counterparty"], e["receiving"], e["amount"]) for e in v2] == [
        ("bob", False, 3),
        ("bob", False, 2),
        ("bob", False, 1),
    ]
    assert set(v2[0]) == {"counterparty", "receiving", "amount", "time"}
    v1 = await (await bank.get("/api/v1/user/log", headers=bob)).json()
    assert [(e["to"], e["from"], e["amount"]) for e in v1] == [
        ("bob", "alice", 1),
        ("bob", "alice", 2),
        ("bob", "alice", 3),
    ]
    assert all(isinstance(e["time"], int) and e["time"] > 1_600_000_000 for e in v1)
    # v1 has no GetLogV2 and v2 no GetLog: each path has its own shape.
    resp = await bank.get("/api/v1/admin/user/log?name=bob", headers=ADMIN_AUTH)
    assert [e["counterparty"] for e in await resp.json()] == ["alice"] * 3
    resp = await bank.get("/api/v1/admin/user/log?name=zed", headers=ADMIN_AUTH)
    assert await answer(resp) == (404, '"User not found"')
    resp = await bank.get("/api/v2/user/log", headers=basic("bob", "bad"))
    assert await answer(resp) == (401, '"Invalid Credentials"')
    resp = await bank.get(
        "/api/v2/user/log", headers={"Authorization": bob["Authorization"], "Accept": "text/html"}
    )
    assert await answer(resp) == (406, '"Client must Accept JSON"')


async def test_delete_self_and_admin_delete(bank: Client) -> None:
    for name in ("alice", "bob", "carl"):
        await register(bank, name, amount=5)
    resp = await bank.post(
        "/api/v1/user/transfer", json={"name": "carl", "amount": 1}, headers=basic("alice", "pw")
    )
    assert resp.status == 200
    resp = await bank.get("/api/v2/user/log", headers=basic("alice", "pw"))  # now cached
    assert len(await resp.json()) == 1
    # Self-delete always deletes, also the second one on the same connection.
    for name in ("alice", "bob"):
        resp = await bank.delete("/api/v1/user/delete", headers=basic(name, "pw"))
        assert await answer(resp) == (204, "")
        resp = await bank.get(f"/api/v1/user/exists?name={name}", headers=JSON)
        assert resp.status == 404
        resp = await bank.post("/api/v1/user/verify_password", headers=basic(name, "pw"))
        assert resp.status == 401
    resp = await bank.delete("/api/v2/admin/user/delete", json={"name": "carl"}, headers=ADMIN_AUTH)
    assert await answer(resp) == (204, "")
    resp = await bank.delete("/api/v2/admin/user/delete", json={"name": "carl"}, headers=ADMIN_AUTH)
    assert await answer(resp) == (404, '"User not found"')
    # A name can be registered again: a fresh account with an empty log.
    await register(bank, "alice", password="new")
    assert await balance(bank, "alice") == 0
    resp = await bank.get("/api/v2/user/log", headers=basic("alice", "new"))
    assert await answer(resp) == (200, "null")


async def test_prune_users(bank: Client) -> None:
    await register(bank, "poor", amount=3)
    await register(bank, "rich", amount=1000)
    await register(bank, "idle", amount=1)
    resp = await bank.post(
        "/api/v1/user/transfer", json={"name": "poor", "amount": 1}, headers=basic("rich", "pw")
    )
    assert resp.status == 200
    url = "/api/v1/admin/prune_users"
    resp = await bank.post(url, json={"amount": 0}, headers=ADMIN_AUTH)
    assert await answer(resp) == (200, "0")
    # With a time: only users whose newest log entry is older (idle never had one).
    resp = await bank.post(url, json={"amount": 10, "time": 1}, headers=ADMIN_AUTH)
    assert await answer(resp) == (200, "1")
    assert (await bank.get("/api/v1/user/exists?name=idle", headers=JSON)).status == 404
    # Just {"amount"} (or "time": null): everyone poorer, except the admin.
    resp = await bank.post(url, json={"amount": 10, "time": None}, headers=ADMIN_AUTH)
    assert await answer(resp) == (200, "1")
    assert (await bank.get("/api/v1/user/exists?name=poor", headers=JSON)).status == 404
    assert (await bank.get(f"/api/v1/user/exists?name={ADMIN}", headers=JSON)).status == 204
    resp = await bank.post(url, json={"time": 5}, headers=ADMIN_AUTH)
    assert await answer(resp) == (400, '"Missing/Invalid JSON arg(s)"')
    resp = await bank.post(url, json={"amount": 1}, headers=basic("rich", "pw"))
    assert await answer(resp) == (401, '"Invalid Credentials"')


async def test_shutdown_is_admin_only(bank: Client, stops: list[int]) -> None:
    resp = await bank.post("/api/v1/admin/shutdown", headers=basic("admin", "nope"))
    assert await answer(resp) == (401, '"Invalid Credentials"')
    assert stops == []
    resp = await bank.post("/api/v2/admin/shutdown", headers=ADMIN_AUTH)
    assert await answer(resp) == (204, "")
    await asyncio.sleep(0.2)
    assert stops == [1]
    # It stops only once asked by the admin; the request before it changed nothing.


async def test_http_edges(bank: Client) -> None:
    # Wrong method: 405 with Allow, no IBAX envelope; unknown CCash path: 404.
    resp = await bank.post("/api/v1/user/balance", headers=JSON)
    assert resp.status == 405
    assert "GET" in resp.headers["Allow"]
    resp = await bank.get("/api/v1/user/nothing", headers=JSON)
    assert await answer(resp) == (404, '"Not Found"')
    # Browser preflights work on JSON and authenticated endpoints.
    resp = await bank.options(
        "/api/v1/user/transfer",
        headers={
            "Origin": "https://app.example",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization,content-type",
        },
    )
    assert resp.status == 204
    assert resp.headers["Access-Control-Allow-Origin"] == "*"
    assert "POST" in resp.headers["Access-Control-Allow-Methods"]
    assert resp.headers["Access-Control-Allow-Headers"] == "authorization,content-type"
    resp = await bank.options("/api/v1/admin/set_balance", headers={"Origin": "x"})
    assert resp.status == 204 and "PATCH" in resp.headers["Allow"]
    resp = await bank.get("/api/v1/user/balance?name=admin", headers=JSON)
    assert resp.headers["Access-Control-Allow-Origin"] == "*"
    # The IBAX API beside it is untouched.
    resp = await bank.get("/api/v2/version")
    assert await resp.json() == "1.4.3 node server status is running"
    resp = await bank.get("/api/v2/nothing")
    assert (await resp.json())["error"] == "E_NOTFOUND"


async def test_admin_and_return_account_cannot_be_deleted(
    aiohttp_client: Any, make_config: Any
) -> None:
    config = make_config(
        bank_admin=ADMIN,
        bank_admin_password=ADMIN_PW,
        bank_hash_cost=10,
        bank_return_on_del="vault",
    )
    client = await aiohttp_client(create_app(config))
    await register(client, "vault")
    await register(client, "poor", amount=1)
    refused = (403, '"Cannot delete the admin or the return account"')
    resp = await client.delete("/api/v1/user/delete", headers=ADMIN_AUTH)
    assert await answer(resp) == refused
    for name in (ADMIN, "vault"):
        resp = await client.delete(
            "/api/v2/admin/user/delete", json={"name": name}, headers=ADMIN_AUTH
        )
        assert await answer(resp) == refused
    resp = await client.delete("/api/v1/user/delete", headers=basic("vault", "pw"))
    assert await answer(resp) == refused
    # Pruning everyone poorer than 10 leaves both (each holds 0), and the admin still acts.
    resp = await client.post("/api/v1/admin/prune_users", json={"amount": 10}, headers=ADMIN_AUTH)
    assert await answer(resp) == (200, "1")
    for name in (ADMIN, "vault"):
        resp = await client.get(f"/api/v1/user/exists?name={name}", headers=JSON)
        assert resp.status == 204
    # The pruned user's balance went to the return account.
    assert await balance(client, "vault") == 1
    resp = await client.post("/api/v1/user/register", json={"name": ADMIN, "pass": "mine"})
    assert await answer(resp) == (409, '"User already exists"')
