"""/healthz and /readyz on both backends, ready and not ready for each reason."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from typing import Any

import asyncpg
from aiohttp.test_utils import TestClient

from api.appkeys import ENGINE
from api.ops.health import PRODUCER_LINK, PRODUCER_TASK
from chain.storage.migrate import downgrade, head_revision
from node.app import create_app
from node.config import Config
from tests.conftest import PG_ADMIN_DSN


async def readyz(client: TestClient[Any, Any]) -> tuple[int, dict[str, Any]]:
    resp = await client.get("/readyz")
    body: dict[str, Any] = await resp.json()
    return resp.status, body


async def test_healthz_answers(aiohttp_client: Callable[..., Any], config: Config) -> None:
    client: TestClient[Any, Any] = await aiohttp_client(create_app(config))
    resp = await client.get("/healthz")
    assert resp.status == 200
    assert await resp.json() == {"status": "ok"}


async def test_ready_when_everything_holds(
    aiohttp_client: Callable[..., Any], config: Config
) -> None:
    client: TestClient[Any, Any] = await aiohttp_client(create_app(config))
    status, body = await readyz(client)
    assert status == 200, body
    assert body["status"] == "ready"
    checks = body["checks"]
    assert set(checks) == {"database", "migrations", "head", "producer"}
    assert all(check["ok"] for check in checks.values())
    assert checks["migrations"]["detail"] == f"at {head_revision()}"
    assert checks["head"]["detail"].startswith("block 1, ")


async def test_not_ready_when_the_producer_stopped(
    aiohttp_client: Callable[..., Any], config: Config
) -> None:
    client: TestClient[Any, Any] = await aiohttp_client(create_app(config))
    task = client.app[PRODUCER_TASK]
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    status, body = await readyz(client)
    assert status == 503
    assert body["status"] == "not ready"
    assert body["checks"]["producer"] == {"ok": False, "detail": "stopped"}
    assert body["checks"]["database"]["ok"]


async def test_an_api_worker_is_ready_only_while_its_link_to_the_producer_stands(
    aiohttp_client: Callable[..., Any], config: Config
) -> None:
    # With --workers, worker 0's process runs the producer; the others watch their link to it.
    app = create_app(config)
    link = asyncio.Event()
    app[PRODUCER_LINK] = link
    client: TestClient[Any, Any] = await aiohttp_client(app)
    status, body = await readyz(client)
    assert status == 503
    assert body["checks"]["producer"] == {
        "ok": False,
        "detail": "worker 0, which runs it, does not answer",
    }
    link.set()
    status, body = await readyz(client)
    assert status == 200 and body["checks"]["producer"] == {"ok": True, "detail": "running"}


async def test_not_ready_when_the_head_is_too_old(
    aiohttp_client: Callable[..., Any], make_config: Callable[..., Config]
) -> None:
    client: TestClient[Any, Any] = await aiohttp_client(
        create_app(make_config(ready_max_head_age=1))
    )
    assert (await readyz(client))[0] == 200  # genesis was just made
    await asyncio.sleep(2.1)  # block 1 is now at least 2 s old; nothing new was sealed
    status, body = await readyz(client)
    assert status == 503
    head = body["checks"]["head"]
    assert not head["ok"]
    assert head["detail"].endswith("(more than 1 s)")


async def test_not_ready_when_migrations_are_behind(
    aiohttp_client: Callable[..., Any], config: Config
) -> None:
    client: TestClient[Any, Any] = await aiohttp_client(create_app(config))
    await downgrade(client.app[ENGINE], "0004")
    status, body = await readyz(client)
    assert status == 503
    assert body["checks"]["migrations"] == {
        "ok": False,
        "detail": f"at 0004, this code needs {head_revision()}",
    }


async def test_not_ready_when_the_database_is_gone(
    aiohttp_client: Callable[..., Any], config: Config, backend: str
) -> None:
    client: TestClient[Any, Any] = await aiohttp_client(create_app(config))
    task = client.app[PRODUCER_TASK]
    task.cancel()  # it would keep retrying against the broken database
    with contextlib.suppress(asyncio.CancelledError):
        await task
    engine = client.app[ENGINE]
    await engine.dispose()
    if backend == "sqlite":
        # Whatever is at the path now is not a database.
        path = config.db.removeprefix("sqlite+aiosqlite:///")
        with open(path, "wb") as handle:
            handle.write(b"this is not an SQLite database file" * 200)
    else:
        name = engine.url.database
        conn = await asyncpg.connect(PG_ADMIN_DSN)
        try:
            await conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        finally:
            await conn.close()
    status, body = await readyz(client)
    assert status == 503
    assert list(body["checks"]) == ["database", "producer"]
    assert not body["checks"]["database"]["ok"]
    assert body["checks"]["database"]["detail"].startswith("unreachable (")
