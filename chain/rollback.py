"""Rolling back the last blocks: every change they made undone from their rollback records."""

# A block's effects live in four places, and each is undone from what the block left behind:
# * rows contracts and native transfers inserted or changed: rollback_tx, one record per row
#   change (data "" for an insert, else the changed columns' previous values as JSON text,
#   null for NULL), plus markers for a created table or column and a new ecosystem;
# * unspent outputs: spent_info rows carry the block that created them and the tx that spent
#   them;
# * the block's bookkeeping: block_chain, log_transactions, rollback_tx, info_block;
# * its transactions' statuses and, with `requeue`, their place in queue_tx.
# Records are undone newest first across the whole block, so a row inserted and then updated
# is restored and then deleted, and a table's rows go before the table.

from __future__ import annotations

import json
import logging
import time
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Table
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from chain.block import Block, BlockDecodeError
from chain.delayed import is_scheduled_call
from chain.errors import ChainError
from chain.identity import NodeIdentity
from chain.observer import Progress
from chain.storage.ddl import (
    ColumnSpec,
    create_custom_table,
    drop_column,
    drop_custom_table,
    drop_view,
    load_custom_table,
)
from chain.storage.engine import take_writer_lock, write_transaction
from chain.storage.query import (
    column_of,
)
from chain.storage.repo.blocks import get_block, get_head
from chain.storage.repo.money import Output, RollbackRow
from chain.storage.repo.rollback import (
    RollbackRecord,
    delete_block,
    delete_block_outputs,
    delete_ecosystem_rows,
    delete_queued_many,
    delete_row,
    delete_statuses,
    list_block_records,
    requeue_txs,
    reset_statuses,
    restore_row,
    set_head,
    unspend_outputs,
)
from chain.storage.repo.rows import count_rows, insert_row
from chain.storage.repo.txs import QueuedTx
from chain.storage.schema import metadata
from chain.storage.values import (
    TEXT_KINDS,
    QueryError,
    coerce_for_write,
    ibax_type_of,
)
from chain.tables import (
    DDL_COLUMN,
    DDL_DROP_COLUMN,
    DDL_DROP_TABLE,
    DDL_TABLE,
    DDL_VIEW,
    NEW_ECOSYSTEM,
)
from chain.txcheck import AcceptedTx, expedite_of
from chain.txcodec import DecodedTx, TxDecodeError, TxType, decode_tx

logger = logging.getLogger(__name__)

MARKERS = frozenset(
    {DDL_TABLE, DDL_COLUMN, NEW_ECOSYSTEM, DDL_DROP_TABLE, DDL_DROP_COLUMN, DDL_VIEW}
)


def rollback_tx_row(
    *,
    block_id: int,
    tx_hash: bytes,
    table_name: str,
    table_id: str,
    data: str,
    data_hash: bytes,
) -> dict[str, Any]:
    """A rollback_tx row keyed as ``sqldb.RollbackTx`` marshals (for the rollbacks hash).

    ``ID`` has no json tag and the reference's query omits the id column, so it is always 0.
    """
    return {
        "ID": 0,
        "block_id": block_id,
        "tx_hash": tx_hash,
        "table_name": table_name,
        "table_id": table_id,
        "data": data,
        "data_hash": data_hash,
    }


def spent_info_row(
    *,
    input_tx_hash: bytes | None,
    input_index: int,
    output_tx_hash: bytes,
    output_index: int,
    output_key_id: int,
    output_value: str,
    ecosystem: int,
    block_id: int,
    type: int,
) -> dict[str, Any]:
    """A spent_info row keyed as ``sqldb.SpentInfo`` (no json tags) marshals."""
    return {
        "InputTxHash": input_tx_hash,
        "InputIndex": input_index,
        "OutputTxHash": output_tx_hash,
        "OutputIndex": output_index,
        "OutputKeyId": output_key_id,
        "OutputValue": output_value,
        "Ecosystem": ecosystem,
        "BlockId": block_id,
        "Type": type,
    }


def hash_rows(rollbacks: Sequence[RollbackRow], outputs: Sequence[Output]) -> list[dict[str, Any]]:
    """A block's rollback records and new outputs as ``chain.block.rollbacks_hash`` takes them."""
    rows = [
        rollback_tx_row(
            block_id=r.block_id,
            tx_hash=r.tx_hash,
            table_name=r.table_name,
            table_id=r.table_id,
            data=r.data,
            data_hash=b"",
        )
        for r in rollbacks
    ]
    rows += [
        spent_info_row(
            input_tx_hash=o.input_tx_hash,
            input_index=o.input_index,
            output_tx_hash=o.output_tx_hash,
            output_index=o.output_index,
            output_key_id=o.output_key_id,
            output_value=str(o.output_value),
            ecosystem=o.ecosystem,
            block_id=o.block_id,
            type=o.type,
        )
        for o in outputs
    ]
    return rows


class RollbackError(ChainError):
    """The blocks cannot be rolled back (nothing was changed)."""


