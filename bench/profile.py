"""py-spy recordings of a node in the middle of a measured run; their top functions by self time.

The runners (bench.reads, bench.run, bench.bank) accept a `during` hook: a context manager they
enter around each measured phase with the phase's name, the node's pid and its planned length.
`Profiler.during` is such a hook: a thread waits until the phase has started, then until its
middle, and attaches `py-spy record --subprocesses -r 200 -f raw` to the node (every worker
process) for a few seconds. The raw file (collapsed stacks, one `frame;frame;... count` line per
stack) stays in the profile dir; `top_self` and `top_inclusive` read it.
"""

from __future__ import annotations

import contextlib
import re
import shutil
import subprocess
import sys
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

RATE = 200  # samples per second
TOP = 8
# A py-spy frame: `function (path/to/file.py:123)`; the line is dropped so a function is one row.
FRAME = re.compile(r"^(?P<func>.*) \((?P<file>[^()]*?)(?::\d+)?\)$")


class During(Protocol):
    """What a runner calls around a measured phase (bench.profile.Profiler.during is one)."""

    def __call__(
        self, name: str, pid: int, seconds: float, started: Callable[[], bool] | None = None
    ) -> contextlib.AbstractContextManager[object]: ...


def nothing(
    name: str, pid: int, seconds: float, started: Callable[[], bool] | None = None
) -> contextlib.AbstractContextManager[object]:
    """The hook that does nothing (runs without --profile)."""
    return contextlib.nullcontext()


def find_pyspy() -> str | None:
    """py-spy on PATH, or in the bin dir of the Python that runs this (a venv's)."""
    found = shutil.which("py-spy")
    if found:
        return found
    beside = Path(sys.executable).parent / "py-spy"
    return str(beside) if beside.is_file() else None


def short_frame(frame: str) -> str:
    """`func (file)` without the line number and with site-packages/ or the cwd cut off."""
    if frame.startswith("process ") and " (" not in frame:
        # --subprocesses puts the process first: a stack of only that had no Python frame.
        return "(no Python frame)"
    match = FRAME.match(frame.strip())
    if not match:
        return frame.strip()
    path = match["file"]
    if "site-packages/" in path:
        path = path.rsplit("site-packages/", 1)[1]
    else:
        cwd = str(Path.cwd()) + "/"
        path = path.removeprefix(cwd)
    return f"{match['func']} ({path})"


def top_self(raw: str, n: int = TOP) -> tuple[int, list[tuple[str, float]]]:
    """All samples, and the `n` functions with the most self time as % of all samples.

    Self time is a stack's last frame: the function that was running, not one that waited for a
    callee. A line that is not `stack count` is ignored.
    """
    counts: Counter[str] = Counter()
    total = 0
    for stack, number in _stacks(raw):
        total += number
        counts[short_frame(stack.rsplit(";", 1)[-1])] += number
    return total, [(func, 100 * k / total) for func, k in counts.most_common(n)]


def _stacks(raw: str) -> Iterator[tuple[str, int]]:
    """(stack, samples) of each `frame;frame;... count` line; other lines are skipped."""
    for line in raw.splitlines():
        stack, _, number = line.rpartition(" ")
        if stack and number.isdigit():
            yield stack, int(number)


# Our packages; their functions are listed by inclusive time. The process's entry frames (the
# CLI, the serving loop) include everything and say nothing.
OURS = ("api/", "chain/", "contracts/", "pages/", "node/")
ENTRY = ("node/__main__.py", "node/cli.py", "node/serve.py")
ENTRY_FUNCS = ("supervise", "supervise.<locals>.spawn", "_worker_main")  # a worker's start


def top_inclusive(raw: str, n: int = TOP) -> list[tuple[str, float]]:
    """The `n` functions of our code with the most inclusive time, as % of all samples.

    Inclusive time counts every sample whose stack holds the function (once, however deep it
    recurses): where the time goes, callees included, where self time names only the leaves.
    """
    counts: Counter[str] = Counter()
    total = 0
    for stack, number in _stacks(raw):
        total += number
        seen = {short_frame(frame) for frame in stack.split(";")}
        for func in seen:
            name, _, where = func.rpartition(" (")
            if where.startswith(OURS) and not where.startswith(ENTRY) and name not in ENTRY_FUNCS:
                counts[func] += number
    if not total:
        return []
    return [(func, 100 * k / total) for func, k in counts.most_common(n)]


@dataclass
class Profile:
    """One recording: its raw file, sample count and top functions, or why there is none."""

    path: Path | None = None
    samples: int = 0
    top: list[tuple[str, float]] = field(default_factory=list)
    note: str = ""
    ours: list[tuple[str, float]] = field(default_factory=list)  # inclusive, our code


class Profiler:
    """Records `seconds` of the node in the middle of every phase it is entered around."""

    def __init__(self, out_dir: Path, seconds: float = 4, exe: str | None = None) -> None:
        self.out_dir = out_dir
        self.seconds = max(1, round(seconds))
        self.exe = exe
        self.profiles: dict[str, Profile] = {}

    def _record(self, exe: str, pid: int, out: Path) -> Profile:
        cmd = [exe, "record", "--subprocesses", "-r", str(RATE), "-f", "raw"]
        cmd += ["-d", str(self.seconds), "-p", str(pid), "-o", str(out)]
        try:
            done = subprocess.run(cmd, capture_output=True, text=True, timeout=self.seconds + 60)
        except subprocess.TimeoutExpired:
            return Profile(note="py-spy did not finish")
        if done.returncode != 0 or not out.exists():
            why = (done.stderr or done.stdout).strip().splitlines()
            return Profile(note=f"py-spy exited with {done.returncode}: {' '.join(why[-2:])}")
        raw = out.read_text(errors="replace")
        samples, top = top_self(raw)
        note = "" if samples else "py-spy took no samples"
        return Profile(out, samples, top, note, top_inclusive(raw, 2 * TOP))

    @contextlib.contextmanager
    def during(
        self, name: str, pid: int, seconds: float, started: Callable[[], bool] | None = None
    ) -> Iterator[object]:
        """Profile the middle of a phase of about `seconds` that begins once `started()`."""
        exe = self.exe
        if exe is None:
            yield None
            return
        self.out_dir.mkdir(parents=True, exist_ok=True)
        out = self.out_dir / (re.sub(r"[^A-Za-z0-9_.-]+", "_", name) + ".txt")
        stop = threading.Event()
        found: list[Profile] = []

        def run() -> None:
            while started is not None and not started():
                if stop.wait(0.05):
                    return
            if stop.wait(max(0.0, (seconds - self.seconds) / 2)):
                return
            found.append(self._record(exe, pid, out))

        thread = threading.Thread(target=run, name=f"profile {name}", daemon=True)
        thread.start()
        try:
            yield None
        finally:
            stop.set()
            thread.join(self.seconds + 90)
            self.profiles[name] = (
                found[0] if found else Profile(note="the phase ended before the profile began")
            )
