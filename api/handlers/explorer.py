"""Block and transaction reads: maxblockid, block, blocks, detailed_blocks, txinfo, tx_record."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from typing import Any

from aiohttp import web
from multidict import MultiDict

from api import jsonparse
from api.appkeys import ENGINE, NODE
from api.errors import ApiError, E, server_error
from api.jsonenc import Struct
from api.request import form_values, go_int64, int_field
from api.responses import json_response
from chain.address import address_to_string
from chain.block import Block
from chain.storage.repo.blocks import BlockRow, get_block, get_head, list_blocks
from chain.storage.repo.chainview import list_tx_rollbacks
from chain.storage.repo.txs import get_log
from chain.txview import TxView, describe, describe_block, storage_size

MAX_BLOCKS = 1000
INLINE_BLOCK_BYTES = 256 * 1024  # block data decoded on the event loop; more goes to a thread
DEFAULT_BLOCKS = 25
_TRUE = {"1", "t", "T", "true", "TRUE", "True"}


def _block_range(values: MultiDict[str]) -> tuple[int, int]:
    block_id, count = int_field(values, "block_id"), int_field(values, "count")
    if block_id < 0 or count < 0:
        raise server_error("parameter is invalid")
    if block_id > 0:
        block_id -= 1  # the reference lists from block_id inclusive
    if count == 0:
        count = DEFAULT_BLOCKS
    return block_id, min(count, MAX_BLOCKS)


async def _blocks(request: web.Request) -> list[BlockRow]:
    after, count = _block_range(await form_values(request))
    async with request.app[ENGINE].connect() as conn:
        rows = await list_blocks(conn, after, count)
    if not rows:
        raise ApiError(E.NOTFOUND)
    return rows


async def get_max_block_id(request: web.Request) -> web.Response:
    """GET /maxblockid."""
    async with request.app[ENGINE].connect() as conn:
        head = await get_head(conn)
    if head is None:
        raise ApiError(E.NOTFOUND)
    return json_response(Struct(max_block_id=head.id))


async def fetch_block(request: web.Request) -> web.Response:
    """GET /block/{id}."""
    # As the reference's StrToInt64: a non-number is 0 and a huge one the largest int64,
    # neither of them a block.
    block_id = go_int64(request.match_info["id"])
    async with request.app[ENGINE].connect() as conn:
        row = await get_block(conn, block_id)
    if row is None:
        raise ApiError(E.NOTFOUND)
    return json_response(block_struct(row))


def block_struct(row: BlockRow) -> Struct:
    """A block's header fields as `block/{id}` answers them (hashes as base64, Go's []byte)."""
    return Struct(
        hash=row.hash,
        ecosystem_id=row.ecosystem_id,
        key_id=row.key_id,
        time=row.time,
        tx_count=row.tx,
        rollbacks_hash=row.rollbacks_hash,
        node_position=row.node_position,
        consensus_mode=row.consensus_mode,
    )


def _tx_brief(view: TxView) -> Struct:
    return Struct(
        hash=view.hash, contract_name=view.contract_name, params=view.params, key_id=view.key_id
    )


async def _views(request: web.Request) -> list[tuple[BlockRow, Block, list[TxView]]]:
    """The requested blocks and their txs; contract names come from the log of included txs,
    which knows stored (Needle) contracts that a tx's bytes alone do not name."""
    crypto = request.app[NODE].crypto
    rows = await _blocks(request)

    def decode() -> list[tuple[BlockRow, Block, list[TxView]]]:
        decoded = []
        for row in rows:
            block = Block.deserialize(row.data)
            decoded.append((row, block, describe_block(block, crypto)))
        return decoded

    # Up to 1,000 blocks of thousands of txs each: decoding them all is seconds of CPU, which
    # must not hold the event loop.
    heavy = sum(len(row.data) for row in rows) > INLINE_BLOCK_BYTES
    found = await asyncio.to_thread(decode) if heavy else decode()
    unnamed = [v.hash for _, _, views in found for v in views if not v.contract_name]
    async with request.app[ENGINE].connect() as conn:
        logs = await get_log(conn, unnamed)
    return [
        (
            row,
            block,
            [
                replace(v, contract_name=logs[v.hash].contract_name) if v.hash in logs else v
                for v in views
            ],
        )
        for row, block, views in found
    ]


async def list_blocks_txs(request: web.Request) -> web.Response:
    """GET /blocks?block_id=&count=: the transactions of each block, keyed by block id."""
    result: dict[str, Any] = {}
    for row, _, views in await _views(request):
        result[str(row.id)] = [_tx_brief(v) for v in views]
    return json_response(result)