class _Tables:
    """Physical table names of rollback records -> Tables; custom ones read from the database."""

    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn
        self._custom: dict[str, Table] = {}

    async def get(self, name: str) -> Table:
        static = metadata.tables.get(name)
        if static is not None:
            return static
        known = self._custom.get(name)
        if known is None:
            try:
                loaded = await load_custom_table(self.conn, name)
            except QueryError as exc:
                raise RollbackError(f"rollback record names table {name!r}: {exc}") from exc
            if loaded is None:
                raise RollbackError(f"rollback record names table {name!r}, which does not exist")
            known = self._custom[name] = loaded[0]
        return known

    def forget(self, name: str) -> None:
        """Its shape changed (a column dropped) or it is gone."""
        self._custom.pop(name, None)


def _row_key(table: Table, table_id: str) -> dict[str, int]:
    """The key a record names: "7" is id 7; "7,2" is id 7 of ecosystem 2 (1_keys)."""
    parts = table_id.split(",")
    names = ("id", "ecosystem")[: len(parts)]
    try:
        key = {name: int(part) for name, part in zip(names, parts, strict=True)}
    except ValueError as exc:
        raise RollbackError(f"bad row id {table_id!r} of {table.name}") from exc
    if not all(name in table.c for name in key):
        raise RollbackError(f"bad row id {table_id!r} of {table.name}")
    return key


def _typed(table: Table, previous: dict[str, Any]) -> dict[str, Any]:
    """Recorded text values back to the columns' Python values."""
    values: dict[str, Any] = {}
    for name, text in previous.items():
        try:
            column = column_of(table, name)
        except QueryError as exc:
            raise RollbackError(f"rollback record of {table.name}: {exc}") from exc
        kind = ibax_type_of(column.type)
        if text is None or (text == "" and column.nullable and kind not in TEXT_KINDS):
            # "" of a nullable non-text column is how NULL was recorded before null was used.
            values[column.name] = None
            continue
        try:
            values[column.name] = coerce_for_write(column, text)
        except QueryError as exc:
            raise RollbackError(f"rollback record of {table.name}: {exc}") from exc
    return values


def _marker_data(record: RollbackRecord) -> dict[str, Any]:
    try:
        data = json.loads(record.data)
    except ValueError as exc:
        raise RollbackError(f"rollback record {record.id}: data is not JSON") from exc
    if not isinstance(data, dict):
        raise RollbackError(f"rollback record {record.id}: data is not a JSON object")
    return data


def _shape(data: dict[str, Any]) -> list[ColumnSpec]:
    kinds, indexed = dict(data["columns"]), set(data["indexes"])
    return [ColumnSpec(c, str(k), c in indexed) for c, k in kinds.items() if c != "id"]


async def _undo_drop_table(conn: AsyncConnection, tables: _Tables, record: RollbackRecord) -> None:
    """Create a dropped (empty) table again, with its indexes and its 1_tables row."""
    data = _marker_data(record)
    await create_custom_table(conn, record.table_id, _shape(data))
    tables.forget(record.table_id)
    rights = metadata.tables["1_tables"]
    await insert_row(conn, rights, _typed(rights, dict(data["row"])))


async def _undo_drop_column(conn: AsyncConnection, tables: _Tables, record: RollbackRecord) -> None:
    """Put a dropped column back. The table was empty then, and is again now that the later
    records are undone: it is made anew in its old shape, so the column keeps its place."""
    table_name = record.table_id.rsplit(".", 1)[0]
    table = await tables.get(table_name)
    if await count_rows(conn, table) > 0:
        raise RollbackError(f"rollback record {record.id}: table {table_name} is not empty")
    await drop_custom_table(conn, table_name)
    await create_custom_table(conn, table_name, _shape(_marker_data(record)))
    tables.forget(table_name)


async def _undo_marker(conn: AsyncConnection, tables: _Tables, record: RollbackRecord) -> None:
    """Drop a created table, column or view; create a dropped table or column again; or
    remove a new ecosystem's rows."""
    name, target = record.table_name, record.table_id
    try:
        if name == DDL_DROP_TABLE:
            await _undo_drop_table(conn, tables, record)
        elif name == DDL_DROP_COLUMN:
            await _undo_drop_column(conn, tables, record)
        elif name == DDL_VIEW:
            await drop_view(conn, target)
            tables.forget(target)
        elif name == DDL_TABLE:
            await drop_custom_table(conn, target)
            tables.forget(target)
        elif name == DDL_COLUMN:
            table_name, column = target.rsplit(".", 1)
            await drop_column(conn, table_name, column)
            tables.forget(table_name)
        elif await delete_ecosystem_rows(conn, int(target)) != 1:
            raise RollbackError(f"rollback record {record.id}: ecosystem {target} does not exist")
    except (QueryError, ValueError, KeyError, TypeError) as exc:
        raise RollbackError(f"rollback record {record.id} ({name} {target}): {exc}") from exc


