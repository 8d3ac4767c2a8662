"""Issue 12's table in one invocation: every row, both backends, the workers counts, one report.

Reads go through bench.reads (wrk, 64 connections), the tx shapes through bench.run's shapes and
loadgen, the bank rows through bench.bank; this module only chooses their settings, calls them
and puts the figures beside the issue's aims:

    python -m bench.table --report bench/reports/$(date +%F)-table.md --profile /tmp/profiles
    python -m bench.table --quick --backends sqlite --workers 1 --rows maxblockid,single-8
"""

from __future__ import annotations

import argparse
import contextlib
import math
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from bench import bank, reads
from bench import run as txrun
from bench.loadgen import Result, machine
from bench.nodeproc import BACKENDS, default_pg_dsn
from bench.profile import During, Profile, Profiler, find_pyspy, nothing


@dataclass(frozen=True)
class Row:
    """One row of issue 12's table: what measures it and the aim on PostgreSQL."""

    name: str  # as --rows names it
    label: str
    kind: str  # "read" (bench.reads), "tx" (bench.run's shapes) or "bank" (bench.bank)
    source: str  # the endpoint, shape or bank shape in that tool
    unit: str
    aim_rate: float
    aim_p99_ms: float | None = None
    before: str = ""  # the "now" column, when it was filed

    @property
    def aim(self) -> str:
        text = f">= {self.aim_rate:,.0f} {self.unit}"
        return text + (f", p99 <= {self.aim_p99_ms:,.0f} ms" if self.aim_p99_ms else "")


ROWS = (
    Row("maxblockid", "`GET maxblockid`", "read", "maxblockid", "req/s", 10_000, None, "~1,000"),
    Row(
        "blocks", "`GET blocks?block_id=1&count=10`", "read", "blocks", "req/s", 5_000, None, "~400"
    ),
    Row("balance", "`GET balance/{address}`", "read", "balance", "req/s", 8_000, None, "~700"),
    Row("row", "`GET row/{name}/{id}` (logged in)", "read", "row", "req/s", 5_000, None, "~1,100"),
    Row("list", "`GET list/{name}` (logged in)", "read", "list", "req/s", 5_000, None, "~800"),
    Row(
        "single-8",
        "`sendTx`, one tx per request, 8 clients",
        "tx",
        "single-8",
        "tx/s",
        2_000,
        250,
        "~260 tx/s, p99 146 ms",
    ),
    Row(
        "single-64",
        "`sendTx`, one tx per request, 64 clients",
        "tx",
        "single-64",
        "tx/s",
        2_000,
        250,
        "~260 tx/s, p99 146 ms",
    ),
    Row(
        "batch50",
        "`sendTx`, 50 native transfers per request",
        "tx",
        "batch50",
        "tx/s",
        5_000,
        1_000,
        "~2,000 tx/s, p99 1.5 s",
    ),
    Row(
        "fresh",
        "`@1TokensSend` from one sender to a fresh recipient each time",
        "tx",
        "fresh",
        "tx/s",
        2_000,
        2_000,
        "~240 tx/s, p50 25 s",
    ),
    Row(
        "bank-transfer",
        "bank transfer (durable)",
        "bank",
        "transfer",
        "req/s",
        5_000,
        None,
        "~2,000",
    ),
    Row("bank-balance", "bank balance", "bank", "balance", "req/s", 30_000, None, "~19,000"),
)
BY_NAME = {row.name: row for row in ROWS}
BANK_WORKERS = 1  # the bank keeps the node to one process, whatever --workers says


@dataclass
class Figure:
    """One row measured on one backend with one workers count."""

    row: str
    backend: str
    workers: int
    rate: float = 0.0  # req/s, or committed tx/s
    p50_ms: float = 0.0
    p95_ms: float = 0.0
    p99_ms: float = 0.0
    cpu_ms: float | None = None  # the node's CPU time (all workers) per request or committed tx
    failed: int = 0  # failed requests, or txs failed, rejected or never settled
    notes: list[str] = field(default_factory=list)


def verdict(row: Row, figure: Figure | None) -> str:
    """ "met" or "not met (why)" against the row's aim; "–" without a figure."""
    if figure is None:
        return "–"
    short = []
    if figure.rate < row.aim_rate:
        short.append(f"{figure.rate:,.0f} < {row.aim_rate:,.0f} {row.unit}")
    if row.aim_p99_ms is not None and figure.p99_ms > row.aim_p99_ms:
        short.append(f"p99 {figure.p99_ms:,.0f} > {row.aim_p99_ms:,.0f} ms")
    if figure.failed:
        short.append(f"{figure.failed} failed")
    return "met" if not short else f"not met ({'; '.join(short)})"


