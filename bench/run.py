"""Start a node per backend, run the load generator against it, write one side-by-side report."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
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

from bench.loadgen import Result, markdown

PG_ADMIN = os.environ.get("IBAX_BENCH_PG_DSN", "postgresql://postgres@127.0.0.1:5432/postgres")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def _pg(sql: str) -> None:
    conn = await asyncpg.connect(PG_ADMIN)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


def run_backend(backend: str, args: argparse.Namespace, workdir: Path) -> Result:
    port = free_port()
    data = workdir / backend
    env = dict(os.environ, IBAX_PORT=str(port), IBAX_DATA_DIR=str(data), IBAX_LOG_LEVEL="WARNING")
    env["IBAX_BLOCK_WINDOW_MS"] = str(args.window_ms)
    db_name = ""
    if backend == "postgresql":
        db_name = f"ibax_bench_{uuid.uuid4().hex[:12]}"
        asyncio.run(_pg(f'CREATE DATABASE "{db_name}"'))
        base = PG_ADMIN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://", 1)
        env["IBAX_DB"] = f"{base}/{db_name}"
    log = (workdir / f"{backend}.log").open("wb")
    node = subprocess.Popen([sys.executable, "-m", "node", "run"], env=env, stdout=log, stderr=log)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(url + "/api/v2/version", timeout=1).read()
                break
            except OSError:
                if time.monotonic() > deadline or node.poll() is not None:
                    raise SystemExit(f"{backend} node did not start; see {log.name}") from None
                time.sleep(0.2)
        out = workdir / f"{backend}.json"
        cmd = [
            sys.executable,
            "-m",
            "bench.loadgen",
            "--node",
            url,
            "--key-file",
            str(data / "PrivateKey"),
            "--count",
            str(args.count),
            "--duration",
            str(args.duration),
            "--concurrency",
            str(args.concurrency),
            "--batch",
            str(args.batch),
            "--senders",
            str(args.senders),
            "--label",
            backend,
            "--json",
            str(out),
        ]
        subprocess.run(cmd, check=True, timeout=args.duration + 300)
        return Result(**json.loads(out.read_text()))
    finally:
        node.send_signal(signal.SIGTERM)
        try:
            node.wait(timeout=30)
        except subprocess.TimeoutExpired:
            node.kill()
        log.close()
        if db_name:
            asyncio.run(_pg(f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)'))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--duration", type=float, default=30)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--batch", type=int, default=20)
    parser.add_argument("--senders", type=int, default=16)
    parser.add_argument("--window-ms", type=int, default=20)
    parser.add_argument("--report", type=Path, default=Path("bench/reports/latest.md"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="ibax-bench-") as tmp:
        results = [run_backend(b, args, Path(tmp)) for b in args.backends.split(",") if b]
    report = markdown(results)
    args.report.parent.mkdir(parents=True, exist_ok=True)
    args.report.write_text(report)
    print(report)


if __name__ == "__main__":
    main()
