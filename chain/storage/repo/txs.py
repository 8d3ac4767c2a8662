"""The transaction queue, transaction statuses and the log of included transactions."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from sqlalchemy import bindparam, delete, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncConnection

from chain.storage.lists import one_of
from chain.storage.schema import log_transactions, queue_tx, transactions_status


@dataclass(frozen=True, slots=True)
class QueuedTx:
    """A transaction accepted by sendTx, as it is queued."""

    hash: bytes
    data: bytes
    key_id: int
    ecosystem: int
    type: int
    time_ms: int
    expedite: int = 0
    high_rate: int = 0


class StatusRow(NamedTuple):
    """What txstatus reports for one hash.

    A tuple, not a frozen dataclass: txstatus builds one per polled hash (clients poll hundreds
    at a time, many times a second), and a tuple is built several times faster.
    """

    hash: bytes
    block_id: int
    error: str
    penalty: int
    result: str


@dataclass(frozen=True, slots=True)
class LogRow:
    """One included transaction."""

    hash: bytes
    block: int
    timestamp: int
    contract_name: str
    address: int
    ecosystem_id: int
    status: int

    @classmethod
    def of(cls, row: Any) -> LogRow:
        """A `log_transactions` row as read."""
        return cls(
            bytes(row.hash),
            row.block,
            row.timestamp,
            row.contract_name,
            row.address,
            row.ecosystem_id,
            row.status,
        )


def _insert_ignoring_duplicates(conn: AsyncConnection, table: Any) -> Any:
    if conn.dialect.name == "postgresql":
        return pg_insert(table).on_conflict_do_nothing()
    return sqlite_insert(table).on_conflict_do_nothing()


# IN lists are bound one parameter per item: asyncpg takes at most 32,767 of them in a
# statement (SQLite 32,766 by default), so long lists (the txs of many blocks) go in chunks.
IN_CHUNK = 10_000


def _chunks(hashes: Iterable[bytes]) -> Iterator[list[bytes]]:
    unique = list(set(hashes))
    for start in range(0, len(unique), IN_CHUNK):
        yield unique[start : start + IN_CHUNK]


async def enqueue(conn: AsyncConnection, txs: Sequence[QueuedTx]) -> None:
    """Queue new transactions and create their statuses; a hash already known is left alone."""
    if not txs:
        return
    known = await known_hashes(conn, [tx.hash for tx in txs])
    fresh = {tx.hash: tx for tx in txs if tx.hash not in known}
    if not fresh:
        return
    await conn.execute(
        _insert_ignoring_duplicates(conn, transactions_status),
        [
            {
                "hash": tx.hash,
                "time": tx.time_ms // 1000,
                "type": tx.type,
                "ecosystem": tx.ecosystem,
                "wallet_id": tx.key_id,
            }
            for tx in fresh.values()
        ],
    )
    await insert_queue_rows(conn, fresh.values())


async def insert_queue_rows(conn: AsyncConnection, txs: Iterable[QueuedTx]) -> None:
    """queue_tx rows of the (non-empty) txs, in order; a hash still queued stays as it is."""
    await conn.execute(
        _insert_ignoring_duplicates(conn, queue_tx),
        [
            {
                "hash": tx.hash,
                "data": tx.data,
                "expedite": tx.expedite,
                "time": tx.time_ms,
                "key_id": tx.key_id,
                "high_rate": tx.high_rate,
            }
            for tx in txs
        ],
    )


async def known_hashes(conn: AsyncConnection, hashes: Iterable[bytes]) -> set[bytes]:
    """Which of the hashes have a status (were accepted before)."""
    found: set[bytes] = set()
    for chunk in _chunks(hashes):
        result = await conn.execute(
            select(transactions_status.c.hash).where(
                one_of(conn, transactions_status.c.hash, chunk)
            )
        )
        found.update(bytes(h) for h in result.scalars())
    return found


async def list_queue(conn: AsyncConnection, limit: int) -> list[tuple[bytes, bytes]]:
    """(hash, data) of queued transactions in the order blocks take them."""
    result = await conn.execute(
        select(queue_tx.c.hash, queue_tx.c.data)
        .order_by(queue_tx.c.high_rate.desc(), queue_tx.c.expedite.desc(), queue_tx.c.seq)
        .limit(limit)
    )
    return [(bytes(h), bytes(d)) for h, d in result]


async def delete_queued(conn: AsyncConnection, hashes: Sequence[bytes]) -> None:
    """Remove transactions from the queue (included, rejected or replayed)."""
    if hashes:
        await conn.execute(delete(queue_tx).where(one_of(conn, queue_tx.c.hash, hashes)))


async def logged_hashes(conn: AsyncConnection, hashes: Iterable[bytes]) -> set[bytes]:
    """Which of the hashes are already in a block."""
    found: set[bytes] = set()
    for chunk in _chunks(hashes):
        result = await conn.execute(
            select(log_transactions.c.hash).where(one_of(conn, log_transactions.c.hash, chunk))
        )
        found.update(bytes(h) for h in result.scalars())
    return found


async def insert_log(conn: AsyncConnection, rows: Sequence[LogRow]) -> None:
    """Record included transactions."""
    if rows:
        await conn.execute(
            log_transactions.insert(),
            [
                {
                    "hash": r.hash,
                    "block": r.block,
                    "timestamp": r.timestamp,
                    "contract_name": r.contract_name,
                    "address": r.address,
                    "ecosystem_id": r.ecosystem_id,
                    "status": r.status,
                }
                for r in rows
            ],
        )


async def update_statuses(conn: AsyncConnection, rows: Sequence[StatusRow]) -> None:
    """Set block id, error, penalty and result of processed transactions."""
    if not rows:
        return
    stmt = (
        update(transactions_status)
        .where(transactions_status.c.hash == bindparam("b_hash"))
        .values(
            block_id=bindparam("b_block"),
            error=bindparam("b_error"),
            penalty=bindparam("b_penalty"),
            result=bindparam("b_result"),
        )
    )
    await conn.execute(
        stmt,
        [
            {
                "b_hash": r.hash,
                "b_block": r.block_id,
                "b_error": r.error,
                "b_penalty": r.penalty,
                "b_result": r.result,
            }
            for r in rows
        ],
    )


_STATUS_COLUMNS = (
    transactions_status.c.hash,
    transactions_status.c.block_id,
    transactions_status.c.error,
    transactions_status.c.penalty,
    transactions_status.c.result,
)


async def get_statuses(conn: AsyncConnection, hashes: Sequence[bytes]) -> dict[bytes, StatusRow]:
    """Statuses of the given hashes that exist."""
    found: dict[bytes, StatusRow] = {}
    make = StatusRow._make
    for chunk in _chunks(hashes):
        result = await conn.execute(
            select(*_STATUS_COLUMNS).where(one_of(conn, transactions_status.c.hash, chunk))
        )
        for row in result:
            found[row[0]] = make(row)
    return found


async def get_senders(conn: AsyncConnection, hashes: Sequence[bytes]) -> dict[bytes, int]:
    """The signer (key id) sendTx recorded for each of the given hashes that exist."""
    status = transactions_status.c
    found: dict[bytes, int] = {}
    for chunk in _chunks(hashes):
        result = await conn.execute(
            select(status.hash, status.wallet_id).where(one_of(conn, status.hash, chunk))
        )
        found.update((bytes(tx_hash), int(key_id)) for tx_hash, key_id in result)
    return found


async def get_log(conn: AsyncConnection, hashes: Sequence[bytes]) -> dict[bytes, LogRow]:
    """Log rows of the given hashes that are in blocks."""
    found: dict[bytes, LogRow] = {}
    for chunk in _chunks(hashes):
        result = await conn.execute(
            select(log_transactions).where(one_of(conn, log_transactions.c.hash, chunk))
        )
        found.update((bytes(r.hash), LogRow.of(r)) for r in result)
    return found


async def count_logged(conn: AsyncConnection, ecosystem: int) -> int:
    """How many txs of an ecosystem are in blocks (the contract function GetLogTxCount)."""
    result = await conn.execute(
        select(func.count())
        .select_from(log_transactions)
        .where(log_transactions.c.ecosystem_id == ecosystem)
    )
    return int(result.scalar_one())


_COUNT_QUEUE = select(func.count()).select_from(queue_tx)


async def count_queue(conn: AsyncConnection) -> int:
    """How many transactions wait in the queue (the metrics' queue depth)."""
    return int((await conn.execute(_COUNT_QUEUE)).scalar_one())
