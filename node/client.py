"""A signing client for scripts: log in, build and sign transactions, post them, wait for blocks."""

from __future__ import annotations

import asyncio
import json
import os
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import aiohttp

from chain.address import string_to_address
from chain.contract_registry import CONTRACT_ID_SHIFT, ContractInfo, Field
from chain.crypto import Crypto, Cryptoer, Hasher, parse_private_key
from chain.errors import CryptoError
from chain.txcodec import Header, SmartTransaction, Utxo, build_client_tx, decode_tx

API = "/api/v2"
DEFAULT_NODE = "http://127.0.0.1:7079"
# The founder's key of a node started in the current directory with default flags.
DEFAULT_KEY_FILE = Path("ibax-data") / "PrivateKey"
POLL_INTERVAL = 0.2


class ClientError(Exception):
    """The node answered with an error body, or the client refused before sending.

    `status` is the HTTP status of the answer; 0 means no request was made because the input
    cannot make a transaction (bad address, parameter, key file) or the wait timed out.
    """

    def __init__(self, status: int, code: str, msg: str) -> None:
        self.status = status
        self.code = code
        self.msg = msg
        super().__init__(f"{status} {code}: {msg}" if status else f"{code}: {msg}")


class WaitTimeout(ClientError):
    """The transaction was accepted but not seen in a block (nor rejected) in time."""

    def __init__(self, tx_hash: str, timeout: float, last: Mapping[str, Any]) -> None:
        super().__init__(0, "E_TIMEOUT", f"{tx_hash} not in a block after {timeout:g} s")
        self.tx_hash = tx_hash
        self.last = dict(last)


@dataclass
class Session:
    """What a login leaves behind."""

    token: str
    key_id: int
    network_id: int
    crypto: Crypto
    ecosystem_id: int = 1


def load_private_key(
    key_file: Path | None = None, environ: Mapping[str, str] | None = None
) -> bytes:
    """The signing key: `key_file`, else $IBAX_PRIVATE_KEY (hex), else ./ibax-data/PrivateKey."""
    env = os.environ if environ is None else environ
    try:
        if key_file is None and env.get("IBAX_PRIVATE_KEY"):
            return parse_private_key(env["IBAX_PRIVATE_KEY"])
        path = key_file or DEFAULT_KEY_FILE
        try:
            text = path.read_text()
        except OSError as exc:
            raise ClientError(
                0, "E_KEYFILE", f"cannot read key file {path}: {exc.strerror}"
            ) from exc
        return parse_private_key(text)
    except CryptoError as exc:
        raise ClientError(0, "E_KEYFILE", f"bad private key: {exc}") from exc


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
            # Money travels as a decimal string of smallest units; a fraction is a typo, not a unit.
            amount = Decimal(text)
            if not amount.is_finite() or amount != amount.to_integral_value() or amount < 0:
                raise ValueError(text)
            return str(int(amount))
        if spec.type in ("array", "map"):
            return json.loads(text)
        if spec.type == "bytes":
            return bytes.fromhex(text)
    except (ValueError, InvalidOperation) as exc:
        raise ClientError(0, "E_PARAM", f"{spec.name} must be {spec.type}, not {text!r}") from exc
    return text


def contract_from_api(body: Mapping[str, Any]) -> ContractInfo:
    """A ContractInfo from a `GET /contract/{name}` body (its id already carries the 5000 shift)."""
    name = str(body["name"])
    ecosystem = int(body.get("ecosystem") or 1)
    prefix = f"@{ecosystem}"
    return ContractInfo(
        table_id=int(body["id"]) - CONTRACT_ID_SHIFT,
        name=name[len(prefix) :] if name.startswith(prefix) else name.lstrip("@"),
        ecosystem=ecosystem,
        fields=tuple(
            Field(str(f["name"]), str(f["type"]), bool(f.get("optional")))
            for f in body.get("fields") or ()
        ),
    )


def succeeded(status: Mapping[str, Any]) -> bool:
    """In a block and without penalty (Weaver's test)."""
    return bool(status.get("blockid")) and not status.get("penalty") and not status.get("errmsg")


