"""chain/golang against Go: every case in go_cases.jsonl is Go's own answer (gen_cases.go).

The hand-written cases below were checked against Go 1.19 as well. Go behaviours tested through
the contract built-ins that use them live with those built-ins' tests: fmt.Sprintf
(tests/contracts/test_builtins.py), time layouts, math and money (tests/contracts/test_stdlib.py).
"""

from __future__ import annotations

import base64
import json
import math
import struct
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chain.golang import decimal as go_decimal
from chain.golang import encoding, ints, strconv
from chain.golang import math as go_math
from chain.golang import time as go_time
from chain.golang.json import Struct, marshal, marshal_float, quote, unquote

CASES = [
    json.loads(line)
    for line in (Path(__file__).parent / "go_cases.jsonl").read_text().splitlines()
]


def _float(bits: int) -> float:
    value: float = struct.unpack("<d", struct.pack("<Q", bits))[0]
    return value


def _bits(value: float) -> int:
    bits: int = struct.unpack("<Q", struct.pack("<d", value))[0]
    return bits


def _text(hex_bytes: str) -> str:
    """A Go string (bytes, maybe not UTF-8) in our form: invalid bytes as surrogate escapes."""
    return bytes.fromhex(hex_bytes).decode("utf-8", "surrogateescape")


def _error(call: Callable[[], Any]) -> str | None:
    try:
        call()
    except ValueError as exc:
        return f"ERR {exc}"
    return None


def _parse_float(text: str) -> list[Any]:
    try:
        return [_bits(strconv.parse_float(text)), None]
    except strconv.NumError as exc:
        return [_bits(exc.value), f"ERR {exc}"]


def _decimal(text: str) -> str:
    try:
        return go_decimal.decimal_text(go_decimal.parse_decimal(text))
    except ValueError as exc:
        return f"ERR {exc}"


# What each kind of case computes here; hex and base64 compare the error only (Go also returns
# the bytes decoded before it, which no caller uses).
OURS: dict[str, Callable[[Any], Any]] = {
    "format_float": lambda i: strconv.format_float(_float(i[0]), i[1], i[2]),
    "sprint_float": lambda i: strconv.format_float(_float(i)),
    "marshal_float": lambda i: _error(lambda: marshal_float(_float(i))) or marshal_float(_float(i)),
    "parse_float": lambda i: _parse_float(_text(i)),
    "quote": lambda i: [
        strconv.quote(_text(i)),
        strconv.quote(_text(i), ascii_only=True),
        strconv.can_backquote(_text(i)),
    ],
    "json_quote": lambda i: quote(_text(i)),
    "quote_rune": lambda i: [strconv.quote_rune(i), strconv.quote_rune(i, True)],
    "unquote": lambda i: None if (u := strconv.unquote(i)) is None else u.hex(),
    "float_to_int64": lambda i: ints.float_to_int64(_float(i)),
    "hex": lambda i: _error(lambda: encoding.hex_decode(_text(i))),
    "base64": lambda i: _error(lambda: encoding.base64_decode(i.encode())),
    "format_time": lambda i: go_time.format_time(i[0], i[1], i[2], ""),
    "time_string": go_time.time_string,
    "parse_time": lambda i: _parse_time(i[0], i[1]),
    "duration_string": go_time.duration_string,
    "log": lambda i: _bits(go_math.log(_float(i))),
    "log10": lambda i: _bits(go_math.log10(_float(i))),
    "exp": lambda i: _bits(go_math.exp(_float(i))),
    "pow": lambda i: _bits(go_math.pow(_float(i[0]), _float(i[1]))),
    "decimal": _decimal,
    "div_round": lambda i: go_decimal.decimal_text(
        go_decimal.div_round(go_decimal.parse_decimal(i[0]), go_decimal.parse_decimal(i[1]))
    ),
}


def _parse_time(layout: str, text: str) -> int | str:
    try:
        return go_time.wall_seconds(go_time.parse_date_time(text, layout))
    except go_time.ParseError as exc:
        return f"ERR {exc}"


def _expected(case: dict[str, Any]) -> Any:
    kind, out = case["kind"], case["out"]
    if kind in ("hex", "base64"):
        return out[1]
    if kind == "parse_float" and math.isnan(_float(out[0])):
        return [_bits(math.nan), out[1]]  # NaN's payload bits are nobody's contract
    return out


@pytest.mark.parametrize("case", CASES, ids=[f"{c['kind']}-{n}" for n, c in enumerate(CASES)])
def test_go_case(case: dict[str, Any]) -> None:
    assert OURS[case["kind"]](case["in"]) == _expected(case)


