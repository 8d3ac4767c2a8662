"""Block headers, merkle roots, hashes, signatures and rollback hashes, as go-ibax forms them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

import msgpack

from chain.crypto import Crypto
from chain.errors import ChainError, CryptoError
from chain.golang.ints import in_int64
from chain.golang.json import marshal

# Hashing and signing follow the reference byte for byte, but block_chain.data holds our own
# msgpack layout rather than the reference's protobuf BlockData: nothing here exchanges blocks
# with Go nodes, and transactions are stored as given (the reference zlib-compresses each one
# first, which Go and CPython do not do identically anyway).

BLOCK_VERSION: Final = 3  # consts.BlockVersion (BvIncludeRollbackHash)
# consts.BvRollbackHash: from this version on a block commits to the prev rollbacks hash.
ROLLBACK_HASH_VERSION: Final = 2
HONOR_NODE_MODE: Final = 1
CANDIDATE_NODE_MODE: Final = 2

_FORMAT: Final = 1


class BlockDecodeError(ChainError):
    """Stored block bytes that are not a block of our storage format."""


class BlockVerifyError(ChainError):
    """A block whose link, merkle root, hash or signature does not check out."""


@dataclass(frozen=True, slots=True)
class BlockHeader:
    """The header fields of the reference's ``types.BlockHeader`` that this node uses."""

    block_id: int
    timestamp: int
    ecosystem_id: int
    key_id: int
    node_position: int
    sign: bytes
    block_hash: bytes
    rollbacks_hash: bytes
    version: int = BLOCK_VERSION
    consensus_mode: int = HONOR_NODE_MODE
    network_id: int = 0


@dataclass(frozen=True, slots=True)
class Block:
    """A sealed block together with the parts of the previous header it commits to."""

    header: BlockHeader
    prev_hash: bytes
    prev_rollbacks_hash: bytes
    merkle_root: bytes
    txs: tuple[bytes, ...]

    def serialize(self) -> bytes:
        """Our msgpack storage form (not the reference's protobuf)."""
        h = self.header
        doc = {
            "format": _FORMAT,
            "header": {
                "block_id": h.block_id,
                "timestamp": h.timestamp,
                "ecosystem_id": h.ecosystem_id,
                "key_id": h.key_id,
                "node_position": h.node_position,
                "sign": h.sign,
                "block_hash": h.block_hash,
                "rollbacks_hash": h.rollbacks_hash,
                "version": h.version,
                "consensus_mode": h.consensus_mode,
                "network_id": h.network_id,
            },
            "prev_hash": self.prev_hash,
            "prev_rollbacks_hash": self.prev_rollbacks_hash,
            "merkle_root": self.merkle_root,
            "txs": list(self.txs),
        }
        packed: bytes = msgpack.packb(doc, use_bin_type=True)
        return packed

    @classmethod
    def deserialize(cls, data: bytes) -> Block:
        """Parse :meth:`serialize` output; anything else raises BlockDecodeError."""
        try:
            doc = msgpack.unpackb(data, raw=False, strict_map_key=True)
        except (ValueError, TypeError, msgpack.UnpackException) as exc:
            raise BlockDecodeError(f"undecodable block data: {exc}") from exc
        top = _exact_map(doc, _BLOCK_FIELDS, "block")
        if type(top["format"]) is not int or top["format"] != _FORMAT:
            raise BlockDecodeError(f"unknown block format {top['format']!r}")
        hdr = _exact_map(top["header"], _HEADER_FIELDS, "header")
        txs = top["txs"]
        if not isinstance(txs, list):
            raise BlockDecodeError("txs is not a list")
        header = BlockHeader(
            block_id=_int64(hdr, "block_id"),
            timestamp=_int64(hdr, "timestamp"),
            ecosystem_id=_int64(hdr, "ecosystem_id"),
            key_id=_int64(hdr, "key_id"),
            node_position=_int64(hdr, "node_position"),
            sign=_bytes(hdr["sign"], "sign"),
            block_hash=_bytes(hdr["block_hash"], "block_hash"),
            rollbacks_hash=_bytes(hdr["rollbacks_hash"], "rollbacks_hash"),
            version=_int64(hdr, "version"),
            consensus_mode=_int64(hdr, "consensus_mode"),
            network_id=_int64(hdr, "network_id"),
        )
        return cls(
            header=header,
            prev_hash=_bytes(top["prev_hash"], "prev_hash"),
            prev_rollbacks_hash=_bytes(top["prev_rollbacks_hash"], "prev_rollbacks_hash"),
            merkle_root=_bytes(top["merkle_root"], "merkle_root"),
            txs=tuple(_bytes(tx, "tx") for tx in txs),
        )


