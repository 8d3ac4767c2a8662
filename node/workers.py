"""`run --workers N`: N API processes on one port, worker 0 the block producer; their supervisor."""

# Workers are forked from the supervisor, which has imported everything and holds no threads
# nor connections (its one database job, `prepare`, ran and disposed of its engine): a worker
# starts in well under a second even on a busy machine. Every worker binds the port with
# SO_REUSEPORT and the kernel shares out the connections. Worker 0 also runs the
# block producer (the one writer of blocks); the others queue txs and wake it through a Unix
# datagram socket, so a tx they accept does not wait for the producer's poll, and hear of its
# settled blocks through a Unix stream socket, for their live-event clients.

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import logging
import os
import shutil
import signal
import socket
import struct
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import FrameType

import msgpack
from aiohttp import web
from prometheus_client import values

from chain.observer import ChainObserver, Notices, NullObserver, Settled, SettledTx
from chain.producer import BlockProducer
from chain.txcodec import DecodedTx

logger = logging.getLogger(__name__)

METRICS_ENV = "PROMETHEUS_MULTIPROC_DIR"  # prometheus_client's own name
PRODUCER_INDEX = 0
STOP_GRACE_S = 30.0  # how long SIGTERM'd workers get before SIGKILL
_PR_SET_PDEATHSIG = 1


@dataclass(frozen=True)
class WorkerSpec:
    """One worker's place in the group, as its supervisor told it."""

    index: int
    count: int
    run_dir: Path

    @property
    def produces(self) -> bool:
        """Worker 0 runs the block producer (and everything that must live beside it)."""
        return self.index == PRODUCER_INDEX

    @property
    def metrics_dir(self) -> Path:
        return self.run_dir / "metrics"

    @property
    def wake_path(self) -> Path:
        return self.run_dir / "wake.sock"

    @property
    def events_path(self) -> Path:
        return self.run_dir / "events.sock"

    def serving(self) -> None:
        """Tell the supervisor this worker got as far as serving the port."""
        _serving_mark(self.run_dir, os.getpid()).touch()


# ---- waking the producer across processes ------------------------------------------------


class _WakeProtocol(asyncio.DatagramProtocol):
    def __init__(self, wake: asyncio.Event) -> None:
        self._wake = wake

    def datagram_received(self, data: bytes, addr: object) -> None:
        self._wake.set()


async def listen_for_wakes(path: Path, wake: asyncio.Event) -> asyncio.BaseTransport:
    """Set `wake` whenever another worker says it queued txs; close the transport to stop."""
    with contextlib.suppress(FileNotFoundError):
        path.unlink()  # left by a producer that was killed
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(str(path))
    loop = asyncio.get_running_loop()
    transport, _ = await loop.create_datagram_endpoint(lambda: _WakeProtocol(wake), sock=sock)
    return transport


async def forward_wakes(path: Path, wake: asyncio.Event) -> None:
    """Until cancelled: each time `wake` is set, tell the producer's process (one datagram).

    A lost datagram (the producer restarting) costs at most its poll interval.
    """
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.setblocking(False)
    try:
        while True:
            await wake.wait()
            wake.clear()
            with contextlib.suppress(OSError):  # not listening yet, or its buffer is full
                sock.sendto(b"w", str(path))
    finally:
        sock.close()


# ---- the supervisor ----------------------------------------------------------------------


def _serving_mark(run_dir: Path, pid: int) -> Path:
    return run_dir / f"serving.{pid}"


class _Stop(Exception):
    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def supervise(
    count: int,
    prepare: Callable[[], None],
    serve: Callable[[WorkerSpec], None],
    mark_dead: Callable[[int, Path], None],
) -> int:
    """Fork `count` workers that each `serve`, restart any that dies, stop them on a signal.

    `prepare` runs once first (migrations, genesis), so workers never race to make the schema.
    A worker that dies after it served is restarted; one that dies before (it could not start)
    stops the group. Exit status: 0 after SIGTERM/SIGINT, else the failed worker's status.
    """
    prepare()
    run_dir = Path(tempfile.mkdtemp(prefix="ibax-workers-"))
    (run_dir / "metrics").mkdir()
    parent = os.getpid()

    def spawn(index: int) -> int:
        spec = WorkerSpec(index, count, run_dir)
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:
            _worker_main(spec, parent, serve)  # never returns
        role = "API and block producer" if spec.produces else "API"
        logger.info("worker %d (%s) started, pid %d", index, role, pid)
        return pid

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        # A terminal's Ctrl-C reaches every process of the group, and the supervisor then
        # tells the workers again: once stopping, further signals must not cut it short.
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, signal.SIG_IGN)
        raise _Stop(signum)

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGTERM, signal.SIGINT)}
    running: dict[int, int] = {}  # pid: index
    status = 0
    try:
        for index in range(count):
            running[spawn(index)] = index
        while True:
            pid, wait_status = os.wait()
            index_gone = running.pop(pid, None)
            if index_gone is None:
                continue
            code = os.waitstatus_to_exitcode(wait_status)
            mark_dead(pid, run_dir / "metrics")
            mark = _serving_mark(run_dir, pid)
            if not mark.exists():
                # It failed to start (port taken, database gone): another would fail the same.
                logger.error(
                    "worker %d (pid %d) exited with %d before it served; stopping the node",
                    index_gone,
                    pid,
                    code,
                )
                status = code if code > 0 else 1
                break
            mark.unlink()
            logger.error("worker %d (pid %d) exited with %d; restarting it", index_gone, pid, code)
            running[spawn(index_gone)] = index_gone
    except _Stop as stop:
        logger.info("%s: stopping %d workers", signal.Signals(stop.signum).name, len(running))
    finally:
        for sig in previous:
            signal.signal(sig, signal.SIG_IGN)  # stopping: see on_signal
        _stop_all(running)
        shutil.rmtree(run_dir, ignore_errors=True)
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return status


