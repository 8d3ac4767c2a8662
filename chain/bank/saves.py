"""Reading a CCash save (users.dat, FastBinaryEncoding "final" model) into bank operations.

Layout (little-endian, no padding): u32 total size, u32 type 4; keys: u32 count, then per key
u32 length + UTF-8 bytes; users: u32 count, then per user u32 balance, u64 XXH3 password
hash, u8 has_logs and, if set, u32 count of Transaction {u32 length + counterparty, u8
receiving, u32 amount, u64 time (seconds)}, oldest first. keys[i] names users[i].
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

from chain.bank.auth import xxh3_hash
from chain.bank.rules import BankOp, LogEntry, OpKind

GLOBAL_TYPE = 4


class SaveFormatError(ValueError):
    """The file is not a CCash save."""


@dataclass(frozen=True)
class SavedUser:
    """One user of a save: name, balance, XXH3 of the password, log (oldest first)."""

    name: str
    balance: int
    password_xxh3: int
    logs: tuple[LogEntry, ...]

    def op(self, max_log: int) -> BankOp:
        """The registration that brings this user over (imported hash, newest max_log logs)."""
        logs = self.logs[-max_log:] if max_log > 0 else ()
        return BankOp(
            OpKind.REGISTER,
            name=self.name,
            amount=self.balance,
            secret=xxh3_hash(self.password_xxh3),
            imported_logs=logs,
        )


class _Reader:
    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0

    def take(self, fmt: str) -> int:
        size = struct.calcsize(fmt)
        if self.pos + size > len(self.data):
            raise SaveFormatError("the save ends too early")
        (value,) = struct.unpack_from(fmt, self.data, self.pos)
        self.pos += size
        return int(value)

    def text(self) -> str:
        length = self.take("<I")
        if self.pos + length > len(self.data):
            raise SaveFormatError("the save ends too early")
        raw = self.data[self.pos : self.pos + length]
        self.pos += length
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise SaveFormatError("a name is not UTF-8") from exc


def read_save(data: bytes) -> list[SavedUser]:
    """Parse users.dat; SaveFormatError when it is not one."""
    reader = _Reader(data)
    total, kind = reader.take("<I"), reader.take("<I")
    if kind != GLOBAL_TYPE or total != len(data):
        raise SaveFormatError("not a CCash save (wrong size or type)")
    names = [reader.text() for _ in range(reader.take("<I"))]
    count = reader.take("<I")
    if count != len(names):
        raise SaveFormatError("the save has a different number of names and users")
    users = []
    for name in names:
        balance, password = reader.take("<I"), reader.take("<Q")
        logs: list[LogEntry] = []
        if reader.take("<B"):
            for _ in range(reader.take("<I")):
                counterparty = reader.text()
                receiving = bool(reader.take("<B"))
                amount, when = reader.take("<I"), reader.take("<Q")
                logs.append(LogEntry(counterparty, receiving, amount, when))
        users.append(SavedUser(name, balance, password, tuple(logs)))
    return users


def write_save(users: list[SavedUser]) -> bytes:
    """The inverse of read_save (tests and benchmarks make saves with it)."""
    body = bytearray(struct.pack("<I", len(users)))
    for user in users:
        raw = user.name.encode()
        body += struct.pack("<I", len(raw)) + raw
    body += struct.pack("<I", len(users))
    for user in users:
        body += struct.pack("<IQB", user.balance, user.password_xxh3, 1 if user.logs else 0)
        if user.logs:
            body += struct.pack("<I", len(user.logs))
            for entry in user.logs:
                raw = entry.counterparty.encode()
                body += struct.pack("<I", len(raw)) + raw
                body += struct.pack("<BIQ", int(entry.receiving), entry.amount, entry.time)
    return struct.pack("<II", 8 + len(body), GLOBAL_TYPE) + bytes(body)