def finished(status: Mapping[str, Any]) -> bool:
    """In a block or rejected: polling can stop (the reference's Go tests' test)."""
    return bool(status.get("blockid")) or bool(status.get("errmsg"))


@dataclass
class NodeClient:
    """Talks to one node's REST API v2 with one private key; use as an async context manager."""

    base_url: str = DEFAULT_NODE
    private_key: bytes | None = field(default=None, repr=False)
    timeout: float = 30
    http: aiohttp.ClientSession | None = None
    session: Session | None = None

    async def __aenter__(self) -> NodeClient:
        self.http = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=self.timeout))
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def close(self) -> None:
        if self.http is not None:
            await self.http.close()
            self.http = None

    def _http(self) -> aiohttp.ClientSession:
        if self.http is None:
            raise RuntimeError("use NodeClient as an async context manager")
        return self.http

    def _key(self) -> bytes:
        if self.private_key is None:
            raise ClientError(0, "E_KEYFILE", "no private key: pass one to NodeClient or login()")
        return self.private_key

    async def _request(self, method: str, path: str, **kw: Any) -> Any:
        headers = kw.pop("headers", {})
        if self.session is not None and "Authorization" not in headers:
            headers["Authorization"] = f"Bearer {self.session.token}"
        url = self.base_url.rstrip("/") + API + path
        async with self._http().request(method, url, headers=headers, **kw) as resp:
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

    async def login(self, private_key: bytes | None = None) -> Session:
        """getuid, sign "LOGIN"+network_id+uid in the node's crypto, login, keep the token."""
        if private_key is not None:
            self.private_key = private_key
        key = self._key()
        # No stale bearer on getuid: with a valid login token the node answers without a uid.
        uid = await self._request("GET", "/getuid", headers={})
        try:
            crypto = Crypto(Cryptoer(uid["cryptoer"]), Hasher(uid["hasher"]))
        except ValueError as exc:
            raise ClientError(0, "E_CRYPTO", f"unsupported node crypto: {exc}") from exc
        public = crypto.public_key(key)
        signature = crypto.sign(key, f"LOGIN{uid['network_id']}{uid['uid']}".encode())
        body = await self._request(
            "POST",
            "/login",
            data={"pubkey": public.hex(), "signature": signature.hex()},
            headers={"Authorization": f"Bearer {uid['token']}"},
        )
        self.session = Session(
            token=body["token"],
            key_id=int(body["key_id"]),
            network_id=int(uid["network_id"]),
            crypto=crypto,
            ecosystem_id=int(body.get("ecosystem_id") or 1),
        )
        return self.session

    async def _ensure_session(self) -> Session:
        return self.session if self.session is not None else await self.login()

    async def header(self, contract_id: int) -> Header:
        """A header for this client's key, network and the current time."""
        session = await self._ensure_session()
        return Header(
            id=contract_id,
            ecosystem_id=session.ecosystem_id,
            key_id=session.key_id,
            time=int(time.time()),
            network_id=session.network_id,
            public_key=b"\x04" + session.crypto.public_key(self._key()),
        )

    async def send_raw(self, raws: list[bytes]) -> list[str]:
        """Post already signed txs in one sendTx request; their hashes in the same order."""
        form = aiohttp.FormData()
        for i, raw in enumerate(raws):
            form.add_field(
                f"tx{i}", raw, filename=f"tx{i}", content_type="application/octet-stream"
            )
        body = await self._request("POST", "/sendTx", data=form)
        hashes: Mapping[str, str] = body["hashes"]
        session = await self._ensure_session()
        # This node also maps each form field name to its hash; the reference keys by hash only.
        return [
            str(hashes.get(f"tx{i}") or decode_tx(raw, session.crypto).hash.hex())
            for i, raw in enumerate(raws)
        ]

    async def send(self, tx: SmartTransaction) -> str:
        """Sign and post one transaction; returns its hash."""
        session = await self._ensure_session()
        (tx_hash,) = await self.send_raw([build_client_tx(tx, self._key(), session.crypto)])
        return tx_hash

    async def contract_info(self, name: str) -> ContractInfo:
        """A contract's id and fields by name (`NewUser`, `@1NewUser`)."""
        await self._ensure_session()
        body = await self._request("GET", f"/contract/{name}")
        return contract_from_api(body)

    async def call(self, contract: str, params: Mapping[str, str]) -> str:
        """Call a contract by name with string values coerced by its field types; the tx hash."""
        info = await self.contract_info(contract)
        specs = {f.name: f for f in info.fields}
        unknown = sorted(set(params) - set(specs))
        if unknown:
            raise ClientError(0, "E_PARAM", f"'{unknown[0]}' parameter is not required")
        values = {k: coerce_param(specs[k], v) for k, v in params.items()}
        return await self.send(SmartTransaction(header=await self.header(info.id), params=values))

    async def transfer(self, to: str, amount: int, comment: str = "") -> str:
        """A native UTXO transfer (type 5) of `amount` smallest units to any address form."""
        to_id = string_to_address(to)
        if to_id == 0:
            raise ClientError(0, "E_INVALIDWALLET", f"Wallet {to} is not valid")
        if amount <= 0:
            raise ClientError(0, "E_PARAM", "amount must be a positive number of smallest units")
        utxo = Utxo(to_id=to_id, value=str(amount), comment=comment)
        return await self.send(SmartTransaction(header=await self.header(0), utxo=utxo))

    async def statuses(self, hashes: list[str]) -> dict[str, dict[str, Any]]:
        """txstatus of several hashes in one request."""
        await self._ensure_session()
        body = await self._request(
            "POST", "/txstatus", data={"data": json.dumps({"hashes": hashes})}
        )
        results: dict[str, dict[str, Any]] = body["results"]
        return results

    async def status(self, tx_hash: str) -> dict[str, Any]:
        """txstatus of one hash: blockid ("" until in a block), result, penalty, errmsg."""
        return (await self.statuses([tx_hash]))[tx_hash]

    async def wait(self, tx_hash: str, timeout: float = 30) -> dict[str, Any]:
        """Poll txstatus every 0.2 s until the tx is in a block or rejected; WaitTimeout after."""
        deadline = time.monotonic() + timeout
        while True:
            status = await self.status(tx_hash)
            if finished(status):
                return status
            if time.monotonic() > deadline:
                raise WaitTimeout(tx_hash, timeout, status)
            await asyncio.sleep(POLL_INTERVAL)


