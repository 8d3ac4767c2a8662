"""What the ledger reports as it works (blocks, settled txs, bank writes, cache lookups).

The ledger knows nothing about metrics systems or sockets: the producer and the bank call a
ChainObserver, and the node wires in the ones that feed its metrics (api/ops/metrics.py) and
its live events (api/events/), joined by Observers. Without one, the calls go to NO_OBSERVER
and cost a method call each.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Protocol

from chain.storage.repo.money import RollbackRow
from chain.storage.repo.txs import LogRow, StatusRow

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


@dataclass(frozen=True, slots=True)
class SettledTx:
    """A transaction that left the queue: into a block, or refused when its block ran."""

    hash: bytes
    key_id: int  # its signer; 0 when it was refused before it could be read
    block_id: int  # 0: refused, in no block
    error: str  # the errmsg JSON text as txstatus stores it, "" when it succeeded
    penalty: int
    result: str


@dataclass(frozen=True, slots=True)
class Notices:
    """Whose notification counts a block's contracts asked to publish (UpdateNotifications,
    UpdateRolesNotifications), as the reference's notificator sends them after the block."""

    accounts: frozenset[tuple[int, str]] = frozenset()  # (ecosystem, account address)
    roles: frozenset[tuple[int, int]] = frozenset()  # (ecosystem, role id)


NO_NOTICES = Notices()


@dataclass(frozen=True, slots=True)
class Settled:
    """What one committed database transaction of the producer settled."""

    block_id: int  # the block sealed, or 0 when only refusals were recorded
    block_time: int
    txs: tuple[SettledTx, ...]
    tables: frozenset[str]  # tables the block's transactions changed
    notices: Notices = NO_NOTICES


def settled(
    block_id: int,
    block_time: int,
    statuses: Iterable[StatusRow],
    logs: Iterable[LogRow],
    rollbacks: Iterable[RollbackRow],
    notices: Notices = NO_NOTICES,
) -> Settled:
    """The event of a committed block (or of refusals only, with block_id 0)."""
    signers = {log.hash: log.address for log in logs}
    txs = tuple(
        SettledTx(s.hash, signers.get(s.hash, 0), s.block_id, s.error, s.penalty, s.result)
        for s in statuses
    )
    tables = frozenset(r.table_name for r in rollbacks)
    return Settled(block_id, block_time, txs, tables, notices)


class ChainObserver(Protocol):
    """Receives the ledger's events; implementations must be cheap and must not raise."""

    def block_committed(self, stats: BlockStats) -> None:
        """A block was sealed and committed."""

    def txs_settled(self, event: Settled) -> None:
        """Queued txs went into a committed block or were refused (after the commit)."""

    def bank_operation(self, operation: str, outcome: str) -> None:
        """A bank write finished: `outcome` is "ok" or the bank's fault text."""

    def cache_lookup(self, cache: str, hit: bool) -> None:
        """A named cache answered a lookup from memory (hit) or had to read (miss)."""


class NullObserver:
    """Listens to nothing."""

    def block_committed(self, stats: BlockStats) -> None:
        pass

    def txs_settled(self, event: Settled) -> None:
        pass

    def bank_operation(self, operation: str, outcome: str) -> None:
        pass

    def cache_lookup(self, cache: str, hit: bool) -> None:
        pass


class Observers:
    """Several observers as one: each hears every event, in order."""

    def __init__(self, *observers: ChainObserver) -> None:
        self._observers = observers

    def block_committed(self, stats: BlockStats) -> None:
        for observer in self._observers:
            observer.block_committed(stats)

    def txs_settled(self, event: Settled) -> None:
        for observer in self._observers:
            observer.txs_settled(event)

    def bank_operation(self, operation: str, outcome: str) -> None:
        for observer in self._observers:
            observer.bank_operation(operation, outcome)

    def cache_lookup(self, cache: str, hit: bool) -> None:
        for observer in self._observers:
            observer.cache_lookup(cache, hit)


NO_OBSERVER: ChainObserver = NullObserver()
