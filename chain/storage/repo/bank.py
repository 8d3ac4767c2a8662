"""The CCash bank's rows: its ecosystem's accounts and history, and node-local credentials."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    BigInteger,
    Integer,
    LargeBinary,
    Numeric,
    String,
    Text,
    bindparam,
    delete,
    func,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncConnection

from chain.address import address_to_string
from chain.bank.rules import BANK_ECOSYSTEM_NAME, HISTORY_REGISTER, LOG_TYPES
from chain.storage.lists import one_of
from chain.storage.schema import bank_credentials, ecosystems, history, keys, transactions_status


@dataclass(frozen=True, slots=True)
class HistoryRow:
    """A 1_history row the bank writes or reads."""

    id: int
    sender_id: int
    recipient_id: int
    amount: int
    created_at: int
    type: int
    comment: str = ""
    sender_balance: int = 0
    recipient_balance: int = 0
    block_id: int = 0
    txhash: bytes = b""


@dataclass(frozen=True, slots=True)
class Credential:
    """A user's stored password hash (never on chain)."""

    name: str
    key_id: int
    hash: str


async def get_bank_ecosystem(conn: AsyncConnection) -> int | None:
    """The bank ecosystem's id, or None on a chain made without the bank."""
    result = await conn.execute(
        select(ecosystems.c.id)
        .where(ecosystems.c.name == BANK_ECOSYSTEM_NAME)
        .order_by(ecosystems.c.id)
        .limit(1)
    )
    return result.scalar_one_or_none()


async def list_registrations(conn: AsyncConnection, ecosystem: int) -> list[tuple[int, int, str]]:
    """(history id, key id, name) of every registration, oldest first."""
    result = await conn.execute(
        select(history.c.id, history.c.recipient_id, history.c.comment)
        .where(history.c.ecosystem == ecosystem, history.c.type == HISTORY_REGISTER)
        .order_by(history.c.id)
    )
    return [(int(r.id), int(r.recipient_id), str(r.comment)) for r in result]


async def list_live_balances(conn: AsyncConnection, ecosystem: int) -> dict[int, int]:
    """Key id -> balance of the ecosystem's accounts that are not deleted."""
    result = await conn.execute(
        select(keys.c.id, keys.c.amount).where(keys.c.ecosystem == ecosystem, keys.c.deleted == 0)
    )
    return {int(r.id): int(r.amount) for r in result}


_LOG_COLUMNS = (
    history.c.id,
    history.c.sender_id,
    history.c.recipient_id,
    history.c.amount,
    history.c.created_at,
    history.c.type,
    history.c.comment,
)


def _history_row(r: Any, sender_balance: int = 0, recipient_balance: int = 0) -> HistoryRow:
    return HistoryRow(
        id=int(r.id),
        sender_id=int(r.sender_id),
        recipient_id=int(r.recipient_id),
        amount=int(r.amount),
        created_at=int(r.created_at),
        type=int(r.type),
        comment=str(r.comment),
        sender_balance=sender_balance,
        recipient_balance=recipient_balance,
    )


async def list_log_rows(
    conn: AsyncConnection, ecosystem: int, key_id: int, since: int, limit: int
) -> list[HistoryRow]:
    """The account's newest log rows after its registration row `since`, newest first."""
    result = await conn.execute(
        select(*_LOG_COLUMNS)
        .where(
            history.c.ecosystem == ecosystem,
            or_(history.c.sender_id == key_id, history.c.recipient_id == key_id),
            history.c.id > since,
            history.c.type.in_(LOG_TYPES),
        )
        .order_by(history.c.id.desc())
        .limit(limit)
    )
    return [_history_row(r) for r in result]


async def list_last_log_times(conn: AsyncConnection, ecosystem: int) -> dict[int, int]:
    """Key id -> time of its newest log row (as sender or recipient), in two grouped scans."""
    newest: dict[int, int] = {}
    for side in (history.c.sender_id, history.c.recipient_id):
        result = await conn.execute(
            select(side, func.max(history.c.created_at))
            .where(history.c.ecosystem == ecosystem, history.c.type.in_(LOG_TYPES), side != 0)
            .group_by(side)
        )
        for key_id, when in result:
            newest[int(key_id)] = max(newest.get(int(key_id), 0), int(when or 0))
    return newest


