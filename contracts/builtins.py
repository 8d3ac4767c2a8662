"""Built-in functions that need nothing but their arguments (strings, numbers, collections)."""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from chain.address import address_to_id, id_to_address
from chain.crypto import Crypto
from chain.errors import CryptoError

Builtin = Callable[..., Any]

_VERB = re.compile(r"%([-+# 0]*\d*(?:\.\d+)?)([vsdfxXtq%])")


def sprintf(pattern: str, *args: Any) -> str:
    """Go's fmt.Sprintf for the verbs contracts use: %v %s %d %f %x %X %t %q %%."""
    values = iter(args)

    def verb(match: re.Match[str]) -> str:
        flags, kind = match.group(1), match.group(2)
        if kind == "%":
            return "%"
        value = next(values, None)
        if value is None:
            return f"%!{kind}(MISSING)"
        if kind in ("v", "s"):
            return _text(value)
        if kind == "t":
            return "true" if value else "false"
        if kind == "q":
            return json.dumps(_text(value), ensure_ascii=False)
        if kind in "dxX" and isinstance(value, (int, Decimal)) and not isinstance(value, bool):
            return ("%" + flags + kind) % int(value)
        if kind == "f" and isinstance(value, (int, float, Decimal)):
            return ("%" + (flags or ".6") + "f") % float(value)
        return f"%!{kind}({_text(value)})"

    return _VERB.sub(verb, pattern)


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "<nil>"
    if isinstance(value, list):
        return "[" + " ".join(_text(v) for v in value) + "]"
    if isinstance(value, dict):
        return "map[" + " ".join(f"{k}:{_text(value[k])}" for k in sorted(value)) + "]"
    return str(value)


def _int(value: Any) -> int:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, (int, float, Decimal)):
        return int(value)
    text = str(value).strip()
    return int(text, 10) if text else 0


def _substr(text: str, offset: int, length: int) -> str:
    if offset < 0 or length < 0 or offset > len(text):
        return ""
    return text[offset : offset + length]


def _append(array: list[Any], *values: Any) -> list[Any]:
    return [*array, *values]


def _join(items: list[Any], sep: str) -> str:
    return sep.join(_text(i) for i in items)


def _contains(text: Any, part: Any) -> bool:
    return str(part) in str(text)


BASIC: dict[str, tuple[Builtin, int]] = {
    # name: (function, fuel charged before the call)
    "Len": (lambda v: len(v) if v is not None else 0, 1),
    "Size": (lambda v: len(v.encode()) if isinstance(v, str) else len(v), 1),
    "Str": (_text, 1),
    "Int": (_int, 1),
    "Float": (lambda v: float(v), 1),
    "Money": (lambda v: Decimal(str(v)).to_integral_value(), 1),
    "Sprintf": (sprintf, 10),
    "Join": (_join, 10),
    "Split": (lambda text, sep: text.split(sep) if text else [], 10),
    "Append": (_append, 5),
    "Contains": (_contains, 5),
    "HasPrefix": (lambda text, prefix: str(text).startswith(str(prefix)), 5),
    "Replace": (lambda text, old, new: str(text).replace(str(old), str(new)), 10),
    "Substr": (_substr, 5),
    "ToLower": (lambda t: str(t).lower(), 5),
    "ToUpper": (lambda t: str(t).upper(), 5),
    "TrimSpace": (lambda t: str(t).strip(), 5),
    "GetMapKeys": (lambda m: sorted(m), 10),
    "JSONEncode": (lambda v: json.dumps(v, separators=(",", ":"), sort_keys=True, default=str), 20),
    "JSONDecode": (lambda t: json.loads(t) if t else None, 20),
}


def _hex_to_bytes(text: str) -> bytes:
    return bytes.fromhex(text)


def _id_to_address(key_id: int) -> str:
    return id_to_address(int(key_id))


def chain_builtins(crypto: Crypto) -> dict[str, tuple[Builtin, int]]:
    """BASIC plus what needs the node's crypto pair: hashes, key ids and addresses."""

    def pub_to_id(pub: str | bytes) -> int:
        raw = bytes.fromhex(pub) if isinstance(pub, str) else pub
        try:
            return crypto.address(raw)
        except CryptoError:
            return 0

    def hash_hex(data: str | bytes) -> str:
        raw = data.encode() if isinstance(data, str) else data
        return crypto.hash(raw).hex()

    def double_hash_hex(data: str | bytes) -> str:
        raw = data.encode() if isinstance(data, str) else data
        return crypto.double_hash(raw).hex()

    extra: dict[str, tuple[Builtin, int]] = {
        "AddressToId": (lambda text: address_to_id(str(text)), 5),
        "IdToAddress": (_id_to_address, 5),
        "PubToID": (pub_to_id, 20),
        "SeedToID": (lambda seed: crypto.seed_address(str(seed)), 20),
        "Hash": (hash_hex, 20),
        "DoubleHash": (double_hash_hex, 40),
        "HexToBytes": (_hex_to_bytes, 5),
        "BytesToString": (lambda b: bytes(b).decode("utf-8", "replace"), 5),
        "StringToBytes": (lambda t: str(t).encode(), 5),
        "EncodeBase64": (lambda t: base64.b64encode(str(t).encode()).decode(), 10),
        "DecodeBase64": (lambda t: base64.b64decode(str(t), validate=True).decode(), 10),
    }
    return {**BASIC, **extra}
