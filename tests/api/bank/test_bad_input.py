"""Hostile bank bodies: CCash's own 400s, never a 500, whatever the JSON's shape."""

from __future__ import annotations

from typing import Any

from aiohttp.test_utils import TestClient
from hypothesis import given
from hypothesis import strategies as st

from api.bank.routes import ROUTES as BANK_ROUTES
from tests.api.bank.conftest import ADMIN_AUTH, basic, register
from tests.api.test_fuzz_routes import FUZZ, HTTP_PARSER_ERROR, requests, send

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


BANK_PATHS = [(r.method, f"/api/v{v}/{r.path}") for r in BANK_ROUTES for v in r.versions] + [
    ("GET", "/api/properties"),
    ("GET", "/api/help"),
    ("GET", "/api/v1/{a}"),  # paths no route has, under the bank's prefixes
    ("POST", "/api/v2/user/{a}"),
]


@FUZZ
@given(req=requests(BANK_PATHS), who=st.sampled_from(["admin", "user", "nobody", "none"]))
async def test_no_bank_route_answers_5xx(bank: Client, req: dict[str, Any], who: str) -> None:
    if req["path"].endswith("/admin/shutdown"):
        req["path"] = req["path"][: -len("shutdown")] + "verify_account"
    auth = {
        "admin": ADMIN_AUTH,
        "user": basic("alice", "pw"),
        "nobody": basic("nobody", "x" * 300),
        "none": {"Accept": "application/json"},
    }[who]
    status, text = await send(bank, req, auth)
    assert status < 500, (req, status, text[:300])
    if status >= 400 and not text.startswith(HTTP_PARSER_ERROR):  # see the IBAX fuzz test
        # CCash's errors are a JSON string; its 405 has no body.
        assert text.startswith('"') or status == 405, (status, text[:200])
