"""Keys banned for bad transactions: those failing the queue's or a block's checks, as go-ibax."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from chain.errors import ChainError
from chain.observer import NullObserver, Settled
from chain.txcheck import TxOutOfTime, TxTooLarge

# Keys with bad transactions but no ban remembered at once; past it, those whose window ended
# are forgotten (a key's entry is otherwise only trimmed when it sends another bad tx).
MAX_TRACKED = 100_000


class BadTxs(Protocol):
    """Hears of each transaction that failed in a block, by its signer."""

    def bad_tx(self, key_id: int) -> None:
        """One bad transaction signed by `key_id`."""


class NoBadTxs:
    """Hears nothing: a producer without a ban list (tools, tests of the ledger alone)."""

    def bad_tx(self, key_id: int) -> None:
        pass


NO_BAD_TXS: BadTxs = NoBadTxs()


def counts_for_ban(exc: ChainError) -> bool:
    """Whether a sendTx refusal counts: over the size limit, or out of the time window.

    The reference answers its own refusals (a malformed tx, a bad signature, an unknown
    contract, bad parameters) without counting them; the time window is its queue's check.
    """
    return isinstance(exc, (TxTooLarge, TxOutOfTime))


@dataclass(frozen=True, slots=True)
class BanRules:
    """go-ibax's BanKey settings: `bad_tx` bad txs within `bad_time_s` ban for `ban_time_s`."""

    bad_tx: int = 5
    bad_time_s: float = 300
    ban_time_s: float = 900


class BanList:
    """In memory, per process (as the reference's): bad transactions per key in a window.

    What is counted: txs that fail in a block (the producer reports them), and sendTx's
    refusals of an over-size batch or tx and of a time out of the window (`counts_for_ban`).
    """

    def __init__(
        self, rules: BanRules | None = None, clock: Callable[[], float] = time.time
    ) -> None:
        self.rules = rules or BanRules()
        self._clock = clock
        self._bad: dict[int, deque[float]] = {}
        self._banned_until: dict[int, float] = {}

    def banned_until(self, key_id: int) -> float | None:
        """When the key's ban ends, or None if it is not banned."""
        until = self._banned_until.get(key_id)
        if until is None:
            return None
        if until <= self._clock():
            del self._banned_until[key_id]
            return None
        return until

    def bad_tx(self, key_id: int) -> None:
        """Count one bad transaction; ban the key when it reaches the limit."""
        now = self._clock()
        events = self._bad.setdefault(key_id, deque())
        events.append(now)
        while events and events[0] <= now - self.rules.bad_time_s:
            events.popleft()
        if len(events) >= self.rules.bad_tx:
            self._banned_until[key_id] = now + self.rules.ban_time_s
            events.clear()
        if not events:
            del self._bad[key_id]
        elif len(self._bad) > MAX_TRACKED:
            self._forget_older_than(now - self.rules.bad_time_s)

    def banned(self) -> dict[int, float]:
        """Every key currently banned, with the end of its ban."""
        return {k: v for k in list(self._banned_until) if (v := self.banned_until(k)) is not None}

    def _forget_older_than(self, start: float) -> None:
        for key in [k for k, events in self._bad.items() if events[-1] <= start]:
            del self._bad[key]

    def clear(self) -> None:
        """Forget every bad transaction and ban."""
        self._bad.clear()
        self._banned_until.clear()


class BlockFailures(NullObserver):
    """An API worker's count of the failures in worker 0's blocks, heard through its relay.

    Worker 0's producer counts each tx that failed in its block in its own ban list; the other
    workers hear the same blocks and count the same txs in theirs, so a key banned for its
    failed txs is refused by every worker, whichever one its connection reached.
    """

    def __init__(self, bans: BadTxs, node_key_id: int) -> None:
        self._bans = bans
        self._node_key_id = node_key_id

    def txs_settled(self, event: Settled) -> None:
        for tx in event.txs:
            # In a block and failed, as the producer counts; the node's own txs (the bank's
            # work, scheduled contracts) are not a client's.
            if tx.block_id and tx.error and tx.key_id not in (0, self._node_key_id):
                self._bans.bad_tx(tx.key_id)
