"""Block headers, merkle roots, hashes, signatures and rollback hashes, as go-ibax forms them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
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
    """The header fields of the reference's ``types.BlockHeader`` that this node uses.

    ``sign`` and ``block_hash`` are empty until :func:`seal_block` fills them in;
    ``rollbacks_hash`` (the block's own) is neither hashed nor signed.
    """

    block_id: int
    timestamp: int
    ecosystem_id: int = 0
    key_id: int = 0
    node_position: int = 0
    sign: bytes = b""
    block_hash: bytes = b""
    rollbacks_hash: bytes = b""
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
    header: BlockHeader, *, prev_hash: bytes, prev_rollbacks_hash: bytes, merkle: bytes
) -> bytes:
    """``BlockHeader.ForSha``: the string whose double hash is the block hash."""
    h = header
    return (
        f"{h.block_id},{prev_hash.hex()},".encode()
        + merkle
        + f",{h.timestamp},{h.ecosystem_id},{h.key_id},{h.node_position},{h.network_id}".encode()
        + _rollback_suffix(h.version, prev_rollbacks_hash)
    )


def block_hash(
    header: BlockHeader,
    *,
    prev_hash: bytes,
    prev_rollbacks_hash: bytes,
    merkle: bytes,
    crypto: Crypto,
) -> bytes:
    """``BlockHeader.GenHash``: DoubleHash of :func:`hash_preimage`."""
    return crypto.double_hash(
        hash_preimage(
            header, prev_hash=prev_hash, prev_rollbacks_hash=prev_rollbacks_hash, merkle=merkle
        )
    )


def signature_message(
    header: BlockHeader, *, prev_hash: bytes, prev_rollbacks_hash: bytes, merkle: bytes
) -> bytes:
    """``BlockHeader.ForSign``: what the producing node signs (a different field order)."""
    h = header
    return (
        f"0,{h.block_id},{prev_hash.hex()},{h.timestamp},{h.ecosystem_id},{h.key_id},".encode()
        + f"{h.node_position},".encode()
        + merkle
        + f",{h.network_id}".encode()
        + _rollback_suffix(h.version, prev_rollbacks_hash)
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


def seal_block(
    header: BlockHeader,
    *,
    prev_hash: bytes,
    prev_rollbacks_hash: bytes,
    txs: Sequence[bytes],
    node_private_key: bytes,
    crypto: Crypto,
) -> Block:
    """Build and sign a block (``MarshallBlock``): ``header`` with its hash and signature.

    The time is in the header, to keep this pure. ``header.rollbacks_hash`` is the block's
    own, known only after its txs ran; it is not hashed or signed, so it can be filled in later
    with ``dataclasses.replace``.
    """
    txs = tuple(txs)
    merkle = merkle_root(txs, crypto)
    links = {"prev_hash": prev_hash, "prev_rollbacks_hash": prev_rollbacks_hash, "merkle": merkle}
    sealed = replace(
        header,
        sign=sign_block(node_private_key, signature_message(header, **links), crypto),
        block_hash=block_hash(header, **links, crypto=crypto),
    )
    return Block(
        header=sealed,
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
    links = {"prev_hash": prev_hash, "prev_rollbacks_hash": prev_rollbacks_hash, "merkle": merkle}
    computed = block_hash(h, **links, crypto=crypto)
    if computed != h.block_hash:
        raise BlockVerifyError(
            f"block {h.block_id}: hash mismatch, stored {h.block_hash.hex()} "
            f"computed {computed.hex()}"
        )
    message = signature_message(h, **links)
    if not verify_block_signature(node_public_key, message, h.sign, crypto):
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
    key order is kept: ``chain.rollback.hash_rows`` builds them.
    No rows hash as ``Hash("[]")`` because the reference starts from an empty, non-nil slice.
    """
    hexes = sorted(crypto.hash(marshal(row, sort_keys=False)).hex() for row in rows)
    return crypto.hash(marshal(hexes))

