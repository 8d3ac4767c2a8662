"""What the language fuzz tests share: hypothesis settings and a hard time bound per example."""

from __future__ import annotations

import signal
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from types import FrameType

from hypothesis import HealthCheck, settings

# Reproducible in CI: fixed seed, no example database; each example also has a hard time bound.
FUZZ = settings(
    max_examples=300,
    deadline=timedelta(seconds=2),  # examples take milliseconds; this is slack for busy CI
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
HARD_LIMIT = 10.0  # seconds: unlike a deadline, this stops an example that hangs


class Hang(Exception):
    """An example ran past HARD_LIMIT."""


@contextmanager
def time_bound(seconds: float = HARD_LIMIT) -> Iterator[None]:
    """Raise Hang in the block once `seconds` of wall time have passed (SIGALRM, main thread)."""

    def alarm(signum: int, frame: FrameType | None) -> None:
        raise Hang(f"no answer within {seconds} s")

    previous = signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
