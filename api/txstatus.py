"""A transaction's status as clients read it (txstatus, live events): block, errmsg, result."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from api.jsonenc import Struct, dumps
from chain.golang.json import quote
from chain.storage.repo.txs import StatusRow


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


def results_body(results: Mapping[str, StatusRow]) -> bytes:
    """txstatus's answer, {"results": {text: status_entry}}, as `dumps` writes it.

    Written here field by field: clients poll hundreds of hashes many times a second, and the
    generic encoder's walk of a Struct per hash was a quarter of a poll's CPU. The keys are
    sorted, as Go sorts a map's; only a failed tx's errmsg goes through the generic encoder.
    """
    out: list[str] = []
    for text in sorted(results):
        status = results[text]
        block_id = status.block_id
        entry = quote(text) + ':{"blockid":"' + (str(block_id) if block_id else "") + '"'
        if status.error:
            entry += ',"errmsg":' + dumps(errmsg(status.error))
        out.append(entry + ',"result":' + quote(status.result) + f',"penalty":{status.penalty}}}')
    return ('{"results":{' + ",".join(out) + "}}").encode("utf-8")
