"""Request ids on every answer and in the logs; `--log-format json`, in process and as a command."""

from __future__ import annotations

import io
import json
import logging
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from api.ops.requestid import HEADER, REQUEST_ID, access_logger
from node.app import create_app
from node.config import Config
from node.logs import log_handler
from tests.node.test_cli import free_port, wait_for


@pytest.fixture
def access_lines() -> Iterator[io.StringIO]:
    """What the access logger writes, as JSON lines."""
    stream = io.StringIO()
    handler = log_handler("json", stream)
    access_logger.addHandler(handler)
    level = access_logger.level
    access_logger.setLevel(logging.INFO)
    try:
        yield stream
    finally:
        access_logger.removeHandler(handler)
        access_logger.setLevel(level)


async def test_every_answer_has_a_request_id(
    aiohttp_client: Callable[..., Any], make_config: Callable[..., Config], access_lines: Any
) -> None:
    client: TestClient[Any, Any] = await aiohttp_client(create_app(make_config(access_log=True)))
    first = await client.get("/api/v2/version")
    second = await client.get("/api/v2/version")
    ours = first.headers[HEADER]
    assert len(ours) == 16 and int(ours, 16) >= 0
    assert second.headers[HEADER] != ours

    theirs = await client.get("/api/v2/block/999", headers={HEADER: "lb-7f3a.42"})
    assert theirs.status == 404
    assert theirs.headers[HEADER] == "lb-7f3a.42"  # errors too, with the client's id

    unsafe = await client.get("/healthz", headers={HEADER: 'a "quoted" id'})
    assert unsafe.headers[HEADER] != 'a "quoted" id'
    redirect = await client.get("/api/v2/version/", allow_redirects=False)
    assert redirect.status == 301 and len(redirect.headers[HEADER]) == 16

    lines = [json.loads(line) for line in access_lines.getvalue().splitlines()]
    by_id = {line["request_id"]: line for line in lines}
    assert by_id["lb-7f3a.42"]["status"] == 404
    assert by_id["lb-7f3a.42"]["path"] == "/api/v2/block/999"
    assert by_id[ours]["method"] == "GET" and by_id[ours]["level"] == "INFO"
    assert by_id[ours]["logger"] == "ibax.access"


async def test_no_access_log_unless_asked(
    aiohttp_client: Callable[..., Any], config: Config, access_lines: Any
) -> None:
    client: TestClient[Any, Any] = await aiohttp_client(create_app(config))
    assert (await client.get("/api/v2/version")).status == 200
    assert access_lines.getvalue() == ""


def test_json_lines_carry_the_request_id() -> None:
    stream = io.StringIO()
    log = logging.getLogger("ibax.test.logging")
    log.addHandler(log_handler("json", stream))
    log.propagate = False
    try:
        log.warning("outside any request")
        token = REQUEST_ID.set("abc123")
        try:
            log.error("inside %s", "one", extra={"block": 7})
        finally:
            REQUEST_ID.reset(token)
    finally:
        log.handlers.clear()
        log.propagate = True
    outside, inside = (json.loads(line) for line in stream.getvalue().splitlines())
    assert outside["request_id"] == "-" and outside["message"] == "outside any request"
    assert inside["request_id"] == "abc123"
    assert inside["message"] == "inside one" and inside["block"] == 7
    assert inside["level"] == "ERROR" and "time" in inside


def test_text_lines_carry_the_request_id() -> None:
    stream = io.StringIO()
    handler = log_handler("text", stream)
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "hello", None, None)
    token = REQUEST_ID.set("r-1")
    try:
        handler.handle(record)
    finally:
        REQUEST_ID.reset(token)
    assert stream.getvalue().rstrip().endswith("INFO x [r-1]: hello")


def test_run_logs_json_lines(tmp_path: Path) -> None:
    port = free_port()
    log = tmp_path / "node.log"
    args = ["run", "--data-dir", str(tmp_path / "d"), "--port", str(port)]
    args += ["--log-format", "json", "--access-log", "true"]
    with (
        log.open("wb") as out,
        subprocess.Popen([sys.executable, "-m", "node", *args], stdout=out, stderr=out) as proc,
    ):
        try:
            wait_for(f"http://127.0.0.1:{port}/healthz", proc)
            request = urllib.request.Request(
                f"http://127.0.0.1:{port}/api/v2/version", headers={HEADER: "from-the-test"}
            )
            with urllib.request.urlopen(request, timeout=5) as resp:
                assert resp.headers[HEADER] == "from-the-test"
            time.sleep(0.2)
        finally:
            proc.terminate()
            proc.wait(timeout=20)
    records = [json.loads(line) for line in log.read_text().splitlines() if line.startswith("{")]
    assert any(r["message"].startswith("starting with Config(") for r in records)
    access = [r for r in records if r.get("request_id") == "from-the-test"]
    assert access and access[0]["logger"] == "ibax.access" and access[0]["status"] == 200
    # Everything the node itself logs is JSON (aiohttp's start-up banner goes to stdout).
    others = [
        line
        for line in log.read_text().splitlines()
        if line
        and not line.startswith("{")
        and not line.startswith("=")
        and "Running on" not in line
        and "(Press CTRL+C" not in line
    ]
    assert others == [], others
