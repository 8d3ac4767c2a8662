"""Read throughput of the API (maxblockid, blocks, balance, list, row) per backend and workers.

Per backend and per `--workers` count: a node in a fresh data dir (and, for PostgreSQL, a fresh
database), a custom table `bench` filled with `--rows` rows through a deployed contract, then
`--duration` seconds of GET requests per endpoint and per `--connections` level (keep-alive
connections), with wrk when it is installed (C, so the load generator takes little of the
shared CPU) or an aiohttp client. The node's CPU counts every worker process.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import asdict, dataclass, field
from functools import partial
from pathlib import Path

import aiohttp

from bench.loadgen import check_loopback
from bench.nodeproc import BACKENDS, cpu_seconds, default_pg_dsn, node_process
from bench.profile import During, nothing
from chain.address import address_to_string
from node.client import NodeClient, load_private_key, succeeded

TABLE = "bench"
COLUMNS = json.dumps(
    [
        {"name": "name", "type": "varchar", "index": "1", "conditions": "true"},
        {"name": "amount", "type": "money", "index": "0", "conditions": "true"},
        {"name": "note", "type": "text", "index": "0", "conditions": "true"},
        {"name": "doc", "type": "json", "index": "0", "conditions": "true"},
    ]
)
OPEN = json.dumps({"insert": "true", "update": "true", "new_column": "true"})
FILL_BATCH = 100  # rows one BenchFill call inserts
FILL_SOURCE = """contract BenchFill {
    data {
        From int
        Count int
    }
    action {
        var i int
        while i < $Count {
            DBInsert("bench", {name: Sprintf("row %d", $From + i), amount: $From + i,
                note: "a note of some length to make the row realistic", doc: {"n": $From + i}})
            i = i + 1
        }
    }
}"""
ENDPOINTS = ("version", "maxblockid", "blocks", "balance", "list", "row")
WRK_SCRIPT = """
wrk.headers["Authorization"] = "Bearer %(token)s"
local rows = %(rows)d
local kind = "%(kind)s"
request = function()
  if kind == "row" then
    return wrk.format("GET", "/api/v2/row/bench/" .. math.random(rows))
  end
  return wrk.format("GET", "%(path)s")
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '\\nRESULT {"requests":%%d,"duration_us":%%d,"errors":%%d,"non2xx":%%d,' ..
    '"p50":%%d,"p95":%%d,"p99":%%d,"max":%%d}\\n',
    summary.requests, summary.duration, e.connect + e.read + e.write + e.timeout, e.status,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max))
