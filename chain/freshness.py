"""The chain head as the key of every cache a block can change: right after any block, anywhere.

Contracts, table shapes, parameters, permissions and keys change only in blocks, and every
block moves the head (`info_block`: one row, its id and hash). A cache made while the head was
H holds what was read after H was read, so it is right until the head moves. Each process
(several API workers share one database) reads the head once per request that uses a cache
and takes the cache made for that head: a new, empty one when the head moved.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from chain.storage.engine import read_connection
from chain.storage.repo.blocks import get_head_mark

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Head:
    """The head block; the hash tells apart a block made again after a rollback."""

    block_id: int
    hash: bytes


NO_HEAD = Head(0, b"")  # before genesis


async def read_head(conn: AsyncConnection) -> Head:
    """The head now (one primary-key read of a one-row table)."""
    found = await get_head_mark(conn)
    return Head(*found) if found is not None else NO_HEAD


class Heads:
    """The head as each connection first read it: one read per request, shared by its caches.

    A connection (`engine.connect()`) serves one request, so what it read first is the head
    that request's cached answers may rely on.
    """

    def __init__(self) -> None:
        self._seen: weakref.WeakKeyDictionary[AsyncConnection, Head] = weakref.WeakKeyDictionary()

    async def of(self, conn: AsyncConnection) -> Head:
        """The head this connection saw first (read now if it has not read it yet)."""
        head = self._seen.get(conn)
        if head is None:
            head = self._seen[conn] = await read_head(conn)
        return head


class HeadKeyed(Generic[T]):
    """One cache per head: `at(head)` gives the one made for that head, a new one if it moved.

    A request keeps the cache it was given for its whole life and fills it only with what it
    read after reading its head, so no cache ever holds something older than its head, even
    while a slower request of an older head still runs (it fills its own, older cache).
    """

    def __init__(self, make: Callable[[], T]) -> None:
        self._make = make
        self._head = NO_HEAD
        self._cache = make()

    def at(self, head: Head) -> T:
        """The cache for `head`."""
        if head != self._head:
            self._head, self._cache = head, self._make()
        return self._cache


class Coalesced(Generic[T]):
    """One read at a time; every caller gets the result of a read that began after it called.

    Each caller waits on a future of its own, so a caller that is cancelled (its client went
    away) cancels nothing shared; cheaper than shielding one shared future per caller.
    """

    def __init__(self, read: Callable[[], Awaitable[T]]) -> None:
        self._read = read
        self._running: asyncio.Future[T] | None = None
        self._served: list[asyncio.Future[T]] = []  # callers of the running read
        self._next: list[asyncio.Future[T]] = []  # callers that came while it ran

    async def __call__(self) -> T:
        mine: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        if self._running is None:
            self._served.append(mine)
            self._start()
        else:
            self._next.append(mine)
        return await mine

    def _start(self) -> None:
        self._running = asyncio.ensure_future(self._read())
        self._running.add_done_callback(self._finished)

    def _finished(self, read: asyncio.Future[T]) -> None:
        served, self._served = self._served, []
        self._running = None
        if read.cancelled():
            for caller in served:
                caller.cancel()
        elif (error := read.exception()) is not None:
            for caller in served:
                if not caller.done():
                    caller.set_exception(error)
        else:
            result = read.result()
            for caller in served:
                if not caller.done():
                    caller.set_result(result)
        if self._next:
            self._served, self._next = self._next, []
            self._start()


class HeadWatch:
    """This process's reads of the head for requests: concurrent callers share one read.

    Every caller gets a head read after it called (so never one older than a block its client
    has seen), but a burst of requests costs one primary-key read, not one each.
    """

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._read = Coalesced(self._read_now)

    async def _read_now(self) -> Head:
        async with read_connection(self._engine) as conn:
            return await read_head(conn)

    async def now(self) -> Head:
        """The head as of a read that began after this call."""
        return await self._read()