def test_every_kind_has_cases() -> None:
    assert {c["kind"] for c in CASES} == set(OURS)


# ---- ints ---------------------------------------------------------------------------------------


def test_int_bounds_and_wraps() -> None:
    assert (ints.INT64_MIN, ints.INT64_MAX) == (-(2**63), 2**63 - 1)
    assert ints.in_int64(2**63 - 1) and not ints.in_int64(2**63)
    assert ints.in_uint64(2**64 - 1) and not ints.in_uint64(-1)
    # Go: int64(uint64(1<<64 - 1)) == -1, big.NewInt(1<<64 + 5).Int64() == 5, int32(1<<31) < 0.
    assert ints.wrap_int64(2**64 - 1) == -1
    assert ints.wrap_int64(2**64 + 5) == 5
    assert ints.wrap_int64(-(2**63) - 1) == 2**63 - 1
    assert ints.wrap_int32(2**31) == -(2**31)


# ---- float text ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value, text, json_text",
    [
        (0.0, "0", "0"),
        (-0.0, "-0", "-0"),
        (1.0, "1", "1"),
        (3.5, "3.5", "3.5"),
        (100000.0, "100000", "100000"),
        (123456.0, "123456", "123456"),
        (1e6, "1e+06", "1000000"),
        (1234567.0, "1.234567e+06", "1234567"),
        (123456789.0, "1.23456789e+08", "123456789"),
        (1e20, "1e+20", "100000000000000000000"),
        (1e21, "1e+21", "1e+21"),
        (0.0001, "0.0001", "0.0001"),
        (0.00001, "1e-05", "0.00001"),
        (1e-7, "1e-07", "1e-7"),
        (1.5e-10, "1.5e-10", "1.5e-10"),
        (0.1 + 0.2, "0.30000000000000004", "0.30000000000000004"),
        (-2.5e300, "-2.5e+300", "-2.5e+300"),
        (5e-324, "5e-324", "5e-324"),
        (1.7976931348623157e308, "1.7976931348623157e+308", "1.7976931348623157e+308"),
    ],
)
def test_sprint_and_json_float_text(value: float, text: str, json_text: str) -> None:
    assert strconv.format_float(value) == text  # fmt's %v
    assert marshal_float(value) == json_text  # encoding/json


def test_float_specials() -> None:
    assert strconv.format_float(math.inf) == "+Inf"
    assert strconv.format_float(-math.inf) == "-Inf"
    assert strconv.format_float(math.nan) == "NaN"
    with pytest.raises(ValueError, match="json: unsupported value: NaN"):
        marshal_float(math.nan)
    with pytest.raises(ValueError, match=r"json: unsupported value: \+Inf"):
        marshal(math.inf)


@settings(max_examples=300, deadline=None)
@given(st.floats(allow_nan=False, allow_infinity=False))
def test_float_text_reads_back(value: float) -> None:
    assert float(strconv.format_float(value)) == value
    assert float(strconv.format_float(value, "f")) == value
    assert float(strconv.format_float(value, "e")) == value
    assert float(marshal_float(value)) == value


def test_parse_float_error_carries_gos_value() -> None:
    with pytest.raises(strconv.NumError) as info:
        strconv.parse_float("1e400")
    assert info.value.value == math.inf
    assert str(info.value) == 'strconv.ParseFloat: parsing "1e400": value out of range'


# ---- decimals -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, shown",
    [
        ("1.500", "1.5"),
        ("-0.000", "0"),
        ("1e3", "1000"),
        ("-12.340", "-12.34"),
        ("1e-20", "0.00000000000000000001"),
        ("+7", "7"),
        (".-5", "-0.05"),  # shopspring joins the digits around the point, sign included
        ("1E2", "100"),
        # More digits than Decimal's context keeps: String() is exact all the same.
        ("997763042674874928.20342955944", "997763042674874928.20342955944"),
    ],
)
def test_decimal_parsing_and_text(text: str, shown: str) -> None:
    assert go_decimal.decimal_text(go_decimal.parse_decimal(text)) == shown


def test_decimal_text_is_exact_past_the_context_precision() -> None:
    value = Decimal("-8539981914499460426120280811.22")
    assert go_decimal.decimal_text(value) == "-8539981914499460426120280811.22"
    assert go_decimal.decimal_text(Decimal("-0E+5")) == "0"


