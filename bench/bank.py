"""Bank (CCash API) benchmark: wrk against a node with the bank on, the reference's shapes.

The shapes of the reference measurement (CCash v2.6.1 on this machine, `wrk -t2 -c64 -d8s`,
10,001 users, max_log 100): properties, balance of a random user, verify_password, a transfer
from one sender to a random user, and a v2 log of 100 entries. Each backend gets a fresh node
and data dir (and a fresh PostgreSQL database), set up over the API before wrk starts.

    python -m bench.bank --backends sqlite,postgresql --report bench/reports/$(date +%F)-bank.md
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp

from bench.loadgen import machine
from bench.nodeproc import cpu_seconds, default_pg_dsn, node_process
from bench.profile import During, nothing

ADMIN, ADMIN_PW = "admin", "adminpw"
SENDER, LOGUSER, PASSWORD = "sender", "loguser", "pw"
SHAPES = ("properties", "balance", "verify_password", "transfer", "log_v2")
# The reference's figures on this machine (CCash v2.6.1, in memory, saved only at exit).
REFERENCE = {
    "properties": (93_900, 0.45, 4.1),
    "balance": (83_900, 0.50, 7.9),
    "verify_password": (89_000, 0.52, 4.7),
    "transfer": (74_500, 0.67, 5.3),
    "log_v2": (82_200, 0.60, 5.1),
}


def _auth(name: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{name}:{password}".encode()).decode()


def lua_script(shape: str, users: int) -> str:
    """The wrk script of one shape: JSON headers on every request, as real clients send."""
    headers = 'wrk.headers["Accept"] = "application/json"\n'
    headers += 'wrk.headers["Content-Type"] = "application/json"\n'
    if shape == "properties":
        return headers + 'wrk.path = "/api/properties"\n'
    if shape == "balance":
        return headers + (
            "request = function()\n"
            '  return wrk.format("GET", "/api/v1/user/balance?name=user"'
            f" .. math.random(0, {users - 1}))\n"
            "end\n"
        )
    if shape == "verify_password":
        return headers + (
            f'wrk.method = "POST"\nwrk.path = "/api/v1/user/verify_password"\n'
            f'wrk.headers["Authorization"] = "{_auth(SENDER, PASSWORD)}"\n'
        )
    if shape == "transfer":
        return headers + (
            f'wrk.headers["Authorization"] = "{_auth(SENDER, PASSWORD)}"\n'
            "request = function()\n"
            f'  local body = \'{{"name":"user\' .. math.random(0, {users - 1})'
            ' .. \'","amount":1}\'\n'
            '  return wrk.format("POST", "/api/v1/user/transfer", nil, body)\n'
            "end\n"
        )
    return headers + (
        'wrk.path = "/api/v2/user/log"\n'
        f'wrk.headers["Authorization"] = "{_auth(LOGUSER, PASSWORD)}"\n'
    )


# Appended to every script: wrk's own percentiles, p95 too (its --latency table has none).
WRK_DONE = """
done = function(summary, latency, requests)
  io.write(string.format("\\nPERCENTILES %d %d %d\\n",
    latency:percentile(50), latency:percentile(95), latency:percentile(99)))
