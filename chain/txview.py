"""What explorers see of a stored transaction: hash, contract, params, sender, time, size."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import msgpack

from chain.block import Block
from chain.crypto import Crypto
from chain.genesis import FIRST_BLOCK_TX_TYPE
from chain.txcheck import contract_name
from chain.txcodec import TxDecodeError, TxType, decode_tx


def storage_size(n: float) -> str:
    """``common.StorageSize(n).TerminalString()``: binary units, strict ``>`` thresholds."""
    size = float(n)
    for limit, unit in ((1 << 40, "TiB"), (1 << 30, "GiB"), (1 << 20, "MiB"), (1 << 10, "KiB")):
        if size > limit:
            return f"{size / limit:.2f}{unit}"
    return f"{size:.2f}B"


@dataclass(frozen=True, slots=True)
class TxView:
    """One transaction of a block as the block and txinfo endpoints describe it."""

    hash: bytes
    contract_name: str
    params: dict[str, Any] | None
    key_id: int
    time_ms: int
    type: int
    size: int
    expedite: str = ""

    @property
    def size_text(self) -> str:
        return storage_size(self.size)


def _first_block_view(raw: bytes, crypto: Crypto, block: Block) -> TxView:
    try:
        body = msgpack.unpackb(raw[1:], raw=False)
        time_s = int(body.get("Time", block.header.timestamp))
    except (ValueError, TypeError, AttributeError, msgpack.UnpackException):
        time_s = block.header.timestamp
    return TxView(
        crypto.double_hash(raw),
        "",
        None,
        block.header.key_id,
        time_s * 1000,
        FIRST_BLOCK_TX_TYPE,
        len(raw),
    )


def describe(
    raw: bytes, crypto: Crypto, block: Block, utxo_key: str = "UTXO", self_key: str = "TransferSelf"
) -> TxView:
    """Describe one stored tx; native transfers show their body under `utxo_key`/`self_key`."""
    if raw and raw[0] == FIRST_BLOCK_TX_TYPE:
        return _first_block_view(raw, crypto, block)
    try:
        decoded = decode_tx(raw, crypto)
    except TxDecodeError:
        return TxView(crypto.double_hash(raw), "", None, 0, 0, raw[0] if raw else 0, len(raw))
    tx = decoded.tx
    params: dict[str, Any] | None = dict(tx.params)
    if tx.tx_type == TxType.UTXO and tx.utxo is not None:
        params = {
            utxo_key: {"ToID": tx.utxo.to_id, "Value": tx.utxo.value, "Comment": tx.utxo.comment}
        }
    elif tx.tx_type == TxType.TRANSFER_SELF and tx.transfer_self is not None:
        ts = tx.transfer_self
        params = {self_key: {"Value": ts.value, "Source": ts.source, "Target": ts.target}}
    return TxView(
        hash=decoded.hash,
        contract_name=contract_name(decoded),
        params=params,
        key_id=tx.header.key_id,
        time_ms=decoded.timestamp_ms or tx.header.time * 1000,
        type=int(tx.tx_type),
        size=len(decoded.payload),
        expedite=tx.expedite,
    )


def describe_block(block: Block, crypto: Crypto) -> list[TxView]:
    """Every transaction of a block, in block order."""
    return [describe(raw, crypto, block) for raw in block.txs]
