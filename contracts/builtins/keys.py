"""Key and hash built-ins: account ids, public keys, hashes, signatures, HMAC, foreign addresses."""

from __future__ import annotations

import hashlib
import hmac
from typing import Any, Final

import coincurve
from Crypto.Hash import RIPEMD160, keccak

from chain.address import address_to_id, id_to_address, key_id_from_hash
from chain.crypto import ADDRESS_SEED_PREFIX, Crypto, Hasher
from chain.errors import CryptoError
from chain.golang.encoding import hex_decode
from chain.golang.strings import GO_SPACE
from contracts.builtins.gotypes import (
    BYTES,
    go_bytes,
    go_type,
    param,
    want_bool,
    want_bytes,
    want_int,
    want_str,
)
from contracts.builtins.registry import REGISTRY
from contracts.program import Builtin

# ---- account ids -------------------------------------------------------------------------


@REGISTRY.builtin("AddressToId", fuel=5)
def address_to_id_(text: Any) -> int:
    """AddressToId(input string) int: any account form to its id, 0 when invalid."""
    value = want_str(text).strip(GO_SPACE)
    if value != value.strip():
        return 0  # Go's parsers refuse the control characters Python's strip would drop
    return address_to_id(value)


@REGISTRY.builtin("IdToAddress", fuel=5)
def id_to_address_(key_id: Any) -> str:
    """IdToAddress(id int) string: XXXX-XXXX-XXXX-XXXX-XXXX, or "invalid"."""
    return id_to_address(want_int(key_id))


# ---- public keys ---------------------------------------------------------------------------


def _cut_pub(key: bytes) -> bytes:
    return key[1:] if len(key) == 65 and key[0] == 4 else key


@REGISTRY.builtin("HexToPub", fuel=5)
def hex_to_pub(text: Any) -> bytes:
    """HexToPub(hex string) bytes: the key bytes, without a leading 04 of a 65-byte key."""
    return _cut_pub(hex_decode(want_str(text)))


@REGISTRY.builtin("PubToHex", fuel=5)
def pub_to_hex(value: Any) -> str:
    """PubToHex(key) string: hex with 04 added to a 64-byte key.

    As in the reference, a string argument is taken as its own bytes (not decoded from hex),
    and any other type gives "".
    """
    if isinstance(value, str):
        raw = value.encode("utf-8", "surrogateescape")
    elif isinstance(value, bytes):
        raw = value
    else:
        return ""
    return ("04" if len(raw) == 64 else "") + raw.hex()


def _keccak256(data: bytes) -> bytes:
    return keccak.new(data=data, digest_bits=256).digest()


@REGISTRY.builtin("EthereumAddress", fuel=20)
def ethereum_address(pub: Any) -> str:
    """EthereumAddress(pub bytes) string: 0x + last 20 bytes of keccak(pub), EIP-55 cased.

    The reference hashes the bytes as given, so pass the 64-byte key (HexToPub gives that).
    """
    raw = _keccak256(want_bytes(pub))[12:].hex()
    check = _keccak256(raw.encode()).hex()
    cased = "".join(c.upper() if c > "9" and int(h, 16) > 7 else c for c, h in zip(raw, check))
    return "0x" + cased


_B58: Final = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def _base58check(payload: bytes) -> str:
    data = payload + hashlib.sha256(hashlib.sha256(payload).digest()).digest()[:4]
    number = int.from_bytes(data, "big")
    out = []
    while number:
        number, digit = divmod(number, 58)
        out.append(_B58[digit])
    zeros = len(data) - len(data.lstrip(b"\0"))
    return "1" * zeros + "".join(reversed(out))


@REGISTRY.builtin("TronAddress", fuel=20)
def tron_address(pub: Any) -> str:
    """TronAddress(pub bytes) string: base58check of 0x41 + last 20 bytes of keccak(pub)."""
    return _base58check(b"\x41" + _keccak256(want_bytes(pub))[12:])


