"""Contract failures as txstatus reports them: the reference's texts and its `[...]` places."""

from __future__ import annotations

import json
from typing import Any

from aiohttp.test_utils import TestClient

from chain.execute import TxFailure
from tests.api.test_contracts import call, deploy
from tests.helpers import Wallet

Client = TestClient[Any, Any]

INNER = """contract Inner {
    action {
        // the failing line is 5
        var i int
        i = 1/0
    }
}"""

OUTER = """contract Outer {
    data {
        Par int
    }
    action {
        if $Par == 1 {
            Inner()
        }
        $result = @1Inner()
    }
}"""

GUARDED = """contract Guarded {
    action {
        NewTable("Name,Columns,ApplicationId,Permissions", "guarded",
            "[{\\"name\\":\\"n\\",\\"type\\":\\"number\\",\\"conditions\\":\\"true\\"}]", 1,
            "{\\"insert\\": \\"false\\", \\"update\\": \\"true\\", \\"new_column\\": \\"true\\"}")
    }
}"""

WRITER = """contract Writer {
    action {
        // the write is refused on line 4
        DBInsert("guarded", {n: 1})
    }
}"""

RAISER = """contract Raiser {
    data {
        Mode string
    }
    action {
        if $Mode == "error" {
            error Sprintf("bad %s", $Mode)
        }
        if $Mode == "info" {
            info "just so"
        }
        var long string
        var i int
        while i < 40 {
            long = long + `"quoted" `
            i = i + 1
        }
        if $Mode == "long" {
            error long
        }
        if $Mode == "longid" {
            Throw(long, long)
        }
        Throw("E7", "thrown text")
    }
}"""


async def deployed_id(client: Client, wallet: Wallet, source: str) -> int:
    done = await deploy(client, wallet, source)
    assert done["penalty"] == 0, done
    return int(done["result"]) + 5000


async def test_runtime_errors_end_with_the_call_chain(client: Client, founder: Wallet) -> None:
    inner = await deployed_id(client, founder, INNER)
    outer = await deployed_id(client, founder, OUTER)
    alone = await call(client, founder, inner, {})
    assert alone["errmsg"] == {"type": "panic", "error": "divided by zero [@1Inner:5]"}
    # Innermost first, then each caller at the line of its call (the reference's order).
    nested = await call(client, founder, outer, {"Par": 1})
    assert nested["errmsg"] == {
        "type": "panic",
        "error": "divided by zero [@1Inner:5 @1Outer:7]",
    }
    prefixed = await call(client, founder, outer, {"Par": 2})
    assert prefixed["errmsg"]["error"] == "divided by zero [@1Inner:5 @1Outer:9]"


async def test_built_in_failures_name_the_built_in(client: Client, founder: Wallet) -> None:
    guarded = await deployed_id(client, founder, GUARDED)
    assert (await call(client, founder, guarded, {}))["penalty"] == 0
    writer = await deployed_id(client, founder, WRITER)
    denied = await call(client, founder, writer, {})
    assert denied["errmsg"] == {"type": "panic", "error": "Access denied [DBInsert @1Writer:4]"}


async def test_raised_and_thrown_texts_stand_alone(client: Client, founder: Wallet) -> None:
    raiser = await deployed_id(client, founder, RAISER)
    error = await call(client, founder, raiser, {"Mode": "error"})
    assert error["errmsg"] == {"type": "error", "error": "bad error"}
    info = await call(client, founder, raiser, {"Mode": "info"})
    assert info["errmsg"] == {"type": "info", "error": "just so"}
    thrown = await call(client, founder, raiser, {"Mode": "throw"})
    assert thrown["errmsg"] == {"type": "exception", "error": "thrown text", "id": "E7"}


async def test_long_texts_are_cut_inside_the_json(client: Client, founder: Wallet) -> None:
    # The stored error holds 255 characters: the message is cut, the JSON stays whole.
    raiser = await deployed_id(client, founder, RAISER)
    long = '"quoted" ' * 40
    error = await call(client, founder, raiser, {"Mode": "long"})
    assert error["errmsg"]["type"] == "error"
    assert long.startswith(error["errmsg"]["error"].removesuffix("...")), error
    assert len(json.dumps(error["errmsg"], ensure_ascii=False, separators=(",", ":"))) <= 255
    thrown = await call(client, founder, raiser, {"Mode": "longid"})
    assert thrown["errmsg"]["type"] == "exception", thrown
    assert long.startswith(thrown["errmsg"]["id"]), thrown
    assert len(json.dumps(thrown["errmsg"], ensure_ascii=False, separators=(",", ":"))) <= 255


