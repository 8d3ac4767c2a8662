"""The API's JSON: Go's encoding/json from chain/golang, with money written as a JSON number."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from chain.golang.json import Struct as Struct
from chain.golang.json import marshal


def _number(value: Any) -> Any:
    # Decimals reach the API only as amounts the reference sends as JSON numbers.
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    raise TypeError(f"json: unsupported type {type(value).__name__}")


def dumps(value: Any) -> str:
    """Compact JSON as Go's json.Marshal writes it (HTML characters escaped, map keys sorted)."""
    return marshal(value, default=_number).decode("utf-8")
