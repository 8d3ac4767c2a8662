"""Text and JSON built-ins (Str, Sprintf, JSONEncode, JSONDecode) and their bounds, as Go's.

Expected texts marked "Go" were produced by Go 1.19's fmt, encoding/json, strconv and strings
packages (the ones go-ibax's built-ins call), run on the same inputs.
"""

from __future__ import annotations

import math
import time
from decimal import Decimal
from typing import Any

import pytest

from contracts.builtins.printf import sprintf
from contracts.errors import ContractRuntimeError, OutOfFuel
from contracts.run import compile_source
from contracts.vm import Limits, Machine
from tests.contracts.builtins.cases import (
    HANG_S,
    TABLE,
    Fails,
    alias_bomb,
    call,
    check,
    exactly,
    run,
)

D = Decimal


def test_sprintf() -> None:
    assert sprintf("%d-%s", 1, "a") == "1-a"


# ---- 1. aliased arrays cannot hang the node -------------------------------------------------


@pytest.mark.parametrize("name", ["Str", "Join", "Sprintf", "JSONEncode"])
def test_aliased_arrays_are_refused_quickly(name: str) -> None:
    bomb = alias_bomb()
    args = {"Join": (bomb, ","), "Sprintf": ("%v", bomb)}.get(name, (bomb,))
    started = time.perf_counter()
    with pytest.raises(ValueError, match="longer than"):
        call(name, *args)
    assert time.perf_counter() - started < HANG_S  # a hang guard, not a speed claim


def test_arrays_that_contain_themselves_are_refused() -> None:
    loop: list[Any] = [1]
    loop.append(loop)
    for name, args in [("Str", (loop,)), ("Sprintf", ("%d", loop)), ("JSONEncode", (loop,))]:
        with pytest.raises(ValueError):
            call(name, *args)


ALIAS_PROGRAM = """
func main() string {
    var a array
    var i int
    a = [1]
    while i < 40 {
        a = [a, a]
        i = i + 1
    }
    return %s
}
"""


@pytest.mark.parametrize("expr", ["Str(a)", 'Join(a, ",")', 'Sprintf("%v", a)', "JSONEncode(a)"])
def test_aliased_arrays_in_a_contract_end_in_a_panic(expr: str) -> None:
    started = time.perf_counter()
    with pytest.raises(ContractRuntimeError, match="longer than"):
        run(ALIAS_PROGRAM % expr)
    assert time.perf_counter() - started < HANG_S  # a hang guard, not a speed claim


def fuel_of(source: str) -> int:
    program = compile_source(source, "test", TABLE)
    fn = program.funcs["main"]
    assert fn.body is not None
    machine = Machine(Limits(fuel=10_000_000, seconds=10), {})
    fn.body(machine, [None] * fn.nslots)
    return machine.fuel_used


def test_big_results_pay_for_their_size() -> None:
    small = fuel_of("func main() { var s string\n s = Str([1]) }")
    big = fuel_of("func main() { var a array\n var s string\n a = [1]\n var i int\n"
                  " while i < 15 { a = [a, a]\n i = i + 1 }\n s = Str(a) }")  # fmt: skip
    # 2**15 leaves print as ~98k characters: thousands of fuel, not a flat price.
    assert big - small > 5000


def test_a_loop_of_big_results_runs_out_of_fuel() -> None:
    source = """func main() { var a array
        var s string
        var i int
        a = [1]
        while i < 16 { a = [a, a]
            i = i + 1 }
        while true { s = Str(a) } }"""
    started = time.perf_counter()
    with pytest.raises(OutOfFuel):
        run(source, fuel=500_000)
    assert time.perf_counter() - started < HANG_S  # a hang guard, not a speed claim


# ---- 2. JSONDecode is bounded ---------------------------------------------------------------


