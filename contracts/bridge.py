"""Runs the synchronous Needle machine inside asyncio: built-ins await the database through it.

The machine is plain synchronous code, but its DB built-ins need the block's async connection.
`run_sync` runs the machine in a greenlet; a built-in calls `wait(coroutine)`, which switches
back to the event loop's task, awaits the coroutine there and resumes the machine with its
result. `pause()` lets the event loop serve other requests while a long contract computes. One
thread, no locks: the machine and the event loop never run at the same time.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from greenlet import getcurrent, greenlet

R = TypeVar("R")


class _Request:
    """What the machine's greenlet hands the event loop: something to await."""

    __slots__ = ("awaitable",)

    def __init__(self, awaitable: Awaitable[Any]) -> None:
        self.awaitable = awaitable


class _Bridged(greenlet):  # type: ignore[misc]  # greenlet ships no precise stubs
    """Marks greenlets started by run_sync, so wait() knows it may switch out."""


async def run_sync(fn: Callable[[], R]) -> R:
    """Run `fn` to completion; every `wait(x)` inside it is awaited here."""
    child = _Bridged(fn)
    message: Any = child.switch()
    while not child.dead:
        if not isinstance(message, _Request):
            raise RuntimeError("a bridged function switched out without a request")
        try:
            value = await message.awaitable
        except BaseException as exc:  # the awaitable's failure belongs to the machine
            message = child.throw(exc)
        else:
            message = child.switch(value)
    result: R = message
    return result


def wait(awaitable: Awaitable[R]) -> R:
    """Await from synchronous code running under run_sync; its result (or exception)."""
    current = getcurrent()
    if not isinstance(current, _Bridged):
        close = getattr(awaitable, "close", None)
        if close is not None:
            close()  # never awaited: avoid the "coroutine was never awaited" warning
        raise RuntimeError("wait() called outside run_sync")
    result: R = current.parent.switch(_Request(awaitable))
    return result


def in_bridge() -> bool:
    """True when running under run_sync (so wait() may be used)."""
    return isinstance(getcurrent(), _Bridged)


def pause() -> None:
    """Let the event loop run other tasks for a moment (no-op outside run_sync)."""
    if in_bridge():
        wait(asyncio.sleep(0))
