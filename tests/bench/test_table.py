"""bench.table: the aim and ratio columns, py-spy's raw stacks, and a --quick run end to end."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

from bench.profile import find_pyspy, top_inclusive, top_self
from bench.table import BY_NAME, QUICK, Figure, Plan, markdown, ratio, tx_count, verdict, within_2x

REPO = Path(__file__).resolve().parents[2]


def test_a_row_meets_its_aim_only_with_the_rate_the_p99_and_nothing_failed() -> None:
    row = BY_NAME["single-8"]  # >= 2,000 tx/s, p99 <= 250 ms
    assert verdict(row, Figure("single-8", "postgresql", 1, 2500, 20, 90, 250)) == "met"
    assert verdict(row, Figure("single-8", "postgresql", 1, 1999.6, 20, 90, 251)) == (
        "not met (2,000 < 2,000 tx/s; p99 251 > 250 ms)"
    )
    assert verdict(row, Figure("single-8", "postgresql", 1, 9000, 1, 2, 3, failed=4)) == (
        "not met (4 failed)"
    )
    # A read row has no p99 aim: a slow tail alone does not fail it.
    assert verdict(BY_NAME["maxblockid"], Figure("maxblockid", "postgresql", 0, 10_000, 1, 2, 900))
    assert verdict(BY_NAME["maxblockid"], None) == "–"


def test_sqlite_is_within_2x_when_it_has_at_least_half_the_postgresql_rate() -> None:
    pg = Figure("list", "postgresql", 1, 1000)
    assert ratio(Figure("list", "sqlite", 1, 500), pg) == 0.5
    assert within_2x(ratio(Figure("list", "sqlite", 1, 500), pg)) == "yes"
    assert within_2x(ratio(Figure("list", "sqlite", 1, 499), pg)) == "no"
    assert within_2x(ratio(Figure("list", "sqlite", 1, 3000), pg)) == "yes"
    assert ratio(None, pg) is None and within_2x(None) == "–"
    assert ratio(Figure("list", "sqlite", 1, 5), Figure("list", "postgresql", 1, 0)) is None


def _line(report: str, label: str, workers: str) -> list[str]:
    """The cells of the report's line for a row's label and workers count."""
    for line in report.splitlines():
        cells = [c.strip() for c in line.strip("|").split("|")]
        if cells[:2] == [label, workers]:
            return cells
    raise AssertionError(f"no line for {label}, workers {workers} in:\n{report}")


def test_the_report_puts_the_aim_and_verdict_beside_postgresql_and_the_ratio_per_row() -> None:
    figures = [
        Figure("maxblockid", "postgresql", 1, 12_000, 1.25, 2.5, 4, 0.08),
        Figure("maxblockid", "sqlite", 1, 5_000, 3, 6, 9, 0.2),
        Figure("maxblockid", "sqlite", 0, 7_000, 2, 4, 8, None, notes=["a note"]),
        Figure("bank-transfer", "postgresql", 1, 4_000, 10, 20, 30, 0.4),
    ]
    report = markdown(figures, {}, ["Command: x"], ["run note"])
    assert _line(report, "`GET maxblockid`", "1") == [
        "`GET maxblockid`",
        "1",
        ">= 10,000 req/s",
        "12,000 req/s",
        "1.2 / 2.5 / 4.0",
        "0.08",
        "met",
        "5,000 req/s",
        "3.0 / 6.0 / 9.0",
        "0.20",
        "0.42",
        "no",
        "~1,000",
    ]
    # Only SQLite with the default workers: no verdict, no ratio, no CPU figure.
    assert _line(report, "`GET maxblockid`", "default")[3:13] == [
        "–", "–", "–", "–", "7,000 req/s", "2.0 / 4.0 / 8.0", "–", "–", "–", "~1,000"
    ]  # fmt: skip
    assert _line(report, "bank transfer (durable)", "1")[6] == "not met (4,000 < 5,000 req/s)"
    # Rows come in the order, and the notes name their row.
    assert report.index("`GET maxblockid`") < report.index("bank transfer (durable)")
    assert "- run note" in report
    assert "- maxblockid, sqlite, workers default: a note" in report


def test_a_tx_row_presigns_enough_txs_to_send_at_its_aim_for_the_whole_run() -> None:
    assert tx_count(BY_NAME["batch50"], Plan(tx_duration=20)) == 100_000
    assert tx_count(BY_NAME["batch50"], QUICK) == QUICK.tx_count


def test_top_self_counts_the_innermost_frame_per_function_across_lines() -> None:
    proc = 'process 7:"python -m node run"'
    raw = "\n".join(
        [
            f"{proc};main (node/serve.py:10);handle (api/x.py:5);dumps (json.py:3) 6",
            f"{proc};main (node/serve.py:10);handle (api/x.py:5);dumps (json.py:9) 2",
            f"{proc};main (node/serve.py:10);handle (api/x.py:7) 1",
            f'{proc};process 8:"python -m node run" 1',  # a worker with no Python frame
            "not a stack line",
        ]
    )
    samples, top = top_self(raw, n=2)
    assert samples == 10
    assert top == [("dumps (json.py)", 80.0), ("handle (api/x.py)", 10.0)]
    assert top_self(raw)[1][-1] == ("(no Python frame)", 10.0)


def test_top_inclusive_counts_our_functions_once_per_stack_without_the_entry_frames() -> None:
    proc = 'process 7:"python -m node run"'
    raw = "\n".join(
        [
            f"{proc};run (node/serve.py:10);send (api/tx.py:5);check (chain/c.py:3) 6",
            f"{proc};run (node/serve.py:10);send (api/tx.py:5);send (api/tx.py:9) 2",
            f"{proc};supervise (node/workers.py:1);_worker_main (node/workers.py:2);"
            "dumps (json/__init__.py:7) 2",
        ]
    )
    assert top_inclusive(raw) == [("send (api/tx.py)", 80.0), ("check (chain/c.py)", 60.0)]
    assert top_inclusive("") == []


def test_quick_table_on_sqlite_reports_a_read_a_tx_shape_and_a_bank_row(tmp_path: Path) -> None:
    report_path = tmp_path / "table.md"
    cmd = [sys.executable, "-m", "bench.table", "--quick", "--backends", "sqlite"]
    cmd += ["--workers", "1", "--rows", "maxblockid,single-8,bank-balance"]
    cmd += ["--report", str(report_path), "--profile", str(tmp_path / "profiles")]
    done = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=240)
    assert done.returncode == 0, done.stderr[-2000:]
    report = report_path.read_text()
    assert "failed:" not in report, report
    wrk = shutil.which("wrk") is not None
    measured = ["`GET maxblockid`", "`sendTx`, one tx per request, 8 clients"]
    if wrk:
        measured.append("bank balance")
    else:
        assert "bank rows not measured: wrk is missing (apt-get install wrk)" in report
    for label in measured:
        cells = _line(report, label, "1")
        assert cells[3:7] == ["–"] * 4  # no PostgreSQL run
        rate = re.fullmatch(r"([\d,]+) (req|tx)/s", cells[7])
        assert rate and int(rate[1].replace(",", "")) > 0, cells
        assert re.fullmatch(r"[\d.]+ / [\d.]+ / [\d.]+", cells[8]), cells
        assert float(cells[9]) > 0, cells  # the node's CPU per request or committed tx
    if find_pyspy() is None:
        assert "no profiles: py-spy is not installed" in report
    else:
        for name in ("maxblockid", "single-8") + (("bank-balance",) if wrk else ()):
            section = report.split(f"### {name}, sqlite, workers 1\n", 1)[1].split("###")[0]
            assert "| function | self % |" in section, section
            assert "| our function (callees included) | inclusive % |" in section, section
            assert (tmp_path / "profiles" / f"{name}_sqlite_workers_1.txt").stat().st_size > 0
