"""Start a node per backend and kind of tx, run the load generator on it, write one report."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path

import asyncpg

from bench.loadgen import KINDS, Result, markdown

BACKENDS = ("sqlite", "postgresql")
DEFAULT_PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
LOADGEN_FLAGS = (
    "count",
    "duration",
    "drain_timeout",
    "concurrency",
    "batch",
    "senders",
    "recipients",
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def pg_admin(dsn: str, sql: str) -> None:
    """Run one administrative statement (CREATE/DROP DATABASE) on the benchmark's server."""
    conn = await asyncpg.connect(dsn, timeout=5)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


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


def _log_problems(log: Path) -> list[str]:
    """Errors the node logged during the run (its log level is WARNING)."""
    lines = log.read_text(errors="replace").splitlines()
    bad = [line for line in lines if " ERROR " in line or line.startswith("Traceback")]
    return [f"node log: {line[:200]}" for line in bad[:5]]


def run_backend(backend: str, kind: str, args: argparse.Namespace, workdir: Path) -> Result:
    """One node on a fresh data dir (and, for PostgreSQL, a fresh database), one run of `kind`."""
    port = free_port()
    data = workdir / f"{backend}-{kind}"
    env = dict(os.environ, IBAX_PORT=str(port), IBAX_DATA_DIR=str(data), IBAX_LOG_LEVEL="WARNING")
    env["IBAX_BLOCK_WINDOW_MS"] = str(args.window_ms)
    env.pop("IBAX_DB", None)
    db_name = ""
    if backend == "postgresql":
        db_name = f"ibax_bench_{uuid.uuid4().hex[:12]}"
        asyncio.run(pg_admin(args.pg_dsn, f'CREATE DATABASE "{db_name}"'))
        base = args.pg_dsn.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://", 1)
        env["IBAX_DB"] = f"{base}/{db_name}"
    log_path = workdir / f"{backend}-{kind}.log"
    url = f"http://127.0.0.1:{port}"
    out = workdir / f"{backend}-{kind}.json"
    cmd = [sys.executable, "-m", "bench.loadgen", "--node", url, "--label", backend]
    cmd += ["--kind", kind]
    cmd += ["--key-file", str(data / "PrivateKey"), "--json", str(out)]
    for name in LOADGEN_FLAGS:
        cmd += ["--" + name.replace("_", "-"), str(getattr(args, name))]
    try:
        with (
            log_path.open("wb") as log,
            subprocess.Popen(
                [sys.executable, "-m", "node", "run"], env=env, stdout=log, stderr=log
            ) as node,
        ):
            try:
                wait_ready(url, node, log_path)
                sys.stderr.write(f"{backend} {kind}: node on {url}, loading\n")
                # Its own report goes to /dev/null: this runner prints the side-by-side one.
                limit = args.duration + args.drain_timeout + 300
                rc: int | str
                try:
                    rc = subprocess.run(cmd, stdout=subprocess.DEVNULL, timeout=limit).returncode
                except subprocess.TimeoutExpired:
                    rc = f"a timeout (killed after {limit:g} s)"
            finally:
                node.send_signal(signal.SIGTERM)
                try:
                    code = node.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    node.kill()
                    code = node.wait()
        # A failed run still gets its row: the other kinds and backends are worth keeping.
        if out.exists():
            result = Result(**json.loads(out.read_text()))
        else:
            result = Result(label=backend, kind=kind, errors=["loadgen wrote no result"])
        if rc != 0:
            result.errors.append(f"loadgen exited with {rc}")
        result.settings.pop("node", None)  # a random port: noise in a report
        result.settings["block_window_ms"] = str(args.window_ms)
        result.settings["db"] = "PostgreSQL (fresh database)" if db_name else "SQLite file"
        result.errors += _log_problems(log_path)
        if args.keep_logs:
            args.keep_logs.mkdir(parents=True, exist_ok=True)
            shutil.copy(log_path, args.keep_logs / log_path.name)
        if code != 0:
            result.errors.append(f"node exited with {code} after SIGTERM")
        return result
    finally:
        if db_name:
            asyncio.run(pg_admin(args.pg_dsn, f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)'))


def _names(
    text: str, allowed: tuple[str, ...], what: str, parser: argparse.ArgumentParser
) -> list[str]:
    """A comma-separated list of known names, in the given order, duplicates dropped."""
    names = list(dict.fromkeys(n.strip() for n in text.split(",") if n.strip()))
    unknown = sorted(set(names) - set(allowed))
    if unknown or not names:
        parser.error(f"unknown {what}(s) {unknown}; choose from {', '.join(allowed)}")
    return names


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__)
    parser.add_argument(
        "--backends", default="sqlite", help="comma-separated: sqlite, postgresql (side by side)"
    )
    kinds = parser.add_mutually_exclusive_group()
    kinds.add_argument("--kind", choices=KINDS, help="the txs to send (default utxo)")
    kinds.add_argument("--kinds", help=f"comma-separated, several per backend: {', '.join(KINDS)}")
    parser.add_argument(
        "--pg-dsn",
        default=None,
        help=f"PostgreSQL admin DSN (default $IBAX_BENCH_PG_DSN or {DEFAULT_PG_ADMIN})",
    )
    parser.add_argument("--count", type=int, default=2000, help="at most this many txs per run")
    parser.add_argument("--duration", type=float, default=30, help="send for at most this many s")
    parser.add_argument("--drain-timeout", type=float, default=60, help="wait for commits, s")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--batch", type=int, default=20, help="txs per sendTx request")
    parser.add_argument("--senders", type=int, default=16, help="0: the founder sends all")
    parser.add_argument("--recipients", type=int, default=64)
    parser.add_argument("--window-ms", type=int, default=20, help="the node's --block-window-ms")
    parser.add_argument("--report", type=Path, default=Path("bench/reports/latest.md"))
    parser.add_argument(
        "--keep-logs", type=Path, help="copy each node's log here as <backend>-<kind>.log"
    )
    args = parser.parse_args(argv)
    args.pg_dsn = args.pg_dsn or os.environ.get("IBAX_BENCH_PG_DSN", DEFAULT_PG_ADMIN)
    backends = _names(args.backends, BACKENDS, "backend", parser)
    kinds_run = _names(args.kinds or args.kind or "utxo", KINDS, "kind", parser)
    # Kind by kind, the backends side by side: a fresh node (and database) for every run.
    with tempfile.TemporaryDirectory(prefix="ibax-bench-") as tmp:
        results = [run_backend(b, k, args, Path(tmp)) for k in kinds_run for b in backends]
    report = markdown(results)
    args.report.parent.mkdir(parents=True, exist_ok=True)
    args.report.write_text(report)
    print(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
