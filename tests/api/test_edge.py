"""The HTTP edge: error envelope on every error path, limits, redirects, CORS, version, network."""

from __future__ import annotations

from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestClient

from api.errors import ApiError, E
from api.jsonenc import Struct, dumps
from api.routes import API_PREFIX
from chain.errors import ChainError, UnknownEcosystem
from node.app import create_app
from node.config import Config

Client = TestClient[Any, Any]


def assert_canonical_error(body: Any, code: str) -> None:
    """Every error answers exactly {"error": <E_*>, "msg": <non-empty text>}."""
    assert isinstance(body, dict)
    assert list(body) == ["error", "msg"]
    assert body["error"] == code
    assert isinstance(body["msg"], str) and body["msg"]


async def _boom(request: web.Request) -> web.Response:
    raise RuntimeError("secret internal detail")


async def _bad_request(request: web.Request) -> web.Response:
    raise web.HTTPBadRequest()


async def _api_error(request: web.Request) -> web.Response:
    raise ApiError(E.TABLENOTFOUND, "1_qwert")


async def _domain_error(request: web.Request) -> web.Response:
    raise UnknownEcosystem(9)


async def _chain_error(request: web.Request) -> web.Response:
    raise ChainError("something in the ledger")


async def test_error_envelope_on_every_path(aiohttp_client: Any, config: Config) -> None:
    app = create_app(config)
    app.router.add_get(API_PREFIX + "/test/boom", _boom)
    app.router.add_get(API_PREFIX + "/test/bad", _bad_request)
    app.router.add_get(API_PREFIX + "/test/api", _api_error)
    app.router.add_get(API_PREFIX + "/test/domain", _domain_error)
    app.router.add_get(API_PREFIX + "/test/chain", _chain_error)
    client = await aiohttp_client(app)
    cases = [
        ("GET", "/api/v2/test/boom", 500, "E_RECOVERED"),
        ("GET", "/api/v2/test/bad", 400, "E_SERVER"),
        ("GET", "/api/v2/test/api", 404, "E_TABLENOTFOUND"),
        ("GET", "/api/v2/test/domain", 400, "E_ECOSYSTEM"),
        ("GET", "/api/v2/test/chain", 400, "E_SERVER"),
        ("GET", "/api/v2/no/such/route", 404, "E_NOTFOUND"),
        ("POST", "/api/v2/getuid", 405, "E_SERVER"),
        ("POST", "/api/v2/login", 400, "E_UNKNOWNUID"),
    ]
    for method, path, status, code in cases:
        resp = await client.request(method, path)
        assert resp.status == status, path
        assert resp.headers["Content-Type"] == "application/json; charset=utf-8", path
        body = await resp.json()
        assert_canonical_error(body, code)
    resp = await client.get("/api/v2/test/boom")
    assert "secret" not in await resp.text()
    resp = await client.get("/api/v2/test/api")
    assert await resp.json() == {
        "error": "E_TABLENOTFOUND",
        "msg": "Table 1_qwert has not been found",
    }


async def test_method_not_allowed_lists_allow(client: Client) -> None:
    resp = await client.post("/api/v2/version")
    assert resp.status == 405
    assert "GET" in resp.headers["Allow"]


async def test_body_over_limit_is_413(aiohttp_client: Any, make_config: Any) -> None:
    client = await aiohttp_client(create_app(make_config(max_body_size=4096)))
    uid = await (await client.get("/api/v2/getuid")).json()
    resp = await client.post(
        "/api/v2/login",
        data={"pubkey": "00" * 5000},
        headers={"Authorization": f"Bearer {uid['token']}"},
    )
    assert resp.status == 413
    assert_canonical_error(await resp.json(), "E_SERVER")


async def test_trailing_slash_redirects_keeping_query(client: Client) -> None:
    resp = await client.get("/api/v2/version/?a=1", allow_redirects=False)
    assert resp.status == 301
    assert resp.headers["Location"] == "/api/v2/version?a=1"
    resp = await client.get("/api/v2/version/")
    assert resp.status == 200


async def test_cors(client: Client) -> None:
    resp = await client.options(
        "/api/v2/login",
        headers={"Origin": "http://weaver.example", "Access-Control-Request-Method": "POST"},
    )
    assert resp.status == 200
    assert resp.headers["Access-Control-Allow-Origin"] == "*"
    assert resp.headers["Access-Control-Allow-Methods"] == "GET, HEAD, POST"
    assert "Authorization" in resp.headers["Access-Control-Allow-Headers"]
    assert resp.headers["Access-Control-Max-Age"] == "600"
    resp = await client.get("/api/v2/version", headers={"Origin": "http://weaver.example"})
    assert resp.headers["Access-Control-Allow-Origin"] == "*"
    resp = await client.get("/api/v2/nope", headers={"Origin": "http://weaver.example"})
    assert resp.status == 404
    assert resp.headers["Access-Control-Allow-Origin"] == "*"


async def test_version_is_a_json_string(client: Client) -> None:
    resp = await client.get("/api/v2/version")
    assert resp.status == 200
    assert await resp.json() == "1.4.3 node server status is running"


async def test_network(client: Client, config: Config) -> None:
    resp = await client.get("/api/v2/network")
    body = await resp.json()
    assert body["network_id"] == "1"
    assert body["test"] is False and body["private"] is True
    node_pub = (config.data_dir / "NodePublicKey").read_text()
    assert body["honor_nodes"][0]["public_key"] == "04" + node_pub


def test_go_json_encoder() -> None:
    assert dumps({"b": 1, "a": [b"\x00\x01", None]}) == '{"a":["AAE=",null],"b":1}'
    assert dumps(Struct(z=1, a=2)) == '{"z":1,"a":2}'
    assert dumps("<a&b>\u2028é") == '"\\u003ca\\u0026b\\u003e\\u2028é"'
