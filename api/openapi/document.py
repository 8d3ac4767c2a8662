"""The OpenAPI 3.1 document of a running app: its served routes joined with their descriptions."""

from __future__ import annotations

import enum
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from api.bank.openapi import bank_descriptions
from api.events.openapi import DESCRIPTIONS as EVENTS_DESCRIPTIONS
from api.explorer.openapi import DESCRIPTIONS as EXPLORER_DESCRIPTIONS
from api.openapi import v2
from api.openapi.schema import FORM_TYPES, JSON, STR, Field, Op, Schema, ref
from api.openapi.shapes import COMPONENTS
from api.ops.openapi import DESCRIPTIONS as OPS_DESCRIPTIONS

OPENAPI_VERSION = "3.1.0"
_PATH_PARAM = re.compile(r"{([^}:]+)[^}]*}")

TAGS = (
    ("auth", "getuid, login and tokens"),
    ("transactions", "sending transactions and their status"),
    ("blocks", "the chain's blocks"),
    ("accounts", "balances, keys and ecosystems"),
    ("contracts", "Needle contracts"),
    ("data", "tables and rows, with their read permissions"),
    ("parameters", "ecosystem, platform and application parameters"),
    ("interface", "pages, menus, snippets and sections as stored"),
    ("content", "Logicor pages rendered"),
    ("members", "members, avatars and stored files"),
    ("metrics", "the reference's metrics/* counts"),
    ("system", "what this node is"),
    ("bank", "the CCash-compatible bank (when the node runs it)"),
    ("operations", "health, Prometheus metrics and this document"),
    ("events", "live blocks, transaction statuses and notification counts (WebSocket)"),
    ("explorer", "the block explorer's HTML pages"),
)


class Surface(enum.Enum):
    """Which part of the node answers a route: it decides the shape of its errors."""

    IBAX = "ibax"  # {"error": "E_...", "msg": "..."}
    BANK = "bank"  # a JSON string
    OPS = "ops"
    EVENTS = "events"  # outside /api/v2, errors in the IBAX envelope
    PAGES = "pages"  # HTML pages; their errors are HTML too


@dataclass(frozen=True)
class Described:
    surface: Surface
    op: Op


def descriptions() -> dict[tuple[str, str], Described]:
    """Every route description the node has, keyed by (method, full path)."""
    found = {
        (method, v2.PREFIX + path): Described(Surface.IBAX, op)
        for (method, path), op in v2.DESCRIPTIONS.items()
    }
    found.update((key, Described(Surface.BANK, op)) for key, op in bank_descriptions().items())
    found.update((key, Described(Surface.OPS, op)) for key, op in OPS_DESCRIPTIONS.items())
    found.update((key, Described(Surface.EVENTS, op)) for key, op in EVENTS_DESCRIPTIONS.items())
    found.update((key, Described(Surface.PAGES, op)) for key, op in EXPLORER_DESCRIPTIONS.items())
    return found


def served_routes(app: web.Application) -> Iterator[tuple[str, str]]:
    """(method, path template) of every API route the app serves.

    HEAD (added by aiohttp beside each GET) and static file trees (the docs page's assets)
    are not API operations.
    """
    for route in app.router.routes():
        resource = route.resource
        if route.method == "HEAD" or resource is None:
            continue
        if isinstance(resource, web.StaticResource):
            continue
        yield route.method, resource.canonical


def _field(where: str, item: Field) -> dict[str, Any]:
    return {
        "name": item.name,
        "in": where,
        "required": item.required,
        "description": item.description,
        "schema": item.schema,
    }


def _form_schema(fields: tuple[Field, ...]) -> Schema:
    return {
        "type": "object",
        "properties": {f.name: {**f.schema, "description": f.description} for f in fields},
        "required": [f.name for f in fields if f.required],
    }


def _content(media: str, schema: Schema) -> dict[str, Any]:
    return {media: {"schema": schema}}


