"""The bank as of the last committed block: accounts and users' logs, kept in memory."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass

from chain.bank.rules import LogEntry


@dataclass(slots=True)
class Account:
    """A registered user as of the last committed block."""

    name: str
    key_id: int
    balance: int
    since: int  # id of its REGISTER history row: older rows belong to an earlier holder
    last_time: int | None = None  # newest log entry's time; None: not known yet
    version: int = 0  # bumped by every committed change

    def copy(self) -> Account:
        """A working copy for a block being formed (dataclasses.replace is several times slower)."""
        return Account(
            self.name, self.key_id, self.balance, self.since, self.last_time, self.version
        )


class UserLog:
    """A user's newest log entries (at most max_log), with the two renderings cached."""

    __slots__ = ("entries", "v1", "v2")

    def __init__(self, entries: Iterable[LogEntry], max_log: int) -> None:
        self.entries: deque[LogEntry] = deque(entries, maxlen=max_log)  # oldest first
        self.v1: str | None = None
        self.v2: str | None = None

    def append(self, entry: LogEntry) -> None:
        self.entries.append(entry)
        self.v1 = self.v2 = None


class BankView:
    """Accounts and cached logs as of the last committed block; the producer updates it.

    It is replaced only by committed blocks, so what it shows is never ahead of the chain.
    Other processes may commit bank blocks on the same database: `mark`, the newest 1_history
    id the view has taken in, tells when it must catch up (BankWork.sync).
    """

    def __init__(self, ecosystem: int, max_logs_cached: int = 50_000) -> None:
        self.ecosystem = ecosystem
        self.accounts: dict[str, Account] = {}
        self.names: dict[int, str] = {}  # key id -> name, deleted users included
        self.logs: dict[str, UserLog] = {}
        self.max_logs_cached = max_logs_cached
        self.mark = 0
        self.stale = False  # a block was abandoned after syncing in its transaction: reload

    def get(self, name: str) -> Account | None:
        return self.accounts.get(name)

    def total(self) -> int:
        return sum(a.balance for a in self.accounts.values())

    def remember_log(self, name: str, log: UserLog) -> None:
        if len(self.logs) >= self.max_logs_cached:
            self.logs.clear()  # a crude bound: hot users' logs come back on the next read
        self.logs[name] = log

    def add_entry(self, name: str, entry: LogEntry) -> None:
        account = self.accounts.get(name)
        if account is not None:
            account.last_time = max(account.last_time or 0, entry.time)
        log = self.logs.get(name)
        if log is not None:
            log.append(entry)