class SyncNodeClient:
    """A blocking NodeClient for scripts without an event loop; it owns a private loop.

    Not for use inside a running event loop (it would block it): there, use NodeClient.
    """

    def __init__(
        self, base_url: str = DEFAULT_NODE, private_key: bytes | None = None, timeout: float = 30
    ) -> None:
        self._runner = asyncio.Runner()
        self.client = NodeClient(base_url, private_key, timeout)
        # The aiohttp session binds to the loop it is made in, so make it in the runner's loop.
        self._runner.run(self.client.__aenter__())

    def __enter__(self) -> SyncNodeClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._runner.run(self.client.close())
        self._runner.close()

    def login(self, private_key: bytes | None = None) -> Session:
        return self._runner.run(self.client.login(private_key))

    def contract_info(self, name: str) -> ContractInfo:
        return self._runner.run(self.client.contract_info(name))

    def call(self, contract: str, params: Mapping[str, str]) -> str:
        return self._runner.run(self.client.call(contract, params))

    def transfer(self, to: str, amount: int, comment: str = "") -> str:
        return self._runner.run(self.client.transfer(to, amount, comment))

    def status(self, tx_hash: str) -> dict[str, Any]:
        return self._runner.run(self.client.status(tx_hash))

    def wait(self, tx_hash: str, timeout: float = 30) -> dict[str, Any]:
        return self._runner.run(self.client.wait(tx_hash, timeout))
