"""The operator route table: health for load balancers, metrics for Prometheus, the API docs."""

from __future__ import annotations

from dataclasses import dataclass

from aiohttp import web

from api.middleware import Handler
from api.ops import docs, health, metrics


@dataclass(frozen=True)
class Route:
    """One operator endpoint, at its full path (they live outside /api/v2 mostly)."""

    method: str
    path: str
    handler: Handler


ROUTES: tuple[Route, ...] = (
    Route("GET", "/healthz", health.get_health),
    Route("GET", "/readyz", health.get_readiness),
    Route("GET", "/metrics", metrics.scrape_metrics),
    Route("GET", "/api/v2/openapi.json", docs.get_openapi),
    Route("GET", docs.DOCS_PATH, docs.get_docs_page),
)


def setup_ops_routes(app: web.Application) -> None:
    """Register the operator routes, the docs page's assets, and the document's build."""
    for route in ROUTES:
        app.router.add_route(route.method, route.path, route.handler)
    app.router.add_static(docs.ASSETS_PATH, docs.assets_dir())
    app.on_startup.append(docs.build_openapi)