@pytest.mark.parametrize(
    "text, message",
    [
        ("", "can't convert  to decimal"),
        ("1.2.3", "can't convert 1.2.3 to decimal: too many .s"),
        ("1e99999999999", "fractional part too long"),
        ("1e1.5", "exponent is not numeric"),
        ("1_000", "can't convert 1_000 to decimal"),
        ("٣", "can't convert ٣ to decimal"),
        ("NaN", "can't convert NaN to decimal"),
    ],
)
def test_decimal_parse_errors(text: str, message: str) -> None:
    with pytest.raises(ValueError) as info:
        go_decimal.parse_decimal(text)
    assert message in str(info.value)


def test_decimal_parse_is_bounded() -> None:
    with pytest.raises(ValueError, match="decimal value is too long"):
        go_decimal.parse_decimal("1" * 1001)
    with pytest.raises(ValueError, match="out of the supported range"):
        go_decimal.parse_decimal("1e5000")


# ---- JSON ---------------------------------------------------------------------------------------


def test_marshal_escapes_html_and_line_separators() -> None:
    text = '<a href="x">&</a>\u2028\u2029'
    assert marshal(text) == b'"\\u003ca href=\\"x\\"\\u003e\\u0026\\u003c/a\\u003e\\u2028\\u2029"'


def test_marshal_control_chars_and_utf8() -> None:
    text = "\n\r\t\x01\x08\x0c\x1f\x7f\\"
    assert marshal(text) == b'"\\n\\r\\t\\u0001\\u0008\\u000c\\u001f\x7f\\\\"'
    assert marshal("héllo €") == '"héllo €"'.encode()
    assert marshal("\ud800") == b'"\\ufffd"'


def test_marshal_sorts_maps_and_keeps_struct_order() -> None:
    value = {"b": [1, {"z": True, "y": False}], "a": {"d": None, "c": "x"}, "10": 1, "9": 2}
    assert marshal(value) == b'{"10":1,"9":2,"a":{"c":"x","d":null},"b":[1,{"y":false,"z":true}]}'
    assert marshal({"b": 1, "a": 2}, sort_keys=False) == b'{"b":1,"a":2}'
    assert marshal(Struct(z=1, a={"y": 2, "x": 3})) == b'{"z":1,"a":{"x":3,"y":2}}'
    assert marshal({10: "a", 9: "b"}) == b'{"10":"a","9":"b"}'  # int keys sort as their text
    assert marshal([]) == b"[]"
    assert marshal({}) == b"{}"
    assert marshal(()) == b"[]"


def test_marshal_bytes_numbers_and_errors() -> None:
    assert marshal(b"\x00\x01\x02") == b'"' + base64.b64encode(b"\x00\x01\x02") + b'"'
    assert marshal([-(1 << 63), 0, 3.0, 0.1, 1e20, 1e21, 1.5e-7, 0.000001]) == (
        b"[-9223372036854775808,0,3,0.1,100000000000000000000,1e+21,1.5e-7,0.000001]"
    )
    with pytest.raises(ValueError):
        marshal(float("nan"))
    with pytest.raises(TypeError):
        marshal({1.5: "x"})
    with pytest.raises(TypeError):
        marshal({True: "x"})
    with pytest.raises(TypeError):
        marshal(object())


def test_marshal_default_encodes_other_types() -> None:
    assert marshal([Decimal("1.5")], default=str) == b'["1.5"]'


@pytest.mark.parametrize(
    "body, text",
    [
        (b"plain", "plain"),
        (b'\\"\\\\\\/\\b\\f\\n\\r\\t', '"\\/\b\f\n\r\t'),
        (b"\\u00e9\\ud83d\\ude00", "é\U0001f600"),  # a surrogate pair is one character
        (b"\\ud800x", "\ufffdx"),  # a lone surrogate escape is U+FFFD
        (b"\\udc00\\ud800", "\ufffd\ufffd"),
        (b"\xff ok", "\ufffd ok"),  # so is a byte that is not UTF-8
    ],
)
def test_json_unquote(body: bytes, text: str) -> None:
    assert unquote(body) == text


# ---- the callers use it -------------------------------------------------------------------------


def test_column_text_and_api_json_are_gos() -> None:
    from api.jsonenc import dumps
    from chain.storage.repo.rows import text_of
    from chain.storage.values import needle_text

    long = Decimal("997763042674874928.20342955944")  # past Decimal's 28-digit context
    assert needle_text(long) == text_of(long) == "997763042674874928.20342955944"
    assert needle_text(1e6) == text_of(1e6) == "1e+06"
    assert needle_text(-0.0) == "-0"
    # The API writes Go's JSON: 1, not Python's 1.0; \b as \u0008; money as a number.
    assert dumps([1.0, 1e-7, "\b\f", Decimal("2.50"), Decimal(3)]) == (
        '[1,1e-7,"\\u0008\\u000c",2.5,3]'
    )
