"""Account ids and their XXXX-XXXX-XXXX-XXXX-XXXX string forms, as the reference computes them."""

from __future__ import annotations

import hashlib
import re

from chain.golang.ints import UINT64_MAX, wrap_int64
from chain.numbers import NumberError, parse_int

BLACK_HOLE_ID = 0
WHITE_HOLE_ID = 5555

_SIGNED_DECIMAL = re.compile(r"-?[0-9]+")  # Go's strconv digits only: no "+", "_" or spaces
_CRC64_POLY = 0xC96C5795D7870F42  # reflected ECMA-182 polynomial, Go's crc64.ECMA table


def _make_crc_table() -> tuple[int, ...]:
    table = []
    for i in range(256):
        crc = i
        for _ in range(8):
            crc = (crc >> 1) ^ _CRC64_POLY if crc & 1 else crc >> 1
        table.append(crc)
    return tuple(table)


_CRC_TABLE = _make_crc_table()


def crc64(data: bytes) -> int:
    """CRC-64/XZ, identical to Go's ``crc64.Checksum(data, crc64.MakeTable(crc64.ECMA))``."""
    crc = 0xFFFFFFFFFFFFFFFF
    table = _CRC_TABLE
    for byte in data:
        crc = table[(crc ^ byte) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFFFFFFFFFF


def checksum(digits: str) -> int:
    """The check digit over 19 decimal digits (odd positions weigh three)."""
    odd = even = 0
    for i, ch in enumerate(digits):
        if i % 2:
            odd += ord(ch) - 48
        else:
            even += ord(ch) - 48
    c = (even + 3 * odd) % 10
    return 10 - c if c > 0 else 0


def key_id_from_hash(digest: bytes) -> int:
    """Key id from the node hasher's digest of a public key (or of an address seed)."""
    crc = crc64(hashlib.sha512(digest).digest())
    num = str(crc).rjust(20, "0")[:20]
    return wrap_int64(crc - crc % 10 + checksum(num[:19]))


def address_to_string(key_id: int) -> str:
    """``XXXX-XXXX-XXXX-XXXX-XXXX`` of the unsigned value; no checksum check."""
    num = str(key_id & UINT64_MAX).rjust(20, "0")
    return "-".join(num[i : i + 4] for i in range(0, 20, 4))


def string_to_address(text: str) -> int:
    """Parse any wallet form the reference accepts; 0 means invalid (as in the reference)."""
    if not text:
        return 0
    if text[0] == "-":
        try:
            signed = parse_int(text)  # an int64, or no address
        except NumberError:
            return 0
        text = str(signed & UINT64_MAX)
    if len(text) < 20:
        text = text.rjust(20, "0")
    text = text.replace("-", "")
    if len(text) != 20 or not text.isascii() or not text.isdigit():
        return 0
    value = int(text)
    if value > UINT64_MAX:
        return 0
    if checksum(text[:19]) != int(text[19]):
        return 0
    return wrap_int64(value)


def is_valid_address(text: str) -> bool:
    """True for 20 digits (dashes ignored) that fit uint64 and carry a correct check digit."""
    digits = text.replace("-", "")
    if len(digits) != 20 or not digits.isascii() or not digits.isdigit():
        return False
    if int(digits) > UINT64_MAX:
        return False
    return checksum(digits[:19]) == int(digits[19])


def id_to_address(key_id: int) -> str:
    """The string form, or the literal ``invalid`` when the id's check digit is wrong."""
    text = address_to_string(key_id)
    return text if is_valid_address(text) else "invalid"


def address_to_id(text: str) -> int:
    """The contract function ``AddressToId``: any form to an id, 0 when invalid."""
    text = text.strip()
    if len(text) < 2:
        return 0
    if text.count("-") == 4 and text[0] != "-":
        value = string_to_address(text)
    elif _SIGNED_DECIMAL.fullmatch(text):
        try:
            value = wrap_int64(parse_int(text, maximum=UINT64_MAX))
        except NumberError:
            return 0
    else:
        return 0
    return value if id_to_address(value) != "invalid" else 0
