"""Merkle roots, block hashes, signatures, storage and rollback hashes of blocks."""

from __future__ import annotations

import dataclasses

import msgpack
import pytest

from chain.block import (
    Block,
    BlockDecodeError,
    BlockHeader,
    BlockVerifyError,
    block_hash,
    genesis_prev_hash,
    genesis_rollbacks_hash,
    hash_preimage,
    merkle_root,
    rollbacks_hash,
    seal_block,
    signature_message,
    verify_block,
)
from chain.crypto import Crypto, Cryptoer, Hasher
from chain.errors import ChainError
from chain.golang.json import marshal
from chain.rollback import hash_rows, rollback_tx_row, spent_info_row
from chain.storage.repo.money import Output, RollbackRow

PAIRS = [Crypto(Cryptoer.SECP256K1, Hasher.KECCAK256), Crypto(Cryptoer.P256, Hasher.SHA256)]
IDS = [c.cryptoer.value for c in PAIRS]


def _hx(crypto: Crypto, data: bytes) -> bytes:
    """hex(DoubleHash(data)) as ASCII bytes, the unit every merkle step uses."""
    return crypto.double_hash(data).hex().encode()


# --- merkle root -------------------------------------------------------------------------------


@pytest.mark.parametrize("crypto", PAIRS, ids=IDS)
def test_merkle_root_no_txs_is_rehashed_zero_leaf(crypto: Crypto) -> None:
    root = merkle_root([], crypto)
    assert root == _hx(crypto, b"0")
    assert len(root) == 64


@pytest.mark.parametrize("crypto", PAIRS, ids=IDS)
def test_merkle_root_one_tx(crypto: Crypto) -> None:
    leaf = _hx(crypto, b"tx-a")
    assert merkle_root([b"tx-a"], crypto) == _hx(crypto, leaf)


@pytest.mark.parametrize("crypto", PAIRS, ids=IDS)
def test_merkle_root_two_txs(crypto: Crypto) -> None:
    a = _hx(crypto, _hx(crypto, b"tx-a"))
    b = _hx(crypto, _hx(crypto, b"tx-b"))
    assert merkle_root([b"tx-a", b"tx-b"], crypto) == _hx(crypto, a + b)


@pytest.mark.parametrize("crypto", PAIRS, ids=IDS)
def test_merkle_root_three_txs_promotes_odd_leaf(crypto: Crypto) -> None:
    a, b, c = (_hx(crypto, _hx(crypto, t)) for t in (b"1", b"2", b"3"))
    # Level 1 is [H(a||b), c]: c moves up unchanged.
    expected = _hx(crypto, _hx(crypto, a + b) + c)
    assert merkle_root([b"1", b"2", b"3"], crypto) == expected


@pytest.mark.parametrize("crypto", PAIRS, ids=IDS)
def test_merkle_root_five_txs(crypto: Crypto) -> None:
    txs = [b"t1", b"t2", b"t3", b"t4", b"t5"]
    a, b, c, d, e = (_hx(crypto, _hx(crypto, t)) for t in txs)
    level1 = [_hx(crypto, a + b), _hx(crypto, c + d), e]
    level2 = [_hx(crypto, level1[0] + level1[1]), e]
    expected = _hx(crypto, level2[0] + level2[1])
    assert merkle_root(txs, crypto) == expected
    assert merkle_root(list(reversed(txs)), crypto) != expected


# --- hash and signature strings ----------------------------------------------------------------

_HEADER = BlockHeader(block_id=7, timestamp=1700000000, key_id=-123, node_position=2, network_id=1)
_LINKS: dict[str, bytes] = {
    "prev_hash": bytes(range(32)),
    "prev_rollbacks_hash": b"\x01\xab",
    "merkle": b"cd" * 32,
}
_PREV_HEX = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"


