"""A node process for one benchmark run: fresh data dir (and database), ready, then stopped."""

from __future__ import annotations

import contextlib
import math
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from chain.storage.databases import scratch_database

BACKENDS = ("sqlite", "postgresql")
DEFAULT_PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"


def default_pg_dsn() -> str:
    """The PostgreSQL admin DSN runners use when none is given: $IBAX_BENCH_PG_DSN or local."""
    return os.environ.get("IBAX_BENCH_PG_DSN", DEFAULT_PG_ADMIN)


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process and its children now (each with all its threads);
    NaN without /proc. Workers that ended meanwhile are not counted."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return math.nan
    own = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return own + sum(cpu_seconds(int(child)) for child in children)


def free_port() -> int:
    """A TCP port on loopback that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_ready(
    url: str,
    node: subprocess.Popen[bytes],
    log: Path,
    path: str = "/api/v2/version",
    timeout: float = 60,
) -> None:
    """Until the node answers `path`; exit with a pointer to its log if it dies or takes long."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url + path, timeout=1) as resp:
                resp.read()
            return
        except OSError:
            if time.monotonic() > deadline or node.poll() is not None:
                raise SystemExit(f"node did not start; see {log}") from None
            time.sleep(0.2)


@dataclass
class BenchNode:
    """A running node; `exit_code` is set once it has been stopped."""

    url: str
    data_dir: Path
    log_path: Path
    process: subprocess.Popen[bytes]
    exit_code: int | None = None


@contextlib.contextmanager
def node_process(
    backend: str,
    workdir: Path,
    name: str,
    *,
    pg_dsn: str,
    env: Mapping[str, str] | None = None,
    ready_path: str = "/api/v2/version",
    ready_timeout: float = 60,
    stop_timeout: float = 30,
) -> Iterator[BenchNode]:
    """`python -m node run` in `workdir/name` with its log in `workdir/name.log`.

    On PostgreSQL the node gets a database of its own on `pg_dsn`'s server, dropped after the
    node stopped; on SQLite its data dir's file. Log level WARNING, so that the node's own
    logging costs little; `env` adds or overrides settings. The node is stopped with SIGTERM
    (killed after `stop_timeout` s) when the block ends.
    """
    port = free_port()
    node_env = dict(os.environ, IBAX_PORT=str(port), IBAX_LOG_LEVEL="WARNING")
    node_env["IBAX_DATA_DIR"] = str(workdir / name)
    node_env.pop("IBAX_DB", None)
    node_env.update(env or {})
    log_path = workdir / f"{name}.log"
    with contextlib.ExitStack() as stack:
        if backend == "postgresql":
            node_env["IBAX_DB"] = stack.enter_context(scratch_database(pg_dsn, "ibax_bench_"))
        log = stack.enter_context(log_path.open("wb"))
        process = stack.enter_context(
            subprocess.Popen(
                [sys.executable, "-m", "node", "run"], env=node_env, stdout=log, stderr=log
            )
        )
        node = BenchNode(f"http://127.0.0.1:{port}", workdir / name, log_path, process)
        try:
            wait_ready(node.url, process, log_path, ready_path, ready_timeout)
            yield node
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                node.exit_code = process.wait(timeout=stop_timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                node.exit_code = process.wait()
