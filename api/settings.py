"""Settings the HTTP edge needs, handed over by the node at assembly."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class ApiSettings:
    """Token lifetimes, secrets and limits of the REST API."""

    jwt_key: bytes = field(repr=False)
    token_expire: int = 28800
    max_token_expire: int = 7_776_000  # a login's `expire` is capped to this
    uid_token_ttl: int = 5
    max_body_size: int = 1 << 20
    version: str = "1.4.3"
    test_network: bool = False
    private_network: bool = True
    api_address: str = ""
