"""Admission of checked transactions into the durable queue, and node-signed internal txs."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from chain.identity import NodeIdentity
from chain.storage.engine import write_transaction
from chain.storage.repo.txs import QueuedTx, enqueue
from chain.txcheck import AcceptedTx, check_tx, expedite_of
from chain.txcodec import Header, SmartTransaction, build_client_tx


async def submit(engine: AsyncEngine, txs: Sequence[AcceptedTx], high_rate: bool = False) -> None:
    """Make accepted transactions durable (queue + status) in one commit, before any answer."""
    now_ms = int(time.time() * 1000)
    rows = [
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
    async with write_transaction(engine) as conn:
        await enqueue(conn, rows)


async def node_signed_tx(
    node: NodeIdentity, contract_id: int, params: dict[str, Any]
) -> AcceptedTx:
    """A contract call signed by the node key (how the node registers new accounts)."""
    now = int(time.time())
    tx = SmartTransaction(
        header=Header(
            id=contract_id,
            ecosystem_id=1,
            key_id=node.node_key_id,
            time=now,
            network_id=node.network_id,
            public_key=node.node_public,
        ),
        max_sum="",
        pay_over="",
        lang="",
        expedite="",
        signed_by=node.node_key_id,
        transfer_self=None,
        utxo=None,
        params=params,
    )
    raw = build_client_tx(tx, node.node_private, node.crypto)
    return await check_tx(
        raw, crypto=node.crypto, network_id=node.network_id, max_tx_size=len(raw), now=now
    )
