"""Signatures, hashes and key handling for both crypto pairs."""

from __future__ import annotations

import hashlib

import pytest
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from chain.crypto import (
    Crypto,
    Cryptoer,
    Hasher,
    key_cache_stats,
    parse_private_key,
    pub_to_hex,
)
from chain.errors import CryptoError

PAIRS = [Crypto(Cryptoer.SECP256K1, Hasher.KECCAK256), Crypto(Cryptoer.P256, Hasher.SHA256)]


def test_hashers() -> None:
    assert Crypto(hasher=Hasher.SHA256).hash(b"abc") == hashlib.sha256(b"abc").digest()
    # Legacy Keccak (Ethereum's), not FIPS SHA3-256.
    assert Crypto(hasher=Hasher.KECCAK256).hash(b"").hex() == (
        "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"
    )
    crypto = Crypto()
    assert crypto.double_hash(b"x") == crypto.hash(crypto.hash(b"x"))


@pytest.mark.parametrize("crypto", PAIRS, ids=lambda c: c.cryptoer.value)
def test_sign_verify_raw_and_der(crypto: Crypto) -> None:
    priv = crypto.generate_private_key()
    pub = crypto.public_key(priv)
    assert len(pub) == 64
    raw = crypto.sign(priv, b"LOGIN1123")
    assert len(raw) == 64
    assert crypto.verify(pub, b"LOGIN1123", raw)
    assert crypto.verify(b"\x04" + pub, b"LOGIN1123", raw)
    der = crypto.sign_der(priv, b"LOGIN1123")
    assert der[0] == 0x30 and len(der) > 64
    assert crypto.verify(pub, b"LOGIN1123", der)
    assert not crypto.verify(pub, b"LOGIN1124", raw)
    other = crypto.public_key(crypto.generate_private_key())
    assert not crypto.verify(other, b"LOGIN1123", raw)


def test_high_s_secp256k1_signature_is_accepted() -> None:
    crypto = PAIRS[0]
    priv = crypto.generate_private_key()
    raw = crypto.sign(priv, b"data")
    n = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
    r, s = int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big")
    high = encode_dss_signature(r, n - s)
    assert crypto.verify(crypto.public_key(priv), b"data", high)


def test_malformed_material_raises() -> None:
    crypto = PAIRS[0]
    priv = crypto.generate_private_key()
    pub = crypto.public_key(priv)
    with pytest.raises(CryptoError, match="invalid parameters len"):
        crypto.verify(pub[:63], b"x", crypto.sign(priv, b"x"))
    with pytest.raises(CryptoError, match="wrong len of signature 126"):
        crypto.verify(pub, b"x", b"\x01" * 63)
    with pytest.raises(CryptoError):
        crypto.verify(pub, b"x", b"\x31" + b"\x00" * 70)


def test_key_text_forms() -> None:
    crypto = PAIRS[1]
    priv = crypto.generate_private_key()
    assert parse_private_key(priv.hex()) == priv
    assert parse_private_key("01") == b"\0" * 31 + b"\x01"
    assert pub_to_hex(crypto.public_key(priv)).startswith("04")
    with pytest.raises(CryptoError):
        parse_private_key("zz")


def test_seed_address_is_deterministic() -> None:
    crypto = PAIRS[0]
    assert crypto.seed_address("alice") == crypto.seed_address("alice")
    assert crypto.seed_address("alice") != crypto.seed_address("bob")


def test_a_senders_parsed_key_is_kept() -> None:
    crypto = Crypto()
    private = crypto.generate_private_key()
    public = crypto.public_key(private)
    first, second = crypto.sign(private, b"one"), crypto.sign(private, b"two")
    assert crypto.verify(public, b"one", first)
    hits, _ = key_cache_stats()
    # The same sender again (the 65-byte form too): its key is not parsed again.
    assert crypto.verify(b"\x04" + public, b"two", second)
    assert not crypto.verify(public, b"two", first)
    assert key_cache_stats()[0] == hits + 2
