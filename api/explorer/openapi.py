"""Descriptions of the explorer's pages (api/explorer/routes.py) for the OpenAPI document."""

from __future__ import annotations

from api.openapi.schema import STR, Field, Op, ok

HTML = "text/html"
NOT_FOUND = {404: "nothing of that name on this chain (an HTML page)"}


def _page(summary: str) -> Op:
    return Op(summary, "explorer", (ok(STR, "an HTML page", HTML),), errors=NOT_FOUND)


DESCRIPTIONS: dict[tuple[str, str], Op] = {
    ("GET", "/explorer"): Op(
        "Explorer: the latest blocks, kept live over /connection/websocket",
        "explorer",
        (ok(STR, "an HTML page", HTML),),
    ),
    ("GET", "/explorer/block/{id}"): _page("Explorer: a block and its transactions"),
    ("GET", "/explorer/tx/{hash}"): _page(
        "Explorer: a transaction's parameters, status and error"
    ),
    ("GET", "/explorer/account/{wallet}"): _page(
        "Explorer: an account's balances (account and UTXO), history and transactions"
    ),
    ("GET", "/explorer/search"): Op(
        "Explorer: find a block id, a block or tx hash, or an address",
        "explorer",
        (ok(STR, "nothing found (an HTML page)", HTML),),
        query=(Field("q", "what to look for", required=True),),
        description="Found: 302 to the block, transaction or account page.",
        errors=NOT_FOUND,
    ),
}
