"""Descriptions of the operator routes (api/ops/routes.py): health, metrics, the API's own docs."""

from __future__ import annotations

from api.openapi.schema import ANY_OBJECT, BOOL, STR, Answer, Op, mapping, ok, struct

READINESS = struct(
    {
        "status": {"enum": ["ready", "not ready"]},
        "checks": mapping(struct({"ok": BOOL, "detail": STR})),
    }
)

DESCRIPTIONS: dict[tuple[str, str], Op] = {
    ("GET", "/healthz"): Op(
        "Liveness: the process answers",
        "operations",
        (ok(struct({"status": {"const": "ok"}})),),
    ),
    ("GET", "/readyz"): Op(
        "Readiness: database reachable, migrations current, producer running, head fresh",
        "operations",
        (
            ok(READINESS, "ready"),
            Answer(503, "not ready; the failing checks say why", READINESS),
        ),
        description="`ready_max_head_age` (seconds, 0 = off) bounds the newest block's age.",
    ),
    ("GET", "/metrics"): Op(
        "Prometheus metrics",
        "operations",
        (ok(STR, "the text exposition format", "text/plain"),),
    ),
    ("GET", "/api/v2/openapi.json"): Op(
        "This document", "operations", (ok(ANY_OBJECT, "OpenAPI 3.1"),)
    ),
    ("GET", "/api/v2/docs"): Op(
        "This document in Swagger UI", "operations", (ok(STR, "an HTML page", "text/html"),)
    ),
}