def test_json_decode_refuses_deep_nesting_as_an_error() -> None:
    for text in ["[" * 100_000, '{"a":' * 100_000, "[" * 1001 + "]" * 1001]:
        with pytest.raises(ValueError, match="exceeded max depth"):
            call("JSONDecode", text)
    nested = call("JSONDecode", "[" * 1000 + "]" * 1000)
    depth = 0
    while nested:
        nested, depth = nested[0], depth + 1
    assert depth == 999  # the innermost array is empty
    with pytest.raises(ContractRuntimeError, match="exceeded max depth"):
        run('func main() { var x array\n x = JSONDecode(Sprintf("%s", "' + "[" * 5000 + '")) }')


# ---- 3. Str --------------------------------------------------------------------------------

STR_CASES: list[tuple[Any, str]] = [  # Go: fmt.Sprintf("%v"), and "" for nil
    (None, ""),
    (0, "0"),
    (-5, "-5"),
    (1.0, "1"),
    (3.0, "3"),
    (1e6, "1e+06"),
    (123456.0, "123456"),
    (1e21, "1e+21"),
    (1e-5, "1e-05"),
    (0.1, "0.1"),
    (-0.0, "-0"),
    (math.inf, "+Inf"),
    (math.nan, "NaN"),
    (D(4), "4"),
    (D("1E+3"), "1000"),
    (D("4.0000"), "4"),
    (D("-1.50"), "-1.5"),
    (True, "true"),
    ("x", "x"),
    (b"hi", "[104 105]"),
    ([1, "a", None, [2.5, b"x"]], "[1 a <nil> [2.5 [120]]]"),
    ({"b": 1, "a": {"c": [None]}, "d": "x "}, "map[b:1 a:map[c:[<nil>]] d:x]"),
    ({}, "map[]"),
    ([], "[]"),
]


@pytest.mark.parametrize("value, text", STR_CASES)
def test_str(value: Any, text: str) -> None:
    assert call("Str", value) == text


# ---- 4. Sprintf ----------------------------------------------------------------------------

