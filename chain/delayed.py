"""Scheduled contracts: the node-signed transactions the producer adds to a block when due."""

from __future__ import annotations

import logging

from sqlalchemy.ext.asyncio import AsyncConnection

from chain.contract_registry import CONTRACT_ID_SHIFT
from chain.identity import NodeIdentity
from chain.storage.repo.contracts import get_contract_by_name
from chain.storage.repo.delayed import list_due_delayed
from chain.storage.repo.txs import logged_hashes
from chain.tables import split_name
from chain.txcodec import DecodedTx, TxType, decode_tx
from chain.txpool import node_call

logger = logging.getLogger(__name__)

# How many seconds a scheduled call may be dated before its block (see delayed_txs).
MAX_BACKDATE = 600


async def delayed_txs(
    conn: AsyncConnection, node: NodeIdentity, block_id: int, block_time: int
) -> list[tuple[bytes, bytes]]:
    """(hash, raw) of a call of every contract of 1_delayed_contracts due at this block.

    As the reference's block generator: the row's contract itself is called, in ecosystem 1,
    with no parameters, signed by this node; it runs with the node's key (the reference runs
    it as its signer too), which HonorNodeCondition accepts.
    """
    found: list[tuple[bytes, bytes]] = []
    for row in await list_due_delayed(conn, block_id):
        ecosystem, _ = split_name(row.contract, 1)
        name = row.contract.lstrip("@").lstrip("0123456789")
        contract = await get_contract_by_name(conn, ecosystem, name)
        if contract is None:
            logger.warning("delayed contract %d: %s does not exist", row.id, row.contract)
            continue
        for back in range(MAX_BACKDATE + 1):
            raw = node_call(node, contract.id + CONTRACT_ID_SHIFT, {}, block_time - back)
            tx_hash = decode_tx(raw, node.crypto).hash
            # A call made for an earlier block of the same second would be the same tx, and
            # a tx already in a block is never run again: date this one a second earlier.
            if not await logged_hashes(conn, [tx_hash]):
                found.append((tx_hash, raw))
                break
        else:
            logger.warning("delayed contract %d: no unused time for its call", row.id)
    return found


def is_scheduled_call(tx: DecodedTx, node: NodeIdentity) -> bool:
    """Did the producer make this tx for a delayed contract? (The node signs only those,
    new users' registrations, which carry parameters, and bank writes, of contract id 0.)"""
    body = tx.tx
    return (
        body.tx_type == TxType.SMART_CONTRACT
        and body.signed_by == node.node_key_id
        and body.header.id != 0
        and not body.params
    )