def test_block_hash_preimage_format() -> None:
    crypto = Crypto()
    expected = f"7,{_PREV_HEX},{'cd' * 32},1700000000,0,-123,2,1,01ab".encode()
    assert hash_preimage(_HEADER, **_LINKS) == expected
    assert block_hash(_HEADER, **_LINKS, crypto=crypto) == crypto.double_hash(expected)


def test_block_hash_without_rollback_suffix_before_version_2() -> None:
    crypto = Crypto()
    expected = f"7,{_PREV_HEX},{'cd' * 32},1700000000,0,-123,2,1".encode()
    old = dataclasses.replace(_HEADER, version=1)
    assert hash_preimage(old, **_LINKS) == expected
    assert block_hash(old, **_LINKS, crypto=crypto) == crypto.double_hash(expected)


def test_hash_and_message_ignore_what_sealing_fills_in() -> None:
    sealed = dataclasses.replace(
        _HEADER, sign=b"s" * 64, block_hash=b"h" * 32, rollbacks_hash=b"r" * 32
    )
    assert hash_preimage(sealed, **_LINKS) == hash_preimage(_HEADER, **_LINKS)
    assert signature_message(sealed, **_LINKS) == signature_message(_HEADER, **_LINKS)


def test_signature_message_format() -> None:
    expected = f"0,7,{_PREV_HEX},1700000000,0,-123,2,{'cd' * 32},1,01ab".encode()
    assert signature_message(_HEADER, **_LINKS) == expected
    other = dataclasses.replace(_HEADER, ecosystem_id=4, version=1)
    expected = f"0,7,{_PREV_HEX},1700000000,4,-123,2,{'cd' * 32},1".encode()
    assert signature_message(other, **_LINKS) == expected


def test_genesis_constants() -> None:
    crypto = Crypto(Cryptoer.P256, Hasher.SHA256)
    assert genesis_prev_hash(crypto) == crypto.hash(crypto.hash(b"0"))
    assert genesis_rollbacks_hash(crypto) == crypto.hash(b"0")


# --- seal and verify ---------------------------------------------------------------------------


def _seal(crypto: Crypto, priv: bytes, txs: list[bytes] | None = None) -> Block:
    return seal_block(
        BlockHeader(block_id=2, timestamp=1700000004, key_id=5555, network_id=1),
        prev_hash=genesis_prev_hash(crypto),
        prev_rollbacks_hash=genesis_rollbacks_hash(crypto),
        txs=[b"first tx", b"second tx"] if txs is None else txs,
        node_private_key=priv,
        crypto=crypto,
    )


@pytest.mark.parametrize("crypto", PAIRS, ids=IDS)
def test_seal_then_verify(crypto: Crypto) -> None:
    priv = crypto.generate_private_key()
    block = _seal(crypto, priv)
    h = block.header
    assert block.merkle_root == merkle_root(block.txs, crypto)
    assert len(h.block_hash) == 32 and len(h.sign) == 64
    assert (h.version, h.consensus_mode, h.ecosystem_id, h.node_position) == (3, 1, 0, 0)
    message = f"0,2,{genesis_prev_hash(crypto).hex()},1700000004,0,5555,0,".encode()
    message += block.merkle_root + f",1,{genesis_rollbacks_hash(crypto).hex()}".encode()
    assert crypto.verify(crypto.public_key(priv), message, h.sign)
    verify_block(
        block,
        genesis_prev_hash(crypto),
        genesis_rollbacks_hash(crypto),
        crypto.public_key(priv),
        crypto,
    )


