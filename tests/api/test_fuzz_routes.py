"""Fuzzing every route of a real node: random paths, queries, forms and bodies; never a 5xx."""

# The property: whatever a client sends, the answer is not a 5xx, an IBAX error is the one
# envelope, the event loop spends under a second on it, and the node still answers `version`
# after it. The budget is small enough for CI on both backends; IBAX_FUZZ_EXAMPLES raises it
# for a longer run.

from __future__ import annotations

import gc
import json
import os
import threading
import time
from dataclasses import replace
from typing import Any
from urllib.parse import quote

from aiohttp import FormData
from aiohttp.test_utils import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from api.appkeys import BANS
from api.events.socket import PATH as EVENTS_PATH
from api.explorer import views as explorer_views
from api.explorer.routes import ROUTES as EXPLORER_ROUTES
from api.ops import docs
from api.ops.routes import ROUTES as OPS_ROUTES
from api.routes import API_PREFIX, ROUTES
from chain.txcodec import TransferSelf, Utxo, build_client_tx
from tests.api.test_edge import assert_canonical_error
from tests.helpers import Wallet, send_txs, smart_tx, wait_status

Client = TestClient[Any, Any]

EXAMPLES = int(os.environ.get("IBAX_FUZZ_EXAMPLES", "120"))
HTTP_PARSER_ERROR = "Got more than 8190 bytes"
SLOW = 5.0  # seconds: far above any answer here, far below a stall
# CPU seconds the event loop's thread may spend on one request (the server and this client
# share it). CPU time, not wall time: other processes on a loaded machine do not count, a
# request that holds the loop does. The garbage collector's passes are left out: over a long
# run the test client and hypothesis keep every example's objects, and a full pass over them
# passes a second (6,000 examples), whatever the request did.
LOOP_CPU = 1.0
_LOOP_THREAD = threading.get_ident()
_gc_seconds = [0.0, 0.0]  # in the collector in all, when the current pass began


def _time_the_collector(phase: str, _info: dict[str, int]) -> None:
    if threading.get_ident() != _LOOP_THREAD:
        return
    if phase == "start":
        _gc_seconds[1] = time.thread_time()
    else:
        _gc_seconds[0] += time.thread_time() - _gc_seconds[1]


gc.callbacks.append(_time_the_collector)


def loop_cpu() -> float:
    """CPU seconds of this (the event loop's) thread so far, the collector's left out."""
    return time.thread_time() - _gc_seconds[0]


FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

NAMES = [
    "keys", "pages", "history", "contracts", "parameters", "ecosystems", "1_keys",
    "@1keys", "@2pages", "@99999999999999999999keys", "@keys", "MainCondition",
    "@1NewUser", "@9999999999999999999999NewUser", "mytable", "Name", "@0x", "*",
]  # fmt: skip
NUMBERS = [
    "0", "1", "-1", "5032", "9223372036854775807", "9223372036854775808",
    "-9223372036854775808", "9999999999999999999999", "1e999000", "1.5", "0x10", "1_0",
    "٣", "²", " 1", "+1", "00000000000000000000001", "NaN", "-0", "9" * 4_500, "-" + "9" * 4_500,
]  # fmt: skip
JSONS = [
    '{"hashes":["' + "ab" * 32 + '"]}', '{"hashes":' + "[" * 1200 + "]" * 1200 + "}",
    '{"id":{"$in":[1,2,3]}}', '{"name":{"$like":"' + "%_" * 600 + '"}}',
    '{"$or":[{"id":1},{"amount":{"$gt":"1e999000"}}]}', '{"id":' + "9" * 400 + "}",
    '{"a":NaN}', '{"amount":{"$gte":1e400}}', '["id", {"name": -1}]', '"id desc"',
    '{"$and":' * 120 + "{}" + "}" * 120, "{", "", "null", '{"id":"$isnull"}',
]  # fmt: skip
FIELDS = [
    "limit", "offset", "columns", "where", "order", "ecosystem", "id", "block_id", "count",
    "data", "contractinfo", "names", "expire", "role_id", "key_id", "pubkey", "signature",
    "column", "hashes", "app_id", "name", "amount", "pass", "time", "q",
]  # fmt: skip

