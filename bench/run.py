"""Start a node per backend and kind of tx, run the load generator on it, write one report."""

from __future__ import annotations

import argparse
import copy
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.loadgen import KINDS, Result, markdown
from bench.nodeproc import BACKENDS, DEFAULT_PG_ADMIN, default_pg_dsn, node_process
from bench.profile import During, nothing

# The load shapes of issue 12 (what users send): each sets these loadgen flags over the
# command line's. "single": one tx per request (Weaver, signing scripts); "batch50": a payout
# script's batches; "fresh": @1TokensSend to an account that does not exist yet every time.
SHAPES: dict[str, dict[str, object]] = {
    "single-8": {"kind": "utxo", "batch": 1, "concurrency": 8},
    "single-32": {"kind": "utxo", "batch": 1, "concurrency": 32},
    "single-64": {"kind": "utxo", "batch": 1, "concurrency": 64},
    "batch50": {"kind": "utxo", "batch": 50, "concurrency": 8},
    "fresh": {
        "kind": "tokens", "batch": 10, "concurrency": 16, "senders": 1, "fresh_recipients": True
    },
}

LOADGEN_FLAGS = (
    "count",
    "duration",
    "drain_timeout",
    "concurrency",
    "batch",
    "senders",
    "recipients",
)
LOADGEN_SWITCHES = ("fresh_recipients",)


def _log_problems(log: Path) -> list[str]:
    """Errors the node logged during the run (its log level is WARNING)."""
    lines = log.read_text(errors="replace").splitlines()
    bad = [line for line in lines if " ERROR " in line or line.startswith("Traceback")]
    return [f"node log: {line[:200]}" for line in bad[:5]]


def run_backend(
    backend: str,
    kind: str,
    args: argparse.Namespace,
    workdir: Path,
    shape: str = "",
    workers: int = 0,
    during: During = nothing,
) -> Result:
    """One node on a fresh data dir (and, for PostgreSQL, a fresh database), one run of `kind`.

    `workers` is the node's --workers (0: its default); `during` wraps the load generator's run
    (bench.profile), entered with the shape's (or kind's) name.
    """
    name = f"{backend}-{shape or kind}-w{workers}"
    out = workdir / f"{name}.json"
    started = workdir / f"{name}.started"
    env = {"IBAX_BLOCK_WINDOW_MS": str(args.window_ms), "IBAX_WORKERS": str(workers)}
    with node_process(backend, workdir, name, pg_dsn=args.pg_dsn, env=env) as node:
        sys.stderr.write(f"{backend} {shape or kind}, workers {workers}: node on {node.url}\n")
        cmd = [sys.executable, "-m", "bench.loadgen", "--node", node.url, "--label", backend]
        cmd += ["--kind", kind, "--node-pid", str(node.process.pid)]
        cmd += ["--started-file", str(started)]
        cmd += ["--key-file", str(node.data_dir / "PrivateKey"), "--json", str(out)]
        for flag in LOADGEN_FLAGS:
            cmd += ["--" + flag.replace("_", "-"), str(getattr(args, flag))]
        cmd += ["--" + flag.replace("_", "-") for flag in LOADGEN_SWITCHES if getattr(args, flag)]
        # Its own report goes to /dev/null: this runner prints the side-by-side one.
        limit = args.duration + args.drain_timeout + 300
        rc: int | str
        try:
            with during(shape or kind, node.process.pid, args.duration, started.exists):
                rc = subprocess.run(cmd, stdout=subprocess.DEVNULL, timeout=limit).returncode
        except subprocess.TimeoutExpired:
            rc = f"a timeout (killed after {limit:g} s)"
    # A failed run still gets its row: the other kinds and backends are worth keeping.
    if out.exists():
        result = Result(**json.loads(out.read_text()))
    else:
        result = Result(label=backend, kind=kind, errors=["loadgen wrote no result"])
    result.shape = shape
    result.workers = workers
    if rc != 0:
        result.errors.append(f"loadgen exited with {rc}")
    result.settings.pop("node", None)  # a random port: noise in a report
    result.settings["block_window_ms"] = str(args.window_ms)
    result.settings["db"] = (
        "PostgreSQL (fresh database)" if backend == "postgresql" else "SQLite file"
    )
    result.errors += _log_problems(node.log_path)
    if args.keep_logs:
        args.keep_logs.mkdir(parents=True, exist_ok=True)
        shutil.copy(node.log_path, args.keep_logs / node.log_path.name)
    if node.exit_code != 0:
        result.errors.append(f"node exited with {node.exit_code} after SIGTERM")
    return result