SPRINTF_CASES: list[tuple[str, list[Any], str]] = [
    ("%v|%s|%d", [None, None, None], "<nil>|%!s(<nil>)|%!d(<nil>)"),
    ("%d", ["x"], "%!d(string=x)"),
    ("%d %d", [1], "1 %!d(MISSING)"),
    ("%d", [1, "a", None, 2.5], "1%!(EXTRA string=a, <nil>, float64=2.5)"),
    ("%x|%X|% x|%#x|%# X", ["hi", "hi", "hi", "hi", "hé"], "6869|6869|68 69|0x6869|0X68 0XC3 0XA9"),
    (
        "%q|%+q|%#q|%#q",
        ['a"b\\\n\x00é\u2028', "é", "raw", "tab\tok`"],
        '"a\\"b\\\\\\n\\x00é\\u2028"|"\\u00e9"|`raw`|"tab\\tok`"',
    ),
    (
        "%e|%E|%.2e|%g|%G|%.3g|%g|%g",
        [1000000.0, 1e-07, 12345.678, 1000000.0, 1e-07, 0.0001234, 100000.0, 1e21],
        "1.000000e+06|1.000000E-07|1.23e+04|1e+06|1E-07|0.000123|100000|1e+21",
    ),
    (
        "%T %T %T %T %T %T %T %T %T",
        [1, 1.5, "s", True, b"b", D("1"), {"a": 1}, [1], None],
        "int64 float64 string bool []uint8 decimal.Decimal *types.Map []interface {} <nil>",
    ),
    (
        "%c|%c|%c|%q|%U|%#U|%U",
        [65, 128512, -1, 9786, 128512, 9786, -1],
        "A|😀|�|'☺'|U+1F600|U+263A '☺'|U+FFFFFFFFFFFFFFFF",
    ),
    (
        "%o|%O|%#o|%b|%#b|%x|%X|%#x",
        [8, 8, 8, 5, 5, -255, 255, 255],
        "10|0o10|010|101|0b101|-ff|FF|0xff",
    ),
    (
        "[%5v][%-5v][%05v][%5s][%.2s][%-8.3s|]",
        [1, 1, 1, "ab", "héllo", "abcdef"],
        "[    1][1    ][00001][   ab][hé][abc     |]",
    ),
    ("%v %v %v %v %v %v", [1.0, 3.0, 1000000.0, 1e-05, 0.1, math.nan], "1 3 1e+06 1e-05 0.1 NaN"),
    (
        "%v|%5v|%x|%d|%s",
        [[1, "a", None, 2.5], [1, 22], ["ab", 10], [1, "a"], [1, "a"]],
        "[1 a <nil> 2.5]|[    1    22]|[6162 a]|[1 %!d(string=a)]|[%!s(int64=1) a]",
    ),
    ("%v %s %q %x", [D("4"), D("1000"), D("-1.50"), D("255")], '4 1000 "-1.5" 323535'),
    (
        "%v|%s|%10v|",
        [{"b": 1, "a": [1, 2]}, {"k": "v"}, {}],
        "map[b:1 a:[1 2]]|map[k:v]|     map[]|",
    ),
    (
        "%v %s %x %q %d %c",
        [b"hi", b"hi", b"hi", b"hi", b"hi", b"hi"],
        '[104 105] hi 6869 "hi" [104 105] [h i]',
    ),
    (
        "%+d|% d|%+.3d|%08.3f|%-08d|%+v|%x",
        [5, 5, 7, 3.14159, 42, 5, 3.0],
        "+5| 5|+007|0003.142|42      |5|0x1.8p+01",
    ),
    (
        "%!|%z|%[2]d %[1]d|%[3]d|%[0]d",
        [1, 2],
        "%!!(int64=1)|%!z(int64=2)|2 1|%!d(BADINDEX)|%!d(BADINDEX)",
    ),
    ("%*d|%-*d|%.*f|%*d", [5, 1, 5, 2, 2, 3.14159, "x", 3], "    1|2    |3.14|%!(BADWIDTH)3"),
    ("%", [], "%!(NOVERB)"),
    ("%.", [1], "%!.(int64=1)"),
    ("%5", [1], "%!(NOVERB)%!(EXTRA int64=1)"),
    ("%t %t %v", [True, 1, False], "true %!t(int64=1) false"),
    (
        "%f|%.0f|%.1f|%8.2f|%+.1e|%#g|%#.3x",
        [2.5, 2.5, 0.05, -3.14159, 12345.0, 1.0, 1.0],
        "2.500000|2|0.1|   -3.14|+1.2e+04|1.00000|0x1.000p+00",
    ),
    (
        "%x|%X|%.3x|%b",
        [1.0, -0.1, 3.14159, 1.0],
        "0x1p+00|-0X1.999999999999AP-04|0x1.922p+01|4503599627370496p-52",
    ),
    (
        "%6.2f|%-8.3v|%+q|%#v|%#v|%#v|%#v",
        [math.inf, "abcdef", "日本", "q", [1, "a", None], b"hi", 1.5],
        '  +Inf|abc     |"\\u65e5\\u672c"|"q"|'
        '[]interface {}{1, "a", interface {}(nil)}|[]byte{0x68, 0x69}|1.5',
    ),
    ("%08v|%-08v|%+08d|% 08d", [-1.5, 2, 3, 4], "-00001.5|2       |+0000003| 0000004"),
    (
        "%v %d",
        [9223372036854775807, -9223372036854775808],
        "9223372036854775807 -9223372036854775808",
    ),
    ("%s", ["\udcff\udc80ok"], "\udcff\udc80ok"),
    ("%q", ["\udcffx"], '"\\xffx"'),
    ("%x", ["\udcff"], "ff"),
    ("%3c|%-4q|%#q|%+q", [65, 66, 128512, 128512], "  A|'B' |'😀'|'\\U0001f600'"),
    ("%10.4v|%-10v|", [3.14159265, [1.5, "x"]], "     3.142|[1.5        x         ]|"),
]