async def next_history_id(conn: AsyncConnection) -> int:
    """The next 1_history id (ids run across all ecosystems)."""
    result = await conn.execute(select(func.coalesce(func.max(history.c.id), 0) + 1))
    return int(result.scalar_one())


async def get_history_mark(conn: AsyncConnection) -> int:
    """The newest 1_history id (0: none): it moves whenever any process commits bank rows."""
    result = await conn.execute(select(func.coalesce(func.max(history.c.id), 0)))
    return int(result.scalar_one())


async def get_auth_state(conn: AsyncConnection, name: str) -> tuple[int, Credential | None]:
    """The history mark and the user's stored credential, in one round trip."""

    def column(col: Any) -> Any:
        return select(col).where(bank_credentials.c.name == name).scalar_subquery()

    mark = select(func.coalesce(func.max(history.c.id), 0)).scalar_subquery()
    key_id, hash_text = column(bank_credentials.c.key_id), column(bank_credentials.c.hash)
    row = (await conn.execute(select(mark, key_id, hash_text))).one()
    credential = None if row[2] is None else Credential(name, int(row[1]), str(row[2]))
    return int(row[0]), credential


async def list_credentials_of(conn: AsyncConnection, names: Sequence[str]) -> dict[str, Credential]:
    """The stored credentials of these names (absent: none stored)."""
    found: dict[str, Credential] = {}
    for start in range(0, len(names), 500):
        result = await conn.execute(
            select(
                bank_credentials.c.name, bank_credentials.c.key_id, bank_credentials.c.hash
            ).where(one_of(conn, bank_credentials.c.name, names[start : start + 500]))
        )
        found.update({r.name: Credential(r.name, int(r.key_id), r.hash) for r in result})
    return found


async def list_bank_changes(conn: AsyncConnection, ecosystem: int, after: int) -> list[HistoryRow]:
    """The ecosystem's history rows with ids above `after`, oldest first."""
    result = await conn.execute(
        select(*_LOG_COLUMNS)
        .where(history.c.ecosystem == ecosystem, history.c.id > after)
        .order_by(history.c.id)
    )
    return [_history_row(r) for r in result]


async def list_account_states(
    conn: AsyncConnection, ecosystem: int, key_ids: Sequence[int]
) -> dict[int, tuple[int, bool]]:
    """Key id -> (balance, deleted) of these accounts of the ecosystem, as committed."""
    states: dict[int, tuple[int, bool]] = {}
    for start in range(0, len(key_ids), 500):  # keeps the IN list within every driver's limits
        result = await conn.execute(
            select(keys.c.id, keys.c.amount, keys.c.deleted).where(
                keys.c.ecosystem == ecosystem, one_of(conn, keys.c.id, key_ids[start : start + 500])
            )
        )
        states.update({int(r.id): (int(r.amount), bool(r.deleted)) for r in result})
    return states


async def list_history_page(
    conn: AsyncConnection, ecosystem: int, after: int, limit: int
) -> list[HistoryRow]:
    """The ecosystem's history rows with ids above `after`, oldest first, balances included."""
    result = await conn.execute(
        select(*_LOG_COLUMNS, history.c.sender_balance, history.c.recipient_balance)
        .where(history.c.ecosystem == ecosystem, history.c.id > after)
        .order_by(history.c.id)
        .limit(limit)
    )
    return [
        _history_row(
            r,
            sender_balance=int(r.sender_balance),
            recipient_balance=int(r.recipient_balance),
        )
        for r in result
    ]


async def list_account_rows(conn: AsyncConnection, ecosystem: int) -> dict[int, tuple[int, bool]]:
    """Key id -> (balance, deleted) of every account row of the ecosystem."""
    result = await conn.execute(
        select(keys.c.id, keys.c.amount, keys.c.deleted).where(keys.c.ecosystem == ecosystem)
    )
    return {int(r.id): (int(r.amount), bool(r.deleted)) for r in result}


