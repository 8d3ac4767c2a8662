"""CCash save files: reading, writing, refusing what is not one, and the import operation."""

from __future__ import annotations

import pytest

from chain.bank.auth import xxh3_hash
from chain.bank.rules import LogEntry, OpKind
from chain.bank.saves import SavedUser, SaveFormatError, read_save, write_save


def test_read_save_round_trip_and_blank() -> None:
    blank = bytes.fromhex("10000000040000000000000000000000")
    assert read_save(blank) == []
    users = [SavedUser("bob", 7, 1, (LogEntry("Ω", True, 7, 100),))]
    assert read_save(write_save(users)) == users
    with pytest.raises(SaveFormatError):
        read_save(blank[:-1])


def test_a_save_of_another_type_or_size_is_refused() -> None:
    data = write_save([SavedUser("bob", 7, 1, ())])
    with pytest.raises(SaveFormatError, match="wrong size or type"):
        read_save(data[:4] + b"\x05\x00\x00\x00" + data[8:])
    with pytest.raises(SaveFormatError, match="wrong size or type"):
        read_save(data + b"\x00")


def test_saved_user_registers_with_its_hash_and_newest_logs() -> None:
    logs = tuple(LogEntry("x", True, n, n) for n in range(1, 4))
    op = SavedUser("bob", 9, 0xABC, logs).op(max_log=2)
    assert (op.kind, op.name, op.amount) == (OpKind.REGISTER, "bob", 9)
    assert op.secret == xxh3_hash(0xABC)
    assert op.imported_logs == logs[-2:]
    assert SavedUser("bob", 9, 0xABC, logs).op(max_log=0).imported_logs == ()
