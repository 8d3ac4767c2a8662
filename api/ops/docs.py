"""The API's own documentation: /api/v2/openapi.json, and Swagger UI from a PyPI package."""

from __future__ import annotations

import json
from importlib import metadata
from pathlib import Path

from aiohttp import web
from swagger_ui_bundle import swagger_ui_path

from api.openapi.document import build_document

OPENAPI = web.AppKey("openapi", bytes)
DOCS_PATH = "/api/v2/docs"
ASSETS_PATH = DOCS_PATH + "/assets"
# The page names its assets and the document relatively, so it also works behind a proxy that
# mounts the node under a path prefix. No CDN: the assets ship in the swagger-ui-bundle-v2 wheel.
PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>ibax-node API</title>
<link rel="stylesheet" href="docs/assets/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="docs/assets/swagger-ui-bundle.js"></script>
<script>
window.ui = SwaggerUIBundle({url: "openapi.json", dom_id: "#swagger-ui", deepLinking: true});
</script>
</body>
</html>
"""


def assets_dir() -> Path:
    """Where the installed Swagger UI files are."""
    return Path(str(swagger_ui_path))


def node_version() -> str:
    """This package's version, for the document's info."""
    try:
        return metadata.version("ibax-node")
    except metadata.PackageNotFoundError:  # run from a source tree that was never installed
        return "0+unknown"


async def build_openapi(app: web.Application) -> None:
    """On start-up, when every route is registered: the document, rendered once."""
    document = build_document(app, node_version())
    app[OPENAPI] = json.dumps(document, separators=(",", ":")).encode()


async def get_openapi(request: web.Request) -> web.Response:
    """GET /api/v2/openapi.json."""
    return web.Response(body=request.app[OPENAPI], content_type="application/json")


async def get_docs_page(request: web.Request) -> web.Response:
    """GET /api/v2/docs: Swagger UI over the document."""
    return web.Response(text=PAGE, content_type="text/html")
