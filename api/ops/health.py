"""Health for load balancers: /healthz (the process answers), /readyz (it can serve the chain)."""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncEngine

from api.appkeys import ENGINE
from api.jsonenc import Struct
from api.responses import json_response
from chain.storage.migrate import stored_revision
from chain.storage.repo.blocks import get_head

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class HealthSettings:
    """What readiness demands."""

    schema_revision: str  # the migration this code needs (chain.storage.migrate.head_revision)
    max_head_age: int = 0  # seconds; 0: the head's age is not checked
    db_timeout: float = 3.0  # a database slower than this is as good as down


HEALTH = web.AppKey("health", HealthSettings)
# The block producer's task, set while it runs (node/app.py's producer context).
PRODUCER_TASK: web.AppKey[asyncio.Task[None]] = web.AppKey("producer_task")
# An API worker of `run --workers N` has no producer: worker 0's process runs it. Set while
# this worker's link to worker 0 stands; readiness then answers for worker 0's producer.
PRODUCER_LINK = web.AppKey("producer_link", asyncio.Event)


@dataclass(frozen=True)
class Check:
    """One readiness condition: whether it holds, and what was seen."""

    name: str
    ok: bool
    detail: str


async def _storage_checks(engine: AsyncEngine, settings: HealthSettings, now: float) -> list[Check]:
    try:
        async with asyncio.timeout(settings.db_timeout):
            async with engine.connect() as conn:
                revision = await stored_revision(conn)
                head = await get_head(conn) if revision is not None else None
    except Exception as exc:  # whatever the driver raises, the database cannot serve
        logger.warning("readiness: database check failed: %r", exc)
        detail = "no answer in time" if isinstance(exc, TimeoutError) else type(exc).__name__
        return [Check("database", False, f"unreachable ({detail})")]
    checks = [Check("database", True, "reachable")]
    wanted = settings.schema_revision
    if revision == wanted:
        checks.append(Check("migrations", True, f"at {revision}"))
    else:
        checks.append(Check("migrations", False, f"at {revision}, this code needs {wanted}"))
    if head is None:
        checks.append(Check("head", False, "no blocks"))
        return checks
    age = max(int(now) - head.time, 0)
    seen = f"block {head.id}, {age} s old"
    if settings.max_head_age and age > settings.max_head_age:
        checks.append(Check("head", False, f"{seen} (more than {settings.max_head_age} s)"))
    else:
        checks.append(Check("head", True, seen))
    return checks


def _producer_check(task: asyncio.Task[None] | None, link: asyncio.Event | None) -> Check:
    if task is None:
        return Check("producer", False, "not started")
    if task.done():
        return Check("producer", False, "stopped")
    if link is not None and not link.is_set():
        return Check("producer", False, "worker 0, which runs it, does not answer")
    return Check("producer", True, "running")


async def readiness(
    engine: AsyncEngine,
    producer: asyncio.Task[None] | None,
    settings: HealthSettings,
    link: asyncio.Event | None = None,
) -> list[Check]:
    """Every readiness condition: database, migrations, producer (or the link to it), head age."""
    checks = await _storage_checks(engine, settings, time.time())
    checks.append(_producer_check(producer, link))
    return checks


async def get_health(request: web.Request) -> web.Response:
    """GET /healthz: the process is up and its event loop answers."""
    return json_response(Struct(status="ok"))


async def get_readiness(request: web.Request) -> web.Response:
    """GET /readyz: 200 when the node can serve the chain, 503 naming what fails."""
    app = request.app
    checks = await readiness(
        app[ENGINE], app.get(PRODUCER_TASK), app[HEALTH], app.get(PRODUCER_LINK)
    )
    ready = all(c.ok for c in checks)
    body = Struct(
        status="ready" if ready else "not ready",
        checks={c.name: Struct(ok=c.ok, detail=c.detail) for c in checks},
    )
    return json_response(body, status=200 if ready else 503)