def _names(
    text: str, allowed: tuple[str, ...], what: str, parser: argparse.ArgumentParser
) -> list[str]:
    """A comma-separated list of known names, in the given order, duplicates dropped."""
    names = list(dict.fromkeys(n.strip() for n in text.split(",") if n.strip()))
    unknown = sorted(set(names) - set(allowed))
    if unknown or not names:
        parser.error(f"unknown {what}(s) {unknown}; choose from {', '.join(allowed)}")
    return names


def shaped(args: argparse.Namespace, shape: str) -> argparse.Namespace:
    """`args` with the loadgen flags of a load shape set over the command line's."""
    copied = copy.copy(args)
    for flag, value in SHAPES[shape].items():
        setattr(copied, flag, value)
    return copied


def run_shape(
    backend: str,
    shape: str,
    args: argparse.Namespace,
    workdir: Path,
    workers: int = 0,
    during: During = nothing,
) -> Result:
    """One run of a named load shape (SHAPES) on a fresh node."""
    load = shaped(args, shape)
    return run_backend(backend, load.kind, load, workdir, shape, workers, during)


def build_parser() -> argparse.ArgumentParser:
    """bench.run's flags; bench.table parses its own defaults through this too."""
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
    parser.add_argument(
        "--fresh-recipients", action="store_true", help="every tx to a new account"
    )
    parser.add_argument(
        "--shapes",
        help=f"comma-separated load shapes instead of --kind(s), or 'all': {', '.join(SHAPES)}",
    )
    parser.add_argument("--window-ms", type=int, default=20, help="the node's --block-window-ms")
    parser.add_argument(
        "--workers",
        default="0",
        help="comma-separated --workers of the node, a run each (0: its default, one per core)",
    )
    parser.add_argument("--report", type=Path, default=Path("bench/reports/latest.md"))
    parser.add_argument(
        "--keep-logs",
        type=Path,
        help="copy each node's log here as <backend>-<kind or shape>-w<workers>.log",
    )
    return parser


def parse_workers(text: str, parser: argparse.ArgumentParser) -> list[int]:
    """`--workers 1,0`: the node's worker counts, in order (0: its default)."""
    try:
        counts = list(dict.fromkeys(int(w) for w in text.split(",") if w.strip()))
    except ValueError:
        counts = []
    if not counts or min(counts) < 0:
        parser.error(f"--workers wants counts >= 0 (0: the node's default), got {text!r}")
    return counts


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    args.pg_dsn = args.pg_dsn or default_pg_dsn()
    backends = _names(args.backends, BACKENDS, "backend", parser)
    kinds_run = _names(args.kinds or args.kind or "utxo", KINDS, "kind", parser)
    workers = parse_workers(args.workers, parser)
    shapes = []
    if args.shapes:
        wanted = ",".join(SHAPES) if args.shapes == "all" else args.shapes
        shapes = _names(wanted, tuple(SHAPES), "shape", parser)
    # Kind by kind (or shape by shape), the backends side by side: a fresh node (and
    # database) for every run.
    with tempfile.TemporaryDirectory(prefix="ibax-bench-") as tmp:
        work = Path(tmp)
        if shapes:
            results = [
                run_shape(b, shape, args, work, w)
                for shape in shapes
                for w in workers
                for b in backends
            ]
        else:
            results = [
                run_backend(b, k, args, work, workers=w)
                for k in kinds_run
                for w in workers
                for b in backends
            ]
    report = markdown(results)
    args.report.parent.mkdir(parents=True, exist_ok=True)
    args.report.write_text(report)
    print(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