def ratio(sqlite: Figure | None, postgresql: Figure | None) -> float | None:
    """SQLite's rate over PostgreSQL's; None unless both were measured (and PostgreSQL's > 0)."""
    if sqlite is None or postgresql is None or postgresql.rate <= 0:
        return None
    return sqlite.rate / postgresql.rate


def within_2x(value: float | None) -> str:
    """The issue asks SQLite within 2x of PostgreSQL: at least half its rate."""
    if value is None:
        return "–"
    return "yes" if value >= 0.5 else "no"


def from_read(m: reads.Measure) -> Figure:
    """A bench.reads measurement as a row's figure."""
    return Figure(
        m.endpoint, m.backend, m.workers, m.rate, m.p50_ms, m.p95_ms, m.p99_ms, m.cpu_ms, m.failed
    )


def from_tx(row: Row, r: Result) -> Figure:
    """A loadgen result: committed tx/s and the commit latency (send to seen in a block)."""
    return Figure(
        row.name,
        r.label,
        r.workers,
        r.commit_rate,
        r.p50_ms,
        r.p95_ms,
        r.p99_ms,
        r.node_cpu_ms,
        r.failed + r.pending + r.rejected,
        list(r.errors),
    )


def from_bank(row: Row, backend: str, m: bank.Measure, notes: list[str]) -> Figure:
    """A bench.bank measurement; its run's notes (the transfer check, node errors) go along."""
    own = [m.errors] if m.errors else []
    return Figure(
        row.name,
        backend,
        BANK_WORKERS,
        m.rate,
        m.p50_ms,
        m.p95_ms,
        m.p99_ms,
        m.cpu_ms,
        m.non_2xx,
        own + notes,
    )


def _cells(figure: Figure | None, unit: str) -> list[str]:
    if figure is None:
        return ["–", "–", "–"]
    cpu = "–" if figure.cpu_ms is None or math.isnan(figure.cpu_ms) else f"{figure.cpu_ms:.2f}"
    return [
        f"{figure.rate:,.0f} {unit}",
        f"{figure.p50_ms:.1f} / {figure.p95_ms:.1f} / {figure.p99_ms:.1f}",
        cpu,
    ]


def _workers(n: int) -> str:
    return "default" if n == 0 else str(n)


