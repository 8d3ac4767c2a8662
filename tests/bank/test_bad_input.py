"""Hostile bank bodies: CCash's own 400s, never a 500, whatever the JSON's shape."""

from __future__ import annotations

from typing import Any

from aiohttp.test_utils import TestClient

from tests.bank.conftest import ADMIN_AUTH, register

Client = TestClient[Any, Any]


async def test_deep_or_odd_json_bodies_are_invalid_json(bank: Client) -> None:
    await register(bank, "alice", amount=5)
    bodies = [
        '{"name":"alice","amount":' + "[" * 1_200 + "]" * 1_200 + "}",
        '{"name":' + '{"a":' * 150 + "1" + "}" * 150 + ',"amount":1}',
        '{"name":"alice","amount":1e400}',
        '{"name":"alice","amount":NaN}',
        '{"name":"alice","amount":' + "9" * 5_000 + "}",
    ]
    for body in bodies:
        for method, path in (
            ("PATCH", "/api/v1/admin/set_balance"),
            ("POST", "/api/v1/admin/impact_balance"),
            ("POST", "/api/v1/user/transfer"),
        ):
            resp = await bank.request(method, path, data=body, headers=ADMIN_AUTH)
            assert (resp.status, await resp.text()) == (400, '"Invalid JSON"'), (path, body[:40])


async def test_numbers_out_of_range_are_invalid_args(bank: Client) -> None:
    await register(bank, "alice", amount=5)
    for amount in ("4294967296", "-1", "1.5", "9" * 90):
        resp = await bank.patch(
            "/api/v1/admin/set_balance",
            data='{"name":"alice","amount":' + amount + "}",
            headers=ADMIN_AUTH,
        )
        assert (resp.status, await resp.text()) == (400, '"Missing/Invalid JSON arg(s)"'), amount
