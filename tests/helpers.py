"""Test helpers: a key holder that logs in the way real clients do."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from aiohttp.test_utils import TestClient

from chain.crypto import Crypto


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
