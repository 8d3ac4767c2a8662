"""Hostile input at the edge: answered at once with a 4xx in the route's envelope, never a 500."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from dataclasses import replace
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from api.handlers import explorer
from api.handlers import tx as tx_handlers
from api.handlers.interface import section_visible
from chain.storage.engine import NUL_REFUSED
from chain.txcheck import admit_txs
from chain.txcodec import Utxo, build_client_tx
from chain.txview import describe_block
from tests.api.test_contracts import call
from tests.api.test_edge import assert_canonical_error
from tests.api.test_error_texts import deployed_id
from tests.helpers import Wallet, send_txs, smart_tx, utxo_tx, wait_status

Client = TestClient[Any, Any]

DEEP = 1_200  # past Python's recursion limit, which json.loads hits near 1,000


def _nested(depth: int) -> str:
    return '{"hashes":' + "[" * depth + "]" * depth + "}"


async def test_huge_expedite_is_refused_without_stalling(client: Client, founder: Wallet) -> None:
    tx = smart_tx(founder, utxo=Utxo(to_id=5555, value="1", comment=""), expedite="1e999000")
    raw = build_client_tx(tx, founder.private, founder.crypto)
    started = time.monotonic()
    sending = asyncio.ensure_future(send_txs(client, founder, raw))
    version = await client.get("/api/v2/version")  # answered while the tx is being checked
    assert version.status == 200
    status, body = await sending
    assert time.monotonic() - started < 20  # a hang guard (unbounded: 95 s), not a speed test
    assert status == 400, body
    assert_canonical_error(body, "E_SERVER")
    assert "expedite" in body["msg"]


async def test_tx_numbers_out_of_range_are_refused(client: Client, founder: Wallet) -> None:
    base = smart_tx(founder, utxo=Utxo(to_id=5555, value="1", comment=""))
    cases = [
        (replace(base, expedite="9300000"), "expedite is too large"),
        (replace(base, expedite="-1"), "expedite must not be negative"),
        (replace(base, expedite="1" * 200), "expedite"),
        (replace(base, utxo=Utxo(5555, "1e999000", "")), "not a positive whole number"),
        (replace(base, utxo=Utxo(5555, "0", "")), "not a positive whole number"),
        (replace(base, utxo=Utxo(5555, "1_000", "")), "not a positive whole number"),
    ]
    for tx, text in cases:
        status, body = await send_txs(
            client, founder, build_client_tx(tx, founder.private, founder.crypto)
        )
        assert status == 400, (tx, body)
        assert_canonical_error(body, "E_SERVER")
        assert text in body["msg"], body


async def test_most_negative_contract_id_is_unknown(client: Client, founder: Wallet) -> None:
    tx = smart_tx(founder)
    for contract_id in (-(2**63), -1, 0, 5000, 2**63 - 1):
        tx = replace(tx, header=replace(tx.header, id=contract_id))
        status, body = await send_txs(
            client, founder, build_client_tx(tx, founder.private, founder.crypto)
        )
        assert status == 400, body
        assert body == {"error": "E_SERVER", "msg": f"unknown contract {contract_id}"}


async def test_path_ids_beyond_int64(client: Client, founder: Wallet) -> None:
    huge = "9999999999999999999999"
    for path in (f"/api/v2/block/{huge}", f"/api/v2/block/-{huge}", "/api/v2/block/٣"):
        resp = await client.get(path)
        assert resp.status == 404, path
        assert_canonical_error(await resp.json(), "E_NOTFOUND")
    for path, code in (
        (f"/api/v2/contract/@{huge}MainCondition", "E_CONTRACT"),
        (f"/api/v2/row/@{huge}mytable/1", "E_TABLENOTFOUND"),
        (f"/api/v2/row/keys/{huge}", "E_SERVER"),
        (f"/api/v2/history/keys/{huge}", "E_SERVER"),
        (f"/api/v2/appparams/{huge}", "E_SERVER"),
        (f"/api/v2/member/{huge}/1", "E_SERVER"),
        (f"/api/v2/ecosystemname?id={huge}", "E_SERVER"),
        (f"/api/v2/blocks?block_id={huge}", "E_SERVER"),
        (f"/api/v2/list/keys?limit={'9' * 5000}", "E_SERVER"),
    ):
        resp = await client.get(path, headers=founder.auth)
        assert 400 <= resp.status < 500, (path, resp.status)
        assert_canonical_error(await resp.json(), code)
    # An ecosystem past int64 is one that does not exist: no rows.
    resp = await client.get(f"/api/v2/list/@{huge}keys", headers=founder.auth)
    assert (resp.status, await resp.json()) == (200, {"count": 0, "list": None})


async def test_deep_json_is_a_client_error(client: Client, founder: Wallet) -> None:
    resp = await client.post("/api/v2/txstatus", data={"data": _nested(DEEP)}, headers=founder.auth)
    assert resp.status == 400
    assert_canonical_error(await resp.json(), "E_HASHWRONG")
    resp = await client.get("/api/v2/txinfomultiple", params={"data": _nested(DEEP)})
    assert resp.status == 400
    assert_canonical_error(await resp.json(), "E_HASHWRONG")
    # Below Python's own limit but past ours, as a where value and as a where.
    for where in ('{"id":' + "[" * 150 + "]" * 150 + "}", '{"$and":[' * 150 + "]}" * 150):
        resp = await client.post(
            "/api/v2/listWhere/keys", data={"where": where}, headers=founder.auth
        )
        assert resp.status == 400
        body = await resp.json()
        assert_canonical_error(body, "E_SERVER")
        assert "nested" in body["msg"]


async def test_where_order_and_like_sizes_are_bounded(client: Client, founder: Wallet) -> None:
    cases = [
        ({"where": json.dumps({"name": {"$like": "%_" * 25_000}})}, "longer than 1000"),
        ({"where": json.dumps({"name": {"$begin": "a" * 50_000}})}, "longer than 1000"),
        ({"where": json.dumps({"$or": [{"id": i} for i in range(2_000)]})}, "more than 1000 keys"),
        ({"where": json.dumps({"id": {"$in": list(range(20_000))}})}, "more than 10000 values"),
        ({"order": json.dumps(",".join(["id"] * 200))}, "more than 100 items"),
        ({"columns": ",".join(["id"] * 2_000)}, "too many columns"),
        ({"where": '{"id": NaN}'}, "not JSON"),
        ({"where": '{"id": 1e400}'}, "out of range"),
        ({"where": '{"id": ' + "1" * 5000 + "}"}, "too long"),
    ]
    for form, text in cases:
        resp = await client.post("/api/v2/listWhere/pages", data=form, headers=founder.auth)
        body = await resp.json()
        assert resp.status == 400, (text, body)
        assert_canonical_error(body, "E_SERVER")
        assert text in body["msg"], body


async def test_too_many_hashes_in_txstatus(client: Client, founder: Wallet) -> None:
    hashes = ["00" * 32] * 10_001
    resp = await client.post(
        "/api/v2/txstatus", data={"data": json.dumps({"hashes": hashes})}, headers=founder.auth
    )
    assert resp.status == 400
    assert_canonical_error(await resp.json(), "E_SERVER")


async def test_large_batches_and_blocks_are_decoded_off_the_event_loop(
    client: Client, founder: Wallet, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Where the work runs is the property; how long it takes on a busy machine is not.
    threads: dict[str, list[int]] = {"admit": [], "describe": []}

    def admit_spy(*args: Any, **kwargs: Any) -> Any:
        threads["admit"].append(threading.get_ident())
        return admit_txs(*args, **kwargs)

    def describe_spy(block: Any, crypto: Any) -> Any:
        threads["describe"].append(threading.get_ident())
        return describe_block(block, crypto)

    monkeypatch.setattr(tx_handlers, "admit_txs", admit_spy)
    monkeypatch.setattr(explorer, "describe_block", describe_spy)
    loop_thread = threading.get_ident()
    raws = [utxo_tx(founder, 5555, 1 + i) for i in range(2_000)]  # ~0.4 s of checks
    status, body = await send_txs(client, founder, *raws)
    assert status == 200, body
    assert len(body["hashes"]) == 4_000
    assert threads["admit"] and loop_thread not in threads["admit"]
    # One small tx is cheaper checked in place than handed to a thread.
    status, _ = await send_txs(client, founder, utxo_tx(founder, 5555, 7_777))
    assert status == 200 and threads["admit"][-1] == loop_thread
    for name in ("tx0", "tx1999"):
        await wait_status(client, founder, body["hashes"][name])
    # Reading them back decodes every block and tx (~600 KB here): in a thread too.
    resp = await client.get("/api/v2/detailed_blocks?block_id=1&count=1000")
    assert resp.status == 200
    blocks = await resp.json()
    assert threads["describe"] and loop_thread not in threads["describe"]
    assert sum(len(b["transactions"]) for b in blocks.values()) > 2_000


async def test_explorer_numbers_are_ascii_digits(client: Client, founder: Wallet) -> None:
    # str.isdigit() says yes to "²", int() says no: that was a 500 on both pages.
    for path in ("/explorer/block/%C2%B2", "/explorer/search?q=%C2%B2", "/explorer/block/٣"):
        resp = await client.get(path, allow_redirects=False)
        assert resp.status == 404, (path, await resp.text())
        assert "Not found" in await resp.text()


async def test_static_file_names_past_the_system_limit_are_not_found(client: Client) -> None:
    # The file system refuses names over 255 bytes (ENAMETOOLONG); aiohttp let that out as 500.
    for prefix in ("/explorer/static/", "/api/v2/docs/assets/"):
        resp = await client.get(prefix + "9" * 300)
        assert resp.status == 404, (prefix, await resp.text())
        assert_canonical_error(await resp.json(), "E_NOTFOUND")
        resp = await client.get(prefix + "x" * 10)  # a short unknown name: the same answer
        assert resp.status == 404


def test_roles_access_entries_that_are_no_int64_name_no_role() -> None:
    # A section's roles_access is what a contract stored; "--1" and "²" passed the old
    # isdigit() check and made int() raise: /sections answered 500.
    for junk in ("--1", "²", "9" * 5_000, "1e3", ""):
        assert not section_visible([junk], 0), junk
    assert section_visible(["--1", 7, "5"], 5) and section_visible(["x", "-3"], -3)


FIND_NUL = """contract FindNul {
    data { Name string }
    action {
        var row map
        row = DBFind("contracts").Where({"name": $Name}).Row()
        $result = "looked"
    }
}"""


async def test_text_with_a_nul_is_refused_by_reads_on_both_backends(
    client: Client, founder: Wallet
) -> None:
    # PostgreSQL cannot hold a NUL in text: its refusal was a 500 here, and inside a block it
    # aborted the block's transaction, which the producer retried for ever.
    nul = {"error": "E_SERVER", "msg": NUL_REFUSED}
    resp = await client.post("/api/v2/content/page/%00", headers=founder.auth)
    assert (resp.status, await resp.json()) == (400, nul)
    where = json.dumps({"name": "a\x00"})
    resp = await client.post(
        "/api/v2/listWhere/contracts", data={"where": where}, headers=founder.auth
    )
    assert (resp.status, await resp.json()) == (400, nul)
    find = await deployed_id(client, founder, FIND_NUL)
    failed = await call(client, founder, find, {"Name": "a\x00b"})
    assert failed["errmsg"]["error"].startswith(NUL_REFUSED), failed
    # The block went on without it, and so do later ones.
    done = await call(client, founder, find, {"Name": "nothing"})
    assert done["result"] == "looked" and int(done["blockid"]) >= int(failed["blockid"]), done
