"""The chain head as the key of every cache a block can change: right after any block, anywhere.

Contracts, table shapes, parameters, permissions and keys change only in blocks, and every
block moves the head (`info_block`: one row, its id and hash). A cache made while the head was
H holds what was read after H was read, so it is right until the head moves. Each process
(several API workers share one database) reads the head once per request that uses a cache
and takes the cache made for that head: a new, empty one when the head moved.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from sqlalchemy.ext.asyncio import AsyncConnection

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
