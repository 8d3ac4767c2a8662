"""Key, address, HMAC and random built-ins: go-ibax's semantics, edges, hostile input."""

from __future__ import annotations

import hashlib
import hmac
import math
from collections.abc import Callable
from decimal import Decimal
from typing import Any, cast

import pytest
from Crypto.Hash import keccak

from chain.crypto import Crypto, Cryptoer, Hasher
from contracts.builtins.keys import bitcoin_builtins, crypto_builtins
from contracts.builtins.random import SeededStream, random_decimal, random_float, random_int
from tests.contracts.builtins.cases import check, fails

D = Decimal


# ---- keys and addresses ----------------------------------------------------------------------

# The secp256k1 public keys of the private keys 1 and 2 (X||Y).
PUB1 = bytes.fromhex(
    "79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798"
    "483ada7726a3c4655da4fbfc0e1108a8fd17b448a68554199c47d08ffb10d4b8"
)
PUB2 = bytes.fromhex(
    "c6047f9441ed7d6d3045406e95c07cd85c778e4b8cef3ca7abac09b95c709ee5"
    "1ae168fea63dc339a3c58419466ceaeef7f632653266d0e1236431a950cfe52a"
)

KEY_CASES: list[tuple[str, tuple[Any, ...], Any]] = [
    ("HexToPub", ("04" + PUB1.hex(),), PUB1),
    ("HexToPub", (PUB1.hex(),), PUB1),
    ("HexToPub", ("ABcd",), b"\xab\xcd"),
    ("HexToPub", ("",), b""),
    ("HexToPub", ("zz",), fails(ValueError, "encoding/hex: invalid byte: U+007A 'z'")),
    ("HexToPub", ("abc",), fails(ValueError, "encoding/hex: odd length hex string")),
    ("HexToPub", ("ab c",), fails(ValueError, "encoding/hex: invalid byte: U+0020 ' '")),
    ("HexToPub", ("a\x01",), fails(ValueError, "encoding/hex: invalid byte: U+0001")),
    ("PubToHex", (PUB1,), "04" + PUB1.hex()),
    ("PubToHex", (b"\x04" + PUB1,), "04" + PUB1.hex()),
    ("PubToHex", ("abc",), "616263"),  # a string is taken as its own bytes, as the reference does
    ("PubToHex", (5,), ""),
    ("EthereumAddress", (PUB1,), "0x7E5F4552091A69125d5DfCb7b8C2659029395Bdf"),
    ("EthereumAddress", (PUB2,), "0x2B5AD5c4795c026514f8317c7a215E218DcCD6cF"),
    ("EthereumAddress", (PUB1.hex(),), fails(TypeError, "string as type []uint8")),
    ("TronAddress", (PUB1,), "TMVQGm1qAQYVdetCeGRRkTWYYrLXuHK2HC"),
]


@pytest.mark.parametrize("name, args, expected", KEY_CASES)
def test_keys(name: str, args: tuple[Any, ...], expected: Any) -> None:
    check(name, args, expected)


BITCOIN_CASES: list[tuple[bool, str, bytes, str]] = [
    (False, "BitcoinLegacyAddress", PUB1, "1EHNa6Q4Jz2uvNExL497mE43ikXhwF6kZm"),
    (False, "BitcoinLegacyAddress", b"\x04" + PUB1, "1EHNa6Q4Jz2uvNExL497mE43ikXhwF6kZm"),
    (False, "BitcoinBip32Address", PUB1, "1BgGZ9tcN4rm9KBzDn7KprQz87SZ26SAMH"),
    (False, "BitcoinBip32Address", b"\x02" + PUB1[:32], "1BgGZ9tcN4rm9KBzDn7KprQz87SZ26SAMH"),
    # The BIP-84, BIP-49 (testnet) and BIP-86 test vectors.
    (False, "BitcoinBip84Address",
     bytes.fromhex("0330d54fd0dd420a6e5f8d3624f5f3482cae350f79d5f0753bf5beef9c2d91af3c"),
     "bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyu"),
    (True, "BitcoinBip49Address",
     bytes.fromhex("03a1af804ac108a8a51782198c2d034b28bf90c8803f5a53f76276fa69a4eae77f"),
     "2Mww8dCYPUpKHofjgcXcBCEGmniw9CoaiD2"),
    (False, "BitcoinBip86Address",
     bytes.fromhex("02cc8a4bc64d897bddc5fbc2f670f7a8ba0b386779106cf1223c6fc5d7cd6fc115"),
     "bc1p5cyxnuxmeuwuvkwfem96lqzszd02n6xdcjrs20cac6yqjjwudpxqkedrcr"),
    (True, "BitcoinLegacyAddress", PUB1, "mtoKs9V381UAhUia3d7Vb9GNak8Qvmcsme"),
]  # fmt: skip


