"""Progress bars for long offline commands, shown only when stderr is a terminal."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from chain.observer import Progress as ProgressCallback


def _ignore(done: int, total: int) -> None:
    pass


@contextmanager
def progress_bar(description: str, stream: TextIO | None = None) -> Iterator[ProgressCallback]:
    """A `(done, total)` callback drawing a bar on a terminal; a no-op for pipes and files.

    Scripts and logs that read stderr get no control sequences; a person watching a long
    check, rollback or import sees how far it is.
    """
    out = sys.stderr if stream is None else stream
    if not out.isatty():
        yield _ignore
        return
    console = Console(file=out)
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=console, transient=False) as bar:
        task = bar.add_task(description, total=None)

        def advance(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield advance