_HEADER_FIELDS: Final = {
    "block_id",
    "timestamp",
    "ecosystem_id",
    "key_id",
    "node_position",
    "sign",
    "block_hash",
    "rollbacks_hash",
    "version",
    "consensus_mode",
    "network_id",
}
_BLOCK_FIELDS: Final = {
    "format",
    "header",
    "prev_hash",
    "prev_rollbacks_hash",
    "merkle_root",
    "txs",
}


def _exact_map(value: object, keys: set[str], what: str) -> dict[str, Any]:
    if not isinstance(value, dict) or set(value) != keys:
        raise BlockDecodeError(f"{what} does not have the expected fields")
    return value


def _int64(fields: dict[str, Any], name: str) -> int:
    value = fields[name]
    # bool is an int subclass; a stored flag is never a valid header number.
    if type(value) is not int or not in_int64(value):
        raise BlockDecodeError(f"{name} is not an int64")
    return value


def _bytes(value: object, name: str) -> bytes:
    if not isinstance(value, bytes):
        raise BlockDecodeError(f"{name} is not bytes")
    return value


def merkle_root(txs: Sequence[bytes], crypto: Crypto) -> bytes:
    """``GenMerkleRoot``: the ASCII-hex (64 bytes) merkle root of the stored tx bytes."""
    leaves = [crypto.double_hash(tx).hex().encode() for tx in txs] or [b"0"]
    # MerkleTreeRoot hashes every leaf once more, so even a lone leaf is not the root itself.
    level = [crypto.double_hash(leaf).hex().encode() for leaf in leaves]
    while len(level) > 1:
        nxt = [
            crypto.double_hash(level[i] + level[i + 1]).hex().encode()
            for i in range(0, len(level) - 1, 2)
        ]
        if len(level) % 2:
            nxt.append(level[-1])
        level = nxt
    return level[0]


def _rollback_suffix(version: int, prev_rollbacks_hash: bytes) -> bytes:
    # blockVer: blocks before BvRollbackHash did not commit to the previous rollbacks hash.
    return b"," + prev_rollbacks_hash.hex().encode() if version >= ROLLBACK_HASH_VERSION else b""


def hash_preimage(
    *,
    block_id: int,
    timestamp: int,
    ecosystem_id: int,
    key_id: int,
    node_position: int,
    network_id: int,
    prev_hash: bytes,
    prev_rollbacks_hash: bytes,
    merkle: bytes,
    version: int = BLOCK_VERSION,
) -> bytes:
    """``BlockHeader.ForSha``: the string whose double hash is the block hash."""
    return (
        f"{block_id},{prev_hash.hex()},".encode()
        + merkle
        + f",{timestamp},{ecosystem_id},{key_id},{node_position},{network_id}".encode()
        + _rollback_suffix(version, prev_rollbacks_hash)
    )


