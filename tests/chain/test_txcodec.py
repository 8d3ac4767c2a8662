"""Both transaction envelopes: round trips, hash recomputation, and fuzzing of the decoder."""

from __future__ import annotations

import time

import msgpack
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chain.crypto import Crypto, Cryptoer, Hasher
from chain.txcodec import (
    Header,
    SmartTransaction,
    TransferSelf,
    TxDecodeError,
    TxSignatureError,
    TxType,
    Utxo,
    build_client_tx,
    build_sdk_tx,
    decode_length,
    decode_tx,
    encode_length,
    encode_payload,
    verify_tx_signature,
)

PAIRS = [Crypto(Cryptoer.SECP256K1, Hasher.KECCAK256), Crypto(Cryptoer.P256, Hasher.SHA256)]
K1 = PAIRS[0]
K1_PRIV = K1.generate_private_key()


def make_tx(crypto: Crypto, priv: bytes, **kw: object) -> SmartTransaction:
    pub = crypto.public_key(priv)
    header = Header(5032, 1, crypto.address(pub), int(time.time()), 1, b"\x04" + pub)
    return SmartTransaction(header=header, params={"NewPubkey": "ab", "Ecosystem": 1}, **kw)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("n", "hexed"), [(5, "05"), (67, "43"), (1024, "820400"), (1000000, "830f4240")]
)
def test_encode_length(n: int, hexed: str) -> None:
    assert encode_length(n).hex() == hexed
    assert decode_length(bytes.fromhex(hexed), 0) == (n, len(hexed) // 2)


def test_decode_length_rejects_truncation() -> None:
    with pytest.raises(TxDecodeError):
        decode_length(b"\x82\x04", 0)
    with pytest.raises(TxDecodeError):
        decode_length(b"", 0)


@pytest.mark.parametrize("crypto", PAIRS, ids=lambda c: c.cryptoer.value)
@pytest.mark.parametrize("der", [False, True])
@pytest.mark.parametrize("nested", [False, True])
def test_client_envelope_round_trip(crypto: Crypto, der: bool, nested: bool) -> None:
    priv = crypto.generate_private_key()
    tx = make_tx(crypto, priv)
    raw = build_client_tx(tx, priv, crypto, der=der, nested_header=nested)
    decoded = decode_tx(raw, crypto)
    assert decoded.tx == tx
    assert decoded.hash == crypto.double_hash(encode_payload(tx, nested))
    assert decoded.tx.tx_type is TxType.SMART_CONTRACT
    verify_tx_signature(decoded, crypto)


@pytest.mark.parametrize("crypto", PAIRS, ids=lambda c: c.cryptoer.value)
def test_sdk_envelope_round_trip(crypto: Crypto) -> None:
    priv = crypto.generate_private_key()
    tx = make_tx(crypto, priv, utxo=Utxo(to_id=5555, value="100", comment="hi"))
    raw = build_sdk_tx(tx, priv, crypto, timestamp_ms=1234)
    assert raw[0] == TxType.UTXO
    decoded = decode_tx(raw, crypto)
    assert decoded.tx == tx and decoded.timestamp_ms == 1234
    verify_tx_signature(decoded, crypto)


def test_transfer_self_round_trip() -> None:
    tx = make_tx(K1, K1_PRIV, transfer_self=TransferSelf("5", "UTXO", "Account"))
    decoded = decode_tx(build_client_tx(tx, K1_PRIV, K1), K1)
    assert (
        decoded.tx.tx_type is TxType.TRANSFER_SELF and decoded.tx.transfer_self == tx.transfer_self
    )


def test_sdk_forged_hash_and_wrong_type_byte_are_refused() -> None:
    tx = make_tx(K1, K1_PRIV)
    raw = build_sdk_tx(tx, K1_PRIV, K1, timestamp_ms=1)
    outer = msgpack.unpackb(raw[1:], raw=False)
    outer["Hash"] = b"\x00" * 32
    with pytest.raises(TxDecodeError, match="hash mismatch"):
        decode_tx(raw[:1] + msgpack.packb(outer, use_bin_type=True), K1)
    with pytest.raises(TxDecodeError, match="type byte 5"):
        decode_tx(bytes([5]) + raw[1:], K1)


def test_tampering_and_key_mismatch_fail_verification() -> None:
    tx = make_tx(K1, K1_PRIV)
    raw = bytearray(build_client_tx(tx, K1_PRIV, K1))
    raw[-3] ^= 1
    with pytest.raises(TxSignatureError, match="Incorrect sign"):
        verify_tx_signature(decode_tx(bytes(raw), K1), K1)
    other = K1.public_key(K1.generate_private_key())
    forged = SmartTransaction(
        header=Header(5032, 1, tx.header.key_id, tx.header.time, 1, other), params={}
    )
    with pytest.raises(TxSignatureError, match="public keys are different"):
        verify_tx_signature(decode_tx(build_client_tx(forged, K1_PRIV, K1), K1), K1)


def test_trailing_bytes_and_bad_field_types() -> None:
    raw = build_client_tx(make_tx(K1, K1_PRIV), K1_PRIV, K1)
    with pytest.raises(TxDecodeError, match="trailing"):
        decode_tx(raw + b"\x00", K1)
    for payload in (
        {"Time": "now"},
        {"Params": [1]},
        {"UTXO": {"ToID": "x"}},
        {"Params": {1: 2}},
        {"UTXO": {}, "TransferSelf": {}},
        [1, 2],
    ):
        body = msgpack.packb(payload, use_bin_type=True)
        envelope = b"\x80" + encode_length(len(body)) + body + b"\x01\x00"
        with pytest.raises(TxDecodeError):
            decode_tx(envelope, K1)


def test_deep_nesting_and_huge_declared_lengths_are_refused_quickly() -> None:
    deep: object = 1
    for _ in range(100):
        deep = [deep]
    body = msgpack.packb({"Params": {"x": deep}}, use_bin_type=True)
    with pytest.raises(TxDecodeError):
        decode_tx(b"\x80" + encode_length(len(body)) + body + b"\x01\x00", K1)
    # A map header declaring 2^32-1 entries in a few bytes must not allocate them.
    body = b"\xdf\xff\xff\xff\xff"
    started = time.monotonic()
    with pytest.raises(TxDecodeError):
        decode_tx(b"\x80" + encode_length(len(body)) + body + b"\x01\x00", K1)
    assert time.monotonic() - started < 1


@settings(max_examples=500, deadline=None)
@given(st.binary(max_size=2048))
def test_fuzz_arbitrary_bytes(data: bytes) -> None:
    try:
        decoded = decode_tx(data, K1)
    except TxDecodeError:
        return
    assert decoded.raw == data


VALID = [
    build_client_tx(make_tx(K1, K1_PRIV), K1_PRIV, K1),
    build_sdk_tx(make_tx(K1, K1_PRIV, utxo=Utxo(1, "1", "")), K1_PRIV, K1, 5),
]


@settings(max_examples=500, deadline=None)
@given(
    st.sampled_from(VALID),
    st.lists(
        st.tuples(st.integers(0, 4096), st.integers(0, 255), st.sampled_from("fit")), max_size=6
    ),
)
def test_fuzz_mutated_envelopes(base: bytes, edits: list[tuple[int, int, str]]) -> None:
    data = bytearray(base)
    for pos, byte, op in edits:
        pos %= len(data) + 1
        if op == "f" and pos < len(data):
            data[pos] ^= byte or 1
        elif op == "i":
            data.insert(pos, byte)
        else:
            del data[pos:]
        if not data:
            break
    try:
        decoded = decode_tx(bytes(data), K1)
    except TxDecodeError:
        return
    try:
        verify_tx_signature(decoded, K1)
    except TxSignatureError:
        pass
    assert decoded.hash == K1.double_hash(decoded.payload)
