"""Real node processes in tests: a free port, `python -m node ...`, waiting until it answers."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Mapping
from pathlib import Path


def free_port() -> int:
    """A TCP port on loopback that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def node_cmd(*args: str) -> list[str]:
    """The command line of `ibax-node ARGS` run by this interpreter."""
    return [sys.executable, "-m", "node", *args]


def start_node(
    data_dir: Path,
    log: Path,
    *,
    port: int,
    db_url: str | None = None,
    env: Mapping[str, str] | None = None,
) -> subprocess.Popen[bytes]:
    """`ibax-node run` on `port` with `data_dir` (and `db_url`); its output appended to `log`."""
    node_env = dict(os.environ, IBAX_PORT=str(port), IBAX_DATA_DIR=str(data_dir))
    if db_url is not None:
        node_env["IBAX_DB"] = db_url
    node_env.update(env or {})
    with log.open("ab") as out:
        # Its own process group: kill_group ends the node and every worker it started.
        return subprocess.Popen(
            node_cmd("run"),
            env=node_env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def kill_group(proc: subprocess.Popen[bytes]) -> None:
    """SIGKILL the node and all its workers at once (a crash of the whole node)."""
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)


def wait_for(url: str, proc: subprocess.Popen[bytes], timeout: float = 30) -> str:
    """The body of the first answer from `url`; fails at once if the node exits first."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"node exited early with {proc.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=1) as resp:
                return str(resp.read().decode())
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"{url} did not answer in {timeout}s")


async def wait_up(url: str, proc: subprocess.Popen[bytes], timeout: float = 30) -> str:
    """wait_for from async code, without holding up the event loop."""
    return await asyncio.to_thread(wait_for, url, proc, timeout)


def stop_node(proc: subprocess.Popen[bytes], timeout: float = 20) -> int | None:
    """SIGTERM, then SIGKILL if it has not exited in `timeout` s; its exit code after SIGTERM."""
    proc.send_signal(signal.SIGTERM)
    try:
        return proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        return None