def _unnest_insert(table: Any, columns: dict[str, Any]) -> Any:
    """INSERT INTO table (columns) SELECT unnest(:array) ... with one array parameter per column.

    Its text does not depend on the number of rows, so asyncpg prepares it once, and a
    block's rows go in one round trip with their values encoded by asyncpg, not per row.
    """
    arrays = select(
        *(
            func.unnest(bindparam(f"b_{name}", type_=ARRAY(kind))).label(name)
            for name, kind in columns.items()
        )
    )
    return insert(table).from_select(list(columns), arrays)


_HISTORY_ARRAYS = {
    "id": BigInteger,
    "sender_id": BigInteger,
    "recipient_id": BigInteger,
    "sender_balance": Numeric(30, 0),
    "recipient_balance": Numeric(30, 0),
    "amount": Numeric(30, 0),
    "comment": Text,
    "block_id": BigInteger,
    "txhash": LargeBinary,
    "created_at": BigInteger,
    "ecosystem": BigInteger,
    "type": BigInteger,
}
_INSERT_HISTORY = _unnest_insert(history, _HISTORY_ARRAYS)


async def insert_history(conn: AsyncConnection, ecosystem: int, rows: Sequence[HistoryRow]) -> None:
    """Write history rows of the bank ecosystem."""
    if not rows:
        return
    if conn.dialect.name == "postgresql":
        await conn.execute(
            _INSERT_HISTORY,
            {
                "b_id": [r.id for r in rows],
                "b_sender_id": [r.sender_id for r in rows],
                "b_recipient_id": [r.recipient_id for r in rows],
                "b_sender_balance": [Decimal(r.sender_balance) for r in rows],
                "b_recipient_balance": [Decimal(r.recipient_balance) for r in rows],
                "b_amount": [Decimal(r.amount) for r in rows],
                "b_comment": [r.comment for r in rows],
                "b_block_id": [r.block_id for r in rows],
                "b_txhash": [r.txhash for r in rows],
                "b_created_at": [r.created_at for r in rows],
                "b_ecosystem": [ecosystem] * len(rows),
                "b_type": [r.type for r in rows],
            },
        )
        return
    await conn.execute(
        insert(history),
        [
            {
                "id": r.id,
                "sender_id": r.sender_id,
                "recipient_id": r.recipient_id,
                "sender_balance": r.sender_balance,
                "recipient_balance": r.recipient_balance,
                "amount": r.amount,
                "comment": r.comment,
                "block_id": r.block_id,
                "txhash": r.txhash,
                "created_at": r.created_at,
                "ecosystem": ecosystem,
                "type": r.type,
            }
            for r in rows
        ],
    )


async def insert_accounts(
    conn: AsyncConnection, ecosystem: int, accounts: Sequence[tuple[int, int]]
) -> None:
    """New account rows: (key id, balance)."""
    if accounts:
        await conn.execute(
            insert(keys),
            [
                {
                    "id": key_id,
                    "ecosystem": ecosystem,
                    "account": address_to_string(key_id),
                    "amount": amount,
                }
                for key_id, amount in accounts
            ],
        )


_ARRAYS = select(
    func.unnest(bindparam("b_ids", type_=ARRAY(BigInteger))).label("id"),
    func.unnest(bindparam("b_amounts", type_=ARRAY(Numeric(30, 0)))).label("amount"),
    func.unnest(bindparam("b_deleted", type_=ARRAY(BigInteger))).label("deleted"),
).subquery("v")
_UPDATE_FROM_ARRAYS = (
    update(keys)
    .where(keys.c.ecosystem == bindparam("b_eco"), keys.c.id == _ARRAYS.c.id)
    .values(amount=_ARRAYS.c.amount, deleted=_ARRAYS.c.deleted)
)