end
"""


@dataclass
class Measure:
    shape: str
    rate: float = 0.0
    p50_ms: float = 0.0
    p95_ms: float = 0.0
    p99_ms: float = 0.0
    cpu_ms: float = 0.0  # the node's CPU time per request over the measured run
    requests: int = 0
    non_2xx: int = 0
    errors: str = ""


@dataclass
class Run:
    backend: str
    measures: list[Measure] = field(default_factory=list)
    setup_s: float = 0.0
    notes: list[str] = field(default_factory=list)


def _ms(text: str) -> float:
    value, unit = float(re.sub(r"[a-z]+$", "", text)), re.sub(r"^[0-9.]+", "", text)
    return value * {"us": 0.001, "ms": 1.0, "s": 1000.0}.get(unit, 1.0)


def parse_wrk(shape: str, out: str) -> Measure:
    """Requests/s and the 50%/99% latencies of `wrk --latency`."""
    m = Measure(shape)
    rate = re.search(r"Requests/sec:\s+([0-9.]+)", out)
    m.rate = float(rate.group(1)) if rate else 0.0
    for pct, attr in (("50", "p50_ms"), ("99", "p99_ms")):
        found = re.search(rf"^\s+{pct}%\s+(\S+)", out, re.M)
        if found:
            setattr(m, attr, _ms(found.group(1)))
    total = re.search(r"(\d+) requests in", out)
    m.requests = int(total.group(1)) if total else 0
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    m.non_2xx = int(bad.group(1)) if bad else 0
    errors = re.search(r"Socket errors: .*", out)
    m.errors = errors.group(0) if errors else ""
    exact = re.search(r"^PERCENTILES (\d+) (\d+) (\d+)$", out, re.M)
    if exact:
        m.p50_ms, m.p95_ms, m.p99_ms = (int(us) / 1000 for us in exact.groups())
    return m


async def setup(url: str, users: int, concurrency: int) -> None:
    """u0..u{n-1} with 0, a rich sender, a user with a full log (100 entries)."""
    admin = {"Authorization": _auth(ADMIN, ADMIN_PW), "Accept": "application/json"}
    async with aiohttp.ClientSession(url) as session:

        async def add(name: str, amount: int) -> None:
            body = {"name": name, "amount": amount, "pass": PASSWORD}
            async with session.post("/api/v1/admin/user/register", json=body, headers=admin) as r:
                if r.status != 204:
                    raise SystemExit(f"register {name}: {r.status} {await r.text()}")

        await add(SENDER, 4_000_000_000)
        await add(LOGUSER, 0)
        queue = [f"user{i}" for i in range(users)]

        async def worker() -> None:
            while queue:
                await add(queue.pop(), 0)

        await asyncio.gather(*(worker() for _ in range(concurrency)))
        auth = {"Authorization": _auth(SENDER, PASSWORD), "Accept": "application/json"}

        async def fill(i: int) -> None:
            body = {"name": LOGUSER, "amount": 1 + i}
            async with session.post("/api/v1/user/transfer", json=body, headers=auth) as r:
                if r.status != 200:
                    raise SystemExit(f"transfer: {r.status} {await r.text()}")

        await asyncio.gather(*(fill(i) for i in range(100)))


def _balance(url: str, name: str) -> int:
    req = urllib.request.Request(
        f"{url}/api/v1/user/balance?name={name}", headers={"Accept": "application/json"}
    )
    with urllib.request.urlopen(req, timeout=5) as resp:
        return int(resp.read())


def run_backend(
    backend: str, args: argparse.Namespace, workdir: Path, during: During = nothing
) -> Run:
    """A node with the bank on, its users set up, wrk per shape; `during` wraps each measured
    run (bench.profile), entered with the shape's name."""
    env = {
        "IBAX_BANK_ADMIN": ADMIN,
        "IBAX_BANK_ADMIN_PASSWORD": ADMIN_PW,
        "IBAX_BANK_HASH_COST": str(args.hash_cost),
        "IBAX_BLOCK_WINDOW_MS": str(args.window_ms),
    }
    run = Run(backend)
    with node_process(
        backend,
        workdir,
        backend,
        pg_dsn=args.pg_dsn,
        env=env,
        ready_path="/api/properties",
        ready_timeout=120,
        stop_timeout=60,
    ) as node:
        url = node.url
        started = time.monotonic()
        asyncio.run(setup(url, args.users, args.connections))
        run.setup_s = time.monotonic() - started
        for shape in args.shapes.split(","):
            script = workdir / f"{shape}.lua"
            script.write_text(lua_script(shape, args.users) + WRK_DONE)
            before = _balance(url, SENDER) if shape == "transfer" else 0
            cmd = ["wrk", f"-t{args.threads}", f"-c{args.connections}"]
            cmd += [f"-d{args.duration}s", "--latency", "-s", str(script), url]
            with during(shape, node.process.pid, args.duration):
                cpu_started = cpu_seconds(node.process.pid)
                out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
                used = cpu_seconds(node.process.pid) - cpu_started
            measure = parse_wrk(shape, out)
            measure.cpu_ms = used * 1000 / max(measure.requests, 1)
            run.measures.append(measure)
            sys.stderr.write(f"{backend} {shape}: {measure.rate:.0f} req/s\n")
            if shape == "transfer":
                time.sleep(1)
                moved = before - _balance(url, SENDER)
                run.notes.append(
                    f"transfer: {measure.requests - measure.non_2xx} answered 200, "
                    f"the sender's balance fell by {moved}"
                )
    if node.exit_code != 0:
        run.notes.append(f"node exited with {node.exit_code} after SIGTERM")
    log_lines = node.log_path.read_text(errors="replace").splitlines()
    run.notes += [f"node log: {ln[:200]}" for ln in log_lines if " ERROR " in ln][:5]
    if args.keep_logs:
        args.keep_logs.mkdir(parents=True, exist_ok=True)
        shutil.copy(node.log_path, args.keep_logs / node.log_path.name)
    return run


