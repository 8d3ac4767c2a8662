"""The CCash bank's domain: name rules, operations, failures, and the committed in-memory view.

Every bank account is an account (1_keys row) of the bank ecosystem whose key id is derived
from the user name (SeedToID); its money is `amount` in whole units, bounded by uint32 as in
CCash. Writes are node-signed transactions executed by the block producer (chain/bank_exec.py);
this module holds what both the HTTP edge and the producer need to agree on.
"""

from __future__ import annotations

import enum
import re
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from chain.golang.ints import INT64_MAX as INT64_MAX
from chain.golang.ints import INT64_MIN as INT64_MIN

BANK_ECOSYSTEM_NAME = "CCash"
UINT32_MAX = (1 << 32) - 1
# The counterparty CCash shows for admin operations (SetBal, ImpactBal).
OMEGA = "\u03a9"

# 1_history.type of the bank's rows. Only TRANSFER, ADMIN and IMPORTED_LOG rows are log
# entries; REGISTER rows carry the user name (comment) and start the account's log.
HISTORY_TRANSFER = 3  # the reference's type for a token transfer
HISTORY_REGISTER = 101
HISTORY_ADMIN = 102  # set/impact balance: sender or recipient 0 means the admin (Omega)
HISTORY_DELETE = 103  # the deleted balance leaves (recipient 0: destroyed)
HISTORY_RETURN = 104  # return-on-delete credit to the return account
HISTORY_IMPORTED_LOG = 105  # one side of a log entry imported from a CCash save
LOG_TYPES = (HISTORY_TRANSFER, HISTORY_ADMIN, HISTORY_IMPORTED_LOG)


@dataclass(frozen=True)
class BankRules:
    """The instance's settings, as /api/properties reports them."""

    admin: str = ""
    max_log: int = 100
    add_user_open: bool = True
    return_on_del: str = ""
    min_name: int = 3
    max_name: int = 16
    uppercase: bool = False

    def valid_name(self, name: str) -> bool:
        """CCash's ValidUsername with this instance's sizes and alphabet."""
        return valid_name(name, self.min_name, self.max_name, self.uppercase)


_LOWER = re.compile(r"[a-z0-9_]+")
_MIXED = re.compile(r"[A-Za-z0-9_]+")


def valid_name(name: str, min_size: int, max_size: int, uppercase: bool = False) -> bool:
    """Letters (lowercase unless `uppercase`), digits and _; min_size..max_size characters."""
    if not min_size <= len(name) <= max_size:
        return False
    return (_MIXED if uppercase else _LOWER).fullmatch(name) is not None


class Fault(enum.Enum):
    """Why a bank request is refused; the HTTP edge maps each to CCash's status and text."""

    USER_NOT_FOUND = "User not found"
    AMOUNT_ZERO = "Amount cannot be 0"
    NAMES_MATCH = "Names cannot match"
    RECEIVER_MISSING = "Reciever does not exist"  # sic: the original's text
    SENDER_MISSING = "Sender does not exist"
    INSUFFICIENT = "Insufficient funds"
    OVERFLOW = "Balance would overflow"
    INVALID_NAME = "Invalid Username"
    USER_EXISTS = "User already exists"
    ADD_USER_DISABLED = "AddUser is Disabled"
    UNAVAILABLE = "Bank is unavailable"


class BankError(Exception):
    """A bank operation refused for a reason the client is told."""

    def __init__(self, fault: Fault) -> None:
        self.fault = fault
        super().__init__(fault.value)


class OpKind(enum.StrEnum):
    """The bank's writes; the value is the tx's contract name suffix."""

    REGISTER = "Register"
    TRANSFER = "Transfer"
    SET_BALANCE = "SetBalance"
    IMPACT_BALANCE = "ImpactBalance"
    DELETE = "Delete"
    PRUNE = "Prune"
    OPEN = "Open"  # creates the bank ecosystem on a chain made without it


@dataclass(frozen=True)
class BankOp:
    """One write as a handler asks for it. `secret` (a password hash) never goes on chain."""

    kind: OpKind
    name: str = ""
    other: str = ""  # transfer: the receiver
    amount: int = 0
    before: int | None = None  # prune: last activity older than this (None: not checked)
    secret: str = field(default="", repr=False)
    time: int = 0
    imported_logs: tuple[LogEntry, ...] = ()  # `bank import` only

    def params(self) -> dict[str, Any]:
        """What the transaction carries (no secret)."""
        found: dict[str, Any] = {"Name": self.name}
        if self.other:
            found["To"] = self.other
        if self.kind in (
            OpKind.REGISTER,
            OpKind.TRANSFER,
            OpKind.SET_BALANCE,
            OpKind.IMPACT_BALANCE,
            OpKind.PRUNE,
        ):
            found["Amount"] = self.amount
        if self.before is not None:
            found["Before"] = self.before
        if self.imported_logs:
            found["ImportedLogs"] = len(self.imported_logs)
        return found


@dataclass(frozen=True, slots=True)
class LogEntry:
    """One line of a user's log: CCash's Transaction."""

    counterparty: str
    receiving: bool
    amount: int
    time: int


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

    Handlers read it without touching the database (balance, exists, log); it is replaced
    only by committed blocks, so what it shows is never ahead of the chain.
    """

    def __init__(self, ecosystem: int, max_logs_cached: int = 50_000) -> None:
        self.ecosystem = ecosystem
        self.accounts: dict[str, Account] = {}
        self.names: dict[int, str] = {}  # key id -> name, deleted users included
        self.logs: dict[str, UserLog] = {}
        self.max_logs_cached = max_logs_cached

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
