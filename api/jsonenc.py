"""The one JSON encoder of the API, byte-compatible with Go's encoding/json where it matters."""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from decimal import Decimal
from typing import Any


class Struct(dict[str, Any]):
    """A Go struct: its fields keep declaration (insertion) order; plain dicts are Go maps."""


_ESCAPES = {
    "<": "\\u003c",
    ">": "\\u003e",
    "&": "\\u0026",
    "\u2028": "\\u2028",
    "\u2029": "\\u2029",
}
_ESCAPE_TABLE = str.maketrans(_ESCAPES)


def _prepare(value: Any) -> Any:
    # Go sorts map keys but keeps struct field order; bytes become padded base64.
    if isinstance(value, Struct):
        return {str(k): _prepare(v) for k, v in value.items()}
    if isinstance(value, Mapping):
        return {str(k): _prepare(value[k]) for k in sorted(value, key=str)}
    if isinstance(value, (list, tuple)):
        return [_prepare(v) for v in value]
    if isinstance(value, (bytes, bytearray, memoryview)):
        return base64.b64encode(bytes(value)).decode()
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def dumps(value: Any) -> str:
    """Compact JSON with Go's HTML escaping of <, >, & and U+2028/U+2029."""
    text = json.dumps(_prepare(value), ensure_ascii=False, separators=(",", ":"))
    return text.translate(_ESCAPE_TABLE)