end
"""


@dataclass
class Measure:
    """One endpoint on one backend."""

    backend: str
    endpoint: str
    workers: int = 0  # as --workers was given: 0 is the node's default, one per core
    connections: int = 0
    requests: int = 0
    rate: float = 0.0
    p50_ms: float = 0.0
    p95_ms: float = 0.0
    p99_ms: float = 0.0
    cpu_ms: float = 0.0  # the node process's CPU time (all its threads) per measured request
    max_ms: float = 0.0
    failed: int = 0
    load: str = ""  # the machine's 1-minute load average before and after


@dataclass
class Run:
    """Settings and results of a whole invocation."""

    command: str
    tool: str
    settings: dict[str, str] = field(default_factory=dict)
    results: list[Measure] = field(default_factory=list)


# The founder's address (balance/{address}); the same on every run, the node key is new each.
ADDRESS = "{address}"


def _path(endpoint: str, address: str = ADDRESS) -> str:
    return {
        "version": "/api/v2/version",
        "maxblockid": "/api/v2/maxblockid",
        "blocks": "/api/v2/blocks?block_id=1&count=10",
        "balance": f"/api/v2/balance/{address}",
        "list": f"/api/v2/list/{TABLE}?limit=25",
    }.get(endpoint, f"/api/v2/row/{TABLE}/1")


async def prepare(url: str, key_file: Path, rows: int) -> tuple[str, str]:
    """Create and fill the `bench` table as the founder; a login token and its address."""
    async with NodeClient(url, load_private_key(key_file)) as node:
        session = await node.login()
        table = {"ApplicationId": "1", "Name": TABLE, "Columns": COLUMNS, "Permissions": OPEN}
        for name, params in (
            ("@1NewTable", table),
            ("@1NewContract", {"ApplicationId": "1", "Value": FILL_SOURCE, "Conditions": "true"}),
        ):
            status = await node.wait(await node.call(name, params))
            if not succeeded(status):
                raise SystemExit(f"{name} failed: {status}")
        hashes = [
            await node.call("BenchFill", {"From": str(start), "Count": str(FILL_BATCH)})
            for start in range(1, rows + 1, FILL_BATCH)
        ]
        for tx_hash in hashes:
            status = await node.wait(tx_hash, timeout=120)
            if not succeeded(status):
                raise SystemExit(f"BenchFill failed: {status}")
        return session.token, address_to_string(session.key_id)


async def check_answers(url: str, token: str, address: str, rows: int) -> None:
    """The endpoints answer what the benchmark expects before it measures them."""
    headers = {"Authorization": f"Bearer {token}"}
    async with aiohttp.ClientSession(headers=headers) as http:
        for endpoint in ("maxblockid", "blocks", "balance"):
            async with http.get(url + _path(endpoint, address)) as resp:
                if resp.status != 200:
                    raise SystemExit(f"{endpoint} answered {resp.status} {await resp.text()}")
        async with http.get(url + _path("list")) as resp:
            body = await resp.json()
            if resp.status != 200 or body["count"] != rows or len(body["list"]) != 25:
                raise SystemExit(f"list answered {resp.status} {str(body)[:200]}")
        async with http.get(url + f"/api/v2/row/{TABLE}/{rows}") as resp:
            body = await resp.json()
            if resp.status != 200 or body["value"]["id"] != str(rows):
                raise SystemExit(f"row answered {resp.status} {str(body)[:200]}")


def measure_wrk(
    url: str,
    endpoint: str,
    token: str,
    rows: int,
    connections: int,
    args: argparse.Namespace,
    workdir: Path,
    cpu: Callable[[], float],
    measured: Callable[[], AbstractContextManager[object]] = nullcontext,
) -> Measure:
    """Run wrk against one endpoint (after a warm-up of the same kind); `measured` wraps the
    measured run (bench.profile)."""
    script = workdir / f"{endpoint}.lua"
    path = _path(endpoint, args.address)
    script.write_text(WRK_SCRIPT % {"token": token, "rows": rows, "kind": endpoint, "path": path})
    threads = min(args.threads, connections)
    base = ["wrk", "-t", str(threads), "-c", str(connections), "--timeout", "5s"]
    base += ["-s", str(script)]
    subprocess.run([*base, "-d", f"{args.warmup}s", url], capture_output=True, check=True)
    with measured():
        started = cpu()
        out = subprocess.run(
            [*base, "-d", f"{args.duration}s", url], capture_output=True, text=True, check=True
        ).stdout
        used = cpu() - started
    line = next(x for x in reversed(out.splitlines()) if x.startswith("RESULT "))
    data = json.loads(line.removeprefix("RESULT "))
    return Measure(
        backend="",
        endpoint=endpoint,
        requests=data["requests"],
        rate=data["requests"] / (data["duration_us"] / 1e6),
        p50_ms=data["p50"] / 1000,
        p95_ms=data["p95"] / 1000,
        p99_ms=data["p99"] / 1000,
        max_ms=data["max"] / 1000,
        cpu_ms=used / max(data["requests"], 1) * 1000,
        failed=data["errors"] + data["non2xx"],
    )


async def measure_aiohttp(
    url: str,
    endpoint: str,
    token: str,
    rows: int,
    connections: int,
    args: argparse.Namespace,
    cpu: Callable[[], float],
    measured: Callable[[], AbstractContextManager[object]] = nullcontext,
) -> Measure:
    """The same measurement with an aiohttp client (when wrk is not installed)."""
    latencies: list[float] = []
    failed = 0

    async def worker(http: aiohttp.ClientSession, until: float, record: bool) -> None:
        nonlocal failed
        while time.monotonic() < until:
            path = (
                f"/api/v2/row/{TABLE}/{random.randint(1, rows)}"
                if endpoint == "row"
                else _path(endpoint, args.address)
            )
            start = time.perf_counter()
            try:
                async with http.get(url + path) as resp:
                    await resp.read()
                    ok = resp.status == 200
            except aiohttp.ClientError:
                ok = False
            if record:
                latencies.append(time.perf_counter() - start)
                failed += not ok

    connector = aiohttp.TCPConnector(limit=connections)
    headers = {"Authorization": f"Bearer {token}"}
    async with aiohttp.ClientSession(connector=connector, headers=headers) as http:
        for seconds, record in ((args.warmup, False), (args.duration, True)):
            with measured() if record else nullcontext():
                cpu_started = cpu()
                started = time.monotonic()
                until = started + seconds
                await asyncio.gather(*(worker(http, until, record) for _ in range(connections)))
                elapsed = time.monotonic() - started
                used = cpu() - cpu_started
    latencies.sort()

    def pct(p: float) -> float:
        return latencies[min(len(latencies) - 1, int(p / 100 * len(latencies)))] * 1000

    return Measure(
        backend="",
        endpoint=endpoint,
        requests=len(latencies),
        rate=len(latencies) / elapsed,
        p50_ms=pct(50),
        p95_ms=pct(95),
        p99_ms=pct(99),
        max_ms=latencies[-1] * 1000 if latencies else 0.0,
        cpu_ms=used / max(len(latencies), 1) * 1000,
        failed=failed,
    )


def run_backend(
    backend: str,
    workers: int,
    args: argparse.Namespace,
    workdir: Path,
    during: During = nothing,
) -> list[Measure]:
    """Start a node, fill its table, measure every endpoint (`args` as `parse` makes them);
    `during` wraps each measured run (bench.profile), entered with the endpoint's name."""
    results = []
    name = f"{backend}-w{workers}"
    env = {"IBAX_WORKERS": str(workers)}
    with node_process(backend, workdir, name, pg_dsn=args.pg_dsn, env=env) as node:
        url, data = node.url, node.data_dir

        def cpu() -> float:
            return cpu_seconds(node.process.pid)

        check_loopback(url)
        sys.stderr.write(f"{backend}: node on {url}, filling {args.rows} rows\n")
        token, args.address = asyncio.run(prepare(url, data / "PrivateKey", args.rows))
        asyncio.run(check_answers(url, token, args.address, args.rows))
        for endpoint in args.endpoints:
            for connections in args.connections:
                sys.stderr.write(
                    f"{backend}, workers {workers}: measuring {endpoint} with {connections}\n"
                )
                before = os.getloadavg()[0]
                measured = partial(during, endpoint, node.process.pid, args.duration)
                if args.tool == "wrk":
                    found = measure_wrk(
                        url, endpoint, token, args.rows, connections, args, workdir, cpu, measured
                    )
                else:
                    found = asyncio.run(
                        measure_aiohttp(
                            url, endpoint, token, args.rows, connections, args, cpu, measured
                        )
                    )
                found.backend = backend
                found.workers = workers
                found.connections = connections
                found.load = f"{before:.1f} / {os.getloadavg()[0]:.1f}"
                results.append(found)
    return results