def block_hash(
    *,
    block_id: int,
    timestamp: int,
    ecosystem_id: int,
    key_id: int,
    node_position: int,
    network_id: int,
    prev_hash: bytes,
    prev_rollbacks_hash: bytes,
    merkle: bytes,
    crypto: Crypto,
    version: int = BLOCK_VERSION,
) -> bytes:
    """``BlockHeader.GenHash``: DoubleHash of :func:`hash_preimage`."""
    return crypto.double_hash(
        hash_preimage(
            block_id=block_id,
            timestamp=timestamp,
            ecosystem_id=ecosystem_id,
            key_id=key_id,
            node_position=node_position,
            network_id=network_id,
            prev_hash=prev_hash,
            prev_rollbacks_hash=prev_rollbacks_hash,
            merkle=merkle,
            version=version,
        )
    )


def signature_message(
    *,
    block_id: int,
    timestamp: int,
    ecosystem_id: int,
    key_id: int,
    node_position: int,
    network_id: int,
    prev_hash: bytes,
    prev_rollbacks_hash: bytes,
    merkle: bytes,
    version: int = BLOCK_VERSION,
) -> bytes:
    """``BlockHeader.ForSign``: what the producing node signs (a different field order)."""
    return (
        f"0,{block_id},{prev_hash.hex()},{timestamp},{ecosystem_id},{key_id},{node_position},".encode()
        + merkle
        + f",{network_id}".encode()
        + _rollback_suffix(version, prev_rollbacks_hash)
    )


def sign_block(private_key: bytes, message: bytes, crypto: Crypto) -> bytes:
    """Sign a :func:`signature_message` with the node key."""
    return crypto.sign(private_key, message)


def verify_block_signature(
    public_key: bytes, message: bytes, signature: bytes, crypto: Crypto
) -> bool:
    """True if ``signature`` is the node's over ``message``; malformed material is just False."""
    try:
        return crypto.verify(public_key, message, signature)
    except CryptoError:
        return False


def _header_message(block: Block) -> bytes:
    h = block.header
    return signature_message(
        block_id=h.block_id,
        timestamp=h.timestamp,
        ecosystem_id=h.ecosystem_id,
        key_id=h.key_id,
        node_position=h.node_position,
        network_id=h.network_id,
        prev_hash=block.prev_hash,
        prev_rollbacks_hash=block.prev_rollbacks_hash,
        merkle=block.merkle_root,
        version=h.version,
    )


def seal_block(
    *,
    block_id: int,
    timestamp: int,
    key_id: int,
    network_id: int,
    prev_hash: bytes,
    prev_rollbacks_hash: bytes,
    txs: Sequence[bytes],
    node_private_key: bytes,
    crypto: Crypto,
    node_position: int = 0,
    ecosystem_id: int = 0,
    rollbacks_hash: bytes = b"",
    consensus_mode: int = HONOR_NODE_MODE,
) -> Block:
    """Build and sign a block (``MarshallBlock``); the time is an argument to keep this pure.

    ``rollbacks_hash`` is the block's own, known only after its txs ran; it is not hashed or
    signed, so it can be filled in later with ``dataclasses.replace``.
    """
    txs = tuple(txs)
    merkle = merkle_root(txs, crypto)
    fields: dict[str, Any] = {
        "block_id": block_id,
        "timestamp": timestamp,
        "ecosystem_id": ecosystem_id,
        "key_id": key_id,
        "node_position": node_position,
        "network_id": network_id,
        "prev_hash": prev_hash,
        "prev_rollbacks_hash": prev_rollbacks_hash,
        "merkle": merkle,
        "version": BLOCK_VERSION,
    }
    header = BlockHeader(
        block_id=block_id,
        timestamp=timestamp,
        ecosystem_id=ecosystem_id,
        key_id=key_id,
        node_position=node_position,
        sign=sign_block(node_private_key, signature_message(**fields), crypto),
        block_hash=block_hash(**fields, crypto=crypto),
        rollbacks_hash=rollbacks_hash,
        version=BLOCK_VERSION,
        consensus_mode=consensus_mode,
        network_id=network_id,
    )
    return Block(
        header=header,
        prev_hash=prev_hash,
        prev_rollbacks_hash=prev_rollbacks_hash,
        merkle_root=merkle,
        txs=txs,
    )