def report(runs: list[Run], args: argparse.Namespace, command: str) -> str:
    lines = [
        "# Benchmark report: bank (CCash API)",
        "",
        f"Machine: {machine()}",
        f"Date: {time.strftime('%Y-%m-%d %H:%M:%S UTC', time.gmtime())}",
        f"Command: `{command}`",
        "",
        f"wrk -t{args.threads} -c{args.connections} -d{args.duration}s per shape; "
        f"{args.users} users plus `sender` and `loguser` (100 log entries); max_log 100.",
        "",
        "| request | "
        + " | ".join(f"{r.backend} req/s | p50 ms | p99 ms" for r in runs)
        + " | CCash v2.6.1 req/s | p50 ms | p99 ms |",
        "|---|" + "---|---|---|" * (len(runs) + 1),
    ]
    for shape in args.shapes.split(","):
        cells = []
        for run in runs:
            m = next((m for m in run.measures if m.shape == shape), Measure(shape))
            bad = f" ({m.non_2xx} non-2xx)" if m.non_2xx else ""
            cells.append(f"{m.rate:,.0f}{bad} | {m.p50_ms:.2f} | {m.p99_ms:.2f}")
        ref = REFERENCE.get(shape, (0, 0, 0))
        cells.append(f"{ref[0]:,} | {ref[1]:.2f} | {ref[2]:.1f}")
        lines.append(f"| {shape} | " + " | ".join(cells) + " |")
    lines.append("")
    for run in runs:
        lines.append(f"- {run.backend}: setup {run.setup_s:.1f} s")
        lines += [f"  - {note}" for note in run.notes]
    return "\n".join(lines) + "\n"


def build_parser() -> argparse.ArgumentParser:
    """bench.bank's flags; bench.table parses its own defaults through this too."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--shapes", default=",".join(SHAPES))
    parser.add_argument("--users", type=int, default=10_000)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--duration", type=int, default=8)
    parser.add_argument("--window-ms", type=int, default=20)
    parser.add_argument("--hash-cost", type=int, default=10, help="log2 scrypt N for setup speed")
    parser.add_argument("--pg-dsn", default=default_pg_dsn())
    parser.add_argument("--report", type=Path, default=Path("bench/reports/latest-bank.md"))
    parser.add_argument("--keep-logs", type=Path)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is needed (apt-get install wrk)")
    command = "python -m bench.bank " + " ".join(argv if argv is not None else sys.argv[1:])
    with tempfile.TemporaryDirectory(prefix="ibax-bank-bench-") as tmp:
        runs = [run_backend(b, args, Path(tmp)) for b in args.backends.split(",")]
    text = report(runs, args, command)
    args.report.parent.mkdir(parents=True, exist_ok=True)
    args.report.write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
