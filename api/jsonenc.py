"""The API's JSON: Go's encoding/json from chain/golang, with money written as a JSON number."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from chain.golang.json import Struct as Struct
from chain.golang.json import marshal, quote


def _number(value: Any) -> Any:
    # Decimals reach the API only as amounts the reference sends as JSON numbers.
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    raise TypeError(f"json: unsupported type {type(value).__name__}")


def dumps(value: Any) -> str:
    """Compact JSON as Go's json.Marshal writes it (HTML characters escaped, map keys sorted)."""
    return marshal(value, default=_number).decode("utf-8")


def string_map_body(field: str, values: Mapping[str, str]) -> bytes:
    """`dumps(Struct({field: values}))` as UTF-8 for a map of strings (sendTx's answer).

    Written directly: the generic walk was most of the cost of a one-tx sendTx's answer.
    """
    pairs = ",".join(quote(key) + ":" + quote(values[key]) for key in sorted(values))
    return ("{" + quote(field) + ":{" + pairs + "}}").encode("utf-8")