async def list_detailed_blocks(request: web.Request) -> web.Response:
    """GET /detailed_blocks?block_id=&count=: headers, hashes and full tx lists."""
    result: dict[str, Any] = {}
    for row, block, views in await _views(request):
        header = block.header
        txs = [
            Struct(
                hash=v.hash,
                contract_name=v.contract_name,
                params=v.params,
                key_id=v.key_id,
                time=v.time_ms,
                type=v.type,
                size=v.size_text,
            )
            for v in views
        ]
        result[str(row.id)] = Struct(
            header=Struct(
                block_id=header.block_id,
                time=header.timestamp,
                key_id=header.key_id,
                node_position=header.node_position,
                version=header.version,
            ),
            hash=row.hash,
            node_position=row.node_position,
            key_id=row.key_id,
            time=row.time,
            tx_count=row.tx,
            size=storage_size(len(row.data)),
            rollbacks_hash=row.rollbacks_hash,
            merkle_root=block.merkle_root,
            bin_data=row.data,
            stop_count=0,
            transactions=txs,
        )
    return json_response(result)


async def _tx_info(request: web.Request, text: str, with_data: bool) -> Struct:
    try:
        tx_hash = bytes.fromhex(text)
    except ValueError as exc:
        raise ApiError(E.HASHWRONG) from exc
    engine = request.app[ENGINE]
    async with engine.connect() as conn:
        log = (await get_log(conn, [tx_hash])).get(tx_hash)
        row = await get_block(conn, log.block) if log is not None else None
    if log is None or row is None:
        return Struct(blockid="", confirm=0)
    info = Struct(blockid=str(log.block), confirm=0)
    if with_data:
        block = Block.deserialize(row.data)
        crypto = request.app[NODE].crypto
        for raw in block.txs:
            view = describe(raw, crypto, block, utxo_key="utxo", self_key="transferSelf")
            if view.hash == tx_hash:
                info["data"] = Struct(
                    block_id=row.id,
                    block_hash=row.hash.hex(),
                    address=address_to_string(view.key_id),
                    ecosystem=log.ecosystem_id,
                    hash=tx_hash.hex(),
                    expedite=view.expedite,
                    contract_name=view.contract_name or log.contract_name,
                    params=view.params,
                    created_at=view.time_ms,
                    size=view.size_text,
                    status=log.status,
                )
                break
    return info


async def get_tx_info(request: web.Request) -> web.Response:
    """GET /txinfo/{hash}[?contractinfo=1]."""
    values = await form_values(request)
    info = await _tx_info(
        request, request.match_info["hash"], values.get("contractinfo", "") in _TRUE
    )
    return json_response(info)


def _hash_list(data: str) -> list[str]:
    """Comma list (current reference) or legacy JSON {"hashes": [...]} (the seed's form)."""
    text = data.strip()
    if text.startswith("{"):
        try:
            hashes = jsonparse.loads(text)["hashes"]
        except (ValueError, KeyError, TypeError) as exc:
            raise ApiError(E.HASHWRONG) from exc
        if not isinstance(hashes, list) or not all(isinstance(h, str) for h in hashes):
            raise ApiError(E.HASHWRONG)
        return hashes
    return [h for h in text.split(",") if h]


async def get_tx_info_multiple(request: web.Request) -> web.Response:
    """GET /txinfomultiple?data=h1,h2[&contractinfo=1]."""
    values = await form_values(request)
    with_data = values.get("contractinfo", "") in _TRUE
    results = {h: await _tx_info(request, h, with_data) for h in _hash_list(values.get("data", ""))}
    return json_response(Struct(results=results))


async def get_tx_record(request: web.Request) -> web.Response:
    """GET /tx_record/{hashes}: rows each tx changed (accounts excluded), or null."""
    try:
        hashes = [bytes.fromhex(h) for h in request.match_info["hashes"].split(",") if h]
    except ValueError as exc:
        raise ApiError(E.HASHWRONG) from exc
    async with request.app[ENGINE].connect() as conn:
        rows = await list_tx_rollbacks(conn, hashes)
    records: list[list[Struct]] = []
    for tx_hash in hashes:
        changed = [
            Struct(table=r.table_name, id=r.table_id, previous=r.data)
            for r in rows
            if r.tx_hash == tx_hash and r.table_name != "1_keys"
        ]
        if changed:
            records.append(changed)
    return json_response(records or None)
