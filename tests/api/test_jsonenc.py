"""The API's JSON: the direct writer of a map of strings matches the generic Go encoder."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from api.jsonenc import Struct, dumps, string_map_body


@settings(max_examples=400, deadline=None)
@given(st.text(max_size=12), st.dictionaries(st.text(max_size=70), st.text(max_size=70)))
def test_string_map_body_is_the_generic_encoding(field: str, values: dict[str, str]) -> None:
    assert string_map_body(field, values) == dumps(Struct({field: values})).encode("utf-8")


def test_send_tx_answer_shape() -> None:
    tx_hash = "ab" * 32
    body = string_map_body("hashes", {tx_hash: tx_hash, "tx0": tx_hash, "<&>": tx_hash})
    assert body == dumps(Struct(hashes={tx_hash: tx_hash, "tx0": tx_hash, "<&>": tx_hash})).encode()
    assert body.startswith(b'{"hashes":{"\\u003c\\u0026\\u003e":')
