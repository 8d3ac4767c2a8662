"""What sendTx checks transactions against (size limit, contracts), as of the chain head."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncEngine

from chain.contract_registry import ContractLookup
from chain.freshness import Head, HeadKeyed, HeadWatch
from chain.storage.engine import read_connection
from chain.storage.repo.params import get_platform_parameter

DEFAULT_MAX_TX_SIZE = 33_554_432  # the reference's default, also when the parameter is unusable


@dataclass(frozen=True, slots=True)
class TxRules:
    """The rules of one sendTx request: those of the head it read first."""

    head: Head
    max_tx_size: int
    lookup: ContractLookup


class Admission:
    """One per process: the head per request (concurrent ones share a read), the rest per head.

    So a block that edits a contract or `max_tx_size` is seen by the very next request of
    every process sharing the database.
    """

    def __init__(
        self,
        engine: AsyncEngine,
        heads: HeadWatch,
        lookup_at: Callable[[Head], ContractLookup],
    ) -> None:
        self._engine = engine
        self._heads = heads
        self._lookup_at = lookup_at
        # Per head: max_tx_size once read, or the read in flight that callers share.
        self._sizes: HeadKeyed[dict[str, int | asyncio.Future[int]]] = HeadKeyed(dict)

    async def rules(self) -> TxRules:
        """The rules as of the head now."""
        head = await self._heads.now()
        sizes = self._sizes.at(head)
        size = sizes.get("max_tx_size")
        if not isinstance(size, int):
            # The requests of a burst get a new head together: one read serves them all (each
            # read its own, which also took a pooled connection each).
            size = await self._shared_read(sizes, size)
        return TxRules(head, size, self._lookup_at(head))

    async def _shared_read(
        self, sizes: dict[str, int | asyncio.Future[int]], running: asyncio.Future[int] | None
    ) -> int:
        if running is None:
            running = sizes["max_tx_size"] = asyncio.ensure_future(self._read_size())
        try:
            # Shielded: a caller whose client went away does not cancel the others' read.
            size = await asyncio.shield(running)
        except BaseException:
            if running.done() and sizes.get("max_tx_size") is running:
                del sizes["max_tx_size"]  # the read failed: the next request tries again
            raise
        sizes["max_tx_size"] = size
        return size

    async def _read_size(self) -> int:
        # Read after the head: a block since then can only make it newer than the head's, and
        # the next request's head read sees that block and reads it again.
        async with read_connection(self._engine) as conn:
            return _size(await get_platform_parameter(conn, "max_tx_size"))


def _size(value: str | None) -> int:
    try:
        return int(value or 0) or DEFAULT_MAX_TX_SIZE
    except ValueError:
        return DEFAULT_MAX_TX_SIZE