def markdown(
    figures: list[Figure],
    profiles: dict[str, Profile],
    header: list[str],
    notes: list[str],
) -> str:
    """The report: one line per row and workers count, PostgreSQL (with the aim and verdict)
    beside SQLite and their ratio; then the notes and each row's profile."""
    lines = ["# Issue 12's table: one bench run", "", *header, ""]
    lines += [
        "| row | workers | aim (PostgreSQL) | PostgreSQL | p50 / p95 / p99 ms | CPU ms/req "
        "| verdict | SQLite | p50 / p95 / p99 ms | CPU ms/req | SQLite / PostgreSQL "
        "| within 2x | issue's before |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    found = {(f.row, f.backend, f.workers): f for f in figures}
    keys = sorted(
        {(f.row, f.workers) for f in figures},
        key=lambda k: (list(BY_NAME).index(k[0]), k[1] == 0, k[1]),
    )
    for name, workers in keys:
        row = BY_NAME[name]
        pg = found.get((name, "postgresql", workers))
        lite = found.get((name, "sqlite", workers))
        share = ratio(lite, pg)
        cells = [row.label, _workers(workers), row.aim, *_cells(pg, row.unit), verdict(row, pg)]
        cells += [*_cells(lite, row.unit), "–" if share is None else f"{share:.2f}"]
        cells += [within_2x(share), row.before]
        lines.append("| " + " | ".join(cells) + " |")
    lines += [
        "",
        "req/s: answered requests per second over the measured run (wrk). tx/s: txs committed "
        "without error per second, from the first send to the last commit seen; their p50 / p95 "
        "/ p99 run from sending the request to seeing the tx in a block (txstatus, polled every "
        "50 ms). CPU ms/req: the node's CPU time (every worker process) over the measured run per "
        "request or committed tx. verdict: the PostgreSQL figure against the issue's aim; any "
        "failed request or tx fails it too. SQLite / PostgreSQL: the ratio of the rates; the "
        "issue asks at least 0.5 on every row. The bank keeps the node to one process, so its "
        "rows have workers 1 whatever --workers says.",
    ]
    row_notes = [
        f"- {f.row}, {f.backend}, workers {_workers(f.workers)}: {note}"
        for f in sorted(figures, key=lambda f: (list(BY_NAME).index(f.row), f.backend))
        for note in f.notes
    ]
    if notes or row_notes:
        lines += ["", "## Notes", "", *[f"- {n}" for n in notes], *row_notes]
    if profiles:
        lines += ["", "## Profiles", ""]
        lines.append(
            "py-spy, every worker process, in the middle of each measured run: the functions "
            "with the most self time (a stack's innermost frame), as % of all samples. py-spy "
            "pauses the node for each sample, so a profiled row runs somewhat slower than an "
            "unprofiled one."
        )
        for key, profile in profiles.items():
            lines += ["", f"### {key}", ""]
            if not profile.top:
                lines.append(profile.note or "no samples")
                continue
            where = f"`{profile.path}`, " if profile.path else ""
            lines += [
                f"{where}{profile.samples} samples.",
                "",
                "| function | self % |",
                "|---|---|",
            ]
            lines += [f"| `{func}` | {pct:.1f} |" for func, pct in profile.top]
            if profile.ours:
                lines += ["", "| our function (callees included) | inclusive % |", "|---|---|"]
                lines += [f"| `{func}` | {pct:.1f} |" for func, pct in profile.ours]
    return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class Plan:
    """Settings of every kind of row (the full run's, or --quick's)."""

    read_rows: int = 1000  # rows in the bench table of bench.reads
    read_warmup: int = 2
    read_duration: int = 10
    tx_duration: float = 20
    tx_count: int = 0  # 0: the aim's rate times tx_duration (never runs out at the aim)
    drain_timeout: float = 60
    bank_users: int = 10_000
    bank_duration: int = 8
    profile_seconds: float = 4


QUICK = Plan(100, 1, 2, 3, 300, 30, 50, 2, 1)


def tx_count(row: Row, plan: Plan) -> int:
    """Txs to pre-sign for a tx row: enough to keep sending for the whole run at the aim."""
    return plan.tx_count or math.ceil(row.aim_rate * plan.tx_duration)


class Bench:
    """Runs the chosen rows per backend and workers count, collecting figures and notes."""

    def __init__(self, args: argparse.Namespace, plan: Plan, workdir: Path) -> None:
        self.args = args
        self.plan = plan
        self.workdir = workdir
        self.figures: list[Figure] = []
        self.notes: list[str] = []
        self.profiler: Profiler | None = None
        if args.profile:
            exe = find_pyspy()
            self.profiler = Profiler(args.profile, plan.profile_seconds, exe)
            if exe is None:
                self.notes.append(
                    "no profiles: py-spy is not installed (not on PATH nor in the venv's bin; "
                    "`pip install py-spy`)"
                )

    def hook(self, backend: str, workers: int, row_of: Callable[[str], str]) -> During:
        """The tools' `during` hook, naming each profile by row, backend and workers."""
        profiler = self.profiler
        if profiler is None or profiler.exe is None:
            return nothing

        def during(
            name: str, pid: int, seconds: float, started: Callable[[], bool] | None = None
        ) -> contextlib.AbstractContextManager[object]:
            key = f"{row_of(name)}, {backend}, workers {_workers(workers)}"
            return profiler.during(key, pid, seconds, started)

        return during

    @contextlib.contextmanager
    def attempt(self, what: str) -> Iterator[None]:
        """A failed tool run becomes a note; the other rows still run."""
        try:
            yield
        except (Exception, SystemExit) as exc:
            self.notes.append(f"{what} failed: {type(exc).__name__}: {str(exc)[:300]}")
            sys.stderr.write(f"bench.table: {what} failed: {exc!r}\n")

    def reads(self, backend: str, workers: int, rows: list[Row]) -> None:
        plan = self.plan
        args = reads.parse(
            [
                *("--endpoints", ",".join(r.source for r in rows)),
                *("--rows", str(plan.read_rows), "--connections", "64"),
                *("--warmup", str(plan.read_warmup), "--duration", str(plan.read_duration)),
                *("--pg-dsn", self.args.pg_dsn),
            ]
        )
        with self.attempt(f"reads on {backend}, workers {_workers(workers)}"):
            during = self.hook(backend, workers, lambda endpoint: endpoint)
            measures = reads.run_backend(backend, workers, args, self.workdir, during)
            self.figures += [from_read(m) for m in measures]

    def tx(self, backend: str, workers: int, row: Row) -> None:
        plan = self.plan
        args = txrun.build_parser().parse_args(
            [
                *("--duration", str(plan.tx_duration), "--count", str(tx_count(row, plan))),
                *("--drain-timeout", str(plan.drain_timeout), "--pg-dsn", self.args.pg_dsn),
            ]
        )
        with self.attempt(f"{row.name} on {backend}, workers {_workers(workers)}"):
            during = self.hook(backend, workers, lambda shape: shape)
            result = txrun.run_shape(backend, row.source, args, self.workdir, workers, during)
            self.figures.append(from_tx(row, result))

    def bank(self, backend: str, rows: list[Row]) -> None:
        plan = self.plan
        args = bank.build_parser().parse_args(
            [
                *("--shapes", ",".join(r.source for r in rows), "--users", str(plan.bank_users)),
                *("--duration", str(plan.bank_duration), "--pg-dsn", self.args.pg_dsn),
            ]
        )
        with self.attempt(f"bank on {backend}"):
            during = self.hook(backend, BANK_WORKERS, lambda shape: f"bank-{shape}")
            run = bank.run_backend(backend, args, self.workdir, during)
            by_shape = {m.shape: m for m in run.measures}
            self.figures += [
                from_bank(r, backend, by_shape[r.source], run.notes)
                for r in rows
                if r.source in by_shape
            ]

    def run(self, backends: list[str], workers: list[int], rows: list[Row]) -> None:
        """Reads, tx shapes and bank rows, backend by backend; a fresh node for each run."""
        read_rows = [r for r in rows if r.kind == "read"]
        bank_rows = [r for r in rows if r.kind == "bank"]
        if bank_rows and shutil.which("wrk") is None:
            self.notes.append("bank rows not measured: wrk is missing (apt-get install wrk)")
            bank_rows = []
        if read_rows and shutil.which("wrk") is None:
            self.notes.append("reads measured with an aiohttp client: wrk is missing")
        for backend in backends:
            for w in workers:
                if read_rows:
                    self.reads(backend, w, read_rows)
                for row in rows:
                    if row.kind == "tx":
                        self.tx(backend, w, row)
            if bank_rows:
                self.bank(backend, bank_rows)


def _names(text: str, allowed: list[str], what: str, parser: argparse.ArgumentParser) -> list[str]:
    names = list(dict.fromkeys(n.strip() for n in text.split(",") if n.strip()))
    unknown = [n for n in names if n not in allowed]
    if unknown or not names:
        parser.error(f"unknown {what}(s) {unknown}; choose from {', '.join(allowed)}")
    return names


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bench.table", description=__doc__)
    parser.add_argument("--backends", default="sqlite,postgresql", help="comma-separated")
    parser.add_argument(
        "--workers", default="1,0", help="comma-separated --workers of the node (0: its default)"
    )
    parser.add_argument(
        "--rows", default="all", help=f"comma-separated, or all: {', '.join(BY_NAME)}"
    )
    parser.add_argument(
        "--quick", action="store_true", help="short runs and small counts (a smoke test)"
    )
    parser.add_argument(
        "--profile", type=Path, help="py-spy each measured row's node; keep the raw files here"
    )
    parser.add_argument("--pg-dsn", default=None, help="PostgreSQL admin DSN for fresh databases")
    parser.add_argument(
        "--report",
        type=Path,
        default=Path(f"bench/reports/{time.strftime('%Y-%m-%d', time.gmtime())}-table.md"),
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    args.pg_dsn = args.pg_dsn or default_pg_dsn()
    backends = _names(args.backends, list(BACKENDS), "backend", parser)
    workers = txrun.parse_workers(args.workers, parser)
    wanted = ",".join(BY_NAME) if args.rows == "all" else args.rows
    rows = [BY_NAME[n] for n in _names(wanted, list(BY_NAME), "row", parser)]
    plan = QUICK if args.quick else Plan()
    command = "python -m bench.table " + " ".join(sys.argv[1:] if argv is None else argv)
    with tempfile.TemporaryDirectory(prefix="ibax-bench-table-") as tmp:
        bench = Bench(args, plan, Path(tmp))
        bench.run(backends, workers, rows)
    header = [
        f"Date: {time.strftime('%Y-%m-%d %H:%M:%S UTC', time.gmtime())}",
        f"Machine: {machine()}",
        f"Command: `{command}`",
        "",
        f"Reads: wrk, 64 connections, {plan.read_warmup} s warm-up then {plan.read_duration} s "
        f"per endpoint; table `bench` of {plan.read_rows} rows. Tx rows: bench.run's shapes, "
        f"pre-signed, sending for at most {plan.tx_duration:g} s "
        + (f"({plan.tx_count} txs)" if plan.tx_count else "(the aim's rate times that many txs)")
        + f". Bank: {plan.bank_users} users, wrk -t2 -c64 for {plan.bank_duration} s per shape."
        + (" **--quick: short runs, not figures to quote.**" if args.quick else ""),
    ]
    profiles = bench.profiler.profiles if bench.profiler else {}
    report = markdown(bench.figures, profiles, header, bench.notes)
    args.report.parent.mkdir(parents=True, exist_ok=True)
    args.report.write_text(report)
    print(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