async def update_accounts(
    conn: AsyncConnection, ecosystem: int, accounts: Sequence[tuple[int, int, int]]
) -> None:
    """Existing account rows: (key id, balance, deleted 0/1)."""
    if not accounts:
        return
    if conn.dialect.name == "postgresql":
        # One statement with array parameters and a constant text (prepared once): a block's
        # rows in one round trip, where executemany cost about 40 us per row.
        await conn.execute(
            _UPDATE_FROM_ARRAYS,
            {
                "b_eco": ecosystem,
                "b_ids": [k for k, _, _ in accounts],
                "b_amounts": [Decimal(a) for _, a, _ in accounts],
                "b_deleted": [d for _, _, d in accounts],
            },
        )
        return
    if accounts:
        stmt = (
            update(keys)
            .where(keys.c.ecosystem == ecosystem, keys.c.id == bindparam("b_id"))
            .values(amount=bindparam("b_amount"), deleted=bindparam("b_deleted"))
        )
        await conn.execute(
            stmt, [{"b_id": k, "b_amount": a, "b_deleted": d} for k, a, d in accounts]
        )


_INSERT_STATUSES = _unnest_insert(
    transactions_status,
    {
        "hash": LargeBinary,
        "time": BigInteger,
        "type": Integer,
        "ecosystem": BigInteger,
        "wallet_id": BigInteger,
        "block_id": BigInteger,
        "result": String,
    },
)


@dataclass(frozen=True, slots=True)
class ProcessedTx:
    """A node-made tx that went straight into a block: what txstatus shows for it."""

    hash: bytes
    block_id: int
    result: str


async def insert_processed_statuses(
    conn: AsyncConnection,
    rows: Sequence[ProcessedTx],
    *,
    time_s: int,
    ecosystem: int,
    wallet_id: int,
) -> None:
    """txstatus rows of node-made txs (never queued) of one block."""
    if not rows:
        return
    if conn.dialect.name == "postgresql":
        count = len(rows)
        await conn.execute(
            _INSERT_STATUSES,
            {
                "b_hash": [r.hash for r in rows],
                "b_time": [time_s] * count,
                "b_type": [3] * count,
                "b_ecosystem": [ecosystem] * count,
                "b_wallet_id": [wallet_id] * count,
                "b_block_id": [r.block_id for r in rows],
                "b_result": [r.result[:255] for r in rows],
            },
        )
        return
    await conn.execute(
        insert(transactions_status),
        [
            {
                "hash": r.hash,
                "time": time_s,
                "type": 3,
                "ecosystem": ecosystem,
                "wallet_id": wallet_id,
                "block_id": r.block_id,
                "result": r.result[:255],
            }
            for r in rows
        ],
    )


# ---- credentials (node-local) -------------------------------------------------------------


async def list_credentials(conn: AsyncConnection) -> dict[str, Credential]:
    """Every stored credential by name."""
    result = await conn.execute(
        select(bank_credentials.c.name, bank_credentials.c.key_id, bank_credentials.c.hash)
    )
    return {r.name: Credential(r.name, int(r.key_id), r.hash) for r in result}


async def upsert_credentials(
    conn: AsyncConnection, credentials: Sequence[Credential], now: int
) -> None:
    """Store or replace credentials."""
    if not credentials:
        return
    values = [
        {"name": c.name, "key_id": c.key_id, "hash": c.hash, "updated_at": now} for c in credentials
    ]
    if conn.dialect.name == "postgresql":
        stmt: Any = pg_insert(bank_credentials)
    else:
        stmt = sqlite_insert(bank_credentials)
    stmt = stmt.on_conflict_do_update(
        index_elements=[bank_credentials.c.name],
        set_={
            "key_id": stmt.excluded.key_id,
            "hash": stmt.excluded.hash,
            "updated_at": stmt.excluded.updated_at,
        },
    )
    await conn.execute(stmt, values)


async def set_credential_hash(
    conn: AsyncConnection, name: str, hash_text: str, now: int, expected: str | None = None
) -> bool:
    """Replace one user's hash (only if it is `expected`, when given); False if none was."""
    stmt = update(bank_credentials).where(bank_credentials.c.name == name)
    if expected is not None:
        stmt = stmt.where(bank_credentials.c.hash == expected)
    result = await conn.execute(stmt.values(hash=hash_text, updated_at=now))
    return bool(result.rowcount)


async def delete_credentials(conn: AsyncConnection, names: Sequence[str]) -> None:
    """Forget the credentials of deleted users."""
    if names:
        await conn.execute(delete(bank_credentials).where(bank_credentials.c.name.in_(names)))