def markdown(run: Run) -> str:
    """The report: settings, then each endpoint with the backends side by side."""
    lines = [
        "# Data API read benchmark",
        "",
        "```sh",
        run.command,
        "```",
        "",
        "| endpoint | connections | backend | workers | req/s | p50 ms | p95 ms | p99 ms "
        "| max ms | node CPU ms/req | failed | load |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    order = {b: i for i, b in enumerate(BACKENDS)}
    for endpoint in ENDPOINTS:
        found = [r for r in run.results if r.endpoint == endpoint]
        for m in sorted(found, key=lambda r: (r.connections, order[r.backend], r.workers)):
            workers = m.workers or f"default ({os.cpu_count()})"
            lines.append(
                f"| `{_path(endpoint).removeprefix('/api/v2/')}` | {m.connections} | {m.backend} "
                f"| {workers} | {m.rate:.0f} | "
                f"{m.p50_ms:.2f} | {m.p95_ms:.2f} | {m.p99_ms:.2f} | {m.max_ms:.1f} "
                f"| {m.cpu_ms:.2f} | {m.failed} "
                f"| {m.load} |"
            )
    lines += ["", "Settings:", ""]
    lines += [f"- {k}: {v}" for k, v in run.settings.items()]
    return "\n".join(lines) + "\n"


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    """bench.reads's flags, lists split and the load tool chosen (wrk, else aiohttp)."""
    parser = argparse.ArgumentParser(prog="python -m bench.reads", description=__doc__)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--endpoints", default=",".join(ENDPOINTS))
    parser.add_argument("--rows", type=int, default=1000, help="rows in the bench table")
    parser.add_argument("--duration", type=int, default=10, help="seconds per endpoint")
    parser.add_argument("--warmup", type=int, default=2, help="seconds before measuring")
    parser.add_argument("--connections", default="64", help="comma-separated concurrency levels")
    parser.add_argument(
        "--workers", default="1,0", help="comma-separated --workers of the node (0: its default)"
    )
    parser.add_argument("--threads", type=int, default=1, help="wrk threads")
    parser.add_argument("--tool", choices=("auto", "wrk", "aiohttp"), default="auto")
    parser.add_argument("--pg-dsn", default=None)
    parser.add_argument("--report", type=Path, default=Path("bench/reports/latest-reads.md"))
    parser.add_argument("--json", type=Path, help="also write the raw results here")
    args = parser.parse_args(argv)
    args.pg_dsn = args.pg_dsn or default_pg_dsn()
    args.backends = [b for b in args.backends.split(",") if b]
    args.endpoints = [e for e in args.endpoints.split(",") if e]
    args.connections = [int(c) for c in args.connections.split(",") if c]
    args.workers = [int(w) for w in args.workers.split(",") if w]
    if set(args.backends) - set(BACKENDS) or set(args.endpoints) - set(ENDPOINTS):
        parser.error(f"backends: {', '.join(BACKENDS)}; endpoints: {', '.join(ENDPOINTS)}")
    if args.tool == "auto":
        args.tool = "wrk" if shutil.which("wrk") else "aiohttp"
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    run = Run(command="python -m bench.reads " + " ".join(argv or sys.argv[1:]), tool=args.tool)
    run.settings = {
        "load generator": f"{args.tool}, keep-alive connections as in the table"
        + (f", {args.threads} thread(s)" if args.tool == "wrk" else ""),
        "per endpoint": f"{args.warmup:g} s warm-up, then {args.duration:g} s measured",
        "table": f"custom table `{TABLE}` (varchar, money, text, json), {args.rows} rows",
        "list": "`limit=25`, first page; row: a uniformly random id per request",
        "balance": "the founder's address (`{address}` in the table)",
        "workers": "1: one process; default: one per core (worker 0 also makes blocks)",
        "machine": f"{os.cpu_count()} cores, Python {platform.python_version()}, "
        f"{platform.system()} {platform.release()}",
        "note": "node, database and load generator share the machine's cores; `load` is the "
        "1-minute load average before / after the endpoint's run (other work on the machine "
        "shows there)",
    }
    with tempfile.TemporaryDirectory(prefix="ibax-bench-reads-") as tmp:
        for backend in args.backends:
            for workers in args.workers:
                run.results += run_backend(backend, workers, args, Path(tmp))
    report = markdown(run)
    args.report.parent.mkdir(parents=True, exist_ok=True)
    args.report.write_text(report)
    if args.json:
        args.json.write_text(json.dumps(asdict(run), indent=2))
    print(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
