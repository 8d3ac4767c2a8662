"""The explorer's route table, its static files and its templates."""

from __future__ import annotations

from pathlib import Path

from aiohttp import web

from api.explorer import views

ROUTES = (
    ("GET", views.PREFIX, views.show_latest),
    ("GET", views.PREFIX + "/block/{id}", views.show_block),
    ("GET", views.PREFIX + "/tx/{hash}", views.show_tx),
    ("GET", views.PREFIX + "/account/{wallet}", views.show_account),
    ("GET", views.PREFIX + "/search", views.search),
)


def setup_explorer_routes(app: web.Application) -> None:
    """Serve the pages and, from this package, their script and style (no CDN)."""
    for method, path, handler in ROUTES:
        app.router.add_route(method, path, handler)
    app.router.add_static(views.STATIC, Path(__file__).parent / "static")
    app[views.TEMPLATES] = views.templates()