def verify_block(
    block: Block,
    prev_hash: bytes,
    prev_rollbacks_hash: bytes,
    node_public_key: bytes,
    crypto: Crypto,
) -> None:
    """Re-derive everything a block commits to; raise BlockVerifyError on the first mismatch."""
    h = block.header
    if block.prev_hash != prev_hash:
        raise BlockVerifyError(
            f"block {h.block_id}: broken link, prev hash {block.prev_hash.hex()} "
            f"!= previous block hash {prev_hash.hex()}"
        )
    if block.prev_rollbacks_hash != prev_rollbacks_hash:
        raise BlockVerifyError(
            f"block {h.block_id}: broken link, prev rollbacks hash "
            f"{block.prev_rollbacks_hash.hex()} != {prev_rollbacks_hash.hex()}"
        )
    merkle = merkle_root(block.txs, crypto)
    if merkle != block.merkle_root:
        raise BlockVerifyError(
            f"block {h.block_id}: merkle root mismatch, stored {block.merkle_root!r} "
            f"computed {merkle!r}"
        )
    computed = block_hash(
        block_id=h.block_id,
        timestamp=h.timestamp,
        ecosystem_id=h.ecosystem_id,
        key_id=h.key_id,
        node_position=h.node_position,
        network_id=h.network_id,
        prev_hash=prev_hash,
        prev_rollbacks_hash=prev_rollbacks_hash,
        merkle=merkle,
        crypto=crypto,
        version=h.version,
    )
    if computed != h.block_hash:
        raise BlockVerifyError(
            f"block {h.block_id}: hash mismatch, stored {h.block_hash.hex()} "
            f"computed {computed.hex()}"
        )
    if not verify_block_signature(node_public_key, _header_message(block), h.sign, crypto):
        raise BlockVerifyError(f"block {h.block_id}: bad signature")


def genesis_prev_hash(crypto: Crypto) -> bytes:
    """The previous-block hash block 1 commits to: DoubleHash("0")."""
    return crypto.double_hash(b"0")


def genesis_rollbacks_hash(crypto: Crypto) -> bytes:
    """The previous rollbacks hash block 1 commits to, and block 1's own: Hash("0")."""
    return crypto.hash(b"0")


def rollbacks_hash(rows: Sequence[Mapping[str, Any]], crypto: Crypto) -> bytes:
    """``GetRollbacksHashWithDiffArr`` over a block's rollback_tx and spent_info rows.

    The reference marshals Go structs, whose keys come out in field order, so each row's own
    key order is kept: build rows with :func:`rollback_tx_row` / :func:`spent_info_row`.
    No rows hash as ``Hash("[]")`` because the reference starts from an empty, non-nil slice.
    """
    hexes = sorted(crypto.hash(go_json(row, sort_keys=False)).hex() for row in rows)
    return crypto.hash(go_json(hexes))


def rollback_tx_row(
    *,
    block_id: int,
    tx_hash: bytes,
    table_name: str,
    table_id: str,
    data: str,
    data_hash: bytes,
) -> dict[str, Any]:
    """A rollback_tx row keyed as ``sqldb.RollbackTx`` marshals.

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


# Blocks and rollback rows marshal through Go's encoding/json, which lives in chain/golang.
go_json = marshal


def storage_size(n: float) -> str:
    """``common.StorageSize(n).TerminalString()``: binary units, strict ``>`` thresholds."""
    size = float(n)
    for limit, unit in ((1 << 40, "TiB"), (1 << 30, "GiB"), (1 << 20, "MiB"), (1 << 10, "KiB")):
        if size > limit:
            return f"{size / limit:.2f}{unit}"
    return f"{size:.2f}B"
