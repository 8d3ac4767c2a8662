"""Value, string and key built-ins (Int, Float, Money, maps, Split, Substr, hex, hashes,
case), with the reference's semantics and errors.

Expected texts marked "Go" were produced by Go 1.19's fmt, encoding/json, strconv and strings
packages (the ones go-ibax's built-ins call), run on the same inputs.
"""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Any

import pytest

from chain.address import key_id_from_hash
from contracts.builtins import gotypes
from contracts.errors import ContractRuntimeError
from tests.contracts.builtins.cases import (
    CRYPTO,
    Fails,
    call,
    check,
    exactly,
    run,
)

D = Decimal


# ---- 7-9. Int, Float, Money ------------------------------------------------------------------

INT_CASES: list[tuple[Any, Any]] = [
    (None, 0),
    ("", 0),
    ("42", 42),
    ("+7", 7),
    ("-0", 0),
    ("007", 7),
    ("9223372036854775807", (1 << 63) - 1),
    ("-9223372036854775808", -(1 << 63)),
    (" 1", exactly(" 1 is not a valid integer : invalid syntax")),
    ("1 ", exactly("1  is not a valid integer : invalid syntax")),
    ("1_000", exactly("1_000 is not a valid integer : invalid syntax")),
    ("0x10", exactly("0x10 is not a valid integer : invalid syntax")),
    ("abc", exactly("abc is not a valid integer : invalid syntax")),
    (
        "9223372036854775808",
        exactly("9223372036854775808 is not a valid integer : value out of range"),
    ),
    (
        "99999999999999999999x",
        exactly("99999999999999999999x is not a valid integer : value out of range"),
    ),
    ("1" * 5000, exactly("1" * 5000 + " is not a valid integer : value out of range")),
    (True, exactly("true is not a valid integer")),
    ([1, 2], exactly("[1 2] is not a valid integer")),
    (2.9, 2),
    (-2.9, -2),
    (math.nan, -(1 << 63)),  # int64(NaN) on amd64
    (1e19, -(1 << 63)),
    (D("12.9"), 12),
    (D("-12.9"), -12),
    (D(1 << 64) + 5, 5),  # big.Int.Int64 keeps the low 64 bits
]


@pytest.mark.parametrize("value, expected", INT_CASES)
def test_int(value: Any, expected: Any) -> None:
    check("Int", (value,), expected)


FLOAT_CASES: list[tuple[Any, Any]] = [  # Go: strconv.ParseFloat, errors read as 0
    (None, 0.0),
    (True, 0.0),
    ([1], 0.0),
    ("", 0.0),
    ("abc", 0.0),
    (" 1", 0.0),
    ("1.5", 1.5),
    (".5", 0.5),
    ("1e3", 1000.0),
    ("1_000", 1000.0),
    ("1__0", 0.0),
    ("_1", 0.0),
    ("0x1.8p1", 3.0),
    ("0x_1p0", 1.0),
    ("0x1", 0.0),
    ("inf", math.inf),
    ("-Infinity", -math.inf),
    ("NaN", math.nan),
    ("+nan", 0.0),
    ("1e400", math.inf),  # out of range: ParseFloat's ±Inf is kept
    ("-1e400", -math.inf),
    ("1e-400", 0.0),
    (3, 3.0),
    (D("2.5"), 2.5),
    (1.25, 1.25),
]


@pytest.mark.parametrize("value, expected", FLOAT_CASES)
def test_float(value: Any, expected: Any) -> None:
    check("Float", (value,), expected)


