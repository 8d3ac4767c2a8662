"""A contract that hoards memory fails in its block at the cap, and the node goes on."""

from __future__ import annotations

from typing import Any

from aiohttp.test_utils import TestClient

from tests.api.test_contracts import HELLO, call
from tests.api.test_error_texts import deployed_id
from tests.helpers import Wallet

Client = TestClient[Any, Any]

HOG = """contract Hog {
    action {
        var s string
        var parts array
        var i int
        s = "x"
        while Size(s) < 500000 { s = s + s }
        while true {
            parts[i] = s + Str(i)
            i = i + 1
        }
    }
}"""


async def test_a_memory_hog_fails_at_the_cap(client: Client, founder: Wallet) -> None:
    hog = await deployed_id(client, founder, HOG)
    failed = await call(client, founder, hog, {})
    assert failed["penalty"] == 1
    assert failed["errmsg"] == {"type": "panic", "error": "Memory limit exceeded [@1Hog:9]"}
    # The node goes on: it answers, and the next contract tx runs in a later block.
    resp = await client.get("/api/v2/version")
    assert resp.status == 200
    hello = await deployed_id(client, founder, HELLO)
    done = await call(client, founder, hello, {"Name": "after"})
    assert done["penalty"] == 0 and done["result"].startswith("hello after x1")
    assert int(done["blockid"]) > int(failed["blockid"])