def _worker_main(spec: WorkerSpec, parent: int, serve: Callable[[WorkerSpec], None]) -> None:
    """The forked worker: its own signals and metrics store, `serve`, then exit (no return)."""
    code = 0
    try:
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, signal.SIG_DFL)
        os.environ[METRICS_ENV] = str(spec.metrics_dir)
        # The supervisor imported prometheus_client without it: pick the store again.
        values.ValueClass = values.get_value_class()  # type: ignore[no-untyped-call]
        _die_with(parent)
        serve(spec)
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    except BaseException:
        logger.exception("worker %d failed", spec.index)
        code = 1
    finally:
        logging.shutdown()
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


def _die_with(parent: int) -> None:
    """Have the kernel send this worker SIGTERM when its supervisor dies (Linux)."""
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
    if os.getppid() != parent:
        os.kill(os.getpid(), signal.SIGTERM)  # it died before prctl took effect


def _stop_all(running: dict[int, int]) -> None:
    """SIGTERM every worker (a graceful stop); SIGKILL those still there after the grace."""
    for pid in running:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + STOP_GRACE_S
    while running:
        pid, _ = os.waitpid(-1, os.WNOHANG)
        if pid:
            running.pop(pid, None)
            continue
        if time.monotonic() > deadline:
            for pid, index in running.items():
                logger.error("worker %d did not stop in time; killing it", index)
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
            deadline = float("inf")
        time.sleep(0.05)


class QueueOnly(BlockProducer):
    """An API worker's producer: never run; the txs it accepts wake worker 0's (forward_wakes)."""

    def accepted(self, txs: Sequence[DecodedTx]) -> None:
        # No memo of decoded txs: another process includes them.
        self._wake.set()


def worker_header(index: int) -> Callable[[web.Request, web.StreamResponse], Awaitable[None]]:
    """on_response_prepare: every answer says which worker gave it (X-Worker)."""
    value = str(index)

    async def add(_request: web.Request, response: web.StreamResponse) -> None:
        response.headers["X-Worker"] = value

    return add


# ---- live events across processes --------------------------------------------------------

_FRAME = struct.Struct(">I")
MAX_RELAY_BUFFER = 8 << 20  # bytes a slow API worker may lag behind before it is dropped


def _encode(event: Settled) -> bytes:
    txs = [[t.hash, t.key_id, t.block_id, t.error, t.penalty, t.result] for t in event.txs]
    notices = [sorted(event.notices.accounts), sorted(event.notices.roles)]
    body: bytes = msgpack.packb(
        [event.block_id, event.block_time, txs, sorted(event.tables), notices]
    )
    return _FRAME.pack(len(body)) + body


def _decode(body: bytes) -> Settled:
    block_id, block_time, txs, tables, (accounts, roles) = msgpack.unpackb(body)
    notices = Notices(frozenset(map(tuple, accounts)), frozenset(map(tuple, roles)))
    return Settled(
        block_id, block_time, tuple(SettledTx(*t) for t in txs), frozenset(tables), notices
    )


class EventRelay(NullObserver):
    """Worker 0's observer: every settled block goes on to the API workers (events, bans).

    The producer's call only queues bytes on each worker's stream (cheap, never raising).
    """

    def __init__(self) -> None:
        self._followers: set[asyncio.StreamWriter] = set()

    def txs_settled(self, event: Settled) -> None:
        if not self._followers:
            return
        frame = _encode(event)
        for writer in list(self._followers):
            if writer.transport.get_write_buffer_size() > MAX_RELAY_BUFFER:
                logger.warning("live events: an API worker fell behind; it reconnects")
                self._followers.discard(writer)
                writer.close()
                continue
            writer.write(frame)

    async def serve(self, path: Path) -> asyncio.AbstractServer:
        """Accept the API workers' connections on `path`; close the server to stop."""
        with contextlib.suppress(FileNotFoundError):
            path.unlink()

        async def follower(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            self._followers.add(writer)
            try:
                await reader.read()  # until the worker goes
            except (ConnectionError, asyncio.CancelledError):
                pass  # the worker went, or this one stops: either way the stream is done
            finally:
                self._followers.discard(writer)
                writer.close()

        return await asyncio.start_unix_server(follower, str(path))


async def follow_relay(
    path: Path,
    observer: ChainObserver,
    connected: asyncio.Event,
    linked: Callable[[], None] | None = None,
    retry_s: float = 0.1,
) -> None:
    """Until cancelled: hand worker 0's settled blocks to `observer` (reconnecting as needed).

    `connected` is set while a connection stands (blocks before the first are not heard), and
    cleared when it breaks: worker 0, and with it the block producer, is gone or restarting.
    `linked` is called on every (re)connection, before the first block it brings.
    """
    while True:
        try:
            reader, writer = await asyncio.open_unix_connection(str(path))
        except OSError:  # worker 0 not listening (yet, or again)
            await asyncio.sleep(retry_s)
            continue
        connected.set()
        if linked is not None:
            linked()
        try:
            while True:
                (size,) = _FRAME.unpack(await reader.readexactly(_FRAME.size))
                observer.txs_settled(_decode(await reader.readexactly(size)))
        except (asyncio.IncompleteReadError, ConnectionError):
            connected.clear()
            await asyncio.sleep(retry_s)
        finally:
            writer.close()