texts = st.text(max_size=40)
values = st.one_of(
    st.sampled_from(NUMBERS),
    st.sampled_from(NAMES),
    st.sampled_from(JSONS),
    st.integers(-(10**40), 10**40).map(str),
    st.binary(max_size=40).map(bytes.hex),
    texts,
)
segments = st.one_of(st.sampled_from(NUMBERS), st.sampled_from(NAMES), values)
# Names go into multipart headers, which aiohttp's client writes only for printable ASCII.
names = st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), min_size=1, max_size=20)
fields = st.dictionaries(st.one_of(st.sampled_from(FIELDS), names), values, max_size=5)


def _path(template: str, parts: list[str]) -> str:
    """The route's path with each {placeholder} replaced by a quoted random segment."""
    out, rest = [], template
    for part in parts:
        start = rest.find("{")
        if start < 0:
            break
        out.append(rest[:start] + quote(part, safe="") if part else rest[:start] + "x")
        rest = rest[rest.index("}") + 1 :]
    return "".join(out) + rest


@st.composite
def requests(draw: st.DrawFn, routes: list[tuple[str, str]]) -> dict[str, Any]:
    method, template = draw(st.sampled_from(routes))
    holes = template.count("{")
    path = _path(template, [draw(segments) for _ in range(holes)])
    body_kind = draw(st.sampled_from(["none", "form", "multipart", "json", "raw"]))
    body: Any = None
    if body_kind == "form":
        body = draw(fields)
    elif body_kind == "multipart":
        # Parts as (name, value, as a file); FormData is built per send (it is used up).
        body = [(k, v, draw(st.booleans())) for k, v in draw(fields).items()]
    elif body_kind == "json":
        body = draw(st.sampled_from(JSONS))
    elif body_kind == "raw":
        body = draw(st.binary(max_size=300))
    return {
        "method": draw(st.sampled_from([method, method, method, "GET", "POST"])),
        "path": path,
        "params": {k: v for k, v in draw(fields).items()},
        "body": body,
        "content_type": draw(
            st.sampled_from(
                [None, "application/json", "text/plain", "application/x-www-form-urlencoded"]
            )
        ),
        "auth": draw(st.sampled_from(["token", "token", "none", "garbage"])),
    }


async def send(client: Client, req: dict[str, Any], auth: dict[str, str]) -> tuple[int, Any]:
    headers = dict(auth)
    if req["content_type"] and not isinstance(req["body"], (dict, list)):
        headers["Content-Type"] = req["content_type"]
    data = req["body"]
    if isinstance(data, list):
        data = FormData()
        for key, value, as_file in req["body"]:
            if as_file:
                data.add_field(key, value.encode(), filename="tx")
            else:
                data.add_field(key, value)
    started, cpu = time.monotonic(), loop_cpu()
    resp = await client.request(
        req["method"],
        req["path"],
        params=req["params"],
        data=data,
        headers=headers,
        allow_redirects=False,  # /api/help points outside; a redirect is an answer
    )
    text = await resp.text()
    assert loop_cpu() - cpu < LOOP_CPU, req
    assert time.monotonic() - started < SLOW, req
    await assert_still_answers(client, req)
    return resp.status, text


async def assert_still_answers(client: Client, req: object) -> None:
    """The node answers `version` after `req`: nothing it sent broke or stalled the node."""
    version = await client.get(API_PREFIX + "/version")
    assert version.status == 200, (req, await version.text())


IBAX_ROUTES = [(r.method, API_PREFIX + r.path) for r in ROUTES]