@pytest.mark.parametrize("crypto", PAIRS, ids=IDS)
def test_verify_rejects_tampering(crypto: Crypto) -> None:
    priv = crypto.generate_private_key()
    pub = crypto.public_key(priv)
    prev, prev_rb = genesis_prev_hash(crypto), genesis_rollbacks_hash(crypto)
    block = _seal(crypto, priv)

    bad_tx = dataclasses.replace(block, txs=(b"first tx", b"evil tx"))
    with pytest.raises(BlockVerifyError, match="merkle root mismatch"):
        verify_block(bad_tx, prev, prev_rb, pub, crypto)

    bad_time = dataclasses.replace(
        block, header=dataclasses.replace(block.header, timestamp=block.header.timestamp + 1)
    )
    with pytest.raises(BlockVerifyError, match="hash mismatch"):
        verify_block(bad_time, prev, prev_rb, pub, crypto)

    with pytest.raises(BlockVerifyError, match="broken link"):
        verify_block(block, crypto.double_hash(b"1"), prev_rb, pub, crypto)
    with pytest.raises(BlockVerifyError, match="broken link"):
        verify_block(block, prev, crypto.hash(b"1"), pub, crypto)

    other = crypto.public_key(crypto.generate_private_key())
    with pytest.raises(BlockVerifyError, match="bad signature"):
        verify_block(block, prev, prev_rb, other, crypto)

    # A malformed signature is a verification failure, not a crash.
    garbled = dataclasses.replace(block, header=dataclasses.replace(block.header, sign=b"\x00"))
    with pytest.raises(BlockVerifyError, match="bad signature"):
        verify_block(garbled, prev, prev_rb, pub, crypto)
    assert issubclass(BlockVerifyError, ChainError)


def test_seal_keeps_the_header_and_does_not_hash_its_own_rollbacks_hash() -> None:
    crypto = Crypto()
    priv = crypto.generate_private_key()
    plain = BlockHeader(block_id=2, timestamp=1700000004, key_id=5555, network_id=1)

    def seal(header: BlockHeader) -> Block:
        return seal_block(
            header,
            prev_hash=genesis_prev_hash(crypto),
            prev_rollbacks_hash=genesis_rollbacks_hash(crypto),
            txs=[b"tx"],
            node_private_key=priv,
            crypto=crypto,
        )

    own = seal(dataclasses.replace(plain, rollbacks_hash=b"r" * 32))
    assert own.header.rollbacks_hash == b"r" * 32
    assert own.header.block_hash == seal(plain).header.block_hash
    assert dataclasses.replace(own.header, sign=b"", block_hash=b"", rollbacks_hash=b"") == plain


def test_seal_without_txs_uses_zero_leaf() -> None:
    crypto = Crypto()
    block = _seal(crypto, crypto.generate_private_key(), txs=[])
    assert block.txs == ()
    assert block.merkle_root == _hx(crypto, b"0")


# --- storage format ----------------------------------------------------------------------------


@pytest.mark.parametrize("crypto", PAIRS, ids=IDS)
def test_serialize_round_trip(crypto: Crypto) -> None:
    priv = crypto.generate_private_key()
    block = _seal(crypto, priv, txs=[b"\x00\xff", b"", b"x" * 1000])
    block = dataclasses.replace(
        block, header=dataclasses.replace(block.header, rollbacks_hash=crypto.hash(b"[]"))
    )
    data = block.serialize()
    again = Block.deserialize(data)
    assert again == block
    assert again.serialize() == data
    verify_block(
        again,
        genesis_prev_hash(crypto),
        genesis_rollbacks_hash(crypto),
        crypto.public_key(priv),
        crypto,
    )


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"\xc1",
        b"garbage that is not msgpack at all",
        msgpack.packb([1, 2, 3]),
        msgpack.packb({"format": 1}),
        msgpack.packb({1: 2}),
    ],
    ids=["empty", "reserved-byte", "text", "list", "missing-fields", "int-key"],
)
def test_deserialize_garbage(data: bytes) -> None:
    with pytest.raises(BlockDecodeError):
        Block.deserialize(data)


def test_deserialize_rejects_wrong_field_types() -> None:
    crypto = Crypto()
    good = msgpack.unpackb(_seal(crypto, crypto.generate_private_key()).serialize())
    for path, value in [
        (("header", "block_id"), "7"),
        (("header", "key_id"), True),
        (("header", "timestamp"), 1 << 63),
        (("header", "sign"), "not bytes"),
        (("txs",), [b"ok", 5]),
        (("txs",), b"not a list"),
        (("format",), 2),
        (("merkle_root",), None),
    ]:
        doc = msgpack.unpackb(msgpack.packb(good, use_bin_type=True))
        target = doc
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value
        with pytest.raises(BlockDecodeError):
            Block.deserialize(msgpack.packb(doc, use_bin_type=True))


