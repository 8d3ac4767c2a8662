"""Test helpers: a key holder that logs in the way real clients do."""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass, field
from typing import Any

from aiohttp import FormData
from aiohttp.test_utils import TestClient

from chain.crypto import Crypto
from chain.txcodec import Header, SmartTransaction, TransferSelf, Utxo, build_client_tx

# The reference's NewColumn comes with the basic apps, not with a fresh node: deployed here.
NEW_COLUMN = """contract NewColumn {
    data { TableName string
           Name string
           Type string
           Permissions string }
    conditions { ColumnCondition($TableName, $Name, $Type, $Permissions) }
    action { CreateColumn($TableName, $Name, $Type, $Permissions) }
}"""


@dataclass
class Wallet:
    """A fresh key pair with the crypto pair of the node it talks to."""

    crypto: Crypto
    private: bytes = b""
    public: bytes = b""
    token: str = ""
    login_body: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.private:
            self.private = self.crypto.generate_private_key()
        self.public = self.crypto.public_key(self.private)

    @property
    def key_id(self) -> int:
        return self.crypto.address(self.public)

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    async def login(
        self, client: TestClient[Any, Any], der: bool = False, **form: str
    ) -> dict[str, Any]:
        """getuid -> sign "LOGIN"+network_id+uid -> login; keeps the token."""
        resp = await client.get("/api/v2/getuid")
        assert resp.status == 200, await resp.text()
        uid = await resp.json()
        message = f"LOGIN{uid['network_id']}{uid['uid']}".encode()
        sign = self.crypto.sign_der if der else self.crypto.sign
        data = {"pubkey": self.public.hex(), "signature": sign(self.private, message).hex()}
        data.update(form)
        resp = await client.post(
            "/api/v2/login", data=data, headers={"Authorization": f"Bearer {uid['token']}"}
        )
        body: dict[str, Any] = await resp.json()
        assert resp.status == 200, body
        self.token = body["token"]
        self.login_body = body
        return body


_LAST_TIME: dict[int, int] = {}


def _fresh_time(key_id: int) -> int:
    # The same call twice within a second would be the same tx (same hash), which the node
    # answers with the first one's status: a key's calls get distinct seconds (each waits for
    # its block, so this stays a few seconds ahead of the clock at most).
    now = int(time.time())
    last = _LAST_TIME.get(key_id, 0)
    chosen = now if now > last else last + 1
    _LAST_TIME[key_id] = chosen
    return chosen


def smart_tx(
    wallet: Wallet,
    *,
    network_id: int = 1,
    contract_id: int = 0,
    params: dict[str, Any] | None = None,
    utxo: Utxo | None = None,
    transfer_self: TransferSelf | None = None,
    time_s: int | None = None,
    expedite: str = "",
    ecosystem: int = 1,
) -> SmartTransaction:
    """A transaction from this wallet (contract call, UTXO or TransferSelf)."""
    return SmartTransaction(
        header=Header(
            id=contract_id,
            ecosystem_id=ecosystem,
            key_id=wallet.key_id,
            time=int(time.time()) if time_s is None else time_s,
            network_id=network_id,
            public_key=b"\x04" + wallet.public,
        ),
        max_sum="",
        pay_over="",
        lang="en",
        expedite=expedite,
        signed_by=0,
        transfer_self=transfer_self,
        utxo=utxo,
        params=params or {},
    )


def utxo_tx(wallet: Wallet, to_id: int, value: int, **kw: Any) -> bytes:
    """A signed UTXO transfer in the Weaver envelope."""
    tx = smart_tx(wallet, utxo=Utxo(to_id=to_id, value=str(value), comment=""), **kw)
    return build_client_tx(tx, wallet.private, wallet.crypto)