@pytest.mark.parametrize("testnet, name, pub, address", BITCOIN_CASES)
def test_bitcoin_addresses(testnet: bool, name: str, pub: bytes, address: str) -> None:
    assert bitcoin_builtins(testnet)[name].fn(pub) == address


def test_bitcoin_address_errors() -> None:
    legacy = bitcoin_builtins()["BitcoinLegacyAddress"].fn
    with pytest.raises(ValueError, match="malformed public key"):
        legacy(b"\x05" + PUB1)
    with pytest.raises(ValueError, match="not a point"):
        legacy(b"\x04" + b"\x01" * 64)
    with pytest.raises(TypeError, match="string as type"):
        legacy(PUB1.hex())


@pytest.mark.parametrize(
    "crypto", [Crypto(), Crypto(Cryptoer.P256, Hasher.SHA256)], ids=["secp256k1", "p256"]
)
def test_check_sign(crypto: Crypto) -> None:
    check_sign = crypto_builtins(crypto)["CheckSign"].fn
    private = crypto.generate_private_key()
    pub = crypto.public_key(private).hex()
    sig = crypto.sign(private, "Ünïcode data".encode()).hex()
    assert check_sign(pub, "Ünïcode data", sig) is True
    assert check_sign("04" + pub, "Ünïcode data", sig) is True
    der = crypto.sign_der(private, "Ünïcode data".encode()).hex()
    assert check_sign(pub, "Ünïcode data", der) is True
    cases: list[tuple[tuple[Any, ...], type[Exception], str]] = [
        ((pub, "other data", sig), ValueError, "Incorrect sign"),
        ((pub, "Ünïcode data", sig[:-2]), ValueError, "wrong len of signature 126"),
        ((pub, "Ünïcode data", ""), ValueError, "invalid parameters len(signature) == 0"),
        (("", "data", sig), ValueError, "Cheking sign of empty"),
        ((pub[:-2], "data", sig), ValueError, "invalid parameters len(public) = 63"),
        ((pub, "data", "zz"), ValueError, "encoding/hex: invalid byte"),
        ((pub, 5, sig), TypeError, "int64 as type string"),
    ]
    for args, kind, message in cases:
        with pytest.raises(kind) as info:
            check_sign(*args)
        assert message in str(info.value)


class _Keccak:
    """A hashlib-style Keccak-256 object, so the standard hmac module can be the oracle."""

    digest_size = 32
    block_size = 136

    def __init__(self, data: bytes = b"") -> None:
        self.data = data

    def update(self, data: bytes) -> None:
        self.data += data

    def copy(self) -> _Keccak:
        return _Keccak(self.data)

    def digest(self) -> bytes:
        return keccak.new(data=self.data, digest_bits=256).digest()

    def hexdigest(self) -> str:
        return self.digest().hex()


@pytest.mark.parametrize("key", ["key", "", "k" * 136, "k" * 137, "ключ"])
def test_hmac_with_each_hasher(key: str) -> None:
    data = "The quick brown fox jumps over the lazy dog"
    keccak_hmac = crypto_builtins(Crypto())["HMac"].fn
    expected = hmac.new(key.encode(), data.encode(), cast(Any, _Keccak)).hexdigest()
    assert keccak_hmac(key, data, False) == expected
    sha_hmac = crypto_builtins(Crypto(Cryptoer.P256, Hasher.SHA256))["HMac"].fn
    assert (
        sha_hmac(key, data, False)
        == hmac.new(key.encode(), data.encode(), hashlib.sha256).hexdigest()
    )


