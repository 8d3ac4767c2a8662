"""sendTx and txstatus: admission of signed transactions and their outcome."""

from __future__ import annotations

import asyncio
import functools
import time

from aiohttp import web

from api import jsonparse, multipart
from api.appkeys import ADMISSION, BANS, ENGINE, NODE, PRODUCER, TXQUEUE
from api.errors import ApiError, E, server_error
from api.jsonenc import string_map_body
from api.ops.metrics import METRICS
from api.request import client_of, form_values, hex_field, posted_form
from api.responses import raw_json_response
from api.txstatus import results_body
from chain.bans import counts_for_ban
from chain.errors import ChainError
from chain.golang.time import format_time
from chain.storage.engine import read_connection
from chain.storage.repo.txs import StatusRow, get_statuses
from chain.txcheck import TxTooLarge, admit_txs, check_contract
from chain.txpool import BacklogFull

MAX_HASHES = 10_000  # per txstatus request
INLINE_BATCH = 16  # txs checked on the event loop itself; larger batches go to a thread
BANNED_TILL = "2006-01-02 15:04:05"  # the reference's layout of a ban's end


async def _read_parts(request: web.Request, limit: int) -> list[tuple[str, bytes]]:
    """Every file part is one raw tx; every other form value (and query value) is hex."""
    parts: list[tuple[str, bytes]] = [(k, hex_field(k, v)) for k, v in request.query.items()]
    if request.method != "POST":
        return parts
    # The media type without aiohttp's email-module parse (a tenth of a one-tx request).
    media_type = request.headers.get("Content-Type", "").partition(";")[0].strip().lower()
    if media_type == "multipart/form-data":
        # read() enforces the body limit (413); the lean splitter is several times cheaper
        # than aiohttp's streaming reader for many small parts.
        try:
            form = multipart.split(
                await request.read(), multipart.boundary_of(request.headers["Content-Type"])
            )
        except multipart.MultipartError as exc:
            raise server_error(str(exc)) from exc
        for part in form:
            if part.filename is None:
                parts.append((part.name, hex_field(part.name, part.data.decode("latin-1"))))
            elif len(part.data) > limit:
                raise ApiError(E.LIMITTXSIZE, len(part.data))
            else:
                parts.append((part.name, part.data))
        return parts
    for name, value in (await posted_form(request)).items():
        text = value if isinstance(value, str) else ""
        parts.append((name, hex_field(name, text)))
    return parts


def _tx_error(exc: ChainError) -> ApiError:
    if isinstance(exc, TxTooLarge):
        return ApiError(E.LIMITTXSIZE, exc.size)
    return server_error(str(exc))


async def send_tx(request: web.Request) -> web.Response:
    """POST /sendTx: check every tx, queue them durably, answer their hashes."""
    client = client_of(request)
    bans = request.app[BANS]
    metrics = request.app[METRICS]
    until = bans.banned_until(client.key_id)
    if until is not None:
        metrics.tx_refused("banned")
        raise ApiError(E.BANNED, client.key_id, format_time(BANNED_TILL, int(until)))
    node = request.app[NODE]
    rules = await request.app[ADMISSION].rules()  # as of the head now: edits seen at once
    limit = rules.max_tx_size
    try:
        parts = await _read_parts(request, limit)
    except ApiError as exc:
        too_large = exc.code == E.LIMITTXSIZE.code
        if too_large:
            bans.bad_tx(client.key_id)
        metrics.tx_refused("TxTooLarge" if too_large else "malformed")
        raise
    except web.HTTPRequestEntityTooLarge:
        bans.bad_tx(client.key_id)  # an over-size batch counts, as the reference's does
        raise
    if not parts:
        metrics.tx_refused("empty")
        raise server_error("there are no transactions in the request")
    now = int(time.time())
    admit = functools.partial(
        admit_txs,
        [raw for _, raw in parts],
        crypto=node.crypto,
        network_id=node.network_id,
        max_tx_size=limit,
        now=now,
    )
    try:
        # Decoding and signature checks cost ~0.2 ms a tx: a batch filling the body limit
        # would hold the event loop for most of a second, so large batches run in a thread.
        decoded = await asyncio.to_thread(admit) if len(parts) > INLINE_BATCH else admit()
        accepted = [
            (name, await check_contract(tx, rules.lookup))
            for (name, _), tx in zip(parts, decoded, strict=True)
        ]
    except ChainError as exc:
        if counts_for_ban(exc):  # not the refusals of sendTx's own checks
            bans.bad_tx(client.key_id)
        metrics.tx_refused(type(exc).__name__)  # one label per kind of check
        raise _tx_error(exc) from exc
    # Answered only once committed (group commit: concurrent requests share the commit),
    # and only once the node's backlog has room for them (backpressure).
    try:
        await request.app[TXQUEUE].submit([tx for _, tx in accepted])
    except BacklogFull as exc:
        metrics.tx_refused("BacklogFull")
        raise server_error(str(exc), status=503) from exc
    request.app[PRODUCER].accepted([tx.decoded for _, tx in accepted])
    metrics.tx_accepted(len(accepted))
    hashes: dict[str, str] = {}
    for name, tx in accepted:
        hex_hash = tx.hash.hex()
        hashes[hex_hash] = hex_hash
        if name:
            hashes.setdefault(name, hex_hash)
    return raw_json_response(string_map_body("hashes", hashes))


async def tx_status(request: web.Request) -> web.Response:
    """POST /txstatus: form data={"hashes":[...]} -> block id, error, result, penalty."""
    values = await form_values(request)
    try:
        data = jsonparse.loads(values.get("data", ""))
        hashes = data["hashes"]
        if not isinstance(hashes, list) or not all(isinstance(h, str) for h in hashes):
            raise TypeError
        wanted = [bytes.fromhex(h) for h in hashes]
    except (ValueError, TypeError, KeyError) as exc:
        raise ApiError(E.HASHWRONG) from exc
    if len(wanted) > MAX_HASHES:
        # One query answers them all: keep it under the backends' bound-parameter limits.
        raise server_error(f"too many hashes ({len(wanted)}, at most {MAX_HASHES})")
    # One statement that stands alone: no BEGIN and ROLLBACK round trips around it.
    async with read_connection(request.app[ENGINE]) as conn:
        statuses = await get_statuses(conn, wanted)
    results: dict[str, StatusRow] = {}
    for text, tx_hash in zip(hashes, wanted, strict=True):
        status = statuses.get(tx_hash)
        if status is None:
            raise ApiError(E.HASHNOTFOUND, text)
        results[text] = status
    return raw_json_response(results_body(results))
