"""Go's encoding/hex and encoding/base64 decoders: what they accept and where they say it fails."""

from __future__ import annotations

import binascii
import re
from typing import Final

from chain.golang.strconv import is_print

_NOT_HEX: Final = re.compile(rb"[^0-9a-fA-F]")
_B64_BAD: Final = re.compile(rb"[^A-Za-z0-9+/\r\n]")


def hex_decode(text: str) -> bytes:
    """hex.DecodeString with Go's error texts (no whitespace, either case)."""
    raw = text.encode("utf-8", "surrogateescape")
    # Go reports the first bad byte before an odd length.
    bad = _NOT_HEX.search(raw)
    if bad is not None:
        raise ValueError(_invalid_hex_byte(raw[bad.start()]))
    if len(raw) % 2 == 1:
        raise ValueError("encoding/hex: odd length hex string")
    return bytes.fromhex(raw.decode("ascii"))


def _invalid_hex_byte(byte: int) -> str:
    # Go prints the byte as a rune with %#U: U+0067 'g', or just U+0000 when not printable.
    ch = chr(byte)
    shown = f" '{ch}'" if is_print(ch) else ""
    return f"encoding/hex: invalid byte: U+{byte:04X}{shown}"


def _base64_error(raw: bytes) -> int | None:
    """Where base64.StdEncoding.DecodeString reports an error, or None if it decodes."""
    bad = _B64_BAD.search(raw)
    stop = bad.start() if bad else len(raw)
    kept = stop - raw.count(b"\n", 0, stop) - raw.count(b"\r", 0, stop)
    j = kept % 4  # position inside the quantum being read at `stop`
    if stop == len(raw):
        return None if j == 0 else len(raw) - j  # a short final quantum lacks its padding
    if raw[stop] != ord("=") or j < 2:
        return stop  # a byte outside the alphabet, or padding too early
    si = stop + 1
    if j == 2:  # "==" is expected; newlines may sit between the two
        while si < len(raw) and raw[si] in b"\r\n":
            si += 1
        if si == len(raw):
            return len(raw)
        if raw[si] != ord("="):
            return si - 1
        si += 1
    while si < len(raw) and raw[si] in b"\r\n":
        si += 1
    return si if si < len(raw) else None  # anything after the padding is an error


def base64_decode(raw: bytes) -> bytes:
    """base64.StdEncoding.DecodeString: padding required, \\r and \\n skipped, Go's error text."""
    error = _base64_error(raw)
    if error is not None:
        raise ValueError(f"illegal base64 data at input byte {error}")
    return binascii.a2b_base64(raw.replace(b"\n", b"").replace(b"\r", b""))
