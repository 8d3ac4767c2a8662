"""`ibax-node check` for the bank: every balance is what its history adds up to."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from chain.bank.rules import (
    HISTORY_DELETE,
    HISTORY_IMPORTED_LOG,
    HISTORY_REGISTER,
    HISTORY_RETURN,
)
from chain.storage.repo.bank import (
    HistoryRow,
    get_bank_ecosystem,
    list_account_rows,
    list_history_page,
)

PAGE = 5000


class BankAuditError(Exception):
    """The bank's rows disagree: money appeared or vanished outside its history."""


def _replay(balances: dict[int, int], row: HistoryRow) -> list[str]:
    """Apply one history row; the problems it shows (a balance it records that is not so)."""
    problems: list[str] = []
    if row.type == HISTORY_IMPORTED_LOG:
        return problems  # a log entry of the save, not a movement of money
    if row.type == HISTORY_REGISTER:
        balances[row.recipient_id] = row.amount
        return problems
    if row.sender_id:
        balances[row.sender_id] = balances.get(row.sender_id, 0) - row.amount
    if row.recipient_id:
        balances[row.recipient_id] = balances.get(row.recipient_id, 0) + row.amount
    checks = [(row.recipient_id, row.recipient_balance)] if row.recipient_id else []
    # ADMIN rows record only the side that is an account; DELETE and RETURN rows none for it.
    if row.sender_id and row.type not in (HISTORY_DELETE, HISTORY_RETURN):
        checks.append((row.sender_id, row.sender_balance))
    for key, recorded in checks:
        if balances[key] != recorded:
            problems.append(
                f"history row {row.id}: account {key} would hold {balances[key]}, "
                f"the row says {recorded}"
            )
    if row.type == HISTORY_DELETE and balances.get(row.sender_id, 0) != 0:
        left = balances[row.sender_id]
        problems.append(f"history row {row.id}: deleting account {row.sender_id} leaves {left}")
    for key in (row.sender_id, row.recipient_id):
        if key and balances[key] < 0:
            problems.append(f"history row {row.id}: account {key} goes to {balances[key]}")
    return problems


async def audit_bank(conn: AsyncConnection) -> int:
    """Replay the bank ecosystem's history against its accounts; returns how many it checked.

    Raises BankAuditError naming what disagrees (money created or lost outside its history,
    such as two writers spending one balance twice). A chain without the bank has nothing.
    """
    ecosystem = await get_bank_ecosystem(conn)
    if ecosystem is None:
        return 0
    balances: dict[int, int] = {}
    problems: list[str] = []
    after = 0
    while rows := await list_history_page(conn, ecosystem, after, PAGE):
        for row in rows:
            problems.extend(_replay(balances, row))
        after = rows[-1].id
    stored = await list_account_rows(conn, ecosystem)
    for key in sorted(set(stored) | set(balances)):
        amount, deleted = stored.get(key, (0, True))
        expected = balances.get(key, 0)
        if (0 if deleted else amount) != expected:
            problems.append(f"account {key} holds {amount}, its history adds up to {expected}")
    if problems:
        shown = "; ".join(problems[:5])
        more = f" (and {len(problems) - 5} more)" if len(problems) > 5 else ""
        raise BankAuditError(f"bank balances disagree with their history: {shown}{more}")
    return len(stored)


async def audit_bank_chain(engine: AsyncEngine) -> int:
    """audit_bank on one connection of the engine (one consistent pass on a stopped node)."""
    async with engine.connect() as conn:
        return await audit_bank(conn)