def _error(surface: Surface, description: str) -> dict[str, Any]:
    if surface is Surface.PAGES:
        return {"description": description, "content": _content("text/html", STR)}
    schema = ref("Error") if surface in (Surface.IBAX, Surface.EVENTS) else STR
    return {"description": description, "content": _content(JSON, schema)}


def _security(surface: Surface, op: Op) -> list[dict[str, list[str]]] | None:
    if surface is Surface.BANK:
        return [{"basic": []}] if op.security else None
    if op.login or "bearer" in op.security:
        return [{"bearer": []}]
    return None


def _responses(surface: Surface, op: Op) -> dict[str, Any]:
    responses: dict[str, Any] = {}
    for answer in op.answers:
        entry: dict[str, Any] = {"description": answer.description}
        if answer.schema is not None:
            entry["content"] = _content(answer.media, answer.schema)
        responses[str(answer.status)] = entry
    if surface is Surface.IBAX and op.login:
        responses["401"] = _error(surface, "no valid login token (E_UNAUTHORIZED)")
    if surface is Surface.BANK and op.security:
        responses["401"] = _error(surface, '"Invalid Credentials"')
    for status, description in op.errors.items():
        responses[str(status)] = _error(surface, description)
    if surface is Surface.IBAX:
        responses["default"] = _error(surface, "any other failure, in the error envelope")
    elif surface is Surface.BANK:
        responses["default"] = _error(surface, "any other failure: a JSON string")
    return responses


def _operation_id(method: str, path: str) -> str:
    return f"{method.lower()}_" + re.sub(r"[^A-Za-z0-9]+", "_", path).strip("_")


def operation(method: str, path: str, described: Described) -> dict[str, Any]:
    """The OpenAPI operation object of one route."""
    op, surface = described.op, described.surface
    result: dict[str, Any] = {
        "operationId": _operation_id(method, path),
        "summary": op.summary,
        "tags": [op.tag],
    }
    if op.description:
        result["description"] = op.description
    parameters = [
        _field("path", Field(name, op.path_params.get(name, ""), required=True))
        for name in _PATH_PARAM.findall(path)
    ]
    parameters += [_field("query", item) for item in op.query]
    if parameters:
        result["parameters"] = parameters
    body: dict[str, Any] = {}
    if op.form:
        body = {media: {"schema": _form_schema(op.form)} for media in FORM_TYPES}
    elif op.json_body is not None:
        body = _content(JSON, op.json_body)
    elif op.raw_body is not None:
        body = {media: {"schema": schema} for media, schema in op.raw_body.items()}
    if body:
        result["requestBody"] = {"content": body}
    security = _security(surface, op)
    if security is not None:
        result["security"] = security
    result["responses"] = _responses(surface, op)
    return result


def build_document(
    app: web.Application, version: str, catalogue: Mapping[tuple[str, str], Described] | None = None
) -> dict[str, Any]:
    """The document of every served route that has a description (the tests demand all do)."""
    known = descriptions() if catalogue is None else catalogue
    paths: dict[str, dict[str, Any]] = {}
    for method, path in sorted(set(served_routes(app))):
        described = known.get((method, path))
        if described is not None:
            paths.setdefault(path, {})[method.lower()] = operation(method, path, described)
    return {
        "openapi": OPENAPI_VERSION,
        "info": {
            "title": "ibax-node",
            "version": version,
            "description": "An IBAX-compatible node: the IBAX REST API v2, the CCash-compatible "
            "bank API when it is on, and operator routes.",
        },
        "servers": [{"url": "/"}],
        "tags": [{"name": name, "description": text} for name, text in TAGS],
        "paths": paths,
        "components": {
            "schemas": COMPONENTS,
            "securitySchemes": {
                "bearer": {
                    "type": "http",
                    "scheme": "bearer",
                    "bearerFormat": "JWT",
                    "description": "a login token (login), or getuid's token for login itself",
                },
                "basic": {"type": "http", "scheme": "basic", "description": "a bank user"},
            },
        },
    }