# --- rollbacks hash ----------------------------------------------------------------------------


def test_rollbacks_hash_of_no_rows() -> None:
    crypto = Crypto()
    assert rollbacks_hash([], crypto) == crypto.hash(b"[]")


def test_rollbacks_hash_hand_computed() -> None:
    crypto = Crypto(Cryptoer.P256, Hasher.SHA256)
    row1 = {"b": 1, "a": "x<y"}
    row2 = {"k": None}
    h1 = crypto.hash(b'{"b":1,"a":"x\\u003cy"}').hex()
    h2 = crypto.hash(b'{"k":null}').hex()
    lo, hi = sorted([h1, h2])
    expected = crypto.hash(f'["{lo}","{hi}"]'.encode())
    assert rollbacks_hash([row1, row2], crypto) == expected
    assert rollbacks_hash([row2, row1], crypto) == expected


def test_rollbacks_hash_row_order_independent_but_content_sensitive() -> None:
    crypto = Crypto()
    rows = [
        rollback_tx_row(
            block_id=3,
            tx_hash=b"\x01" * 32,
            table_name="1_keys",
            table_id="42",
            data='{"amount":"5"}',
            data_hash=b"\x02" * 32,
        ),
        spent_info_row(
            input_tx_hash=None,
            input_index=0,
            output_tx_hash=b"\x03" * 32,
            output_index=0,
            output_key_id=-7,
            output_value="100",
            ecosystem=1,
            block_id=3,
            type=1,
        ),
    ]
    forward = rollbacks_hash(rows, crypto)
    assert forward == rollbacks_hash(list(reversed(rows)), crypto)
    assert forward != rollbacks_hash(rows[:1], crypto)
    changed = [{**rows[0], "table_id": "43"}, rows[1]]
    assert forward != rollbacks_hash(changed, crypto)


def test_reference_row_layouts_marshal_in_struct_order() -> None:
    rb = rollback_tx_row(
        block_id=3, tx_hash=b"\xff", table_name="t", table_id="1", data="{}", data_hash=b""
    )
    assert marshal(rb, sort_keys=False) == (
        b'{"ID":0,"block_id":3,"tx_hash":"/w==","table_name":"t","table_id":"1",'
        b'"data":"{}","data_hash":""}'
    )
    si = spent_info_row(
        input_tx_hash=None,
        input_index=0,
        output_tx_hash=b"\x00",
        output_index=1,
        output_key_id=2,
        output_value="3",
        ecosystem=1,
        block_id=9,
        type=4,
    )
    assert marshal(si, sort_keys=False) == (
        b'{"InputTxHash":null,"InputIndex":0,"OutputTxHash":"AA==","OutputIndex":1,'
        b'"OutputKeyId":2,"OutputValue":"3","Ecosystem":1,"BlockId":9,"Type":4}'
    )


def test_hash_rows_are_the_records_then_the_outputs_in_reference_layout() -> None:
    record = RollbackRow(3, b"\x01", "1_keys", "42,1", "{}")
    output = Output(b"\x03", 0, -7, 100, 1, 3, 1, input_tx_hash=b"\x04", input_index=2)
    assert [marshal(row, sort_keys=False) for row in hash_rows([record], [output])] == [
        b'{"ID":0,"block_id":3,"tx_hash":"AQ==","table_name":"1_keys","table_id":"42,1",'
        b'"data":"{}","data_hash":""}',
        b'{"InputTxHash":"BA==","InputIndex":2,"OutputTxHash":"Aw==","OutputIndex":0,'
        b'"OutputKeyId":-7,"OutputValue":"100","Ecosystem":1,"BlockId":3,"Type":1}',
    ]
    assert hash_rows([], []) == []
