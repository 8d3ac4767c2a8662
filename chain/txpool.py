"""Admission of checked transactions into the durable queue, and node-signed internal txs."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from chain.identity import NodeIdentity
from chain.storage.engine import write_transaction
from chain.storage.repo.txs import QueuedTx, enqueue
from chain.txcheck import AcceptedTx, check_tx, expedite_of
from chain.txcodec import Header, SmartTransaction, build_client_tx


def queued_rows(txs: Sequence[AcceptedTx], high_rate: bool = False) -> list[QueuedTx]:
    """The queue rows of accepted transactions, stamped with the time of admission."""
    now_ms = int(time.time() * 1000)
    return [
        QueuedTx(
            hash=tx.hash,
            data=tx.decoded.raw,
            key_id=tx.key_id,
            ecosystem=tx.decoded.tx.header.ecosystem_id or 1,
            type=int(tx.decoded.tx.tx_type),
            time_ms=now_ms,
            expedite=expedite_of(tx),
            high_rate=int(high_rate),
        )
        for tx in txs
    ]


async def submit(engine: AsyncEngine, txs: Sequence[AcceptedTx], high_rate: bool = False) -> None:
    """Make accepted transactions durable (queue + status) in one commit, before any answer."""
    async with write_transaction(engine) as conn:
        await enqueue(conn, queued_rows(txs, high_rate))


# Told of every group commit: (requests it answered, rows it queued).
CommitObserver = Callable[[int, int], None]


class TxQueue:
    """Group commit into the durable queue: one database commit for every request waiting.

    The first request commits at once; requests arriving meanwhile wait and share the next
    commit. Each is answered only after the commit holding its rows, or with its error: a
    commit per request (an fsync on SQLite, a round trip and WAL flush on PostgreSQL) was
    what bounded single-tx requests.
    """

    def __init__(self, engine: AsyncEngine, observe: CommitObserver | None = None) -> None:
        self._engine = engine
        self._observe = observe
        self._waiting: list[tuple[list[QueuedTx], asyncio.Future[None]]] = []
        self._writer: asyncio.Task[None] | None = None
        self.commits = 0  # successful group commits, for the metrics and tests

    async def submit(self, txs: Sequence[AcceptedTx], high_rate: bool = False) -> None:
        """Return once the txs are committed to the queue; raise if their commit failed."""
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting.append((queued_rows(txs, high_rate), future))
        if self._writer is None:
            self._writer = asyncio.create_task(self._write_all(), name="tx-queue-commit")
        # A cancelled request leaves its rows in the group: they may still be committed
        # (never acknowledged, so nothing is promised), as a single commit could have been.
        await future

    async def _write_all(self) -> None:
        try:
            while self._waiting:
                group, self._waiting = self._waiting, []
                rows = [row for rows, _ in group for row in rows]
                try:
                    async with write_transaction(self._engine) as conn:
                        await enqueue(conn, rows)
                except Exception as exc:  # every request of the group gets the failure
                    _settle(group, exc)
                    continue
                except BaseException:
                    _settle(group, asyncio.CancelledError())
                    raise
                self.commits += 1
                if self._observe is not None:
                    self._observe(len(group), len(rows))
                _settle(group, None)
        finally:
            self._writer = None
            # Shut down mid-write: whoever still waits is told, not left hanging.
            pending, self._waiting = self._waiting, []
            _settle(pending, asyncio.CancelledError())


def _settle(
    group: list[tuple[list[QueuedTx], asyncio.Future[None]]], error: BaseException | None
) -> None:
    for _, future in group:
        if future.done():
            continue  # its request was cancelled
        if error is None:
            future.set_result(None)
        elif isinstance(error, asyncio.CancelledError):
            future.cancel()
        else:
            future.set_exception(error)


def node_call(node: NodeIdentity, contract_id: int, params: dict[str, Any], at: int) -> bytes:
    """A contract call of ecosystem 1 signed by the node key, dated `at`: the raw tx."""
    tx = SmartTransaction(
        header=Header(
            id=contract_id,
            ecosystem_id=1,
            key_id=node.node_key_id,
            time=at,
            network_id=node.network_id,
            public_key=node.node_public,
        ),
        signed_by=node.node_key_id,
        params=params,
    )
    return build_client_tx(tx, node.node_private, node.crypto)


async def node_signed_tx(
    node: NodeIdentity, contract_id: int, params: dict[str, Any]
) -> AcceptedTx:
    """A contract call signed by the node key (how the node registers new accounts)."""
    now = int(time.time())
    raw = node_call(node, contract_id, params, now)
    return await check_tx(
        raw, crypto=node.crypto, network_id=node.network_id, max_tx_size=len(raw), now=now
    )
