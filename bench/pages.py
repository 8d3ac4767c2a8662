"""Page renders per second (POST content/page/{name}) on each backend, one report.

Per backend: a node in a fresh data dir (and, for PostgreSQL, a fresh database), the data
API benchmark's `bench` table filled with `--rows` rows (bench.reads.prepare), two pages made
with @1NewPage, then `--duration` seconds of page requests per page and per `--connections`
level, with wrk when it is installed or an aiohttp client:

- `small`: a page of a few nested elements and variables, and its menu (default_menu);
- `dbfind`: three DBFinds of 25 rows each over the table (by id; by a money condition in
  descending order; a LIKE with a count) and their three tables, and the menu.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import aiohttp

from bench.loadgen import check_loopback
from bench.nodeproc import cpu_seconds, node_process
from bench.reads import TABLE, prepare
from bench.run import BACKENDS, DEFAULT_PG_ADMIN
from node.client import NodeClient, load_private_key, succeeded

PAGES = {
    "small": """Div(content-wrapper){
    SetTitle("Bench")
    Div(panel panel-primary){
        Div(panel-heading){ Span(Hello #key_id#) }
        Div(panel-body){
            P(Class: text-muted, Body: "Ecosystem #ecosystem_id#, role #role_id#")
            Button(Body: Go, Page: default_page, Class: btn btn-primary)
        }
    }
}""",
    "dbfind": """Div(content-wrapper){
    DBFind(bench, first).Columns("id,name,amount").Order("id").Limit(25)
    DBFind(bench, rich).Columns("id,name,amount").Where({amount: {$gt: 500}}).Order({amount: -1}).Limit(25)
    DBFind(bench, named).Columns("id,name,doc->n").Where({name: {$like: "row 9"}}).Count(found).Limit(25)
    Table(first, "ID=id,Name=name,Amount=amount")
    Table(rich, "ID=id,Name=name,Amount=amount")
    Div(){#found# rows named like row 9}
    Table(named, "ID=id,Name=name,N=doc.n")
}""",  # noqa: E501 - a Logicor call chain stays on one line
}
WRK_SCRIPT = """
wrk.method = "POST"
wrk.headers["Authorization"] = "Bearer %(token)s"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.body = ""
wrk.path = "%(path)s"
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
    """One page on one backend at one concurrency."""

    backend: str
    page: str
    connections: int = 0
    requests: int = 0
    rate: float = 0.0
    p50_ms: float = 0.0
    p95_ms: float = 0.0
    p99_ms: float = 0.0
    max_ms: float = 0.0
    cpu_ms: float = 0.0  # the node process's CPU time per measured request
    failed: int = 0
    load: str = ""


@dataclass
class Run:
    """Settings and results of a whole invocation."""

    command: str
    tool: str
    settings: dict[str, str] = field(default_factory=dict)
    results: list[Measure] = field(default_factory=list)


def _path(page: str) -> str:
    return f"/api/v2/content/page/bench_{page}"


async def make_pages(url: str, key_file: Path, token: str) -> None:
    """Create the benchmark's pages and check they render as expected."""
    async with NodeClient(url, load_private_key(key_file)) as node:
        await node.login()
        for name, value in PAGES.items():
            params = {
                "ApplicationId": "1",
                "Name": f"bench_{name}",
                "Value": value,
                "Menu": "default_menu",
                "Conditions": "true",
            }
            status = await node.wait(await node.call("@1NewPage", params))
            if not succeeded(status):
                raise SystemExit(f"@1NewPage {name} failed: {status}")
    async with aiohttp.ClientSession(headers={"Authorization": f"Bearer {token}"}) as http:
        for name in PAGES:
            async with http.post(url + _path(name)) as resp:
                body = await resp.json()
                if resp.status != 200 or not body.get("tree"):
                    raise SystemExit(f"{name} answered {resp.status} {str(body)[:300]}")
                if name == "dbfind" and len(body["tree"][0]["children"][0]["attr"]["data"]) != 25:
                    raise SystemExit(f"dbfind read less than 25 rows: {str(body)[:300]}")


def measure_wrk(
    url: str,
    page: str,
    token: str,
    connections: int,
    args: argparse.Namespace,
    workdir: Path,
    cpu: Callable[[], float],
) -> Measure:
    """Run wrk against one page (after a warm-up)."""
    script = workdir / f"{page}.lua"
    script.write_text(WRK_SCRIPT % {"token": token, "path": _path(page)})
    base = ["wrk", "-t", str(min(args.threads, connections)), "-c", str(connections)]
    base += ["--timeout", "5s", "-s", str(script)]
    if args.warmup > 0:
        subprocess.run([*base, "-d", f"{args.warmup:g}s", url], capture_output=True, check=True)
    started = cpu()
    out = subprocess.run(
        [*base, "-d", f"{args.duration:g}s", url], capture_output=True, text=True, check=True
    ).stdout
    used = cpu() - started
    line = next(x for x in reversed(out.splitlines()) if x.startswith("RESULT "))
    data = json.loads(line.removeprefix("RESULT "))
    return Measure(
        backend="",
        page=page,
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
    page: str,
    token: str,
    connections: int,
    args: argparse.Namespace,
    cpu: Callable[[], float],
) -> Measure:
    """The same measurement with an aiohttp client (when wrk is not installed)."""
    latencies: list[float] = []
    failed = 0

    async def worker(http: aiohttp.ClientSession, until: float, record: bool) -> None:
        nonlocal failed
        while time.monotonic() < until:
            start = time.perf_counter()
            try:
                async with http.post(url + _path(page)) as resp:
                    await resp.read()
                    ok = resp.status == 200
            except aiohttp.ClientError:
                ok = False
            if record:
                latencies.append(time.perf_counter() - start)
                failed += not ok

    connector = aiohttp.TCPConnector(limit=connections)
    headers = {"Authorization": f"Bearer {token}"}
    elapsed = used = 0.0
    async with aiohttp.ClientSession(connector=connector, headers=headers) as http:
        for seconds, record in ((args.warmup, False), (args.duration, True)):
            cpu_started = cpu()
            started = time.monotonic()
            await asyncio.gather(
                *(worker(http, started + seconds, record) for _ in range(connections))
            )
            elapsed = time.monotonic() - started
            used = cpu() - cpu_started
    latencies.sort()

    def pct(p: float) -> float:
        if not latencies:
            return 0.0
        return latencies[min(len(latencies) - 1, int(p / 100 * len(latencies)))] * 1000

    return Measure(
        backend="",
        page=page,
        requests=len(latencies),
        rate=len(latencies) / elapsed if elapsed else 0.0,
        p50_ms=pct(50),
        p95_ms=pct(95),
        p99_ms=pct(99),
        max_ms=latencies[-1] * 1000 if latencies else 0.0,
        cpu_ms=used / max(len(latencies), 1) * 1000,
        failed=failed,
    )


def run_backend(backend: str, args: argparse.Namespace, workdir: Path) -> list[Measure]:
    """Start a node, fill the table, make the pages, measure every page."""
    results = []
    env = {"IBAX_WORKERS": str(args.workers)}
    with node_process(backend, workdir, backend, pg_dsn=args.pg_dsn, env=env) as node:
        url, data = node.url, node.data_dir

        def cpu() -> float:
            return cpu_seconds(node.process.pid)

        check_loopback(url)
        sys.stderr.write(f"{backend}: node on {url}, filling {args.rows} rows\n")
        token, _ = asyncio.run(prepare(url, data / "PrivateKey", args.rows))
        asyncio.run(make_pages(url, data / "PrivateKey", token))
        for page in args.pages:
            for connections in args.connections:
                sys.stderr.write(f"{backend}: measuring {page} with {connections}\n")
                before = os.getloadavg()[0]
                if args.tool == "wrk":
                    found = measure_wrk(url, page, token, connections, args, workdir, cpu)
                else:
                    found = asyncio.run(measure_aiohttp(url, page, token, connections, args, cpu))
                found.backend = backend
                found.connections = connections
                found.load = f"{before:.1f} / {os.getloadavg()[0]:.1f}"
                results.append(found)
    return results


def markdown(run: Run) -> str:
    """The report: each page with the backends side by side, then the settings and pages."""
    lines = [
        "# Page render benchmark (content/page)",
        "",
        "```sh",
        run.command,
        "```",
        "",
        "| page | connections | backend | pages/s | p50 ms | p95 ms | p99 ms | max ms "
        "| node CPU ms/page | failed | load |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    order = {b: i for i, b in enumerate(BACKENDS)}
    for page in PAGES:
        found = [r for r in run.results if r.page == page]
        for m in sorted(found, key=lambda r: (r.connections, order[r.backend])):
            lines.append(
                f"| `{page}` | {m.connections} | {m.backend} | {m.rate:.0f} | {m.p50_ms:.2f} "
                f"| {m.p95_ms:.2f} | {m.p99_ms:.2f} | {m.max_ms:.1f} | {m.cpu_ms:.2f} "
                f"| {m.failed} | {m.load} |"
            )
    lines += ["", "Settings:", ""]
    lines += [f"- {k}: {v}" for k, v in run.settings.items()]
    for name, value in PAGES.items():
        lines += ["", f"Page `bench_{name}` (menu `default_menu`):", "", "```", value, "```"]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.pages", description=__doc__)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--pages", default=",".join(PAGES))
    parser.add_argument("--rows", type=int, default=1000, help="rows in the bench table")
    parser.add_argument("--workers", type=int, default=0, help="the node's --workers (0: default)")
    parser.add_argument("--duration", type=float, default=10, help="seconds per page")
    parser.add_argument("--warmup", type=float, default=2, help="seconds before measuring")
    parser.add_argument("--connections", default="8,32", help="comma-separated concurrency levels")
    parser.add_argument("--threads", type=int, default=1, help="wrk threads")
    parser.add_argument("--tool", choices=("auto", "wrk", "aiohttp"), default="auto")
    parser.add_argument("--pg-dsn", default=None)
    parser.add_argument("--report", type=Path, default=Path("bench/reports/latest-pages.md"))
    parser.add_argument("--json", type=Path, help="also write the raw results here")
    args = parser.parse_args(argv)
    args.pg_dsn = args.pg_dsn or os.environ.get("IBAX_BENCH_PG_DSN", DEFAULT_PG_ADMIN)
    args.backends = [b for b in args.backends.split(",") if b]
    args.pages = [p for p in args.pages.split(",") if p]
    args.connections = [int(c) for c in args.connections.split(",") if c]
    if set(args.backends) - set(BACKENDS) or set(args.pages) - set(PAGES):
        parser.error(f"backends: {', '.join(BACKENDS)}; pages: {', '.join(PAGES)}")
    if args.tool == "auto":
        args.tool = "wrk" if shutil.which("wrk") else "aiohttp"
    run = Run(command="python -m bench.pages " + " ".join(argv or sys.argv[1:]), tool=args.tool)
    run.settings = {
        "load generator": f"{args.tool}, keep-alive connections as in the table"
        + (f", {args.threads} thread(s)" if args.tool == "wrk" else ""),
        "per page": f"{args.warmup:g} s warm-up, then {args.duration:g} s measured",
        "request": "POST content/page/{name} as the founder (ecosystem 1), no form values",
        "table": f"custom table `{TABLE}` (varchar, money, text, json), {args.rows} rows",
        "machine": f"{os.cpu_count()} cores, Python {platform.python_version()}, "
        f"{platform.system()} {platform.release()}",
        "note": "node, database and load generator share the machine's cores; `load` is the "
        "1-minute load average before / after the page's run",
    }
    with tempfile.TemporaryDirectory(prefix="ibax-bench-pages-") as tmp:
        for backend in args.backends:
            run.results += run_backend(backend, args, Path(tmp))
    report = markdown(run)
    args.report.parent.mkdir(parents=True, exist_ok=True)
    args.report.write_text(report)
    if args.json:
        args.json.write_text(json.dumps(asdict(run), indent=2))
    print(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
