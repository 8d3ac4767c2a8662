"""Transaction envelopes: vectors, round trips, hash recomputation, bounds and fuzzing."""

from __future__ import annotations

import time
from typing import Any

import msgpack
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chain.crypto import Crypto, Cryptoer, Hasher
from chain.txcodec import (
    MAX_DEPTH,
    MAX_ELEMENTS,
    DecodedTx,
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

K1 = Crypto(Cryptoer.SECP256K1, Hasher.KECCAK256)
P256 = Crypto(Cryptoer.P256, Hasher.SHA256)
PAIRS = [K1, P256]
K1_PRIV = K1.generate_private_key()
FUZZ = settings(
    max_examples=500,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)

# Client transactions that go-ibax (Unmarshall + Validate + CheckSign) accepted, as published
# with Weaver's test fixtures: a nested header with every integer as a 64-bit msgpack int.
GO_UTXO_SHA256 = bytes.fromhex(
    "8081e083a648656164657286a24944cf0000000000000000a454696d65cf0000000068e77800ab4563"
    "6f73797374656d4944cf0000000000000001a54b65794944cf084c3d35944ee5a6a94e6574776f726b"
    "4944cf0000000000000005a95075626c69634b6579c441042b49fef0125be27d32d5e91470e25414e4"
    "46d51e5fbdf7f5f4a995f446b1c2c4c6b60561be4b681f3147009ffac05a30e92f74f1ab345d121ea8"
    "6899ffa6e24fa45554584f83a4546f4944cf084c3d35944ee5a6a556616c7565ad3135303030303030"
    "3030303030a7436f6d6d656e74a0a44c616e67a2656e406b9d62582396e30f037132a7dd51d5a7567e"
    "522b992390734fa7b8b0b623369507b17b2b00f3432950b011f8cb5281cd3f61968e6e3503c84935ed"
    "01c4737ce0"
)
GO_UTXO_SHA256_HASH = "13bd27a6912a66756567a02eb9e705039051592e355d29a1afda78130741d8a2"
GO_CONTRACT_KECCAK = bytes.fromhex(
    "8082017b83a648656164657286a24944cf000000000000000ca454696d65cf0000000068e77800ab45"
    "636f73797374656d4944cf0000000000000003a54b65794944cf56a333ecaf52e679a94e6574776f72"
    "6b4944cf0000000000000005a95075626c69634b6579c441042b49fef0125be27d32d5e91470e25414"
    "e446d51e5fbdf7f5f4a995f446b1c2c4c6b60561be4b681f3147009ffac05a30e92f74f1ab345d121e"
    "a86899ffa6e24fa6506172616d738fa24931cf000000000000002aa24932d38000000000000000a249"
    "33cf7fffffffffffffffa24934cf0000000000000007a24631cb4014000000000000a24632cb400400"
    "0000000000a24633cb401c000000000000a24634cbc08f400000000000a24d31ad3135303030303030"
    "3030303030a24d32a131a25331a668c3a96c6c6fa24231c3a2413192a161a162a24144cf084c3d3594"
    "4ee5a6a2464c83a44e616d65a5612e747874a84d696d6554797065aa746578742f706c61696ea4426f"
    "6479c4026869a44c616e67a2656e40b298811cb2ae65cf0232444763ec4f59cb4983ea7a9f34bbcd1b"
    "c76e1992e60c5f2d371b8b65848ce949edf7be08c8e1721d95f5011ebd33a64b83bfe1859643"
)


def make_tx(crypto: Crypto, priv: bytes, **kw: Any) -> SmartTransaction:
    pub = crypto.public_key(priv)
    header = Header(5032, 1, crypto.address(pub), 1_700_000_000, 1, b"\x04" + pub)
    kw.setdefault("params", {"NewPubkey": "ab", "Ecosystem": 1})
    return SmartTransaction(header=header, lang="en", expedite="1", **kw)


def client_envelope(payload: bytes, sig: bytes = b"\x00") -> bytes:
    return b"\x80" + encode_length(len(payload)) + payload + encode_length(len(sig)) + sig


def payload_of(body: Any) -> bytes:
    packed: bytes = msgpack.packb(body, use_bin_type=True)
    return packed


def decode_body(body: Any) -> SmartTransaction:
    return decode_tx(client_envelope(payload_of(body)), K1).tx


def sdk_outer(raw: bytes) -> dict[str, Any]:
    outer: dict[str, Any] = msgpack.unpackb(raw[1:], raw=False)
    return outer


def repack_sdk(type_byte: int, outer: dict[str, Any]) -> bytes:
    return bytes([type_byte]) + payload_of(outer)


# --- length prefixes ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("n", "hexed"),
    [
        (0, "00"),
        (5, "05"),
        (67, "43"),
        (127, "7f"),
        (128, "8180"),
        (1024, "820400"),
        (1000000, "830f4240"),
        (2**64 - 1, "88ffffffffffffffff"),
    ],
)
def test_length_vectors(n: int, hexed: str) -> None:
    assert encode_length(n).hex() == hexed
    assert decode_length(b"\xaa" + bytes.fromhex(hexed) + b"\xbb", 1) == (n, 1 + len(hexed) // 2)


def test_encode_length_refuses_negative() -> None:
    with pytest.raises(ValueError):
        encode_length(-1)


@pytest.mark.parametrize(
    ("buf", "why"),
    [
        (b"", "truncated"),
        (b"\x82\x04", "truncated"),
        (b"\x89" + b"\x01" * 9, "width 9"),
        (b"\x80", "width 0"),
        (b"\x81\x05", "non-canonical"),
        (b"\x82\x00\x90", "non-canonical"),
    ],
)
def test_decode_length_rejects(buf: bytes, why: str) -> None:
    with pytest.raises(TxDecodeError, match=why):
        decode_length(buf, 0)


# --- real transactions accepted by go-ibax ------------------------------------------------


def test_go_ibax_utxo_vector() -> None:
    crypto = Crypto(Cryptoer.SECP256K1, Hasher.SHA256)
    decoded = decode_tx(GO_UTXO_SHA256, crypto)
    assert decoded.hash.hex() == GO_UTXO_SHA256_HASH
    assert decoded.tx.tx_type is TxType.UTXO
    assert decoded.tx.utxo == Utxo(597920150864192934, "1500000000000", "")
    assert decoded.tx.header.network_id == 5 and decoded.tx.header.time == 1760000000
    assert len(decoded.tx.header.public_key) == 65  # kept as sent, 04 prefix included
    assert decoded.size == len(GO_UTXO_SHA256) and decoded.timestamp_ms is None
    verify_tx_signature(decoded, crypto)
    with pytest.raises(TxSignatureError, match="Incorrect sign"):
        # The same bytes under another hasher are another hash: the signature cannot match.
        verify_tx_signature(decode_tx(GO_UTXO_SHA256, K1), K1)


def test_go_ibax_contract_params_vector() -> None:
    decoded = decode_tx(GO_CONTRACT_KECCAK, K1)
    verify_tx_signature(decoded, K1)
    header = decoded.tx.header
    assert (header.id, header.ecosystem_id, header.key_id) == (12, 3, 6242890600112383609)
    params = decoded.tx.params
    assert params["I2"] == -(2**63) and params["I3"] == 2**63 - 1 and params["I1"] == 42
    assert params["F1"] == 5.0 and isinstance(params["F1"], float) and params["F4"] == -1000.0
    assert params["M1"] == "1500000000000" and params["S1"] == "héllo" and params["B1"] is True
    assert params["A1"] == ["a", "b"] and params["AD"] == 597920150864192934
    assert params["FL"] == {"Name": "a.txt", "MimeType": "text/plain", "Body": b"hi"}


# --- round trips -------------------------------------------------------------------------


@pytest.mark.parametrize("crypto", PAIRS, ids=lambda c: c.cryptoer.value)
@pytest.mark.parametrize("der", [False, True], ids=["raw", "der"])
@pytest.mark.parametrize("nested", [False, True], ids=["flat", "nested"])
def test_client_envelope_round_trip(crypto: Crypto, der: bool, nested: bool) -> None:
    priv = crypto.generate_private_key()
    tx = make_tx(crypto, priv)
    raw = build_client_tx(tx, priv, crypto, der=der, nested_header=nested)
    decoded = decode_tx(raw, crypto)
    assert decoded.tx == tx
    assert decoded.payload == encode_payload(tx, nested)
    assert decoded.hash == crypto.double_hash(decoded.payload)
    assert decoded.raw == raw and decoded.timestamp_ms is None
    assert (len(decoded.signature) > 64) is der
    assert (b"\xa6Header" in decoded.payload) is nested
    verify_tx_signature(decoded, crypto)


@pytest.mark.parametrize("crypto", PAIRS, ids=lambda c: c.cryptoer.value)
@pytest.mark.parametrize(
    "body",
    [
        {},
        {"utxo": Utxo(to_id=-5555, value="100", comment="hi")},
        {"transfer_self": TransferSelf("5", "UTXO", "Account")},
    ],
    ids=["contract", "utxo", "transfer_self"],
)
def test_sdk_envelope_round_trip(crypto: Crypto, body: dict[str, Any]) -> None:
    priv = crypto.generate_private_key()
    tx = make_tx(crypto, priv, **body)
    raw = build_sdk_tx(tx, priv, crypto, timestamp_ms=1_700_000_000_123)
    assert raw[0] == tx.tx_type
    decoded = decode_tx(raw, crypto)
    assert decoded.tx == tx and decoded.timestamp_ms == 1_700_000_000_123
    assert decoded.payload == encode_payload(tx)
    assert decoded.hash == sdk_outer(raw)["Hash"] == crypto.double_hash(decoded.payload)
    verify_tx_signature(decoded, crypto)


@pytest.mark.parametrize("kind", ["utxo", "transfer_self"])
def test_client_envelope_carries_utxo_and_transfer_self(kind: str) -> None:
    extra: dict[str, Any] = (
        {"utxo": Utxo(to_id=2**62, value="7")}
        if kind == "utxo"
        else {"transfer_self": TransferSelf("5", "Account", "UTXO")}
    )
    tx = make_tx(K1, K1_PRIV, params={}, **extra)
    decoded = decode_tx(build_client_tx(tx, K1_PRIV, K1), K1)
    assert decoded.tx == tx
    assert decoded.tx.tx_type is (TxType.UTXO if kind == "utxo" else TxType.TRANSFER_SELF)
    verify_tx_signature(decoded, K1)


def test_tx_type_and_both_bodies_refused() -> None:
    header = make_tx(K1, K1_PRIV).header
    assert SmartTransaction(header=header).tx_type is TxType.SMART_CONTRACT
    assert int(SmartTransaction(header=header, utxo=Utxo(1, "1")).tx_type) == 5
    with pytest.raises(ValueError):
        SmartTransaction(header=header, utxo=Utxo(1, "1"), transfer_self=TransferSelf("", "", ""))
    with pytest.raises(TxDecodeError, match="not both"):
        decode_body({"UTXO": {}, "TransferSelf": {}})


# --- SDK envelope checks -----------------------------------------------------------------


def test_sdk_forged_hash_refused_and_missing_hash_recomputed() -> None:
    tx = make_tx(K1, K1_PRIV)
    raw = build_sdk_tx(tx, K1_PRIV, K1, timestamp_ms=1)
    outer = sdk_outer(raw)
    outer["Hash"] = b"\x00" * 32
    with pytest.raises(TxDecodeError, match="tx hash mismatch"):
        decode_tx(repack_sdk(raw[0], outer), K1)
    del outer["Hash"]
    decoded = decode_tx(repack_sdk(raw[0], outer), K1)
    assert decoded.hash == K1.double_hash(encode_payload(tx))


def test_sdk_payload_is_what_counts_not_txsmart() -> None:
    tx = make_tx(K1, K1_PRIV)
    raw = build_sdk_tx(tx, K1_PRIV, K1, timestamp_ms=1)
    outer = sdk_outer(raw)
    outer["TxSmart"]["Params"] = {"NewPubkey": "forged"}
    assert decode_tx(repack_sdk(raw[0], outer), K1).tx.params["NewPubkey"] == "ab"
    outer["Payload"] = b""
    with pytest.raises(TxDecodeError, match="no Payload"):
        decode_tx(repack_sdk(raw[0], outer), K1)
    del outer["Payload"]
    with pytest.raises(TxDecodeError, match="no Payload"):
        decode_tx(repack_sdk(raw[0], outer), K1)


@pytest.mark.parametrize(
    ("change", "why"),
    [
        ({"TxSignature": None}, "no TxSignature"),
        ({"TxSignature": b"\x41" + b"\x00" * 64}, "length prefix"),
        ({"TxSignature": b"\x40" + b"\x00" * 63}, "length prefix"),
        ({"Timestamp": "now"}, "Timestamp must be an integer"),
        ({"Payload": "not bytes"}, "Payload must be bytes"),
    ],
)
def test_sdk_malformed_fields(change: dict[str, Any], why: str) -> None:
    raw = build_sdk_tx(make_tx(K1, K1_PRIV), K1_PRIV, K1, timestamp_ms=1)
    outer = sdk_outer(raw)
    outer.update(change)
    with pytest.raises(TxDecodeError, match=why):
        decode_tx(repack_sdk(raw[0], outer), K1)


@pytest.mark.parametrize("type_byte", [3, 6])
def test_sdk_type_byte_must_match_payload(type_byte: int) -> None:
    raw = build_sdk_tx(make_tx(K1, K1_PRIV, utxo=Utxo(1, "1")), K1_PRIV, K1, timestamp_ms=1)
    assert raw[0] == 5
    with pytest.raises(TxDecodeError, match=f"type byte {type_byte}"):
        decode_tx(bytes([type_byte]) + raw[1:], K1)


@pytest.mark.parametrize("first", [0, 1, 2, 4, 7, 0x7F, 0x81, 0xFF])
def test_unsupported_type_bytes(first: int) -> None:
    raw = build_sdk_tx(make_tx(K1, K1_PRIV), K1_PRIV, K1, timestamp_ms=1)
    with pytest.raises(TxDecodeError, match="unsupported tx type"):
        decode_tx(bytes([first]) + raw[1:], K1)
    with pytest.raises(TxDecodeError, match="empty"):
        decode_tx(b"", K1)


# --- client envelope framing -------------------------------------------------------------


def test_client_framing_errors() -> None:
    raw = build_client_tx(make_tx(K1, K1_PRIV), K1_PRIV, K1)
    with pytest.raises(TxDecodeError, match="trailing bytes after the signature"):
        decode_tx(raw + b"\x00", K1)
    with pytest.raises(TxDecodeError, match="truncated signature"):
        decode_tx(raw[:-1], K1)
    with pytest.raises(TxDecodeError, match="truncated"):
        decode_tx(raw[:40], K1)
    payload = payload_of({"Lang": "en"})
    with pytest.raises(TxDecodeError, match="trailing bytes after msgpack"):
        decode_tx(client_envelope(payload + b"\xc0"), K1)
    with pytest.raises(TxDecodeError, match="truncated msgpack"):
        decode_tx(client_envelope(b""), K1)


# --- signatures --------------------------------------------------------------------------


@pytest.mark.parametrize("crypto", PAIRS, ids=lambda c: c.cryptoer.value)
def test_tampered_payload_or_signature_fails(crypto: Crypto) -> None:
    priv = crypto.generate_private_key()
    raw = build_client_tx(make_tx(crypto, priv), priv, crypto)
    good = decode_tx(raw, crypto)
    verify_tx_signature(good, crypto)
    # Flip one bit of the "en" Lang value: still a valid payload, another hash.
    at = raw.index(b"\xa2en") + 1
    tampered = decode_tx(raw[:at] + b"f" + raw[at + 1 :], crypto)
    assert tampered.hash != good.hash
    with pytest.raises(TxSignatureError, match="Incorrect sign"):
        verify_tx_signature(tampered, crypto)
    bad_sig = DecodedTx(
        good.tx, good.payload, good.hash, bytes([good.signature[0] ^ 1]) + good.signature[1:], raw
    )
    with pytest.raises(TxSignatureError, match="Incorrect sign"):
        verify_tx_signature(bad_sig, crypto)


def test_malformed_key_or_signature_reports_crypto_error() -> None:
    good = decode_tx(build_client_tx(make_tx(K1, K1_PRIV), K1_PRIV, K1), K1)
    short_sig = DecodedTx(good.tx, good.payload, good.hash, good.signature[:10], good.raw)
    with pytest.raises(TxSignatureError, match="wrong len of signature 20"):
        verify_tx_signature(short_sig, K1)
    header = Header(1, 1, 0, 1, 1, b"\x01\x02\x03")
    no_key = DecodedTx(SmartTransaction(header=header), b"", good.hash, good.signature, b"")
    with pytest.raises(TxSignatureError, match=r"invalid parameters len\(public\) = 3"):
        verify_tx_signature(no_key, K1)


def test_key_id_must_belong_to_public_key() -> None:
    tx = make_tx(K1, K1_PRIV)
    other = K1.address(K1.public_key(K1.generate_private_key()))
    forged = SmartTransaction(
        header=Header(5032, 1, other, tx.header.time, 1, tx.header.public_key), params={}
    )
    decoded = decode_tx(build_client_tx(forged, K1_PRIV, K1), K1)
    with pytest.raises(TxSignatureError, match="contract and user public keys are different"):
        verify_tx_signature(decoded, K1)


# --- tolerant field decoding -------------------------------------------------------------


def test_missing_keys_are_zero_values() -> None:
    tx = decode_body({})
    assert tx.header == Header(0, 0, 0, 0, 0, b"")
    assert (tx.max_sum, tx.lang, tx.signed_by, tx.params) == ("", "", 0, {})
    assert tx.utxo is None and tx.transfer_self is None
    assert decode_body({"Params": None, "UTXO": None, "Header": None}).params == {}


def test_encoder_variants_are_accepted() -> None:
    pub = K1.public_key(K1_PRIV)
    tx = decode_body(
        {
            "Header": {"ID": 7, "KeyID": 2**64 - 1, "Time": 2**40, "PublicKey": pub.hex()},
            "Lang": b"en",
            "MaxSum": "100",
            b"Expedite": "2",
            "UTXO": {"ToID": -1, "Value": b"9", "Comment": "\u00e9"},
        }
    )
    # uint64 into an int64 field wraps the way Go reinterprets it.
    assert tx.header.key_id == -1 and tx.header.time == 2**40 and tx.header.id == 7
    assert tx.header.public_key == pub
    assert (tx.lang, tx.max_sum, tx.expedite) == ("en", "100", "2")
    assert tx.utxo == Utxo(-1, "9", "\u00e9")


@pytest.mark.parametrize(
    ("body", "why"),
    [
        ({"Time": "now"}, "Time must be an integer"),
        ({"ID": 1.5}, "ID must be an integer"),
        ({"KeyID": True}, "KeyID must be an integer"),
        ({"Header": {"NetworkID": [1]}}, "NetworkID must be an integer"),
        ({"Header": 5}, "Header must be a map"),
        ({"Header": {"ID": 1}, "KeyID": 2}, "both nested and flat"),
        ({"PublicKey": "zz"}, "PublicKey string is not hex"),
        ({"PublicKey": 12}, "PublicKey must be bytes"),
        ({"Lang": 1}, "Lang must be a string"),
        ({"MaxSum": b"\xff\xfe"}, "MaxSum is not UTF-8"),
        ({"SignedBy": "1"}, "SignedBy must be an integer"),
        ({"Params": [1]}, "Params must be a map"),
        ({"Params": {1: 2}}, "map keys must be strings"),
        ({"Params": {"x": {"y": {3: 4}}}}, "map keys must be strings"),
        ({"UTXO": {"ToID": "x"}}, "UTXO.ToID must be an integer"),
        ({"UTXO": [1]}, "UTXO must be a map"),
        ({"TransferSelf": {"Value": 5}}, "TransferSelf.Value must be a string"),
        ([1, 2], "transaction must be a map"),
        (None, "transaction must be a map"),
    ],
)
def test_wrong_field_types_are_decode_errors(body: Any, why: str) -> None:
    with pytest.raises(TxDecodeError, match=why):
        decode_body(body)


def test_duplicate_keys_extensions_and_bad_utf8_refused() -> None:
    duplicate = b"\x82\xa4Lang\xa2en\xa4Lang\xa2fr"
    with pytest.raises(TxDecodeError, match="duplicate map key"):
        decode_tx(client_envelope(duplicate), K1)
    extension = b"\x81\xa6Params\x81\xa1t\xd6\xff\x00\x00\x00\x01"
    with pytest.raises(TxDecodeError, match="extension"):
        decode_tx(client_envelope(extension), K1)
    bad_utf8_str = b"\x81\xa4Lang\xa2\xff\xfe"
    with pytest.raises(TxDecodeError, match="malformed msgpack"):
        decode_tx(client_envelope(bad_utf8_str), K1)
    with pytest.raises(TxDecodeError, match="0xc1"):
        decode_tx(client_envelope(b"\xc1"), K1)


# --- work bounds -------------------------------------------------------------------------


def nested_params(levels: int) -> bytes:
    value: Any = 1
    for _ in range(levels):
        value = [value]
    return payload_of({"Params": {"x": value}})


def test_depth_limit() -> None:
    # The top map and Params take two levels; the rest are arrays.
    assert decode_tx(client_envelope(nested_params(MAX_DEPTH - 2)), K1).tx.params["x"]
    with pytest.raises(TxDecodeError, match="nested deeper"):
        decode_tx(client_envelope(nested_params(MAX_DEPTH - 1)), K1)
    started = time.monotonic()
    with pytest.raises(TxDecodeError, match="nested deeper"):
        decode_tx(client_envelope(b"\x91" * 200_000 + b"\x01"), K1)
    assert time.monotonic() - started < 10  # a hang guard (unbounded: minutes), not a speed test


def test_element_limit() -> None:
    # Top map, "Params", its map, "x" and the array are five elements of the budget.
    fits = payload_of({"Params": {"x": [0] * (MAX_ELEMENTS - 5)}})
    assert len(decode_tx(client_envelope(fits), K1).tx.params["x"]) == MAX_ELEMENTS - 5
    too_many = payload_of({"Params": {"x": [0] * (MAX_ELEMENTS - 4)}})
    with pytest.raises(TxDecodeError, match="more than 10000 elements"):
        decode_tx(client_envelope(too_many), K1)


@pytest.mark.parametrize(
    "body",
    [
        b"\xdf\xff\xff\xff\xff",  # map32 of 4 billion entries
        b"\xdd\xff\xff\xff\xff\x01",  # array32
        b"\xdb\xff\xff\xff\xffabc",  # str32
        b"\xc6\xff\xff\xff\xff",  # bin32
        b"\x81\xa6Params\xde\xff\xff",  # map16 inside
    ],
    ids=["map32", "array32", "str32", "bin32", "map16"],
)
def test_huge_declared_lengths_refused_quickly(body: bytes) -> None:
    started = time.monotonic()
    with pytest.raises(TxDecodeError, match="declares more"):
        decode_tx(client_envelope(body), K1)
    with pytest.raises(TxDecodeError, match="declares more"):
        decode_tx(b"\x05" + body, K1)
    assert time.monotonic() - started < 10  # a hang guard (unbounded: minutes), not a speed test


def test_huge_envelope_length_prefix_refused() -> None:
    with pytest.raises(TxDecodeError, match="truncated payload"):
        decode_tx(b"\x80\x88\x7f\xff\xff\xff\xff\xff\xff\xff\x00", K1)
    with pytest.raises(TxDecodeError, match="width"):
        decode_tx(b"\x80\x8f" + b"\xff" * 20, K1)


# --- fuzzing -----------------------------------------------------------------------------


def _decode_or_refuse(data: bytes) -> DecodedTx | None:
    try:
        return decode_tx(data, K1)
    except TxDecodeError:
        return None


@FUZZ
@given(st.binary(max_size=2048))
def test_fuzz_arbitrary_bytes(data: bytes) -> None:
    decoded = _decode_or_refuse(data)
    if decoded is not None:
        assert decoded.raw == data and decoded.hash == K1.double_hash(decoded.payload)


@FUZZ
@given(st.sampled_from([0x80, 3, 5, 6]), st.binary(max_size=512))
def test_fuzz_bytes_behind_a_valid_type_byte(first: int, data: bytes) -> None:
    decoded = _decode_or_refuse(bytes([first]) + data)
    if decoded is not None:
        assert decoded.raw[0] == first


_FUZZ_PRIV = K1.generate_private_key()
VALID = [
    build_client_tx(make_tx(K1, _FUZZ_PRIV), _FUZZ_PRIV, K1),
    build_client_tx(make_tx(K1, _FUZZ_PRIV), _FUZZ_PRIV, K1, der=True, nested_header=False),
    build_sdk_tx(make_tx(K1, _FUZZ_PRIV, utxo=Utxo(1, "1", "")), _FUZZ_PRIV, K1, 5),
    build_sdk_tx(
        make_tx(K1, _FUZZ_PRIV, transfer_self=TransferSelf("1", "a", "b")), _FUZZ_PRIV, K1, 5
    ),
    GO_CONTRACT_KECCAK,
]


@FUZZ
@given(
    st.sampled_from(VALID),
    st.lists(
        st.tuples(st.integers(0, 4096), st.integers(0, 255), st.sampled_from("fit")),
        min_size=1,
        max_size=6,
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
    decoded = _decode_or_refuse(bytes(data))
    if decoded is None:
        return
    assert decoded.hash == K1.double_hash(decoded.payload)
    try:
        verify_tx_signature(decoded, K1)
    except TxSignatureError:
        return
    # Whatever still verifies carries the original signed payload.
    assert any(decoded.payload in original for original in VALID)