MONEY_CASES: list[tuple[Any, Any]] = [
    ("1.7", D(1)),
    ("-1.2", D(-2)),
    ("10", D(10)),
    ("1e3", D(1000)),
    ("+5", D(5)),
    (".5", D(0)),
    (2.9, D(2)),
    (-0.5, D(-1)),
    (1e22, D(10**22)),
    (7, D(7)),
    (D("1.5"), D("1.5")),  # money is kept as it is
    (None, exactly("can't convert  to decimal")),
    ("", exactly("can't convert  to decimal")),
    (" 1", exactly("can't convert  1 to decimal")),
    ("1_0", exactly("can't convert 1_0 to decimal")),
    ("NaN", exactly("can't convert NaN to decimal")),
    (math.nan, exactly("Cannot create a Decimal from NaN")),
    (math.inf, exactly("Cannot create a Decimal from +Inf")),
    (True, exactly("interface conversion: interface {} is bool, not decimal.Decimal", TypeError)),
    (
        [1],
        exactly(
            "interface conversion: interface {} is []interface {}, not decimal.Decimal", TypeError
        ),
    ),
]


@pytest.mark.parametrize("value, expected", MONEY_CASES)
def test_money(value: Any, expected: Any) -> None:
    check("Money", (value,), expected)
    if not isinstance(expected, Fails):
        assert str(call("Money", value)) == str(expected)  # never 1E+3


# ---- 10-13. maps, Split, Substr, Len and Size ------------------------------------------------


def test_get_map_keys_in_insertion_order() -> None:
    assert call("GetMapKeys", {"b": 1, "a": 2, "c": 3}) == ["b", "a", "c"]
    assert call("GetMapKeys", {}) == []
    for bad in (None, [1], "m"):
        with pytest.raises(TypeError, match="as type \\*types.Map"):
            call("GetMapKeys", bad)


SPLIT_CASES: list[tuple[str, str, list[str]]] = [  # Go: strings.Split
    ("", ",", [""]),
    ("a,b,,c", ",", ["a", "b", "", "c"]),
    (",", ",", ["", ""]),
    ("abc", "", ["a", "b", "c"]),
    ("", "", []),
    ("héllo", "", ["h", "é", "l", "l", "o"]),
    ("a\udcffb\udcff", "", ["a", "\ufffd", "b", "\udcff"]),  # bad bytes: U+FFFD but the last
    ("é", "\udcc3", ["", "\udca9"]),  # split inside a character, as Go splits bytes
    ("a--b", "--", ["a", "b"]),
]


@pytest.mark.parametrize("text, sep, expected", SPLIT_CASES)
def test_split(text: str, sep: str, expected: list[str]) -> None:
    assert call("Split", text, sep) == expected


SUBSTR_CASES: list[tuple[str, int, int, str]] = [
    ("hello", 1, 3, "ell"),
    ("hello", 3, 10, "lo"),
    ("hello", 5, 1, ""),
    ("hello", 6, 1, ""),
    ("hello", -1, 2, ""),
    ("hello", 1, -1, ""),
    ("héllo", 1, 2, "é"),  # bytes: é is two of them
    ("héllo", 1, 1, "\udcc3"),  # half a character is a byte of its own
    ("日本", 3, 3, "本"),
]


@pytest.mark.parametrize("text, offset, count, expected", SUBSTR_CASES)
def test_substr_counts_bytes(text: str, offset: int, count: int, expected: str) -> None:
    assert call("Substr", text, offset, count) == expected


def test_substr_type_checks() -> None:
    with pytest.raises(TypeError, match="reflect: Call using float64 as type int64"):
        call("Substr", "abc", 1.0, 1)
    with pytest.raises(TypeError, match="reflect: Call using string as type int64"):
        call("Substr", "abc", None, 1)
    assert call("Substr", None, 0, 1) == ""


def test_len_and_size() -> None:
    assert call("Len", [1, [2, 3], None]) == 3
    assert call("Len", []) == 0
    for bad, kind in [
        (None, "string"),
        ("abc", "string"),
        ({"a": 1}, "\\*types.Map"),
        (b"x", "\\[\\]uint8"),
    ]:
        with pytest.raises(TypeError, match=f"reflect: Call using {kind} as type \\[\\]interface"):
            call("Len", bad)
    assert call("Size", "héllo") == 6
    assert call("Size", None) == 0
    assert call("Size", "\udcff") == 1
    for wrong in ([1], {"a": 1}, 5):
        with pytest.raises(TypeError, match="as type string"):
            call("Size", wrong)


