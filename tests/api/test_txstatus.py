"""txstatus: its own encoder writes what the generic Go encoder writes; its read stands alone."""

from __future__ import annotations

import json
from typing import Any

from aiohttp.test_utils import TestClient
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import event

from api.appkeys import ENGINE
from api.jsonenc import Struct, dumps
from api.txstatus import results_body, status_entry
from chain.storage.repo.txs import StatusRow
from tests.helpers import Wallet, send_txs, utxo_tx, wait_status

_ERRORS = st.one_of(
    st.just(""),
    st.text(max_size=40),
    st.builds(
        lambda kind, error, tx_id: json.dumps(
            {"type": kind, "error": error, **({"id": tx_id} if tx_id is not None else {})}
        ),
        st.text(max_size=10),
        st.text(max_size=30),
        st.one_of(st.none(), st.text(max_size=5), st.integers(0, 99)),
    ),
)
_STATUSES = st.builds(
    StatusRow,
    st.binary(min_size=32, max_size=32),
    st.integers(min_value=0, max_value=2**63 - 1),
    _ERRORS,
    st.integers(min_value=-(2**31), max_value=2**31 - 1),
    st.text(max_size=60),
)


def _generic(results: dict[str, StatusRow]) -> bytes:
    entries = {
        text: status_entry(s.block_id, s.error, s.result, s.penalty) for text, s in results.items()
    }
    return dumps(Struct(results=entries)).encode("utf-8")


@settings(max_examples=400, deadline=None)
@given(st.dictionaries(st.text(max_size=70), _STATUSES, max_size=8))
def test_results_body_is_the_generic_encoding(results: dict[str, StatusRow]) -> None:
    assert results_body(results) == _generic(results)


def test_results_body_of_the_usual_shapes() -> None:
    pending = StatusRow(b"\1" * 32, 0, "", 0, "")
    done = StatusRow(b"\2" * 32, 12, "", 0, "<ok & done>")
    failed = StatusRow(b"\3" * 32, 13, '{"type":"panic","error":"a\\u2028b","id":"7"}', 1, "")
    results = {"ff" * 32: pending, "00" * 32: done, "AB" * 32: failed, "x\u2029": pending}
    assert results_body(results) == _generic(results)
    assert results_body({}) == b'{"results":{}}'


async def test_txstatus_reads_outside_a_transaction(
    client: TestClient[Any, Any], founder: Wallet
) -> None:
    status, body = await send_txs(client, founder, utxo_tx(founder, 42, 1000))
    assert status == 200, body
    tx_hash = body["hashes"]["tx0"]
    await wait_status(client, founder, tx_hash)
    engine = client.server.app[ENGINE]
    reads: list[Any] = []

    def seen(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if "transactions_status" in statement:
            reads.append(conn.get_execution_options().get("isolation_level"))

    event.listen(engine.sync_engine, "before_cursor_execute", seen)
    try:
        resp = await client.post(
            "/api/v2/txstatus",
            data={"data": json.dumps({"hashes": [tx_hash, tx_hash]})},
            headers=founder.auth,
        )
        answer = await resp.json()
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", seen)
    assert resp.status == 200 and answer["results"][tx_hash]["blockid"] != "", answer
    assert len(reads) == 1
    if engine.dialect.name == "postgresql":
        # A lone read: no BEGIN and ROLLBACK round trips around it (read_connection).
        assert reads == ["AUTOCOMMIT"]