# ---- Bitcoin -------------------------------------------------------------------------------

_BECH32_CHARSET: Final = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
_BECH32M_CONST: Final = 0x2BC830A3


def _bech32_polymod(values: list[int]) -> int:
    generator = (0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3)
    check = 1
    for value in values:
        top = check >> 25
        check = (check & 0x1FFFFFF) << 5 ^ value
        for i, g in enumerate(generator):
            check ^= g if (top >> i) & 1 else 0
    return check


def _segwit_address(hrp: str, version: int, program: bytes) -> str:
    """BIP-173 (version 0, bech32) or BIP-350 (version 1+, bech32m) address."""
    data = [version]
    acc, bits = 0, 0
    for byte in program:
        acc, bits = acc << 8 | byte, bits + 8
        while bits >= 5:
            bits -= 5
            data.append(acc >> bits & 31)
    if bits:
        data.append(acc << (5 - bits) & 31)
    const = 1 if version == 0 else _BECH32M_CONST
    expanded = [ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp]
    polymod = _bech32_polymod(expanded + data + [0] * 6) ^ const
    checksum = [(polymod >> 5 * (5 - i)) & 31 for i in range(6)]
    return hrp + "1" + "".join(_BECH32_CHARSET[d] for d in data + checksum)


def _hash160(data: bytes) -> bytes:
    return RIPEMD160.new(hashlib.sha256(data).digest()).digest()


def _tagged_hash(tag: str, data: bytes) -> bytes:
    tag_hash = hashlib.sha256(tag.encode()).digest()
    return hashlib.sha256(tag_hash + tag_hash + data).digest()


def _btc_key(value: Any) -> coincurve.PublicKey:
    raw = want_bytes(value)
    if len(raw) == 64:
        raw = b"\x04" + raw
    if not (len(raw) == 33 and raw[0] in (2, 3) or len(raw) == 65 and raw[0] == 4):
        raise ValueError(f"malformed public key: invalid length or format ({len(raw)} bytes)")
    try:
        return coincurve.PublicKey(raw)
    except ValueError as exc:
        raise ValueError("invalid public key: not a point on the secp256k1 curve") from exc


@REGISTRY.factory(
    "BitcoinLegacyAddress",
    "BitcoinBip32Address",
    "BitcoinBip49Address",
    "BitcoinBip84Address",
    "BitcoinBip86Address",
)
def bitcoin_builtins(testnet: bool = False) -> dict[str, Builtin]:
    """The Bitcoin address built-ins for mainnet or, when the platform's `test` is on, testnet3."""
    p2pkh, p2sh, hrp = (b"\x6f", b"\xc4", "tb") if testnet else (b"\x00", b"\x05", "bc")

    def legacy(pub: Any) -> str:
        return _base58check(p2pkh + _hash160(_btc_key(pub).format(compressed=False)))

    def bip32(pub: Any) -> str:
        return _base58check(p2pkh + _hash160(_btc_key(pub).format(compressed=True)))

    def bip49(pub: Any) -> str:
        script = b"\x00\x14" + _hash160(_btc_key(pub).format(compressed=True))
        return _base58check(p2sh + _hash160(script))

    def bip84(pub: Any) -> str:
        return _segwit_address(hrp, 0, _hash160(_btc_key(pub).format(compressed=True)))

    def bip86(pub: Any) -> str:
        # BIP-86: tweak the even-y internal key by tagged_hash("TapTweak", x) with no script.
        x_only = _btc_key(pub).format(compressed=True)[1:]
        tweak = _tagged_hash("TapTweak", x_only)
        output = coincurve.PublicKey(b"\x02" + x_only).add(tweak)
        return _segwit_address(hrp, 1, output.format(compressed=True)[1:])

    return {
        "BitcoinLegacyAddress": Builtin(legacy, 50),
        "BitcoinBip32Address": Builtin(bip32, 50),
        "BitcoinBip49Address": Builtin(bip49, 50),
        "BitcoinBip84Address": Builtin(bip84, 50),
        "BitcoinBip86Address": Builtin(bip86, 100),
    }