# ---- 14-15. hex, keys, base64, bytes -----------------------------------------------------------


def test_hex_to_bytes_has_go_errors() -> None:
    assert call("HexToBytes", "00ff") == b"\x00\xff"
    assert call("HexToBytes", "") == b""
    check("HexToBytes", ("abc",), exactly("encoding/hex: odd length hex string"))
    check("HexToBytes", ("zz",), exactly("encoding/hex: invalid byte: U+007A 'z'"))
    check("HexToBytes", ("0 ",), exactly("encoding/hex: invalid byte: U+0020 ' '"))


def test_pub_to_id() -> None:
    pub = CRYPTO.public_key(bytes(range(1, 33)))
    key_id = CRYPTO.address(pub)
    assert call("PubToID", pub.hex()) == key_id
    assert call("PubToID", "04" + pub.hex()) == key_id
    assert call("PubToID", "zz") == 0
    assert call("PubToID", "abc") == 0
    assert call("PubToID", None) == key_id_from_hash(CRYPTO.hash(b""))
    # Any hex is a key to the reference: its hash gives an id.
    assert call("PubToID", "abcd") == key_id_from_hash(CRYPTO.hash(b"\xab\xcd"))


def test_hashes_and_seeds() -> None:
    assert call("Hash", "x") == CRYPTO.hash(b"x").hex()
    assert call("Hash", b"x") == CRYPTO.hash(b"x").hex()
    assert call("Hash", None) == CRYPTO.hash(b"").hex()
    check("Hash", (5,), exactly("Unsupported type int64", TypeError))
    assert call("DoubleHash", b"x") == CRYPTO.double_hash(b"x")
    check("DoubleHash", ("x",), exactly("reflect: Call using string as type []uint8", TypeError))
    assert call("SeedToID", "seed") == CRYPTO.seed_address("seed")
    assert call("IdToAddress", 5555) == "0000-0000-0000-0000-5555"
    assert call("AddressToId", " 0000-0000-0000-0000-5555\n") == 5555
    assert call("AddressToId", "\x1c5555") == 0


BASE64_CASES: list[tuple[str, Any]] = [  # Go: base64.StdEncoding.DecodeString
    ("aGk=", "hi"),
    ("aG\r\nk=\n", "hi"),
    ("", ""),
    ("YR==", "a"),  # extra bits are ignored (StdEncoding is not strict)
    ("/w==", "\udcff"),  # not UTF-8: the byte is kept
    ("77u/aGk=", "\ufeffhi"),
    ("aGk", exactly("illegal base64 data at input byte 0")),
    ("YQ", exactly("illegal base64 data at input byte 0")),
    ("YQ=", exactly("illegal base64 data at input byte 3")),
    ("YQ===", exactly("illegal base64 data at input byte 4")),
    ("YQ==YQ==", exactly("illegal base64 data at input byte 4")),
    ("Y===", exactly("illegal base64 data at input byte 1")),
    ("aG k=", exactly("illegal base64 data at input byte 2")),
    ("aGk=\nx", exactly("illegal base64 data at input byte 5")),
    ("YQ=\n", exactly("illegal base64 data at input byte 4")),
]


@pytest.mark.parametrize("text, expected", BASE64_CASES)
def test_decode_base64(text: str, expected: Any) -> None:
    check("DecodeBase64", (text,), expected)


def test_bytes_and_strings() -> None:
    assert call("EncodeBase64", "hi") == "aGk="
    assert call("EncodeBase64", "\udcff") == "/w=="
    assert call("StringToBytes", "é\udcff") == b"\xc3\xa9\xff"
    assert call("BytesToString", b"\xef\xbb\xbfhi") == "hi"  # BOM dropped
    assert (
        call("BytesToString", b"\xef\xbb\xbf\xff") == "\ufeff\udcff"
    )  # kept: the rest is not UTF-8
    assert call("BytesToString", b"a\xffb") == "a\udcffb"
    assert call("StringToBytes", call("BytesToString", b"a\xffb")) == b"a\xffb"  # round trip
    check("BytesToString", ("x",), exactly("reflect: Call using string as type []uint8", TypeError))


