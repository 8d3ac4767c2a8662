"""Fee payments of a contract transaction, written as its contracts write: accounts, history."""

from __future__ import annotations

from collections.abc import Sequence

from chain.address import address_to_string
from chain.blockstate import Row, key_of
from chain.fees import HistoryRecord, Payment, capable_amount
from chain.storage.repo.rows import select_rows
from chain.tables import TableRef
from contracts.host import TxHost


def _keys(host: TxHost, ecosystem: int) -> TableRef:
    return host.table(f"@{ecosystem}keys")


def _account(host: TxHost, ecosystem: int, key_id: int) -> Row | None:
    ref = _keys(host, ecosystem)
    where = {"id": key_id, "ecosystem": ecosystem}
    state = host.state
    if state is not None and state.cacheable(ref.table):
        # The block's rows in memory: what the contract that just ran wrote is there.
        return host.wait(state.get(ref.table, key_of(ref.table, where)))
    host.direct()
    rows = host.wait(select_rows(host.conn, ref.table, where=where, limit=1))
    return rows[0] if rows else None


def capable(host: TxHost, ecosystem: int, key_id: int) -> int:
    """What the account may spend on a fee now (0 without an account row)."""
    row = _account(host, ecosystem, key_id)
    if row is None:
        return 0
    return capable_amount(int(row["amount"]), int(row["maxpay"]))


def _balance(host: TxHost, ecosystem: int, key_id: int) -> int:
    row = _account(host, ecosystem, key_id)
    return 0 if row is None else int(row["amount"])


def pay(host: TxHost, payments: Sequence[Payment], block_id: int, created_at: int) -> None:
    """Move each payment's amount and record it in 1_history (the caller checked the funds)."""
    with host.writing_for_system():
        for p in payments:
            keys = _keys(host, p.ecosystem)
            if _account(host, p.ecosystem, p.recipient) is None:
                host.insert_checked(
                    keys,
                    {
                        "id": p.recipient,
                        "account": address_to_string(p.recipient),
                        "ecosystem": p.ecosystem,
                    },
                )
            if p.sender != p.recipient:
                for key_id, delta in ((p.sender, -p.amount), (p.recipient, p.amount)):
                    where = {"id": key_id, "ecosystem": p.ecosystem}
                    host.update_rows(keys, where, {"+amount": delta})
            row = {
                "sender_id": p.sender,
                "sender_balance": _balance(host, p.ecosystem, p.sender),
                "recipient_id": p.recipient,
                "recipient_balance": _balance(host, p.ecosystem, p.recipient),
                "amount": p.amount,
                "comment": p.comment,
                "status": p.status,
                "block_id": block_id,
                "txhash": host.ctx.hash,
                "ecosystem": p.ecosystem,
                "type": p.kind,
                "created_at": created_at,
            }
            if p.detail is not None:
                row["value_detail"] = dict(p.detail)
            host.insert_checked(host.table("@1history"), row)


def record(host: TxHost, rows: Sequence[HistoryRecord], block_id: int, created_at: int) -> None:
    """Write 1_history rows of moves made elsewhere (the native ledger moved the money)."""
    with host.writing_for_system():
        for r in rows:
            host.insert_checked(
                host.table("@1history"),
                {
                    "sender_id": r.sender,
                    "sender_balance": r.sender_balance,
                    "recipient_id": r.recipient,
                    "recipient_balance": r.recipient_balance,
                    "amount": r.amount,
                    "comment": r.comment,
                    "status": r.status,
                    "block_id": block_id,
                    "txhash": host.ctx.hash,
                    "ecosystem": r.ecosystem,
                    "type": r.kind,
                    "created_at": created_at,
                },
            )