def test_hmac_known_value_and_raw_output() -> None:
    sha_hmac = crypto_builtins(Crypto(Cryptoer.P256, Hasher.SHA256))["HMac"].fn
    fox = "The quick brown fox jumps over the lazy dog"
    assert sha_hmac("key", fox, False) == (
        "f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8"
    )
    raw = sha_hmac("key", fox, True)
    assert raw.encode("utf-8", "surrogateescape").hex() == sha_hmac("key", fox, False)
    with pytest.raises(TypeError, match="int64 as type bool"):
        sha_hmac("key", fox, 1)


# ---- random ----------------------------------------------------------------------------------


def random_table(seed: bytes) -> dict[str, tuple[Callable[..., Any], int]]:
    """The random built-ins over one stream, as a transaction seeded by `seed` draws them."""
    stream = SeededStream(seed)
    return {
        "Random": (lambda a, b: random_int(stream, a, b), 5),
        "RandomFloat": (lambda a, b: random_float(stream, a, b), 5),
        "RandomDecimal": (lambda a, b: random_decimal(stream, a, b), 5),
    }


def test_random_is_deterministic_per_seed() -> None:
    def draw(seed: bytes) -> list[Any]:
        table = random_table(seed)
        return [
            table["Random"][0](0, 1000),
            table["RandomFloat"][0](0.0, 1.0),
            table["RandomDecimal"][0](D(0), D(10) ** 20),
            table["Random"][0](5, 6),
        ]

    assert draw(b"tx|block") == draw(b"tx|block")
    assert draw(b"tx|block") != draw(b"tx|other")
    assert draw(b"tx|block")[3] == 5


def test_random_ranges() -> None:
    table = random_table(b"ranges")
    ints = {table["Random"][0](3, 7) for _ in range(400)}
    assert ints == {3, 4, 5, 6}
    assert {table["Random"][0](0, 8) for _ in range(400)} == set(range(8))  # power of two
    floats = [table["RandomFloat"][0](1.5, 2.5) for _ in range(400)]
    assert all(1.5 <= f < 2.5 for f in floats) and len(set(floats)) == 400
    decimals = [table["RandomDecimal"][0](D(10), D(20)) for _ in range(400)]
    assert {d for d in decimals} == set(map(D, range(10, 20)))
    assert all(d == d.to_integral_value() for d in decimals)
    big = table["Random"][0](0, (1 << 63) - 1)
    assert 0 <= big < (1 << 63) - 1


@pytest.mark.parametrize(
    "name, args, message",
    [
        ("Random", (5, 5), "wrong random parameters min: 5, max: 5"),
        ("Random", (-1, 5), "wrong random parameters min: -1, max: 5"),
        ("Random", (7, 3), "wrong random parameters min: 7, max: 3"),
        ("RandomFloat", (1.0, 1.0), "wrong random parameters min: 1, max: 1"),
        ("RandomFloat", (-0.5, 1e7), "wrong random parameters min: -0.5, max: 1e+07"),
        ("RandomFloat", (0.0, math.inf), "wrong random parameters"),
        ("RandomDecimal", (D(2), D(1)), "wrong random parameters min: 2, max: 1"),
        ("RandomDecimal", (D("-1.50"), D(1)), "wrong random parameters min: -1.5, max: 1"),
        ("Random", (0, 1.0), "float64 as type int64"),
        ("RandomFloat", (0, 1), "int64 as type float64"),
        ("RandomDecimal", (0, 1), "int64 as type decimal.Decimal"),
    ],
)
def test_random_errors(name: str, args: tuple[Any, ...], message: str) -> None:
    with pytest.raises((ValueError, TypeError)) as info:
        random_table(b"e")[name][0](*args)
    assert message in str(info.value)
