"""What the ledger reports as it works (blocks, bank writes, cache lookups), to whoever listens.

The ledger knows nothing about metrics systems: the producer and the bank call a ChainObserver,
and the node wires in one that feeds its metrics (api/ops/metrics.py). Without one, the calls
go to NO_OBSERVER and cost a method call each.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

# Long offline work (check, rollback) reports (done, total) through this.
Progress = Callable[[int, int], None]


@dataclass(frozen=True, slots=True)
class BlockStats:
    """One committed block as the producer saw it."""

    block_id: int
    txs: int
    build_seconds: float  # from taking the queue to the last write before the commit
    commit_seconds: float  # the database commit alone
    fuel: int  # contract fuel its transactions used


class ChainObserver(Protocol):
    """Receives the ledger's events; implementations must be cheap and must not raise."""

    def block_committed(self, stats: BlockStats) -> None:
        """A block was sealed and committed."""

    def bank_operation(self, operation: str, outcome: str) -> None:
        """A bank write finished: `outcome` is "ok" or the bank's fault text."""

    def cache_lookup(self, cache: str, hit: bool) -> None:
        """A named cache answered a lookup from memory (hit) or had to read (miss)."""


class NullObserver:
    """Listens to nothing."""

    def block_committed(self, stats: BlockStats) -> None:
        pass

    def bank_operation(self, operation: str, outcome: str) -> None:
        pass

    def cache_lookup(self, cache: str, hit: bool) -> None:
        pass


NO_OBSERVER: ChainObserver = NullObserver()