# ---- 16. case, spaces, Append and type checks --------------------------------------------------

CASE_CASES: list[tuple[str, str, str]] = [  # Go: strings.ToUpper / strings.ToLower
    ("straße", "STRAßE", "straße"),  # ß has no one-letter uppercase
    ("İstanbul", "İSTANBUL", "istanbul"),
    ("ΑΣ", "ΑΣ", "ασ"),  # no final sigma
    ("ᾳ", "ᾼ", "ᾳ"),
    ("ǅ", "Ǆ", "ǆ"),
    ("ﬀ", "ﬀ", "ﬀ"),
    ("aé\udcff", "AÉ\ufffd", "aé\ufffd"),  # a bad byte becomes U+FFFD
    ("ABC", "ABC", "abc"),
]


@pytest.mark.parametrize("text, upper, lower", CASE_CASES)
def test_case_mapping_per_character(text: str, upper: str, lower: str) -> None:
    assert call("ToUpper", text) == upper
    assert call("ToLower", text) == lower


def test_trim_space_is_unicode_is_space() -> None:
    assert call("TrimSpace", " \t\n\v\f\r\x85\xa0\u2000\u3000x y\u2028\u205f ") == "x y"
    assert call("TrimSpace", "\x1cx\x1f") == "\x1cx\x1f"  # not white space to Go
    assert call("TrimSpace", "\u200bx") == "\u200bx"
    assert call("TrimSpace", None) == ""


def test_append_takes_two_arguments() -> None:
    items = [1]
    assert call("Append", items, 2) == [1, 2]
    assert items == [1]
    assert call("Append", items, [3]) == [1, [3]]
    assert call("Append", items, None) == [1, ""]  # the reference's VM passes nil as ""
    with pytest.raises(TypeError):
        call("Append", items, 2, 3)
    with pytest.raises(TypeError, match="as type \\[\\]interface"):
        call("Append", "abc", 1)
    with pytest.raises(ContractRuntimeError, match="Append"):
        run("func main() { var a array\n a = Append(a, 1, 2) }")


def test_string_functions_check_types() -> None:
    assert call("Contains", "héllo", "é")
    assert call("Contains", "abc", "")
    assert call("HasPrefix", "héllo", "hé")
    assert call("Replace", "a.b.c", ".", "--") == "a--b--c"
    assert call("Replace", "abc", "", "-") == "-a-b-c-"
    assert call("Replace", "\udca9\udca9", "", "\udcc3") == "éé\udcc3"  # bytes meet again
    assert call("Contains", None, "") and not call("HasPrefix", None, "a")
    wrong_types: list[tuple[str, tuple[Any, ...]]] = [
        ("Contains", ("abc", 1)),
        ("HasPrefix", (1, "a")),
        ("Replace", ("a", "a", 1)),
        ("ToUpper", (1,)),
        ("TrimSpace", ([],)),
        ("Split", ("a", 1)),
        ("Join", ([1], 2)),
    ]
    for name, args in wrong_types:
        with pytest.raises(TypeError, match="reflect: Call using"):
            call(name, *args)


def test_join() -> None:
    assert call("Join", [1, "a", None, 2.5, D(3), [1]], ", ") == "1, a, <nil>, 2.5, 3, [1]"
    assert call("Join", [], ",") == ""
    assert call("Join", ["\udcc3", "\udca9"], "") == "é"
    with pytest.raises(TypeError, match="as type \\[\\]interface"):
        call("Join", None, ",")


def test_go_strings_round_trip() -> None:
    raw = bytes(range(256))
    assert gotypes.go_bytes(gotypes.go_str(raw)) == raw
    assert gotypes.go_bytes("\ud800") == "\ufffd".encode()  # not a byte escape: U+FFFD as Go holds
    assert gotypes.canonical("\udcc3\udca9") == "é"
