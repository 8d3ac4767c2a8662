"""Key ids and address strings against the reference's worked examples."""

from __future__ import annotations

import pytest

from chain.address import (
    address_to_id,
    address_to_string,
    crc64,
    id_to_address,
    is_valid_address,
    string_to_address,
)
from chain.crypto import Crypto, Cryptoer, Hasher

OLD_GUEST_PUB = bytes.fromhex(
    "489347a1205c818d9a02f285faaedd0122a56138e3d985f5e1b4f6a9470f90f6"
    "92a00a3453771dd7feea388ceb7aefeaf183e299c70ad1aecb7f870bfada3b86"
)
GUEST_PUB = bytes.fromhex(
    "ef0ab117793962b7b3ee8d2ae94b58bbd7db1aa856a7dc623fdb28ad530090b0"
    "bcf5cb81b4d6912a249f1ab30921f414ad88383208cd8ba26ae2a9c3eb543772"
)


def test_crc64_check_value() -> None:
    assert crc64(b"123456789") == 0x995DC9BBDF1939FA


def test_sha256_key_id_of_old_guest_key() -> None:
    crypto = Crypto(Cryptoer.P256, Hasher.SHA256)
    key_id = crypto.address(OLD_GUEST_PUB)
    assert key_id == 4544233900443112470
    assert address_to_string(key_id) == "0454-4233-9004-4311-2470"


def test_keccak_key_id_of_current_guest_key() -> None:
    crypto = Crypto(Cryptoer.SECP256K1, Hasher.KECCAK256)
    assert crypto.address(GUEST_PUB) == -110277540701013350
    assert crypto.address(b"\x04" + GUEST_PUB) == -110277540701013350
    assert address_to_string(-110277540701013350) == "1833-6466-5330-0853-8266"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1088-3972-0775-1704-9008", -7562771996192502608),
        ("0323-3625-0280-2110-5478", 3233625028021105478),
        ("1109-7770-3360-6764-7059", -7348973737641904557),
        ("0005-2070-2000-0006-0200", 52070200000060200),
        ("3434341", 3434341),
        ("0005207000", 0),
        ("1234-5678-9012-3444-3488", 0),
        ("-110277540701013350", -110277540701013350),
        ("18336466533008538266", -110277540701013350),
        ("", 0),
        ("abc", 0),
        ("-1_0", 0),
        ("+3434341", 0),
        ("99999999999999999999", 0),
    ],
)
def test_string_to_address(text: str, expected: int) -> None:
    assert string_to_address(text) == expected


def test_validity_helpers() -> None:
    assert is_valid_address("1833-6466-5330-0853-8266")
    assert not is_valid_address("1833-6466-5330-0853-8267")
    assert id_to_address(-110277540701013350) == "1833-6466-5330-0853-8266"
    assert id_to_address(-110277540701013351) == "invalid"
    assert address_to_id("1833-6466-5330-0853-8266") == -110277540701013350
    assert address_to_id("-110277540701013350") == -110277540701013350
    assert address_to_id("18336466533008538266") == -110277540701013350
    assert address_to_id("1") == 0
    assert address_to_id("12x") == 0
    assert address_to_id("0005207000") == 0


def test_special_accounts_format() -> None:
    assert address_to_string(0) == "0000-0000-0000-0000-0000"
    assert address_to_string(5555) == "0000-0000-0000-0000-5555"
    assert string_to_address("0000-0000-0000-0000-5555") == 5555
