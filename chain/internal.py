"""Node-made transactions (the bank's): what the block producer asks of their source."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncConnection

from chain.storage.repo.money import RollbackRow
from chain.storage.repo.txs import LogRow


@dataclass
class InternalBlock:
    """What node-made transactions add to the block being formed."""

    raw: list[bytes]
    logs: list[LogRow]
    rollbacks: list[RollbackRow]
    touched: tuple[str, ...]  # tables changed behind the row memory's back
    done: Any  # handed back to `committed`


class InternalWork(Protocol):
    """Transactions the node makes and keeps in memory until their block is committed.

    They skip queue_tx: their submitters are answered only after the commit, so one lost in
    a crash was never acknowledged. They run after the queued transactions of the block.
    """

    def pending(self) -> bool:
        """Is anything waiting?"""

    def take(self, limit: int) -> list[Any]:
        """Remove up to `limit` waiting items for the block being formed."""

    async def execute(
        self, conn: AsyncConnection, batch: list[Any], block_id: int, block_time: int
    ) -> InternalBlock:
        """Check and apply the batch inside the block's database transaction."""

    def committed(self, done: Any) -> None:
        """The block holding them is committed: answer their submitters."""

    def abandoned(self, batch: list[Any]) -> None:
        """The block was rolled back: put the batch back in front."""


class NoInternalWork:
    """The source of a node without the bank: never anything to add."""

    def pending(self) -> bool:
        return False

    def take(self, limit: int) -> list[Any]:
        return []

    async def execute(
        self, conn: AsyncConnection, batch: list[Any], block_id: int, block_time: int
    ) -> InternalBlock:
        # take() hands out nothing, so the producer never has a batch to execute.
        raise RuntimeError("no internal work to execute")

    def committed(self, done: Any) -> None:
        pass

    def abandoned(self, batch: list[Any]) -> None:
        pass