async def _undo_row(conn: AsyncConnection, tables: _Tables, record: RollbackRecord) -> None:
    """Delete a row the record says was inserted, or restore its previous values."""
    table = await tables.get(record.table_name)
    key = _row_key(table, record.table_id)
    if record.data == "":
        changed = await delete_row(conn, table, key)
    else:
        try:
            previous = json.loads(record.data)
        except ValueError as exc:
            raise RollbackError(f"rollback record {record.id}: data is not JSON") from exc
        if not isinstance(previous, dict) or not previous:
            raise RollbackError(f"rollback record {record.id}: data is not a JSON object")
        changed = await restore_row(conn, table, key, _typed(table, previous))
    if changed != 1:
        raise RollbackError(
            f"rollback record {record.id}: row {record.table_id} of {record.table_name} "
            "does not exist"
        )


def _block_txs(data: bytes, node: NodeIdentity) -> list[DecodedTx]:
    try:
        block = Block.deserialize(data)
        return [decode_tx(raw, node.crypto) for raw in block.txs]
    except (BlockDecodeError, TxDecodeError) as exc:
        raise RollbackError(f"a stored block does not decode: {exc}") from exc


async def _undo_block(
    conn: AsyncConnection, tables: _Tables, block_id: int, tx_hashes: list[bytes]
) -> None:
    for record in await list_block_records(conn, block_id):
        if record.table_name in MARKERS:
            await _undo_marker(conn, tables, record)
        else:
            await _undo_row(conn, tables, record)
    await unspend_outputs(conn, tx_hashes)
    await delete_block_outputs(conn, block_id)
    await delete_block(conn, block_id)


def _not_queued(tx: DecodedTx, node: NodeIdentity) -> bool:
    bank_write = tx.tx.tx_type == TxType.SMART_CONTRACT and tx.tx.header.id == 0
    return bank_write or is_scheduled_call(tx, node)


def _queued(tx: DecodedTx, node: NodeIdentity) -> QueuedTx:
    header = tx.tx.header
    return QueuedTx(
        hash=tx.hash,
        data=tx.raw,
        key_id=header.key_id,
        ecosystem=header.ecosystem_id or 1,
        type=int(tx.tx.tx_type),
        time_ms=tx.timestamp_ms or header.time * 1000,
        expedite=expedite_of(AcceptedTx(tx)),
        # The node's own txs (new users' registrations) were queued ahead of clients'.
        high_rate=int(header.key_id == node.node_key_id),
    )


async def rollback_blocks(
    engine: AsyncEngine,
    node: NodeIdentity,
    count: int,
    *,
    requeue: bool = True,
    progress: Progress | None = None,
) -> int:
    """Undo the last `count` blocks in one database transaction; returns the new head's id.

    Holds the block writer's lock throughout, so no block is formed meanwhile. With
    `requeue`, the blocks' transactions go back into the queue, oldest first, with their
    statuses reset (a running producer includes them again); without, they and their
    statuses are forgotten. Block 1 (genesis) is never rolled back.
    """
    if count < 1:
        raise RollbackError(f"the number of blocks to roll back must be positive, not {count}")
    started = time.monotonic()
    async with write_transaction(engine) as conn:
        await take_writer_lock(conn)
        head = await get_head(conn)
        if head is None:
            raise RollbackError("the database has no blocks")
        target = head.id - count
        if target < 1:
            raise RollbackError(
                f"cannot roll back {count} blocks: the chain has {head.id}, "
                "and block 1 (genesis) cannot be rolled back"
            )
        tables = _Tables(conn)
        blocks: list[list[DecodedTx]] = []  # newest first
        for block_id in range(head.id, target, -1):
            row = await get_block(conn, block_id)
            if row is None:
                raise RollbackError(f"block {block_id} is missing")
            txs = _block_txs(row.data, node)
            await _undo_block(conn, tables, block_id, [tx.hash for tx in txs])
            blocks.append(txs)
            if progress is not None:
                progress(len(blocks), count)
        undone = [tx for txs in reversed(blocks) for tx in txs]  # as they were included
        new_head = await get_block(conn, target)
        if new_head is None:
            raise RollbackError(f"block {target} is missing")
        await set_head(conn, new_head)
        await delete_queued_many(conn, [tx.hash for tx in undone])
        # The bank's writes (Header.ID 0) are executed from memory, never from the queue:
        # they cannot be replayed, so they are dropped like everything without requeue.
        # So are the scheduler's calls of delayed contracts: it makes them again when due.
        again = [tx for tx in undone if requeue and not _not_queued(tx, node)]
        dropped = [tx.hash for tx in undone if not requeue or _not_queued(tx, node)]
        if again:
            await reset_statuses(conn, [tx.hash for tx in again])
            await requeue_txs(conn, [_queued(tx, node) for tx in again])
        await delete_statuses(conn, dropped)
    elapsed = time.monotonic() - started
    logger.warning(
        "rolled back %d blocks to block %d in %.2fs: %d txs queued again, %d dropped",
        count,
        target,
        elapsed,
        len(again),
        len(dropped),
    )
    return target
