"""Serving the app: web.run_app's life cycle, plus a connection cap and an idle timeout."""

# web.run_app cannot cap connections: its TCPSite hands every accepted socket to the server.
# This is the same life cycle (SIGINT/SIGTERM end it gracefully, cleanup contexts unwind,
# exit code 0) with a site whose protocol factory refuses sockets beyond the cap.

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import signal
from collections.abc import Callable
from dataclasses import dataclass

from aiohttp import web

logger = logging.getLogger(__name__)

# A busy node allocates in bursts (a block's rows, a batch's txs): collecting the young generation
# every 700 allocations, Python's default, took about 7% of a node's CPU under a TokensSend load
# (measured with gc.callbacks); every 20,000 takes about 1%.
GC_THRESHOLDS = (20_000, 20, 50)

_BUSY = b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"


@dataclass(frozen=True)
class ServeOptions:
    """Where to listen and how many connections, for how long, the node keeps."""

    host: str
    port: int
    max_connections: int
    # Seconds a connection may stay open without a complete request head: before its first
    # request and between requests (aiohttp's keep-alive timer, armed when the socket opens).
    idle_timeout: float
    handle_signals: bool = True
    # SO_REUSEPORT: several worker processes listen on the one port, the kernel shares out
    # the connections (node/workers.py).
    reuse_port: bool = False


class _Refused(asyncio.Protocol):
    """A connection over the cap: told the node is busy, then closed."""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        if isinstance(transport, asyncio.WriteTransport):
            transport.write(_BUSY)
        transport.close()


class CappedTCPSite(web.TCPSite):
    """A TCPSite that accepts at most `max_connections` open connections at once.

    The count is the server's open connections when a socket is accepted; a burst accepted in
    one event-loop turn may pass the cap by up to the listen backlog before it takes effect.
    """

    def __init__(
        self,
        runner: web.BaseRunner,
        host: str,
        port: int,
        max_connections: int,
        reuse_port: bool = False,
    ):
        super().__init__(runner, host, port, reuse_port=reuse_port)
        self._max_connections = max_connections

    async def start(self) -> None:
        await web.BaseSite.start(self)  # not TCPSite.start: it would listen without the cap
        server = self._runner.server
        assert server is not None  # set by runner.setup(), which BaseSite requires
        limit = self._max_connections

        def protocol() -> asyncio.BaseProtocol:
            if len(server.connections) >= limit:
                return _Refused()
            return server()

        loop = asyncio.get_running_loop()
        self._server = await loop.create_server(
            protocol, self._host, self._port, reuse_port=self._reuse_port
        )


async def start(app: web.Application, options: ServeOptions) -> web.AppRunner:
    """Start serving `app`; the caller ends it with `runner.cleanup()`."""
    runner = web.AppRunner(
        app,
        handle_signals=options.handle_signals,
        access_log=None,
        keepalive_timeout=options.idle_timeout,
    )
    await runner.setup()
    try:
        site = CappedTCPSite(
            runner, options.host, options.port, options.max_connections, options.reuse_port
        )
        await site.start()
    except BaseException:
        await runner.cleanup()
        raise
    return runner


def run(
    app: web.Application, options: ServeOptions, announce: Callable[[str], None] = print
) -> None:
    """Serve until SIGINT or SIGTERM, then shut down cleanly (as web.run_app does)."""

    async def serve() -> None:
        runner = await start(app, options)
        tune_gc()
        try:
            names = ", ".join(sorted(str(site.name) for site in runner.sites))
            announce(f"======== Running on {names} ========\n(Press CTRL+C to quit)")
            while True:
                await asyncio.sleep(3600)
        finally:
            await runner.cleanup()

    loop = new_event_loop()
    logger.info("event loop: %s", type(loop).__module__.split(".")[0])
    main = loop.create_task(serve())
    try:
        asyncio.set_event_loop(loop)
        loop.run_until_complete(main)
    except (web.GracefulExit, KeyboardInterrupt):
        ignore_stop_signals(loop)
    finally:
        try:
            if not main.done():
                main.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    loop.run_until_complete(main)
        finally:
            _cancel_all(loop)
            loop.run_until_complete(loop.shutdown_asyncgens())
            asyncio.set_event_loop(None)
            loop.close()


def ignore_stop_signals(loop: asyncio.AbstractEventLoop) -> None:
    """Stopping already: a second SIGINT or SIGTERM must not cut the graceful shutdown short.

    A terminal's Ctrl-C reaches every process of the group and a supervisor then passes it on
    to its workers, so a worker hears two; before, the second stopped the event loop in the
    middle of the cleanup (exit code 1). SIGKILL still ends the process at once.
    """
    for sig in (signal.SIGINT, signal.SIGTERM):
        # The loop's handler first: the runner's cleanup then finds none to restore.
        with contextlib.suppress(ValueError, RuntimeError):
            loop.remove_signal_handler(sig)
        signal.signal(sig, signal.SIG_IGN)
    logger.info("stopping; further SIGINT and SIGTERM are ignored (SIGKILL ends it at once)")


def tune_gc() -> None:
    """Fewer collections for a serving process, and none of what start-up built."""
    # What exists once the node serves (contracts, caches, the app) lives as long as the
    # process: frozen, the full collections no longer walk it.
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)


def new_event_loop() -> asyncio.AbstractEventLoop:
    """uvloop's loop (its sockets and timers cost a fraction of asyncio's), else asyncio's."""
    try:
        import uvloop
    except ImportError:  # not installed on this platform: the standard loop serves as well
        return asyncio.new_event_loop()
    return uvloop.new_event_loop()


def _cancel_all(loop: asyncio.AbstractEventLoop) -> None:
    tasks = asyncio.all_tasks(loop)
    for task in tasks:
        task.cancel()
    if tasks:
        loop.run_until_complete(asyncio.gather(*tasks, return_exceptions=True))
