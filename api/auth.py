"""JWT issue and verify (HS256 pinned, exp required) and the client identity taken from claims."""

from __future__ import annotations

import hashlib
import hmac
import time
from dataclasses import dataclass
from typing import Any

import jwt

ALGORITHM = "HS256"


class TokenError(Exception):
    """The token is missing a claim, badly signed, malformed or expired."""


@dataclass(frozen=True, slots=True)
class Client:
    """Who is calling: from a login token, or the anonymous default (ecosystem 1, key 0)."""

    ecosystem_id: int = 1
    key_id: int = 0
    account_id: str = ""
    role_id: int = 0
    uid: str = ""
    exp: int = 0

    @property
    def authenticated(self) -> bool:
        return self.key_id != 0


def issue(claims: dict[str, str], key: bytes, ttl: float, now: float | None = None) -> str:
    """A signed token whose string claims are as the reference's JWTClaims, plus exp."""
    issued = time.time() if now is None else now
    payload: dict[str, Any] = {k: v for k, v in claims.items() if v != ""}
    payload["exp"] = int(issued + ttl)
    return jwt.encode(payload, key, algorithm=ALGORITHM)


def derive_key(key: bytes, purpose: str) -> bytes:
    """A key of its own for one kind of token, so no token passes as another kind."""
    return hmac.new(key, b"ibax-node token key: " + purpose.encode(), hashlib.sha256).digest()


def verify(token: str, key: bytes) -> dict[str, Any]:
    """Decode and check a token; raises TokenError."""
    try:
        claims: dict[str, Any] = jwt.decode(
            token, key, algorithms=[ALGORITHM], options={"require": ["exp"]}
        )
    except jwt.PyJWTError as exc:
        raise TokenError(str(exc)) from exc
    return claims


class TokenCache:
    """The clients of tokens this process has verified: a token's signature is checked once.

    Weaver and signing scripts send the same token with every request, and checking its HMAC
    and claims costs more than many whole reads. Expiry is still checked on every use.
    """

    def __init__(self, key: bytes, size: int = 10_000) -> None:
        self._key = key
        self._size = size
        self._clients: dict[str, Client] = {}

    def client(self, token: str, now: float | None = None) -> Client:
        """The caller a token names; raises TokenError for a bad or expired one."""
        client = self._clients.get(token)
        if client is None:
            client = client_from_claims(verify(token, self._key))
            if len(self._clients) >= self._size:
                self._clients.clear()  # simpler than LRU, and a refill costs one check a token
            self._clients[token] = client
        if client.exp and (time.time() if now is None else now) >= client.exp:
            del self._clients[token]
            raise TokenError("Signature has expired")
        return client


def _int_claim(claims: dict[str, Any], name: str) -> int:
    value = claims.get(name, "")
    if value in ("", None):
        return 0
    try:
        return int(value)
    except (TypeError, ValueError) as exc:
        raise TokenError(f"claim {name} is not a number") from exc


def client_from_claims(claims: dict[str, Any]) -> Client:
    """The reference parses every claim string with StrToInt64; ecosystem defaults to 1."""
    return Client(
        ecosystem_id=_int_claim(claims, "ecosystem_id") or 1,
        key_id=_int_claim(claims, "key_id"),
        account_id=str(claims.get("account_id", "")),
        role_id=_int_claim(claims, "role_id"),
        uid=str(claims.get("uid", "")),
        exp=_int_claim(claims, "exp"),
    )


def bearer_token(header: str) -> str | None:
    """The token from ``Authorization: Bearer <t>``; other schemes count as no token."""
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()
