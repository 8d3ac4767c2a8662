"""Fixtures: a node with the bank on, over real HTTP, on both backends; CCash-style clients."""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from api.bank.keys import BANK_STOP
from node.app import create_app
from node.config import Config

ADMIN, ADMIN_PW = "admin", "adminpw"
JSON = {"Accept": "application/json", "Content-Type": "application/json"}


def basic(name: str, password: str | bytes) -> dict[str, str]:
    """Basic-auth headers plus the JSON headers real clients send on every request."""
    raw = name.encode() + b":" + (password if isinstance(password, bytes) else password.encode())
    return {"Authorization": "Basic " + base64.b64encode(raw).decode(), **JSON}


ADMIN_AUTH = basic(ADMIN, ADMIN_PW)


@pytest.fixture
def bank_config(make_config: Callable[..., Config]) -> Config:
    """The bank on, with a cheap password hash so that tests register users quickly."""
    return make_config(bank_admin=ADMIN, bank_admin_password=ADMIN_PW, bank_hash_cost=10)


@pytest.fixture
def stops() -> list[int]:
    """How many times admin/shutdown asked the node to stop."""
    return []


@pytest.fixture
async def bank(
    aiohttp_client: Callable[..., Any], bank_config: Config, stops: list[int]
) -> AsyncIterator[TestClient[Any, Any]]:
    """A running node with the bank API."""
    app = create_app(bank_config)
    app[BANK_STOP] = lambda: stops.append(1)
    yield await aiohttp_client(app)


async def register(
    client: TestClient[Any, Any], name: str, password: str = "pw", amount: int = 0
) -> None:
    """Create a user as the admin, with a starting balance."""
    resp = await client.post(
        "/api/v1/admin/user/register",
        json={"name": name, "amount": amount, "pass": password},
        headers=ADMIN_AUTH,
    )
    assert resp.status == 204, await resp.text()


async def balance(client: TestClient[Any, Any], name: str) -> int:
    resp = await client.get("/api/v1/user/balance", params={"name": name}, headers=JSON)
    assert resp.status == 200, await resp.text()
    return int(await resp.text())
