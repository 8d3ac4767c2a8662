"""A transaction's status as clients read it (txstatus, live events): block, errmsg, result."""

from __future__ import annotations

import json
from typing import Any

from api.jsonenc import Struct


def errmsg(error: str) -> dict[str, Any]:
    """The stored error text as the reference's errmsg object {type, error[, id]}."""
    try:
        body = json.loads(error)
    except ValueError:
        body = None
    if not isinstance(body, dict) or "type" not in body:
        return Struct(type="txError", error=error)
    result = Struct(type=str(body["type"]), error=str(body.get("error", "")))
    if body.get("id"):
        result["id"] = str(body["id"])
    return result


def status_entry(block_id: int, error: str, result: str, penalty: int) -> Struct:
    """One hash's txstatus answer: blockid ("" until in a block), errmsg when it failed."""
    entry = Struct(blockid=str(block_id) if block_id else "")
    if error:
        entry["errmsg"] = errmsg(error)
    entry["result"] = result
    entry["penalty"] = penalty
    return entry
