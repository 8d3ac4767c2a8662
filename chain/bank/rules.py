"""The CCash bank's rules: settings, name rules, operations, failures and history types.

Every bank account is an account (1_keys row) of the bank ecosystem whose key id is derived
from the user name (SeedToID); its money is `amount` in whole units, bounded by uint32 as in
CCash. Writes are node-signed transactions executed by the block producer (bank/executor.py);
this module holds what both the HTTP edge and the producer need to agree on.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass, field
from typing import Any

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

    def protected(self, name: str) -> bool:
        """The admin and the return-on-delete account: never deleted nor pruned."""
        return bool(name) and name in (self.admin, self.return_on_del)

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
    # Not in CCash, which let the admin delete itself (after which anyone could register the
    # admin's name and set balances).
    PROTECTED = "Cannot delete the admin or the return account"
    TOO_MANY_TRIES = "Too many wrong passwords, try again later"  # not in CCash: backoff


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
