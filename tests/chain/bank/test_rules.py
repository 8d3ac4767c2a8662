"""The bank's rules: user names, and what an operation puts on chain (never the secret)."""

from __future__ import annotations

import pytest

from chain.bank.rules import BankOp, BankRules, LogEntry, OpKind, valid_name


@pytest.mark.parametrize(
    ("name", "uppercase", "ok"),
    [
        ("abc", False, True),
        ("ab", False, False),
        ("a" * 16, False, True),
        ("a" * 17, False, False),
        ("user_1", False, True),
        ("User", False, False),
        ("User", True, True),
        ("us-er", True, False),
        ("", False, False),
    ],
)
def test_valid_name(name: str, uppercase: bool, ok: bool) -> None:
    assert valid_name(name, 3, 16, uppercase) is ok
    assert BankRules(uppercase=uppercase).valid_name(name) is ok


def test_op_params_carry_no_secret() -> None:
    register = BankOp(OpKind.REGISTER, name="bob", amount=5, secret="scrypt$x")
    assert register.params() == {"Name": "bob", "Amount": 5}
    transfer = BankOp(OpKind.TRANSFER, name="bob", other="ann", amount=3)
    assert transfer.params() == {"Name": "bob", "To": "ann", "Amount": 3}
    assert BankOp(OpKind.DELETE, name="bob").params() == {"Name": "bob"}
    prune = BankOp(OpKind.PRUNE, amount=10, before=99)
    assert prune.params() == {"Name": "", "Amount": 10, "Before": 99}
    imported = BankOp(OpKind.REGISTER, name="bob", imported_logs=(LogEntry("x", True, 1, 1),) * 2)
    assert imported.params() == {"Name": "bob", "Amount": 0, "ImportedLogs": 2}
    assert "scrypt" not in repr(register)
