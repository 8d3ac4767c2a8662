"""The OpenAPI document: it describes exactly the routes served, is valid, and is served."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient
from openapi_spec_validator import validate

from api.openapi.document import Surface, build_document, descriptions, served_routes
from api.openapi.v2 import DESCRIPTIONS as V2
from api.openapi.v2 import PREFIX
from api.routes import ROUTES
from node.app import create_app
from node.config import Config


@pytest.fixture
def offline_config(tmp_path: Any) -> Config:
    """A node with every surface on (bank included); these tests never start it."""
    return Config(data_dir=tmp_path / "data", bank_admin="admin", bank_admin_password="pw")


def test_every_served_route_is_described(offline_config: Config) -> None:
    served = set(served_routes(create_app(offline_config)))
    described = set(descriptions())
    assert served - described == set(), "served routes without a description in api/openapi"
    assert described - served == set(), "descriptions of routes nobody serves"


def test_a_missing_or_stale_description_is_caught(offline_config: Config) -> None:
    # The comparison above is only as good as served_routes: a route added to the app shows up.
    async def brand_new(request: web.Request) -> web.Response:
        return web.Response()

    app = create_app(offline_config)
    app.router.add_get("/api/v2/brand_new", brand_new)
    assert ("GET", "/api/v2/brand_new") in set(served_routes(app)) - set(descriptions())


def test_login_flags_match_the_route_table() -> None:
    for route in ROUTES:
        op = V2[(route.method, route.path)]
        assert op.login == route.auth, f"{route.method} {route.path}"


def test_document_is_valid_openapi_31(offline_config: Config) -> None:
    document = build_document(create_app(offline_config), "test")
    validate(document)  # raises on any error against the OpenAPI 3.1 meta-schema
    assert document["openapi"] == "3.1.0"
    assert document["paths"]["/api/v2/block/{id}"]["get"]["parameters"][0]["name"] == "id"
    login = document["paths"]["/api/v2/listWhere/{name}"]["post"]
    assert login["security"] == [{"bearer": []}]
    assert "401" in login["responses"]
    bank = document["paths"]["/api/v1/user/transfer"]["post"]
    assert bank["security"] == [{"basic": []}]
    assert bank["responses"]["default"]["content"]["application/json"]["schema"] == {
        "type": "string"
    }


def test_document_leaves_out_routes_not_served(make_config: Callable[..., Config]) -> None:
    document = build_document(create_app(make_config()), "test")  # the bank is off
    assert "/api/v1/user/balance" not in document["paths"]
    assert "/api/v2/version" in document["paths"]
    assert "/healthz" in document["paths"]


def test_every_description_has_a_known_surface() -> None:
    found = descriptions()
    assert {d.surface for d in found.values()} == set(Surface)
    assert all(key[1].startswith(PREFIX) for key, d in found.items() if d.surface is Surface.IBAX)


async def test_document_and_docs_page_are_served(
    aiohttp_client: Callable[..., Any], config: Config
) -> None:
    client: TestClient[Any, Any] = await aiohttp_client(create_app(config))
    resp = await client.get("/api/v2/openapi.json")
    assert resp.status == 200
    assert resp.content_type == "application/json"
    document = await resp.json()
    validate(document)
    assert "/api/v2/sendTx" in document["paths"]

    resp = await client.get("/api/v2/docs")
    assert resp.status == 200
    assert resp.content_type == "text/html"
    page = await resp.text()
    assert "docs/assets/swagger-ui-bundle.js" in page
    assert "http" not in page.lower().replace("http-equiv", "")  # nothing from elsewhere
    for asset in ("swagger-ui-bundle.js", "swagger-ui.css"):
        resp = await client.get(f"/api/v2/docs/assets/{asset}")
        assert resp.status == 200, asset
        assert len(await resp.read()) > 10_000
