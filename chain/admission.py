"""What sendTx checks transactions against (size limit, contracts), as of the chain head."""

from __future__ import annotations

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
        self._sizes: HeadKeyed[dict[str, int]] = HeadKeyed(dict)

    async def rules(self) -> TxRules:
        """The rules as of the head now."""
        head = await self._heads.now()
        sizes = self._sizes.at(head)
        if "max_tx_size" not in sizes:
            # Read after the head: a block since then can only make it newer than `head`'s,
            # and the next request's head read sees that block and reads it again.
            async with read_connection(self._engine) as conn:
                sizes["max_tx_size"] = _size(await get_platform_parameter(conn, "max_tx_size"))
        return TxRules(head, sizes["max_tx_size"], self._lookup_at(head))


def _size(value: str | None) -> int:
    try:
        return int(value or 0) or DEFAULT_MAX_TX_SIZE
    except ValueError:
        return DEFAULT_MAX_TX_SIZE
