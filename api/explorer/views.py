"""The explorer's pages: latest blocks, a block, a tx, an account, search; HTML from templates."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import jinja2
from aiohttp import web

from api.appkeys import ENGINE, NODE
from api.txstatus import errmsg
from chain.address import address_to_string, string_to_address
from chain.block import Block
from chain.storage.engine import read_connection
from chain.storage.repo.blocks import get_block, get_head, list_blocks
from chain.storage.repo.chainview import list_key_ecosystems
from chain.storage.repo.explorer import get_block_by_hash, list_account_history, list_key_txs
from chain.storage.repo.money import get_amount, list_key_outputs, sum_unspent
from chain.storage.repo.params import get_ecosystem
from chain.storage.repo.txs import get_log, get_statuses
from chain.txview import describe, describe_block

PREFIX = "/explorer"
STATIC = PREFIX + "/static"
LATEST = 25  # blocks on the front page
ACCOUNT_ROWS = 50  # history entries and transactions on an account's page
HASH_HEX = 64

TEMPLATES = web.AppKey("explorer_templates", jinja2.Environment)


def templates() -> jinja2.Environment:
    """The page templates, escaping every value (what a tx carries is the sender's text)."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("api.explorer", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters["when"] = _when
    env.filters["address"] = address_to_string
    env.filters["money"] = _money
    return env


def _when(unix: int) -> str:
    moment = datetime.datetime.fromtimestamp(unix, datetime.UTC)
    return moment.strftime("%Y-%m-%d %H:%M:%S UTC")


def _money(amount: int, digits: int) -> str:
    return f"{Decimal(amount).scaleb(-digits):f}" if digits else str(amount)


def _page(request: web.Request, name: str, http_status: int = 200, **context: Any) -> web.Response:
    html = request.app[TEMPLATES].get_template(name).render(prefix=PREFIX, **context)
    return web.Response(text=html, status=http_status, content_type="text/html", charset="utf-8")


def _not_found(request: web.Request, what: str) -> web.Response:
    return _page(request, "notfound.html", http_status=404, what=what)


async def show_latest(request: web.Request) -> web.Response:
    """GET /explorer: the newest blocks (kept live by the page's script)."""
    async with read_connection(request.app[ENGINE]) as conn:
        head = await get_head(conn)
        rows = await list_blocks(conn, max((head.id if head else 0) - LATEST, 0), LATEST)
    return _page(request, "latest.html", blocks=list(reversed(rows)))


async def show_block(request: web.Request) -> web.Response:
    """GET /explorer/block/{id}: a block's header and its transactions with their statuses."""
    text = request.match_info["id"]
    # str.isdigit() takes "²", which int() refuses: ASCII digits only.
    if not (text.isascii() and text.isdigit()) or len(text) > 18:
        return _not_found(request, f"block {text}")
    async with read_connection(request.app[ENGINE]) as conn:
        row = await get_block(conn, int(text))
        if row is None:
            return _not_found(request, f"block {text}")
        block = Block.deserialize(row.data)
        views = describe_block(block, request.app[NODE].crypto)
        hashes = [v.hash for v in views]
        logs = await get_log(conn, hashes)
        statuses = await get_statuses(conn, hashes)
    txs = [
        {
            "view": v,
            "contract": v.contract_name or (logs[v.hash].contract_name if v.hash in logs else ""),
            "failed": bool(statuses[v.hash].error) if v.hash in statuses else False,
        }
        for v in views
    ]
    return _page(request, "block.html", row=row, block=block, txs=txs)


async def show_tx(request: web.Request) -> web.Response:
    """GET /explorer/tx/{hash}: a transaction's params, status and error (pending: live)."""
    text = request.match_info["hash"].lower()
    try:
        tx_hash = bytes.fromhex(text)
    except ValueError:
        return _not_found(request, f"transaction {text}")
    async with read_connection(request.app[ENGINE]) as conn:
        status = (await get_statuses(conn, [tx_hash])).get(tx_hash)
        log = (await get_log(conn, [tx_hash])).get(tx_hash)
        row = await get_block(conn, log.block) if log is not None else None
    if status is None:
        return _not_found(request, f"transaction {text}")
    view = None
    if row is not None:
        block = Block.deserialize(row.data)
        crypto = request.app[NODE].crypto
        view = next(
            (v for v in (describe(raw, crypto, block) for raw in block.txs) if v.hash == tx_hash),
            None,
        )
    return _page(
        request,
        "tx.html",
        tx_hash=text,
        status=status,
        error=errmsg(status.error) if status.error else None,
        log=log,
        view=view,
        pending=not (status.block_id or status.error),
    )


async def show_account(request: web.Request) -> web.Response:
    """GET /explorer/account/{wallet}: balances (account and UTXO) per ecosystem, history.

    The history is both kinds of money: 1_history's account movements, and the key's outputs
    (spent_info), each with the tx that made it and the one that spent it.
    """
    text = request.match_info["wallet"]
    key_id = string_to_address(text)
    if key_id == 0:
        return _not_found(request, f"account {text}")
    balances: list[dict[str, Any]] = []
    async with read_connection(request.app[ENGINE]) as conn:
        ecosystems = set(await list_key_ecosystems(conn, key_id))
        ecosystems.add(1)  # outputs of the platform's coin need no account row
        for eco_id in sorted(ecosystems):
            eco = await get_ecosystem(conn, eco_id)
            amount = await get_amount(conn, eco_id, key_id)
            utxo = await sum_unspent(conn, key_id, eco_id)
            if eco is not None and (amount is not None or utxo):
                balances.append({"eco": eco, "amount": amount or 0, "utxo": utxo})
        history = await list_account_history(conn, key_id, ACCOUNT_ROWS)
        outputs = await list_key_outputs(conn, key_id, ACCOUNT_ROWS)
        txs = await list_key_txs(conn, key_id, ACCOUNT_ROWS)
        digits: dict[int, int] = {b["eco"].id: b["eco"].digits for b in balances}
        for eco_id in {e.ecosystem for e in history} | {o.ecosystem for o in outputs}:
            if eco_id not in digits:
                eco = await get_ecosystem(conn, eco_id)
                digits[eco_id] = eco.digits if eco is not None else 0
    return _page(
        request,
        "account.html",
        key_id=key_id,
        address=address_to_string(key_id),
        balances=balances,
        history=history,
        outputs=outputs,
        digits=digits,
        txs=txs,
    )


async def search(request: web.Request) -> web.StreamResponse:
    """GET /explorer/search?q=: a block id, a block or tx hash, or an address (a key id too)."""
    query = request.query.get("q", "").strip()
    if query.isascii() and query.isdigit() and len(query) <= 18:
        # A key id is digits too: a number is a block only when the chain has that block.
        async with read_connection(request.app[ENGINE]) as conn:
            head = await get_head(conn)
        if (head is not None and int(query) <= head.id) or not string_to_address(query):
            raise web.HTTPFound(f"{PREFIX}/block/{query}")
    if len(query) == HASH_HEX:
        try:
            wanted = bytes.fromhex(query)
        except ValueError:
            wanted = b""
        if wanted:
            async with read_connection(request.app[ENGINE]) as conn:
                known = await get_statuses(conn, [wanted])
                row = None if known else await get_block_by_hash(conn, wanted)
            if known:
                raise web.HTTPFound(f"{PREFIX}/tx/{query.lower()}")
            if row is not None:
                raise web.HTTPFound(f"{PREFIX}/block/{row.id}")
    if query and string_to_address(query):
        raise web.HTTPFound(f"{PREFIX}/account/{address_to_string(string_to_address(query))}")
    return _not_found(request, repr(query) if query else "an empty search")
