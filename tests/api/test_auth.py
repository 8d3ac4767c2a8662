"""getuid -> login -> auth/status, with both crypto pairs, and every login failure."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from aiohttp.test_utils import TestClient
from sqlalchemy import func, select

from api.appkeys import ENGINE
from api.auth import issue
from chain.address import address_to_string
from chain.crypto import Crypto, Cryptoer, Hasher
from chain.storage.repo.keys import get_key
from chain.storage.schema import transactions_status
from node.app import create_app
from node.config import Config
from tests.helpers import Wallet

Client = TestClient[Any, Any]


async def test_getuid_shape(client: Client, config: Config) -> None:
    resp = await client.get("/api/v2/getuid")
    assert resp.status == 200
    assert resp.headers["Content-Type"].startswith("application/json")
    body = await resp.json()
    assert list(body) == ["uid", "token", "network_id", "cryptoer", "hasher"]
    assert body["network_id"] == "1"
    assert body["cryptoer"] == "ECC_Secp256k1" and body["hasher"] == "KECCAK256"
    assert body["uid"].isdigit()


async def test_getuid_uids_are_unpredictable(client: Client) -> None:
    uids = set()
    for _ in range(20):
        resp = await client.get("/api/v2/getuid")
        uids.add((await resp.json())["uid"])
    # The reference seeds with the current second, so these would all be equal.
    assert len(uids) == 20


async def test_login_with_fresh_key_then_status(client: Client, config: Config) -> None:
    wallet = Wallet(config.crypto)
    body = await wallet.login(client)
    assert body["key_id"] == str(wallet.key_id)
    assert body["account"] == address_to_string(wallet.key_id)
    assert body["ecosystem_id"] == "1"
    assert body["isnode"] is False and body["isowner"] is False and body["clb"] is False
    assert body["timestamp"].isdigit()
    resp = await client.get("/api/v2/auth/status", headers=wallet.auth)
    status = await resp.json()
    assert status["active"] is True and status["exp"] > 0
    resp = await client.get("/api/v2/auth/status")
    assert await resp.json() == {"active": False}
    resp = await client.get("/api/v2/getuid", headers=wallet.auth)
    info = await resp.json()
    assert info["key_id"] == str(wallet.key_id)
    assert info["address"] == address_to_string(wallet.key_id)
    assert info["expire"].startswith("7h59m")
    assert "uid" not in info


async def test_second_login_uses_stored_key_by_key_id(client: Client, config: Config) -> None:
    wallet = Wallet(config.crypto)
    await wallet.login(client)
    resp = await client.get("/api/v2/getuid")
    uid = await resp.json()
    sig = config.crypto.sign(wallet.private, f"LOGIN1{uid['uid']}".encode())
    resp = await client.post(
        "/api/v2/login",
        data={"key_id": address_to_string(wallet.key_id), "signature": sig.hex()},
        headers={"Authorization": f"Bearer {uid['token']}"},
    )
    assert resp.status == 200
    assert (await resp.json())["key_id"] == str(wallet.key_id)


async def test_login_p256_sha256_with_der_signature(
    aiohttp_client: Any, p256_config: Config
) -> None:
    client = await aiohttp_client(create_app(p256_config))
    resp = await client.get("/api/v2/getuid")
    body = await resp.json()
    assert body["cryptoer"] == "ECC_P256" and body["hasher"] == "SHA256"
    wallet = Wallet(Crypto(Cryptoer.P256, Hasher.SHA256))
    await wallet.login(client, der=True)
    resp = await client.get("/api/v2/auth/status", headers=wallet.auth)
    assert (await resp.json())["active"] is True


async def test_founder_login_is_owner(client: Client, config: Config) -> None:
    private = bytes.fromhex((config.data_dir / "PrivateKey").read_text())
    wallet = Wallet(config.crypto, private=private)
    body = await wallet.login(client)
    assert body["isowner"] is True


async def test_node_key_login_is_node(client: Client, config: Config) -> None:
    private = bytes.fromhex((config.data_dir / "NodePrivateKey").read_text())
    wallet = Wallet(config.crypto, private=private)
    body = await wallet.login(client)
    assert body["isnode"] is True


async def _uid(client: Client) -> dict[str, str]:
    resp = await client.get("/api/v2/getuid")
    body: dict[str, str] = await resp.json()
    return body


async def test_wrong_signature_is_e_signature(client: Client, config: Config) -> None:
    wallet = Wallet(config.crypto)
    uid = await _uid(client)
    bad = config.crypto.sign(wallet.private, b"LOGIN1" + b"0")
    resp = await client.post(
        "/api/v2/login",
        data={"pubkey": wallet.public.hex(), "signature": bad.hex()},
        headers={"Authorization": f"Bearer {uid['token']}"},
    )
    assert resp.status == 400
    assert await resp.json() == {"error": "E_SIGNATURE", "msg": "Signature is incorrect"}


async def test_wrong_signature_registers_nothing(client: Client, config: Config) -> None:
    engine = client.app[ENGINE]

    async def facts(key_id: int) -> tuple[bool, int]:
        async with engine.connect() as conn:
            row = await get_key(conn, 1, key_id)
            txs = await conn.scalar(select(func.count()).select_from(transactions_status))
        return row is not None, int(txs or 0)

    wallet, other = Wallet(config.crypto), Wallet(config.crypto)
    before = await facts(wallet.key_id)
    assert before[0] is False
    uid = await _uid(client)
    message = f"LOGIN{uid['network_id']}{uid['uid']}".encode()
    forms = [
        # Signed by another key, or over another message: no proof of the private key.
        {"pubkey": wallet.public.hex(), "signature": other.crypto.sign(other.private, message)},
        {"pubkey": wallet.public.hex(), "signature": wallet.crypto.sign(wallet.private, b"x")},
    ]
    for form in forms:
        resp = await client.post(
            "/api/v2/login",
            data={k: v if isinstance(v, str) else v.hex() for k, v in form.items()},
            headers={"Authorization": f"Bearer {uid['token']}"},
        )
        assert resp.status == 400
        assert await resp.json() == {"error": "E_SIGNATURE", "msg": "Signature is incorrect"}
    # A key_id that is not the pubkey's account: the key would land elsewhere; nothing stored.
    resp = await client.post(
        "/api/v2/login",
        data={
            "pubkey": wallet.public.hex(),
            "key_id": address_to_string(other.key_id),
            "signature": wallet.crypto.sign(wallet.private, message).hex(),
        },
        headers={"Authorization": f"Bearer {uid['token']}"},
    )
    assert resp.status == 400
    assert (await resp.json())["error"] == "E_EMPTYPUBLIC"
    await asyncio.sleep(0.1)  # a registration, had one been queued, would be in a block now
    assert await facts(wallet.key_id) == before
    assert (await facts(other.key_id))[0] is False
    await wallet.login(client)  # the right signature still registers the key
    assert (await facts(wallet.key_id))[0] is True


async def test_token_lifetime_is_capped(aiohttp_client: Any, make_config: Any) -> None:
    config = make_config(max_token_expire=3600)
    client = await aiohttp_client(create_app(config))
    for asked, lifetime in (("", 3600), ("60", 60), ("7776000", 3600), (str(2**63 - 1), 3600)):
        wallet = Wallet(config.crypto)
        now = time.time()
        await wallet.login(client, **({"expire": asked} if asked else {}))
        resp = await client.get("/api/v2/auth/status", headers=wallet.auth)
        exp = (await resp.json())["exp"]
        assert now + lifetime - 2 <= exp <= time.time() + lifetime + 1, asked


async def test_weaver_s_90_days_fit_the_default_cap(client: Client, config: Config) -> None:
    wallet = Wallet(config.crypto)
    now = time.time()
    await wallet.login(client, expire="7776000")  # what Weaver asks for
    exp = (await (await client.get("/api/v2/auth/status", headers=wallet.auth)).json())["exp"]
    assert exp >= now + 7776000 - 2
    await wallet.login(client, expire="77760000")
    exp = (await (await client.get("/api/v2/auth/status", headers=wallet.auth)).json())["exp"]
    assert exp <= time.time() + 7776000 + 1


async def test_login_without_uid_token_is_unknown_uid(client: Client, config: Config) -> None:
    wallet = Wallet(config.crypto)
    resp = await client.post("/api/v2/login", data={"pubkey": wallet.public.hex()})
    assert resp.status == 400
    assert await resp.json() == {"error": "E_UNKNOWNUID", "msg": "Unknown uid"}


async def test_expired_uid_token_is_unknown_uid(client: Client, config: Config) -> None:
    wallet = Wallet(config.crypto)
    key = (config.data_dir / "jwt-secret").read_text().encode()
    token = issue({"uid": "1", "ecosystem_id": "1"}, key, ttl=-10)
    sig = config.crypto.sign(wallet.private, b"LOGIN11")
    resp = await client.post(
        "/api/v2/login",
        data={"pubkey": wallet.public.hex(), "signature": sig.hex()},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert resp.status == 400
    assert (await resp.json())["error"] == "E_UNKNOWNUID"


async def test_uid_token_lives_five_seconds(client: Client, config: Config) -> None:
    import jwt

    uid = await _uid(client)
    claims = jwt.decode(uid["token"], options={"verify_signature": False})
    assert set(claims) == {"uid", "ecosystem_id", "exp"}
    key = (config.data_dir / "jwt-secret").read_text().encode()
    checked = jwt.decode(uid["token"], key, algorithms=["HS256"])
    assert checked["uid"] == uid["uid"]
    import time

    assert 3 <= claims["exp"] - time.time() <= 6


async def test_token_signed_with_other_algorithm_is_ignored(client: Client, config: Config) -> None:
    import jwt

    forged = jwt.encode({"key_id": "5", "exp": 2**40}, "x" * 64, algorithm="HS512")
    resp = await client.get("/api/v2/auth/status", headers={"Authorization": f"Bearer {forged}"})
    assert await resp.json() == {"active": False}
    none_alg = jwt.encode({"key_id": "5", "exp": 2**40}, None, algorithm="none")
    resp = await client.get("/api/v2/auth/status", headers={"Authorization": f"Bearer {none_alg}"})
    assert await resp.json() == {"active": False}


async def test_empty_public_key_for_unknown_key(client: Client, config: Config) -> None:
    uid = await _uid(client)
    other = Wallet(config.crypto)
    resp = await client.post(
        "/api/v2/login",
        data={"key_id": str(other.key_id), "signature": "00" * 64},
        headers={"Authorization": f"Bearer {uid['token']}"},
    )
    assert resp.status == 400
    assert await resp.json() == {"error": "E_EMPTYPUBLIC", "msg": "Public key is undefined"}


async def test_closed_ecosystem_refuses_new_key(client: Client, config: Config) -> None:
    uid = await _uid(client)
    wallet = Wallet(config.crypto)
    sig = config.crypto.sign(wallet.private, f"LOGIN1{uid['uid']}".encode())
    resp = await client.post(
        "/api/v2/login",
        data={"pubkey": wallet.public.hex(), "signature": sig.hex(), "ecosystem": "7"},
        headers={"Authorization": f"Bearer {uid['token']}"},
    )
    assert resp.status == 401
    assert await resp.json() == {
        "error": "E_ECONOTOPEN",
        "msg": "The ecosystem (7) is not open and cannot be registered address",
    }


async def test_role_not_held_is_check_role(client: Client, config: Config) -> None:
    wallet = Wallet(config.crypto)
    await wallet.login(client)
    uid = await _uid(client)
    sig = config.crypto.sign(wallet.private, f"LOGIN1{uid['uid']}".encode())
    resp = await client.post(
        "/api/v2/login",
        data={"key_id": str(wallet.key_id), "signature": sig.hex(), "role_id": "3"},
        headers={"Authorization": f"Bearer {uid['token']}"},
    )
    assert resp.status == 403
    assert await resp.json() == {"error": "E_CHECKROLE", "msg": "Access denied"}


async def test_malformed_login_inputs(client: Client, config: Config) -> None:
    wallet = Wallet(config.crypto)
    cases: list[tuple[dict[str, str], int, str]] = [
        ({"pubkey": "zz", "signature": "00"}, 400, "E_SERVER"),
        ({"pubkey": wallet.public.hex()[:-2], "signature": "00" * 64}, 400, "E_SERVER"),
        ({"pubkey": wallet.public.hex(), "signature": "00" * 10}, 400, "E_SERVER"),
        ({"key_id": "1234-5678-9012-3444-3488", "signature": "00" * 64}, 400, "E_INVALIDWALLET"),
        ({"pubkey": wallet.public.hex(), "ecosystem": "x"}, 400, "E_SERVER"),
    ]
    for form, status, code in cases:
        uid = await _uid(client)
        resp = await client.post(
            "/api/v2/login", data=form, headers={"Authorization": f"Bearer {uid['token']}"}
        )
        assert resp.status == status, form
        assert (await resp.json())["error"] == code, form
    resp = await client.post("/api/v2/login", data={"pubkey": wallet.public.hex()})
    assert resp.status == 400


async def test_concurrent_first_logins_of_one_key(client: Client, config: Config) -> None:
    wallet = Wallet(config.crypto)
    results = await asyncio.gather(
        *(Wallet(config.crypto, private=wallet.private).login(client) for _ in range(4))
    )
    assert {r["key_id"] for r in results} == {str(wallet.key_id)}