@pytest.mark.parametrize("pattern, args, text", SPRINTF_CASES)
def test_sprintf_as_go(pattern: str, args: list[Any], text: str) -> None:
    assert call("Sprintf", pattern, *args) == text  # Go


SPRINTF_DEVIATIONS: list[tuple[str, list[Any], str]] = [
    # Go prints the inner pointers of money and maps for these verbs (a new text every run).
    ("%d", [D(12)], "%!d(decimal.Decimal=12)"),
    ("%.2f", [D("1.5")], "%!f(decimal.Decimal=1.5)"),
    ("%d", [{"a": 1}], "%!d(*types.Map=map[a:1])"),
    ("%#v", [D(1)], "1"),
    ("%p", [[1]], "%!p([]interface {}=[1])"),
]


@pytest.mark.parametrize("pattern, args, text", SPRINTF_DEVIATIONS)
def test_sprintf_prints_pointers_deterministically(
    pattern: str, args: list[Any], text: str
) -> None:
    assert call("Sprintf", pattern, *args) == text


def test_sprintf_bounds() -> None:
    too_long: list[tuple[str, list[Any]]] = [
        ("%9999999d", [1]),
        ("%.1048576f", [1.0]),
        ("%v", [["x" * 1000] * 2000]),
    ]
    for pattern, args in too_long:
        with pytest.raises(ValueError, match="longer than"):
            call("Sprintf", pattern, *args)
    assert call("Sprintf", "%99999999999d", 1) == "%!(NOVERB)%!(EXTRA int64=1)"  # Go
    with pytest.raises(TypeError, match="reflect: Call using int64 as type string"):
        call("Sprintf", 5)
    assert call("Sprintf", None) == ""


def test_sprintf_joins_bytes_as_go_does() -> None:
    # Two halves of "é" printed side by side are "é" again, as Go's bytes would be.
    assert call("Sprintf", "%s%s", "\udcc3", "\udca9") == "é"


# ---- 5. JSONEncode -------------------------------------------------------------------------

JSON_ENCODE_CASES: list[tuple[Any, Any]] = [
    ({"b": 1, "a": [1, "x"]}, '{"b":1,"a":[1,"x"]}'),
    ({"é": "日本<&>"}, '{"é":"日本<&>"}'),
    ([1.0, 0.5, 1e21, 1e-7, 3.0], "[1,0.5,1e+21,1e-7,3]"),
    ([D(4), D("1000"), D("-1.50")], '["4","1000","-1.5"]'),
    (b"hi", '"aGk="'),
    (None, '""'),  # nil arrives as ""
    ("\udcff", '"\\ufffd"'),
    ([math.nan], exactly("json: unsupported value: NaN")),
    (D(5), exactly("Type decimal.Decimal doesn't support json marshalling", TypeError)),
]


@pytest.mark.parametrize("value, expected", JSON_ENCODE_CASES)
def test_json_encode(value: Any, expected: Any) -> None:
    check("JSONEncode", (value,), expected)


# ---- 6. JSONDecode -------------------------------------------------------------------------