async def test_refused_sources_give_the_reference_texts(client: Client, founder: Wallet) -> None:
    unknown = await deploy(client, founder, "contract Typo {\n action {\n y = 1\n }\n}")
    assert unknown["errmsg"] == {"type": "panic", "error": "unknown variable 'y' [Ln:3 Col:2]"}
    await deployed_id(client, founder, INNER)
    # (a different text, so the tx is not the first one's twin)
    again = await deploy(client, founder, INNER + "\n")
    assert again["errmsg"]["error"].startswith(
        "contract @1Inner already exists [CreateContract @1NewContract:"
    )


PRINTER = """contract Printer {
    data {
        Mode string
    }
    action {
        if $Mode == "float" {
            $result = 1500000.0
        }
        if $Mode == "array" {
            $result = [1, "a", 2.5]
        }
        if $Mode == "map" {
            $result = {"b": 1, "a": [true]}
        }
    }
}"""


async def test_result_prints_as_go_prints_it(client: Client, founder: Wallet) -> None:
    printer = await deployed_id(client, founder, PRINTER)
    expected = {"float": "1.5e+06", "array": "[1 a 2.5]", "map": "map[b:1 a:[true]]"}
    for mode, text in expected.items():
        done = await call(client, founder, printer, {"Mode": mode})
        assert done["penalty"] == 0 and done["result"] == text, (mode, done)


FLOATS = """contract Floats {
    action {
        NewTable("Name,Columns,ApplicationId,Permissions", "floats",
            "[{\\"name\\":\\"t\\",\\"type\\":\\"varchar\\",\\"conditions\\":\\"true\\"}]", 1,
            "{\\"insert\\": \\"true\\", \\"update\\": \\"true\\", \\"new_column\\": \\"true\\"}")
    }
}"""

FLOAT_WRITER = """contract FloatWriter {
    action {
        var id int
        id = DBInsert("floats", {t: -3.67})
        $result = DBFind("floats").WhereId(id).One("t")
    }
}"""


async def test_a_float_written_as_text_is_go_s_fixed_13(client: Client, founder: Wallet) -> None:
    floats = await deployed_id(client, founder, FLOATS)
    assert (await call(client, founder, floats, {}))["penalty"] == 0
    writer = await deployed_id(client, founder, FLOAT_WRITER)
    done = await call(client, founder, writer, {})
    assert done["penalty"] == 0 and done["result"] == "-3.6700000000000", done


LONG = """contract Long {
    data {
        Text string
    }
    action {
        error $Text
    }
}"""


async def test_long_texts_are_cut_as_the_reference_cuts_them(
    client: Client, founder: Wallet
) -> None:
    long = await deployed_id(client, founder, LONG)
    plain = await call(client, founder, long, {"Text": "x" * 300})
    assert plain["errmsg"] == {"type": "error", "error": "x" * 150 + "..."}
    # 150 bytes end inside the 75th two-byte letter: its first byte shows as U+FFFD.
    split = await call(client, founder, long, {"Text": "a" + "\u00e9" * 100})
    assert split["errmsg"]["error"] == "a" + "\u00e9" * 74 + "\ufffd..."


def test_errmsg_fits_its_column_whatever_the_escapes() -> None:
    for message, exception_id in [
        ("\x01" * 300, ""),  # each character escapes to six
        ("é" * 400, ""),
        ("x", "\\" * 300),
        ("ok", "E1"),
    ]:
        text = TxFailure("exception", message, exception_id).errmsg()
        body = json.loads(text)
        assert len(text) <= 255 and body["type"] == "exception"
        assert message.startswith(body["error"])
        assert exception_id.startswith(body.get("id", ""))
    assert json.loads(TxFailure("error", "ok", "E1").errmsg()) == {
        "type": "error",
        "error": "ok",
        "id": "E1",
    }
