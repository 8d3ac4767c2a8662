"""A signing client for scripts: log in, build and sign transactions, post them, wait for blocks."""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

import aiohttp

from chain.address import string_to_address
from chain.contract_registry import NATIVE_CONTRACTS, Field
from chain.crypto import Crypto, Cryptoer, Hasher
from chain.txcodec import Header, SmartTransaction, Utxo, build_client_tx

API = "/api/v2"


class ClientError(Exception):
    """The node answered with an error body, or the input cannot make a transaction."""

    def __init__(self, status: int, code: str, msg: str) -> None:
        self.status = status
        self.code = code
        self.msg = msg
        super().__init__(f"{status} {code}: {msg}")


@dataclass
class Session:
    """What a login leaves behind."""

    token: str
    key_id: int
    network_id: int
    crypto: Crypto


def coerce_param(spec: Field, text: str) -> Any:
    """A command-line value for a contract field of the given type."""
    try:
        if spec.type in ("int", "address"):
            return int(text, 10)
        if spec.type == "float":
            return float(text)
        if spec.type == "bool":
            if text.lower() not in ("true", "false", "1", "0"):
                raise ValueError(text)
            return text.lower() in ("true", "1")
        if spec.type == "money":
            amount = Decimal(text)
            if amount != amount.to_integral_value() or amount < 0:
                raise ValueError(text)
            return str(int(amount))
        if spec.type in ("array", "map"):
            return json.loads(text)
    except (ValueError, InvalidOperation) as exc:
        raise ClientError(0, "E_PARAM", f"{spec.name} must be {spec.type}, not {text!r}") from exc
    return text


@dataclass
class NodeClient:
    """Talks to one node's REST API v2 with one private key."""

    base_url: str
    private_key: bytes = field(repr=False)
    http: aiohttp.ClientSession | None = None
    session: Session | None = None

    async def __aenter__(self) -> NodeClient:
        self.http = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30))
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self.http is not None:
            await self.http.close()

    def _http(self) -> aiohttp.ClientSession:
        if self.http is None:
            raise RuntimeError("use NodeClient as an async context manager")
        return self.http

    async def _request(self, method: str, path: str, **kw: Any) -> Any:
        headers = kw.pop("headers", {})
        if self.session is not None and "Authorization" not in headers:
            headers["Authorization"] = f"Bearer {self.session.token}"
        async with self._http().request(
            method, self.base_url.rstrip("/") + API + path, headers=headers, **kw
        ) as resp:
            text = await resp.text()
            try:
                body = json.loads(text) if text else None
            except ValueError:
                body = None
            if resp.status >= 400:
                if isinstance(body, dict) and "error" in body:
                    raise ClientError(resp.status, str(body["error"]), str(body.get("msg", "")))
                raise ClientError(resp.status, "E_HTTP", text[:200])
            return body

    async def login(self) -> Session:
        """getuid, sign "LOGIN"+network_id+uid with the node's crypto pair, login."""
        uid = await self._request("GET", "/getuid", headers={})
        crypto = Crypto(Cryptoer(uid["cryptoer"]), Hasher(uid["hasher"]))
        public = crypto.public_key(self.private_key)
        signature = crypto.sign(self.private_key, f"LOGIN{uid['network_id']}{uid['uid']}".encode())
        body = await self._request(
            "POST",
            "/login",
            data={"pubkey": public.hex(), "signature": signature.hex()},
            headers={"Authorization": f"Bearer {uid['token']}"},
        )
        self.session = Session(body["token"], int(body["key_id"]), int(uid["network_id"]), crypto)
        return self.session

    async def _ensure_session(self) -> Session:
        return self.session if self.session is not None else await self.login()

    async def _header(self, contract_id: int) -> Header:
        session = await self._ensure_session()
        return Header(
            id=contract_id,
            ecosystem_id=1,
            key_id=session.key_id,
            time=int(time.time()),
            network_id=session.network_id,
            public_key=b"\x04" + session.crypto.public_key(self.private_key),
        )

    async def send(self, tx: SmartTransaction) -> str:
        """Sign and post one transaction; returns its hash."""
        session = await self._ensure_session()
        raw = build_client_tx(tx, self.private_key, session.crypto)
        form = aiohttp.FormData()
        form.add_field("tx", raw, filename="tx", content_type="application/octet-stream")
        body = await self._request("POST", "/sendTx", data=form)
        return str(next(h for h in body["hashes"] if h != "tx"))

    async def call(self, contract: str, params: dict[str, str]) -> str:
        """Call a contract by name with string values coerced by its field types."""
        name = contract.lstrip("@").lstrip("0123456789")
        # The contract endpoint comes with the VM; until then the native registry describes them.
        info = next((c for c in NATIVE_CONTRACTS.values() if c.name == name), None)
        if info is None:
            raise ClientError(404, "E_CONTRACT", f"There is not {contract} contract")
        specs = {f.name: f for f in info.fields}
        unknown = sorted(set(params) - set(specs))
        if unknown:
            raise ClientError(0, "E_PARAM", f"'{unknown[0]}' parameter is not required")
        values = {k: coerce_param(specs[k], v) for k, v in params.items()}
        tx = SmartTransaction(header=await self._header(info.id), params=values)
        return await self.send(tx)

    async def transfer(self, to: str, amount: int) -> str:
        """A native UTXO transfer of `amount` smallest units to any address form."""
        to_id = string_to_address(to)
        if to_id == 0:
            raise ClientError(0, "E_INVALIDWALLET", f"Wallet {to} is not valid")
        if amount <= 0:
            raise ClientError(0, "E_PARAM", "amount must be positive")
        tx = SmartTransaction(
            header=await self._header(0), utxo=Utxo(to_id=to_id, value=str(amount))
        )
        return await self.send(tx)

    async def status(self, tx_hash: str) -> dict[str, Any]:
        """txstatus of one hash."""
        await self._ensure_session()
        body = await self._request(
            "POST", "/txstatus", data={"data": json.dumps({"hashes": [tx_hash]})}
        )
        result: dict[str, Any] = body["results"][tx_hash]
        return result

    async def wait(self, tx_hash: str, timeout: float = 30) -> dict[str, Any]:
        """Poll txstatus until the tx is in a block or rejected."""
        deadline = time.monotonic() + timeout
        while True:
            status = await self.status(tx_hash)
            if status["blockid"] or "errmsg" in status:
                return status
            if time.monotonic() > deadline:
                raise ClientError(0, "E_TIMEOUT", f"{tx_hash} not in a block after {timeout}s")
            await asyncio.sleep(0.2)


def succeeded(status: dict[str, Any]) -> bool:
    """In a block and without penalty (Weaver's test)."""
    return bool(status.get("blockid")) and not status.get("penalty") and "errmsg" not in status