def utxo_fee(raw: bytes, inputs: int = 1) -> tuple[int, int]:
    """(producer's reward, taxes) of a native transfer in ecosystem 1 under the genesis
    parameters (fuel_rate 1000000, taxes_size 3): fuel_rate / 10 per byte and per input spent,
    written out here so tests check the node's arithmetic instead of repeating its code."""
    fee = 100_000 * (len(raw) + inputs)
    taxes = fee * 3 // 100
    return fee - taxes, taxes


def transfer_self_tx(wallet: Wallet, value: int, source: str, target: str) -> bytes:
    """A signed TransferSelf between the wallet's UTXO and account balances."""
    tx = smart_tx(
        wallet, transfer_self=TransferSelf(value=str(value), source=source, target=target)
    )
    return build_client_tx(tx, wallet.private, wallet.crypto)


async def send_txs(
    client: TestClient[Any, Any], wallet: Wallet, *raws: bytes, as_files: bool = True
) -> tuple[int, dict[str, Any]]:
    """POST /sendTx as Weaver does: one file part per tx, named by its index."""
    form = FormData()
    for i, raw in enumerate(raws):
        if as_files:
            form.add_field(
                f"tx{i}", raw, filename=f"tx{i}", content_type="application/octet-stream"
            )
        else:
            form.add_field(f"tx{i}", raw.hex())
    resp = await client.post("/api/v2/sendTx", data=form, headers=wallet.auth)
    body: dict[str, Any] = await resp.json()
    return resp.status, body


async def wait_status(
    client: TestClient[Any, Any], wallet: Wallet, tx_hash: str, timeout: float = 15
) -> dict[str, Any]:
    """Poll txstatus until the tx is in a block or rejected (as Weaver does)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status = await tx_status(client, wallet, tx_hash)
        if status["blockid"] or "errmsg" in status:
            return status
        await asyncio.sleep(0.05)
    raise AssertionError(f"tx {tx_hash} not processed in {timeout}s")


async def tx_status(
    client: TestClient[Any, Any], wallet: Wallet, tx_hash: str
) -> dict[str, Any]:
    """One txstatus answer for one tx, as it is now (200 asserted)."""
    resp = await client.post(
        "/api/v2/txstatus",
        data={"data": json.dumps({"hashes": [tx_hash]})},
        headers=wallet.auth,
    )
    body = await resp.json()
    assert resp.status == 200, body
    status: dict[str, Any] = body["results"][tx_hash]
    return status


async def call_contract(
    client: TestClient[Any, Any],
    wallet: Wallet,
    name: str,
    params: dict[str, Any] | None = None,
    ecosystem: int = 1,
) -> dict[str, Any]:
    """Call a contract by name as a client does (GET contract/{name} for its id); its status.

    `ecosystem` is the tx's (Header.EcosystemID): the one whose tables it works on.
    """
    resp = await client.get(f"/api/v2/contract/{name}", headers=wallet.auth)
    info = await resp.json()
    assert resp.status == 200, info
    tx = smart_tx(
        wallet,
        contract_id=info["id"],
        params=params or {},
        ecosystem=ecosystem,
        time_s=_fresh_time(wallet.key_id),
    )
    status, body = await send_txs(
        client, wallet, build_client_tx(tx, wallet.private, wallet.crypto)
    )
    assert status == 200, body
    return await wait_status(client, wallet, next(h for h in body["hashes"] if len(h) == 64))


def ok(status: dict[str, Any]) -> dict[str, Any]:
    """A tx status that says the tx succeeded (no penalty, no error); returned as it is."""
    assert status["penalty"] == 0 and "errmsg" not in status, status
    return status


async def deploy(client: TestClient[Any, Any], wallet: Wallet, *sources: str) -> dict[str, Any]:
    """Deploy each source by @1NewContract (conditions "true"), each ok; the last status."""
    status: dict[str, Any] = {}
    for source in sources:
        params = {"ApplicationId": 1, "Value": source, "Conditions": "true"}
        status = ok(await call_contract(client, wallet, "@1NewContract", params))
    return status
