"""The server's edge: idle and half-sent requests are closed, connections are capped."""

from __future__ import annotations

import asyncio
import gc
import time
from collections.abc import AsyncIterator, Callable

import aiohttp
import pytest
from aiohttp import web

from node import serve
from node.app import create_app
from node.config import Config

HEAD = b"GET /api/v2/version HTTP/1.1\r\nHost: x\r\n"  # no blank line: the head never ends


# A template render (public, and it reads its form first) whose head is complete and whose body
# stops after 9 of its 100 bytes. (A login would need a uid token, which expires in 5 s: on a
# loaded machine the last of these sockets may be served later than that.)
POST = (
    b"POST /api/v2/content HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n"
    b"Content-Type: application/x-www-form-urlencoded\r\n\r\ntemplate="
)


async def _started(config: Config, max_connections: int) -> tuple[web.AppRunner, str, int]:
    options = serve.ServeOptions(
        host="127.0.0.1",
        port=0,
        max_connections=max_connections,
        idle_timeout=config.idle_timeout,
        handle_signals=False,
    )
    runner = await serve.start(create_app(config), options)
    host, port = runner.addresses[0][:2]
    return runner, host, port


@pytest.fixture
async def node(
    make_config: Callable[..., Config], request: pytest.FixtureRequest
) -> AsyncIterator[tuple[str, int]]:
    config = make_config(idle_timeout=1, body_timeout=1)
    runner, host, port = await _started(config, getattr(request, "param", 1000))
    try:
        yield host, port
    finally:
        await runner.cleanup()


async def _version(host: str, port: int) -> int:
    async with aiohttp.ClientSession() as session:
        async with session.get(f"http://{host}:{port}/api/v2/version") as resp:
            await resp.read()
            return resp.status


async def _closed_after(reader: asyncio.StreamReader, within: float) -> bytes:
    """Everything the server sent before closing; fails if it is still open after `within`.

    A reset counts as closed too: a loaded server may abort a connection the client still
    holds unread data for, and what arrived before the reset is kept.
    """
    chunks: list[bytes] = []

    async def drain() -> None:
        while True:
            try:
                chunk = await reader.read(65536)
            except ConnectionResetError:
                return
            if not chunk:
                return
            chunks.append(chunk)

    await asyncio.wait_for(drain(), within)
    return b"".join(chunks)


async def test_idle_and_half_sent_requests_are_closed(node: tuple[str, int]) -> None:
    host, port = node
    sockets: list[tuple[asyncio.StreamReader, asyncio.StreamWriter, bytes]] = []
    for sent in [b""] * 70 + [HEAD] * 70 + [POST] * 70:
        reader, writer = await asyncio.open_connection(host, port)
        if sent:
            writer.write(sent)
            await writer.drain()
        sockets.append((reader, writer, sent))
    started = time.monotonic()
    try:
        assert await _version(host, port) == 200  # a real client is served meanwhile
        answers = await asyncio.gather(*(_closed_after(r, 15) for r, _, _ in sockets))
    finally:
        for _, writer, _ in sockets:
            writer.close()
    assert time.monotonic() - started < 15
    for (_, _, sent), answer in zip(sockets, answers, strict=True):
        if sent == POST:
            assert answer.startswith(b"HTTP/1.1 408"), answer[:80]
            assert b'"error":"E_SERVER"' in answer
        else:
            assert answer == b"", answer[:80]
    assert await _version(host, port) == 200


@pytest.mark.parametrize("node", [10], indirect=True)
async def test_connections_past_the_cap_are_refused(node: tuple[str, int]) -> None:
    host, port = node
    held = [await asyncio.open_connection(host, port) for _ in range(10)]
    await asyncio.sleep(0.1)  # let the server register them
    reader, writer = await asyncio.open_connection(host, port)
    refused = await _closed_after(reader, 5)
    writer.close()
    assert refused.startswith(b"HTTP/1.1 503"), refused
    # The idle ones are closed after idle_timeout; then there is room again.
    await asyncio.gather(*(_closed_after(r, 15) for r, _ in held))
    for _, w in held:
        w.close()
    await asyncio.sleep(0.1)
    assert await _version(host, port) == 200


async def test_keep_alive_requests_still_work(node: tuple[str, int]) -> None:
    host, port = node
    async with aiohttp.ClientSession() as session:
        for _ in range(3):
            async with session.get(f"http://{host}:{port}/api/v2/version") as resp:
                assert resp.status == 200
                await resp.read()


def test_a_serving_process_collects_garbage_less_often() -> None:
    before = gc.get_threshold()
    try:
        serve.tune_gc()
        assert gc.get_threshold() == serve.GC_THRESHOLDS
        assert gc.get_threshold()[0] > before[0]
        assert gc.get_freeze_count() > 0  # what start-up built is out of every collection
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)