# Go's json.Decoder with UseNumber then ConvertMap; numbers outside maps, json.Number there,
# are shown as we give them (int64 when they fit, else float64, else the text).
JSON_CASES: list[tuple[str, Any]] = [
    ("", exactly("EOF")),
    ("  \n", exactly("EOF")),
    ("[1,2", exactly("unexpected EOF")),
    ("[1,]", exactly("invalid character ']' looking for beginning of value")),
    ('{"a":}', exactly("invalid character '}' looking for beginning of value")),
    ('{"a" 1}', exactly("invalid character '1' after object key")),
    ('{"a":1,}', exactly("invalid character '}' looking for beginning of object key string")),
    ("{,}", exactly("invalid character ',' looking for beginning of object key string")),
    ("[1 2]", exactly("invalid character '2' after array element")),
    ("tru", exactly("unexpected EOF")),
    ("trux", exactly("invalid character 'x' in literal true (expecting 'e')")),
    ("nul", exactly("unexpected EOF")),
    ("x", exactly("invalid character 'x' looking for beginning of value")),
    ("é", exactly("invalid character 'Ã' looking for beginning of value")),
    ("NaN", exactly("invalid character 'N' looking for beginning of value")),
    ("Infinity", exactly("invalid character 'I' looking for beginning of value")),
    ("-Infinity", exactly("invalid character 'I' in numeric literal")),
    ("-", exactly("unexpected EOF")),
    ("1.", exactly("unexpected EOF")),
    ("1.x", exactly("invalid character 'x' after decimal point in numeric literal")),
    ("1e", exactly("unexpected EOF")),
    ("1e+", exactly("unexpected EOF")),
    ("1ex", exactly("invalid character 'x' in exponent of numeric literal")),
    ("01", 0),
    ("[01]", exactly("invalid character '1' after array element")),
    ('"a\nb"', exactly("invalid character '\\n' in string literal")),
    ('"\\x"', exactly("invalid character 'x' in string escape code")),
    ('"\\u12g4"', exactly("invalid character 'g' in \\u hexadecimal character escape")),
    ('"abc', exactly("unexpected EOF")),
    ("1 x", 1),
    ("[1] trailing", [1]),
    ('{"a":1}}', {"a": 1}),
    ("  null", None),
    ("true", True),
    ("-0", 0),
    ("12", 12),
    ("1.5", 1.5),
    ("1e2", 100.0),
    ("9223372036854775807", 9223372036854775807),
    ("9223372036854775808", 9.223372036854776e18),
    (
        "[9223372036854775807, 9223372036854775808, 1.0, 1e400]",
        [9223372036854775807, 9.223372036854776e18, 1.0, "1e400"],
    ),
    (
        '{"big": 1e400, "i": 10, "f": 1.25, "e": 1E2, "n": -0}',
        {"big": "1e400", "e": 100.0, "f": 1.25, "i": 10, "n": 0},
    ),
    ('{"b":1,"a":2,"b":3}', {"a": 2, "b": 3}),
    ('{"z":{"y":1,"x":[{"d":1,"c":2}]}}', {"z": {"x": [{"c": 2, "d": 1}], "y": 1}}),
    ('"\\ud800"', "�"),
    ('"\\ud83d\\ude00"', "😀"),
    ('"\\ud800\\u0041"', "�A"),
    ('"a\udcffb"', "a�b"),
    ('{"\\ud800":1,"\\udbff":2}', {"�": 2}),
    ('"é\\u00e9\\/\\t"', "éé/\t"),
    ('["x",null,true,false,{}]', ["x", None, True, False, {}]),
    ('{"a" : [ 1 , "2" ] }', {"a": [1, "2"]}),
]


@pytest.mark.parametrize("text, expected", JSON_CASES)
def test_json_decode_as_go(text: str, expected: Any) -> None:
    if isinstance(expected, Fails):
        expected = exactly("unmarshalling json: " + expected.text)
    check("JSONDecode", (text,), expected)


def test_json_decode_types_and_order() -> None:
    value = call(
        "JSONDecode", '{"z": 1, "a": {"y": 2.5, "b": [3, "4"]}, "m": 10000000000000000000}'
    )
    assert value == {"a": {"b": [3, "4"], "y": 2.5}, "m": 1e19, "z": 1}
    assert list(value) == ["a", "m", "z"] and list(value["a"]) == ["b", "y"]
    assert type(value["z"]) is int and type(value["m"]) is float
    with pytest.raises(TypeError, match="reflect: Call using int64 as type string"):
        call("JSONDecode", 5)
    with pytest.raises(ValueError, match="unmarshalling json: EOF"):
        call("JSONDecode", None)