@FUZZ
@given(req=requests(IBAX_ROUTES))
async def test_no_route_answers_5xx(client: Client, founder: Wallet, req: dict[str, Any]) -> None:
    auth = {
        "token": founder.auth,
        "none": {},
        "garbage": {"Authorization": "Bearer " + "x" * 30},
    }[req["auth"]]
    status, text = await send(client, req, auth)
    # node/{name} is 501 E_NOTIMPLEMENTED by design, as in the reference.
    assert status < 500 or (status == 501 and "E_NOTIMPLEMENTED" in text), (req, status, text)
    if text.startswith(HTTP_PARSER_ERROR):
        # aiohttp's parser refuses a request line or header over 8190 bytes before any
        # route (or middleware) sees it, in plain text; Go's server allows 1 MB of them.
        assert status == 400, text
    elif status >= 400:
        assert_canonical_error(json.loads(text), json.loads(text)["error"])


# The routes outside /api/v2's table: explorer pages (HTML errors), operator routes, static
# files, the live-events socket asked without an upgrade; and paths no route has.
OTHER_ROUTES = [
    *((method, path) for method, path, _ in EXPLORER_ROUTES),
    *((r.method, r.path) for r in OPS_ROUTES),
    ("GET", explorer_views.STATIC + "/{file}"),
    ("GET", docs.ASSETS_PATH + "/{file}"),
    ("GET", EVENTS_PATH),
    ("GET", "/{a}"),
    ("POST", "/{a}/{b}"),
    ("GET", "/api/{a}/{b}"),
    ("GET", explorer_views.PREFIX + "/{a}/{b}/{c}"),
]


@FUZZ
@given(req=requests(OTHER_ROUTES))
async def test_no_explorer_or_operator_route_answers_5xx(
    client: Client, founder: Wallet, req: dict[str, Any]
) -> None:
    status, text = await send(client, req, {"token": founder.auth}.get(req["auth"], {}))
    assert status < 500, (req, status, text[:300])


tx_texts = st.one_of(st.sampled_from(NUMBERS), values)
tx_ints = st.one_of(
    st.sampled_from([0, 1, 5000, 5001, 5032, 2**63 - 1, -(2**63), 2**64 - 1]),
    st.integers(-(2**63), 2**64 - 1),
)


@FUZZ
@given(
    kind=st.sampled_from(["utxo", "self", "contract"]),
    contract_id=tx_ints,
    ecosystem=tx_ints,
    expedite=st.one_of(st.just(""), tx_texts),
    value=tx_texts,
    params=st.dictionaries(st.sampled_from(["NewPubkey", "Value", "Amount", "x"]), values),
)
async def test_signed_txs_with_random_fields_never_5xx(
    client: Client,
    founder: Wallet,
    kind: str,
    contract_id: int,
    ecosystem: int,
    expedite: str,
    value: str,
    params: dict[str, str],
) -> None:
    """Well-signed txs whose every client-chosen field is random: refused or queued, no 5xx."""
    # Txs that fail in blocks get a key banned for a while; the property is about each answer.
    client.app[BANS].clear()
    tx = smart_tx(founder, contract_id=contract_id, expedite=expedite, params=params)
    tx = replace(tx, header=replace(tx.header, ecosystem_id=ecosystem))
    if kind == "utxo":
        tx = replace(tx, utxo=Utxo(to_id=5555, value=value, comment=""))
    elif kind == "self":
        tx = replace(tx, transfer_self=TransferSelf(value=value, source="UTXO", target="Account"))
    raw = build_client_tx(tx, founder.private, founder.crypto)
    cpu = loop_cpu()
    status, body = await send_txs(client, founder, raw)
    assert loop_cpu() - cpu < LOOP_CPU, tx
    await assert_still_answers(client, tx)
    assert status < 500, body
    if status >= 400:
        assert_canonical_error(body, body["error"])
    else:
        # Accepted: the block producer must take it (into a block, or failed in one).
        await wait_status(client, founder, next(h for h in body["hashes"] if len(h) == 64))