# ---- with the node's crypto pair -----------------------------------------------------------


def _hmac(crypto: Crypto, key: bytes, data: bytes) -> bytes:
    if crypto.hasher is Hasher.SHA256:
        return hmac.new(key, data, hashlib.sha256).digest()
    # Keccak-256 HMAC as Go's hmac.New(sha3.NewLegacyKeccak256) computes it: block size 136.
    block = 136
    if len(key) > block:
        key = _keccak256(key)
    key = key.ljust(block, b"\0")
    inner = _keccak256(bytes(b ^ 0x36 for b in key) + data)
    return _keccak256(bytes(b ^ 0x5C for b in key) + inner)


@REGISTRY.factory("PubToID", "SeedToID", "Hash", "DoubleHash", "CheckSign", "HMac")
def crypto_builtins(crypto: Crypto) -> dict[str, Builtin]:
    """Built-ins that use the node's crypto pair: key ids, hashes, CheckSign and HMac."""

    def pub_to_id(hexkey: Any) -> int:
        """PubToID(hexkey string) int: the key id of a hex public key, 0 if it is not hex."""
        try:
            key = hex_to_pub(want_str(hexkey))
        except ValueError:
            return 0
        return key_id_from_hash(crypto.hash(key))

    def seed_to_id(seed: Any) -> int:
        """SeedToID(seed string) int."""
        return key_id_from_hash(crypto.hash(ADDRESS_SEED_PREFIX + go_bytes(want_str(seed))))

    def hash_hex(data: Any) -> str:
        """Hash(data any) string: hex of the node's hash of bytes or of a string's bytes."""
        if data is None:
            data = ""
        if type(data) is str:
            return crypto.hash(go_bytes(data)).hex()
        if type(data) is bytes:
            return crypto.hash(data).hex()
        raise TypeError(f"Unsupported type {go_type(data)}")

    def double_hash(data: Any) -> bytes:
        """DoubleHash(msg bytes) bytes: the raw double hash (the reference takes bytes only)."""
        return crypto.double_hash(param(data, BYTES))

    def check_sign(pub: Any, data: Any, sign: Any) -> bool:
        """CheckSign(pub, data, sign string) bool: true, or an error ("Incorrect sign")."""
        key = _cut_pub(hex_decode(want_str(pub)))
        signature = hex_decode(want_str(sign))
        message = want_str(data).encode("utf-8", "surrogateescape")
        if not key:
            raise ValueError("Cheking sign of empty")
        if len(key) != 64:
            raise ValueError(f"invalid parameters len(public) = {len(key)}")
        if not signature:
            raise ValueError("invalid parameters len(signature) == 0")
        try:
            valid = crypto.verify(key, message, signature)
        except CryptoError as exc:
            raise ValueError(str(exc)) from exc
        if not valid:
            raise ValueError("Incorrect sign")
        return True

    def hmac_(key: Any, data: Any, raw_output: Any) -> str:
        """HMac(key, data string, raw bool) string: hex, or the raw bytes as a string.

        Raw bytes that are not UTF-8 survive as surrogate escapes (encode them back with
        errors="surrogateescape").
        """
        digest = _hmac(
            crypto,
            want_str(key).encode("utf-8", "surrogateescape"),
            want_str(data).encode("utf-8", "surrogateescape"),
        )
        if want_bool(raw_output):
            return digest.decode("utf-8", "surrogateescape")
        return digest.hex()

    return {
        "PubToID": Builtin(pub_to_id, 20),
        "SeedToID": Builtin(seed_to_id, 20),
        "Hash": Builtin(hash_hex, 20),
        "DoubleHash": Builtin(double_hash, 40),
        "CheckSign": Builtin(check_sign, 100),
        "HMac": Builtin(hmac_, 20),
    }
