"""`run --workers N`: N API processes on one port, worker 0 the block producer; their supervisor."""

# Each worker is a fresh interpreter (`python -m node` with the same arguments) told its place
# through the environment: prometheus_client picks its multiprocess value store at import, so
# PROMETHEUS_MULTIPROC_DIR must be set before the worker imports anything. Every worker binds
# the port with SO_REUSEPORT and the kernel shares out the connections. Worker 0 also runs the
# block producer (the one writer of blocks); the others queue txs and wake it through a Unix
# datagram socket, so a tx they accept does not wait for the producer's poll.

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import logging
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import FrameType

from aiohttp import web

from chain.producer import BlockProducer
from chain.txcodec import DecodedTx

logger = logging.getLogger(__name__)

INDEX_ENV = "IBAX_WORKER_INDEX"
COUNT_ENV = "IBAX_WORKER_COUNT"
DIR_ENV = "IBAX_WORKER_DIR"
PARENT_ENV = "IBAX_WORKER_PARENT"
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

    def serving(self) -> None:
        """Tell the supervisor this worker got as far as serving the port."""
        _serving_mark(self.run_dir, os.getpid()).touch()

    @classmethod
    def from_environ(cls, environ: Mapping[str, str]) -> WorkerSpec | None:
        """The spec of this process when a supervisor started it, else None."""
        if INDEX_ENV not in environ:
            return None
        return cls(int(environ[INDEX_ENV]), int(environ[COUNT_ENV]), Path(environ[DIR_ENV]))

    def environ(self, parent: int) -> dict[str, str]:
        """The variables that tell a new worker its place."""
        return {
            INDEX_ENV: str(self.index),
            COUNT_ENV: str(self.count),
            DIR_ENV: str(self.run_dir),
            PARENT_ENV: str(parent),
            METRICS_ENV: str(self.metrics_dir),
        }


def die_with_parent(environ: Mapping[str, str]) -> None:
    """Have the kernel send this worker SIGTERM when its supervisor dies (Linux)."""
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
    if os.getppid() != int(environ.get(PARENT_ENV, os.getppid())):
        os.kill(os.getpid(), signal.SIGTERM)  # it died before prctl took effect


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


class _Stop(Exception):
    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def _serving_mark(run_dir: Path, pid: int) -> Path:
    return run_dir / f"serving.{pid}"


@dataclass
class _Running:
    spec: WorkerSpec
    proc: subprocess.Popen[bytes]


def supervise(
    count: int,
    argv: Sequence[str],
    prepare: Callable[[], None],
    mark_dead: Callable[[int, Path], None],
) -> int:
    """Start `count` workers running `ibax-node ARGV`, restart any that dies, stop on a signal.

    `prepare` runs once first (migrations, genesis), so workers never race to make the schema.
    A worker that dies after it served is restarted; one that dies before (it could not start)
    stops the group. Exit status: 0 after SIGTERM/SIGINT, else the failed worker's status.
    """
    prepare()
    run_dir = Path(tempfile.mkdtemp(prefix="ibax-workers-"))
    run_dir.chmod(0o700)
    (run_dir / "metrics").mkdir()
    parent = os.getpid()
    command = [sys.executable, "-m", "node", *argv]

    def spawn(index: int) -> _Running:
        spec = WorkerSpec(index, count, run_dir)
        env = dict(os.environ, **spec.environ(parent))
        proc = subprocess.Popen(command, env=env)
        role = "API and block producer" if spec.produces else "API"
        logger.info("worker %d (%s) started, pid %d", index, role, proc.pid)
        return _Running(spec, proc)

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        raise _Stop(signum)

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGTERM, signal.SIGINT)}
    running: dict[int, _Running] = {}
    status = 0
    try:
        for index in range(count):
            worker = spawn(index)
            running[worker.proc.pid] = worker
        while True:
            pid, wait_status = os.wait()
            worker_gone = running.pop(pid, None)
            if worker_gone is None:
                continue
            code = os.waitstatus_to_exitcode(wait_status)
            worker_gone.proc.returncode = code
            mark_dead(pid, worker_gone.spec.metrics_dir)
            index = worker_gone.spec.index
            mark = _serving_mark(run_dir, pid)
            if not mark.exists():
                # It failed to start (port taken, database gone): another would fail the same.
                logger.error(
                    "worker %d (pid %d) exited with %d before it served; stopping the node",
                    index,
                    pid,
                    code,
                )
                status = code if code > 0 else 1
                break
            mark.unlink()
            logger.error("worker %d (pid %d) exited with %d; restarting it", index, pid, code)
            worker = spawn(index)
            running[worker.proc.pid] = worker
    except _Stop as stop:
        logger.info("%s: stopping %d workers", signal.Signals(stop.signum).name, len(running))
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        _stop_all(list(running.values()))
        shutil.rmtree(run_dir, ignore_errors=True)
    return status


def _stop_all(workers: list[_Running]) -> None:
    """SIGTERM every worker (a graceful stop); SIGKILL those still there after the grace."""
    for worker in workers:
        with contextlib.suppress(ProcessLookupError):
            worker.proc.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + STOP_GRACE_S
    for worker in workers:
        try:
            worker.proc.wait(timeout=max(deadline - time.monotonic(), 0.1))
        except subprocess.TimeoutExpired:
            logger.error("worker %d did not stop in time; killing it", worker.spec.index)
            worker.proc.kill()
            worker.proc.wait()


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
