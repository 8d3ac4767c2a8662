"""Keys, hashes and ECDSA signatures for both of the reference node's crypto pairs."""

from __future__ import annotations

import functools
import hashlib
import secrets
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

import coincurve
import sha3  # safe-pysha3: Keccak-256 at a fifth of pycryptodome's per-call cost
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import (
    Prehashed,
    decode_dss_signature,
    encode_dss_signature,
)

from chain.address import key_id_from_hash
from chain.errors import CryptoError

ADDRESS_SEED_PREFIX: Final = b"IBAX Address By Seed:"

_SECP256K1_N: Final = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
_P256_N: Final = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551


class Cryptoer(StrEnum):
    """Signature curve names as ``getuid`` reports them."""

    SECP256K1 = "ECC_Secp256k1"
    P256 = "ECC_P256"


class Hasher(StrEnum):
    """Hash function names as ``getuid`` reports them."""

    KECCAK256 = "KECCAK256"
    SHA256 = "SHA256"


@functools.lru_cache(maxsize=65536)  # every tx checks its sender's key id: senders repeat
def _address(hasher: Hasher, public_key: bytes) -> int:
    digest = _keccak256(public_key) if hasher is Hasher.KECCAK256 else _sha256(public_key)
    return key_id_from_hash(digest)


def address_cache_stats() -> tuple[int, int]:
    """(hits, misses) of the key id cache in this process, for the node's metrics."""
    info = _address.cache_info()
    return info.hits, info.misses


@functools.lru_cache(maxsize=16384)  # every tx's signature is checked against its sender's key
def _secp256k1_key(pub: bytes) -> coincurve.PublicKey:
    # Parsing the point (a curve check in libsecp256k1) is about 3% of a signature check.
    return coincurve.PublicKey(b"\x04" + pub)


def key_cache_stats() -> tuple[int, int]:
    """(hits, misses) of the parsed secp256k1 public keys cache in this process."""
    info = _secp256k1_key.cache_info()
    return info.hits, info.misses


def _keccak256(data: bytes) -> bytes:
    return sha3.keccak_256(data).digest()  # type: ignore[no-any-return]


def _sha256(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def cut_pub(pub: bytes) -> bytes:
    """Return the 64-byte X||Y form, dropping a leading 0x04 of an uncompressed 65-byte key."""
    if len(pub) == 65 and pub[0] == 4:
        pub = pub[1:]
    if len(pub) != 64:
        raise CryptoError(f"invalid parameters len(public) = {len(pub)}")
    return pub


def pub_to_hex(pub: bytes) -> str:
    """Hex of a public key with the ``04`` prefix, as the reference prints keys."""
    return "04" + cut_pub(pub).hex()


def parse_private_key(text: str) -> bytes:
    """A private key from hex; Go may print fewer than 32 bytes, so left-pad."""
    try:
        raw = bytes.fromhex(text.strip())
    except ValueError as exc:
        raise CryptoError("private key is not hex") from exc
    if not 1 <= len(raw) <= 32:
        raise CryptoError(f"invalid private key length {len(raw)}")
    return raw.rjust(32, b"\0")


def parse_signature(sig: bytes) -> tuple[int, int]:
    """(r, s) from raw r||s (64 bytes) or DER (longer), tolerant as the reference's parser."""
    if len(sig) == 64:
        return int.from_bytes(sig[:32], "big"), int.from_bytes(sig[32:], "big")
    if len(sig) < 64:
        raise CryptoError(f"wrong len of signature {len(sig) * 2}")
    try:
        return decode_dss_signature(sig)
    except ValueError:
        pass
    # The reference walks 30 len 02 lenR R 02 lenS S without strict DER rules.
    try:
        if sig[0] != 0x30 or sig[2] != 0x02:
            raise IndexError
        len_r = sig[3]
        r = sig[4 : 4 + len_r]
        pos = 4 + len_r
        if sig[pos] != 0x02:
            raise IndexError
        len_s = sig[pos + 1]
        s = sig[pos + 2 : pos + 2 + len_s]
        if len(r) != len_r or len(s) != len_s or not r or not s:
            raise IndexError
    except IndexError as exc:
        raise CryptoError("malformed DER signature") from exc
    return int.from_bytes(r[-32:], "big"), int.from_bytes(s[-32:], "big")


@dataclass(frozen=True, slots=True)
class Crypto:
    """One crypto pair: every hash, key, signature and address operation goes through it."""

    cryptoer: Cryptoer = Cryptoer.SECP256K1
    hasher: Hasher = Hasher.KECCAK256

    def hash(self, data: bytes) -> bytes:
        """The node hasher (``crypto.Hash``)."""
        return _keccak256(data) if self.hasher is Hasher.KECCAK256 else _sha256(data)

    def double_hash(self, data: bytes) -> bytes:
        """``crypto.DoubleHash``: the hasher applied twice."""
        return self.hash(self.hash(data))

    def generate_private_key(self) -> bytes:
        """32 random bytes that form a valid private key on the curve."""
        order = _SECP256K1_N if self.cryptoer is Cryptoer.SECP256K1 else _P256_N
        while True:
            key = secrets.token_bytes(32)
            if 0 < int.from_bytes(key, "big") < order:
                return key

    def public_key(self, private_key: bytes) -> bytes:
        """64-byte X||Y public key of a private key."""
        if self.cryptoer is Cryptoer.SECP256K1:
            try:
                return coincurve.PrivateKey(private_key).public_key.format(compressed=False)[1:]
            except (ValueError, TypeError) as exc:
                raise CryptoError("invalid private key") from exc
        try:
            priv = ec.derive_private_key(int.from_bytes(private_key, "big"), ec.SECP256R1())
        except ValueError as exc:
            raise CryptoError("invalid private key") from exc
        numbers = priv.public_key().public_numbers()
        return numbers.x.to_bytes(32, "big") + numbers.y.to_bytes(32, "big")

    def sign(self, private_key: bytes, data: bytes) -> bytes:
        """ECDSA over ``hash(data)``; raw r||s, 64 bytes, as Go clients send."""
        return self.signer(private_key).sign(data)

    def signer(self, private_key: bytes) -> Signer:
        """A key made ready once, for a caller that signs many messages with it."""
        return Signer(self, private_key)

    def sign_der(self, private_key: bytes, data: bytes) -> bytes:
        """The same signature DER-encoded, as Weaver (jsrsasign) sends it."""
        raw = self.sign(private_key, data)
        return encode_dss_signature(
            int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big")
        )

    def verify(self, public_key: bytes, data: bytes, signature: bytes) -> bool:
        """Check a raw or DER signature over ``hash(data)``.

        Raises CryptoError for malformed keys or signatures (the reference answers those with the
        error text), returns False for a well-formed signature that does not match.
        """
        pub = cut_pub(public_key)
        r, s = parse_signature(signature)
        digest = self.hash(data)
        if self.cryptoer is Cryptoer.SECP256K1:
            if not (0 < r < _SECP256K1_N and 0 < s < _SECP256K1_N):
                return False
            # libsecp256k1 accepts only low-S; (r, n-s) is the same signature, so normalise.
            if s > _SECP256K1_N // 2:
                s = _SECP256K1_N - s
            try:
                key = _secp256k1_key(pub)
            except ValueError as exc:
                raise CryptoError("invalid public key") from exc
            return bool(key.verify(encode_dss_signature(r, s), digest, hasher=None))
        if not (0 < r < _P256_N and 0 < s < _P256_N):
            return False
        try:
            p256 = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), b"\x04" + pub)
        except ValueError as exc:
            raise CryptoError("invalid public key") from exc
        try:
            p256.verify(encode_dss_signature(r, s), digest, ec.ECDSA(Prehashed(hashes.SHA256())))
        except InvalidSignature:
            return False
        return True

    def address(self, public_key: bytes) -> int:
        """Key id (signed int64) of a public key: CRC-64 of SHA-512 of hash(X||Y)."""
        return _address(self.hasher, cut_pub(public_key))

    def seed_address(self, seed: str) -> int:
        """Key id derived from a seed string (the contract function ``SeedToID``)."""
        return key_id_from_hash(self.hash(ADDRESS_SEED_PREFIX + seed.encode()))


class Signer:
    """One private key of one pair, parsed once: :meth:`Crypto.sign` without the per-call setup.

    Building the key object is over half of a secp256k1 signature's cost, so the node key,
    which signs every bank transaction, is kept as one of these.
    """

    __slots__ = ("_crypto", "_key")

    def __init__(self, crypto: Crypto, private_key: bytes) -> None:
        self._crypto = crypto
        self._key: coincurve.PrivateKey | ec.EllipticCurvePrivateKey = (
            coincurve.PrivateKey(private_key)
            if crypto.cryptoer is Cryptoer.SECP256K1
            else ec.derive_private_key(int.from_bytes(private_key, "big"), ec.SECP256R1())
        )

    def sign(self, data: bytes) -> bytes:
        """ECDSA over ``hash(data)``; raw r||s, 64 bytes."""
        digest = self._crypto.hash(data)
        key = self._key
        if isinstance(key, coincurve.PrivateKey):
            return bytes(key.sign_recoverable(digest, hasher=None)[:64])
        der = key.sign(digest, ec.ECDSA(Prehashed(hashes.SHA256())))
        r, s = decode_dss_signature(der)
        return r.to_bytes(32, "big") + s.to_bytes(32, "big")
