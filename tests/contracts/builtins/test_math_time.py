"""Math, time, money, value and JSON built-ins: go-ibax's semantics, edges, hostile input."""

from __future__ import annotations

import calendar
import math
import time
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from contracts.builtins.format import go_text
from contracts.builtins.json import encode as json_encode
from contracts.builtins.math import money_builtins
from contracts.builtins.random import SeededStream, random_int
from contracts.program import arg_size_fuel
from contracts.run import compile_source
from contracts.vm import Limits, Machine
from tests.contracts.builtins.cases import HANG_S, TABLE, alias_bomb, call, check, fails

D = Decimal


def utc(text: str) -> int:
    return calendar.timegm(time.strptime(text, "%Y-%m-%d %H:%M:%S"))


# ---- the table ------------------------------------------------------------------------------


def test_arg_size_fuel() -> None:
    assert arg_size_fuel([]) == 0
    assert arg_size_fuel([1, 2.0, None]) == 0
    assert arg_size_fuel(["x" * 1024, b"y" * 512, [0] * 256, {"k": 1}]) == 4 + 2 + 1 + 0


# ---- time ------------------------------------------------------------------------------------

DATE_CASES: list[tuple[str, tuple[Any, ...], Any]] = [
    # The reference's testDateTime (there on a UTC+5 machine; our nodes use UTC).
    ("DateTime", (1257894000,), "2009-11-10 23:00:00"),
    ("UnixDateTime", ("2009-11-11 04:00:00",), 1257912000),
    ("DateTime", (0,), "1970-01-01 00:00:00"),
    ("DateTime", (-1,), "1969-12-31 23:59:59"),
    ("DateTime", (951782400,), "2000-02-29 00:00:00"),
    ("DateTime", (-(1 << 63),), "-292277022657-01-27 08:29:52"),
    ("DateTime", ((1 << 63) - 1,), "292277026596-12-04 15:30:07"),
    ("DateTime", ("0",), fails(TypeError, "reflect: Call using string as type int64")),
    ("DateTime", (1.5,), fails(TypeError, "float64 as type int64")),
    ("UnixDateTime", ("2009-11-11 4:00:00",), 1257912000),  # the hour may have one digit
    ("UnixDateTime", ("2009-11-11   04:00:00",), 1257912000),  # a layout space matches many
    ("UnixDateTime", ("2009-11-11 04:00:00.999",), 1257912000),  # a fraction is accepted
    ("UnixDateTime", ("2009-11-11 04:00:00,5",), 1257912000),
    ("UnixDateTime", ("2008-02-29 00:00:00",), utc("2008-02-29 00:00:00")),
    ("UnixDateTime", ("0000-01-01 00:00:00",), -62167219200),
    ("UnixDateTime", ("2009-02-29 00:00:00",), 0),  # day out of range
    ("UnixDateTime", ("2009-1-11 04:00:00",), 0),  # the month needs two digits
    ("UnixDateTime", ("2009-13-11 04:00:00",), 0),
    ("UnixDateTime", ("2009-11-11 24:00:00",), 0),
    ("UnixDateTime", ("2009-11-11 04:60:00",), 0),
    ("UnixDateTime", ("2009-11-11 04:00:60",), 0),
    ("UnixDateTime", ("2009-11-11 04:00:00 ",), 0),  # extra text
    ("UnixDateTime", ("2009-11-11T04:00:00",), 0),
    ("UnixDateTime", ("",), 0),
    ("UnixDateTime", (None,), 0),
    ("UnixDateTime", ("２００９-11-11 04:00:00",), 0),  # only ASCII digits
    ("UnixDateTime", (5,), fails(TypeError, "int64 as type string")),
    ("DateTimeLocation", (1257894000, "Europe/Berlin"), "2009-11-11 00:00:00"),
    ("DateTimeLocation", (1257894000, "America/New_York"), "2009-11-10 18:00:00"),
    ("DateTimeLocation", (1257894000, "Asia/Kolkata"), "2009-11-11 04:30:00"),
    ("DateTimeLocation", (1257894000, ""), "2009-11-10 23:00:00"),
    ("DateTimeLocation", (1257894000, "UTC"), "2009-11-10 23:00:00"),
    ("DateTimeLocation", (1257894000, "Local"), "2009-11-10 23:00:00"),
    ("DateTimeLocation", (1, "Mars/Base"), fails(ValueError, "unknown time zone Mars/Base")),
    ("DateTimeLocation", (1, "../etc/passwd"), fails(ValueError, "invalid location name")),
    ("DateTimeLocation", (1, "/etc/localtime"), fails(ValueError, "invalid location name")),
    ("DateTimeLocation", (1, "x" * 300), fails(ValueError, "location name is too long")),
    # Far beyond Python's datetime range the zone's yearly rule still applies.
    ("DateTimeLocation", ((1 << 63) - 1, "Europe/Berlin"), "292277026596-12-04 16:30:07"),
    ("DateTimeLocation", (-(1 << 63), "Europe/Berlin"), "-292277022657-01-27 09:23:20"),
    ("UnixDateTimeLocation", ("2009-11-11 00:00:00", "Asia/Tokyo"), 1257865200),
    ("UnixDateTimeLocation", ("2009-11-11 00:00:00", "Europe/Berlin"), 1257894000),
    ("UnixDateTimeLocation", ("2009-11-11 00:00:00", ""), 1257897600),
    # In a gap Go lands before it (02:30 -> 01:30 EST); in an overlap on the first one (EDT).
    (
        "UnixDateTimeLocation",
        ("2021-03-14 02:30:00", "America/New_York"),
        utc("2021-03-14 06:30:00"),
    ),
    (
        "UnixDateTimeLocation",
        ("2021-11-07 01:30:00", "America/New_York"),
        utc("2021-11-07 05:30:00"),
    ),
    (
        "UnixDateTimeLocation",
        ("2009-13-11 04:00:00", "UTC"),
        fails(ValueError, 'Parse time: parsing time "2009-13-11 04:00:00": month out of range'),
    ),
    (
        "UnixDateTimeLocation",
        ("x", "UTC"),
        fails(
            ValueError,
            'Parse time: parsing time "x" as "2006-01-02 15:04:05": cannot parse "x" as "2006"',
        ),
    ),
    (
        "UnixDateTimeLocation",
        ("2009/11/11 04:00:00", "UTC"),
        fails(ValueError, 'cannot parse "/11/11 04:00:00" as "-"'),
    ),
    (
        "UnixDateTimeLocation",
        ("2009-11-11 04:00:00x", "UTC"),
        fails(ValueError, 'parsing time "2009-11-11 04:00:00x": extra text: "x"'),
    ),
    ("UnixDateTimeLocation", ("2009-11-31 04:00:00", "UTC"), fails(ValueError, "day out of range")),
    (
        "UnixDateTimeLocation",
        ("2009-11-11 é", "UTC"),
        fails(ValueError, 'cannot parse "\\xc3\\xa9" as "15"'),
    ),
    (
        "UnixDateTimeLocation",
        ("2009-11-11 04:00:00", "Nowhere/City"),
        fails(ValueError, "Load location: unknown time zone Nowhere/City"),
    ),
    # AddDate normalises like Go: Jan 31 + 1 month is Mar 3 (Mar 2 in a leap year).
    ("AddDate", (utc("2009-01-31 10:00:00"), 0, 1, 0), utc("2009-03-03 10:00:00")),
    ("AddDate", (utc("2024-01-31 10:00:00"), 0, 1, 0), utc("2024-03-02 10:00:00")),
    ("AddDate", (utc("2009-01-01 00:00:00"), 1, 0, 0), utc("2010-01-01 00:00:00")),
    ("AddDate", (utc("2008-02-29 00:00:00"), 1, 0, 0), utc("2009-03-01 00:00:00")),
    ("AddDate", (utc("2009-03-31 00:00:00"), 0, -1, 0), utc("2009-03-03 00:00:00")),
    ("AddDate", (utc("2009-05-15 12:00:00"), 0, -17, 0), utc("2007-12-15 12:00:00")),
    ("AddDate", (utc("2009-05-15 12:00:00"), 0, 0, -400), utc("2008-04-10 12:00:00")),
    ("AddDate", (0, 10**15, 0, 0), fails(ValueError, "integer overflow")),
    ("AddDate", (0, 0, 0, 1.0), fails(TypeError, "float64 as type int64")),
]


@pytest.mark.parametrize("name, args, expected", DATE_CASES)
def test_time(name: str, args: tuple[Any, ...], expected: Any) -> None:
    check(name, args, expected)


GO_LAYOUTS = [
    # Go's documented layouts applied to 2009-11-10 23:00:00 UTC (time package examples).
    ("Mon Jan _2 15:04:05 2006", "Tue Nov 10 23:00:00 2009"),
    ("Mon Jan _2 15:04:05 MST 2006", "Tue Nov 10 23:00:00 UTC 2009"),
    ("Mon Jan 02 15:04:05 -0700 2006", "Tue Nov 10 23:00:00 +0000 2009"),
    ("02 Jan 06 15:04 MST", "10 Nov 09 23:00 UTC"),
    ("Monday, 02-Jan-06 15:04:05 MST", "Tuesday, 10-Nov-09 23:00:00 UTC"),
    ("Mon, 02 Jan 2006 15:04:05 -0700", "Tue, 10 Nov 2009 23:00:00 +0000"),
    ("2006-01-02T15:04:05Z07:00", "2009-11-10T23:00:00Z"),
    ("2006-01-02T15:04:05.999999999Z07:00", "2009-11-10T23:00:00Z"),
    ("3:04PM", "11:00PM"),
    ("Jan _2 15:04:05.000", "Nov 10 23:00:00.000"),
    ("Jan _2 15:04:05.000000000000", "Nov 10 23:00:00.000000000"),
    ("15:04:05,000", "23:00:00,000"),
    ("January 2, 2006 at 3:04pm (MST)", "November 10, 2009 at 11:00pm (UTC)"),
    ("002 __2 _2 2 02 1 01", "314 314 10 10 10 11 11"),
    (
        "-07 -07:00 -07:00:00 -070000 Z07 Z0700 Z07:00:00 Z070000",
        "+00 +00:00 +00:00:00 +000000 Z Z Z Z",
    ),
    ("_2006 Janet Month Mond PM 03 3 4 04 5 05", "_2009 Janet Month Mond PM 11 11 0 00 0 00"),
    ("no codes here", "no codes here"),
    ("", ""),
    (".9 .0 ,99", " .0 "),
    ("1.5", "11.0"),  # "1" then ".5" is not a fraction (digit 5) so "." and "5" (second 0)
]


@pytest.mark.parametrize("layout, expected", GO_LAYOUTS)
def test_date_format_layouts(layout: str, expected: str) -> None:
    assert call("DateFormat", layout, 1257894000) == expected


def test_date_format_padding_and_hostile_layout() -> None:
    jan5 = utc("2009-01-05 03:04:05")
    assert call("DateFormat", "__2|002|_2|2|3|03|15|4|5|pm", jan5) == "  5|005| 5|5|3|03|03|4|5|am"
    assert call("DateFormat", "2006", utc("0099-01-01 00:00:00")) == "0099"
    with pytest.raises(ValueError, match="layout is too long"):
        call("DateFormat", "2006" * 1000, 0)


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=-62135596800, max_value=253402300799))
def test_date_time_matches_python_calendar(unix: int) -> None:
    text = call("DateTime", unix)
    moment = datetime.fromtimestamp(unix, UTC)
    assert text == f"{moment.year:04d}-" + moment.strftime("%m-%d %H:%M:%S")
    assert call("UnixDateTime", text) == unix
    assert call("AddDate", unix, 0, 0, 3) == unix + 3 * 86400


# ---- floats -----------------------------------------------------------------------------------

FLOAT_CASES: list[tuple[str, tuple[Any, ...], Any]] = [
    ("Log", (1,), 0.0),
    ("Log", (2.718281828459045,), 1.0),
    ("Log", ("10",), 2.302585092994046),
    ("Log", (0,), fails(ValueError, "incorrect float result")),
    ("Log", (-1.0,), fails(ValueError, "incorrect float result")),
    ("Log", ("abc",), fails(ValueError, "incorrect float value")),
    ("Log", (" 1",), fails(ValueError, "incorrect float value")),
    ("Log", ("1_0",), 2.302585092994046),  # Go's strconv.ParseFloat reads '_' between digits
    ("Log", ("_10",), fails(ValueError, "incorrect float value")),
    ("Pow", ("0x1p3", 2), 64.0),
    ("Log", ("1e400",), fails(ValueError, "incorrect float value")),  # ParseFloat: out of range
    ("Log", (True,), fails(ValueError, "incorrect float value")),
    ("Log", (D(1),), fails(ValueError, "incorrect float value")),
    ("Log", (None,), fails(ValueError, "incorrect float value")),
    ("Log", ("1" * 1001,), fails(ValueError, "float value is too long")),
    ("Log10", (100,), 2.0),
    ("Log10", (1e15,), 14.999999999999998),  # Go's Log10 is Log(x)*(1/Ln10): not exact
    ("Log10", ("0x1p4",), 1.2041199826559248),  # hex floats parse as in Go
    ("Pow", (2, 10), 1024.0),
    ("Pow", (2, -1), 0.5),
    ("Pow", ("2", "0.5"), 1.4142135623730951),
    ("Pow", (-2, 3), -8.0),
    ("Pow", (0, 0), 1.0),
    ("Pow", (1.5, 2.5), 2.7556759606310752),
    ("Pow", (10, 308), 1.0000000000000006e308),  # Go's repeated squaring, not libm's pow
    ("Pow", (-8, 1 / 3), fails(ValueError, "incorrect float result")),
    ("Pow", (0, -1), fails(ValueError, "incorrect float result")),
    ("Pow", (10, 309), fails(ValueError, "incorrect float result")),
    ("Pow", (10.0, 1e300), fails(ValueError, "incorrect float result")),
    ("Pow", ("inf", 0), 1.0),
    ("Sqrt", (16,), 4.0),
    ("Sqrt", (2.0,), 1.4142135623730951),
    ("Sqrt", (-1,), fails(ValueError, "incorrect float result")),
    ("Sqrt", ("Inf",), fails(ValueError, "incorrect float result")),
    ("Round", (2.5,), 3),
    ("Round", (-2.5,), -3),
    ("Round", (2.4999999999999996,), 2),
    ("Round", (0.49999999999999994,), 0),
    ("Round", ("7.5",), 8),
    ("Round", (5,), 5),
    ("Round", (4503599627370497.0,), 4503599627370497),
    ("Round", (1e300,), fails(ValueError, "integer overflow")),
    ("Round", ("NaN",), fails(ValueError, "incorrect float result")),
    ("Floor", (-1.5,), -2),
    ("Floor", (1.9999,), 1),
    ("Floor", ("-0",), 0),
    ("Floor", (9.2e18,), 9200000000000000000),
    ("Floor", (9.3e18,), fails(ValueError, "integer overflow")),
    ("Floor", ("-inf",), fails(ValueError, "incorrect float result")),
    ("MathMod", (7.5, 2.0), 1.5),
    ("MathMod", (-7.5, 2.0), -1.5),
    ("MathMod", (7.5, -2.0), 1.5),
    ("MathMod", (1e300, 3.0), math.fmod(1e300, 3.0)),
    ("MathMod", (5.0, math.inf), 5.0),
    ("MathMod", (5, 3), fails(TypeError, "reflect: Call using int64 as type float64")),
    ("MathMod", ("5", 3.0), fails(TypeError, "string as type float64")),
]


@pytest.mark.parametrize("name, args, expected", FLOAT_CASES)
def test_floats(name: str, args: tuple[Any, ...], expected: Any) -> None:
    check(name, args, expected)


def test_math_mod_by_zero_is_nan_as_in_go() -> None:
    assert math.isnan(call("MathMod", 1.0, 0.0))
    assert math.isnan(call("MathMod", math.inf, 2.0))


# ---- decimals and money ------------------------------------------------------------------------

DECIMAL_CASES: list[tuple[str, tuple[Any, ...], Any]] = [
    ("Div", ("1", "3"), "0.3333333333333333"),
    ("Div", ("2", "3"), "0.6666666666666667"),
    ("Div", ("-2", "3"), "-0.6666666666666667"),
    ("Div", ("10", "4"), "2.5"),
    ("Div", ("1e2", "3"), "33.3333333333333333"),
    ("Div", ("0.00000000000000005", "1"), "0.0000000000000001"),  # halves away from zero
    ("Div", ("-0.00000000000000005", "1"), "-0.0000000000000001"),
    ("Div", ("0.00000000000000004", "1"), "0"),
    ("Div", ("123456789012345678901234567890", "1"), "123456789012345678901234567890"),
    ("Div", (".5", "5."), "0.1"),
    ("Div", ("abc", "2"), "0"),  # text that is not a number counts as 0, as in the reference
    ("Div", ("1", "0"), fails(ZeroDivisionError, "decimal division by zero")),
    ("Div", ("1", "abc"), fails(ZeroDivisionError, "decimal division by zero")),
    ("Div", (1, 2), fails(TypeError, "int64 as type string")),
    ("Div", ("1e5000", "1"), fails(ValueError, "out of the supported range")),
    ("Div", ("1" * 1001, "1"), fails(ValueError, "decimal value is too long")),
    ("GreaterThan", ("1.5", "1.49"), True),
    ("GreaterThan", ("1e3", "999"), True),
    ("GreaterThan", ("1", "1.0"), False),
    ("GreaterThan", ("abc", "-1"), True),
    ("GreaterThanOrEqual", ("1", "1.000"), True),
    ("GreaterThanOrEqual", ("-1", "0"), False),
    ("LessThan", ("1", "1"), False),
    ("LessThan", ("-5", "-4.9"), True),
    ("LessThanOrEqual", ("1", "1.000"), True),
    ("LessThanOrEqual", ("2", "1"), False),
    ("LessThan", (D(1), "2"), fails(TypeError, "decimal.Decimal as type string")),
    ("MathModDecimal", (D(7), D(-3)), D(1)),
    ("MathModDecimal", (D(-7), D(3)), D(-1)),
    ("MathModDecimal", (D("7.5"), D(2)), D("1.5")),
    ("MathModDecimal", (D(10**50 + 7), D(10)), D(7)),
    ("MathModDecimal", (D(1), D(0)), fails(ZeroDivisionError, "decimal division by zero")),
    ("MathModDecimal", (7, 3), fails(TypeError, "int64 as type decimal.Decimal")),
    ("SqrtDecimal", ("16",), D(4)),
    ("SqrtDecimal", ("3.5",), D("1.8708286933869707")),
    ("SqrtDecimal", ("2",), D(1)),  # the reference answers 1 for anything up to 3
    ("SqrtDecimal", ("-9",), D(1)),
    ("SqrtDecimal", ("0",), D(0)),
    ("SqrtDecimal", ("abc",), D(0)),
    ("SqrtDecimal", ("1e1001",), fails(ValueError, "the value is too large")),
    # FormatMoney: the reference's FmtMoney contract (t2, t3) and converter.FormatMoney's errors.
    ("FormatMoney", ("12345672372", 1), "1234567237.2"),
    ("FormatMoney", ("123456789", 2), "1234567.89"),
    ("FormatMoney", ("-12345", 2), "-123.45"),
    ("FormatMoney", ("5", 3), "0.005"),
    ("FormatMoney", ("100", 2), "1"),
    ("FormatMoney", ("1e3", 2), "10"),
    ("FormatMoney", ("", 2), "0"),
    ("FormatMoney", ("1", (1 << 32) + 2), "0.01"),  # the reference passes digit as int32
    ("FormatMoney", ("1.5", 2), fails(ValueError, "wrong money format 1.5")),
    ("FormatMoney", ("1", -1), fails(ValueError, "digit must be positive")),
    ("FormatMoney", ("1" * 31, 2), fails(ValueError, "too long money")),
    ("FormatMoney", ("abc", 2), fails(ValueError, "can't convert abc to decimal")),
    ("FormatMoney", (" 1", 2), fails(ValueError, "can't convert  1 to decimal")),
    ("FormatMoney", ("1e", 2), fails(ValueError, "exponent is not numeric")),
    ("FormatMoney", ("1", 0), fails(ValueError, "needs the ecosystem's money digits")),
    ("FormatMoney", ("1e-5", (1 << 31) - 1), fails(ValueError, "the result is too long")),
    ("FormatMoney", (D(100), 2), fails(TypeError, "decimal.Decimal as type string")),
]


@pytest.mark.parametrize("name, args, expected", DECIMAL_CASES)
def test_decimals(name: str, args: tuple[Any, ...], expected: Any) -> None:
    check(name, args, expected)


def test_format_money_with_the_ecosystems_digits() -> None:
    table = money_builtins(0)
    check("FormatMoney", ("12345672372", 0), "12345672372", table)  # FmtMoney t2
    check("FormatMoney", ("123456789", 0), "123456789", table)  # FmtMoney result
    check("FormatMoney", ("123456789", 2), "1234567.89", table)
    check("FormatMoney", ("1500000000000", 0), "1.5", money_builtins(12))


def test_sqrt_decimal_is_close_to_the_root() -> None:
    root = call("SqrtDecimal", "12345678901234567890")
    assert abs(root - D(12345678901234567890).sqrt()) < D("1e-15")
    # sqrt(10^1000 - 1) is 10^500 less 5e-501, which 16 decimals cannot tell from 10^500.
    assert call("SqrtDecimal", "9" * 1000) == D(10) ** 500


# ---- values -----------------------------------------------------------------------------------

VALUE_CASES: list[tuple[str, tuple[Any, ...], Any]] = [
    ("GetType", ({},), "*types.Map"),  # the reference's RowType contract
    ("GetType", ([],), "[]interface {}"),
    ("GetType", (1,), "int64"),
    ("GetType", (1.5,), "float64"),
    ("GetType", ("",), "string"),
    ("GetType", (True,), "bool"),
    ("GetType", (D(1),), "decimal.Decimal"),
    ("GetType", (b"",), "[]uint8"),
    ("GetType", (None,), "nil"),
    ("SortedKeys", ({"b": 1, "a": 2, "B": 3, "é": 4, "": 5},), ["", "B", "a", "b", "é"]),
    ("SortedKeys", ({},), []),
    ("SortedKeys", ([],), fails(TypeError, "[]interface {} as type *types.Map")),
    ("HasSlice", (1, [1, 2]), True),
    ("HasSlice", (3, [1, 2]), False),
    ("HasSlice", (1.0, [1]), False),  # DeepEqual compares types
    ("HasSlice", ("1", [1]), False),
    ("HasSlice", (True, [1]), False),
    ("HasSlice", (1, [True]), False),
    ("HasSlice", (D("1.0"), [D("1")]), False),  # 10e-1 and 1e0 differ to DeepEqual
    ("HasSlice", (D("1"), [D(1)]), True),
    ("HasSlice", ({"a": 1, "b": 2}, [{"b": 2, "a": 1}]), False),  # map order matters
    ("HasSlice", ({"a": [1, {"c": None}]}, [{"a": [1, {"c": None}]}]), True),
    ("HasSlice", (None, [None]), True),
    ("HasSlice", (b"a", [b"a"]), True),
    ("HasSlice", (1, "1"), False),
    ("HasSlice", (97, b"a"), False),
    ("HasSlice", (1, None), False),
    ("CheckNumberChars", ("abcXYZ0129",), True),
    ("CheckNumberChars", ("",), True),
    ("CheckNumberChars", ("ab c",), False),
    ("CheckNumberChars", ("a_b",), False),
    ("CheckNumberChars", ("é",), False),
    ("CheckNumberChars", ("٣",), False),
    ("CheckNumberChars", (5,), fails(TypeError, "int64 as type string")),
    ("RegexpMatch", ("abc", "b"), True),  # unanchored, like Go's MatchString
    ("RegexpMatch", ("abc", "^b"), False),
    ("RegexpMatch", ("ABC", "(?i)abc"), True),
    ("RegexpMatch", ("a\nb", "a.b"), False),
    ("RegexpMatch", ("a\nb", "(?s)a.b"), True),
    ("RegexpMatch", ("x1", "^[a-z]\\d$"), True),
    ("RegexpMatch", ("٣", "^\\d$"), False),  # \d is ASCII in RE2 and Go
    ("RegexpMatch", ("é", "\\u00e9"), True),  # \u patterns are read as a Go string first
    ("RegexpMatch", ("é", "^\\U000000e9$"), True),
    ("RegexpMatch", ("é1", "\\u00e9\\d"), False),  # ... where \d is not a valid escape
    ("RegexpMatch", ('"', "\\u0022"), True),
    ("RegexpMatch", ("a", "\\ud800"), False),
    ("RegexpMatch", ("a", "("), fails(ValueError, "error parsing regexp: missing )")),
    ("RegexpMatch", ("aa", "(a)\\1"), fails(ValueError, "invalid escape sequence")),
    ("RegexpMatch", ("a", "a{1001}"), fails(ValueError, "invalid repetition size")),
    ("RegexpMatch", ("a", "\\pL{1000}"), fails(ValueError, "pattern too large")),
    ("RegexpMatch", ("a", "x" * (16 << 10 | 1)), fails(ValueError, "expression is too long")),
    ("RegexpMatch", (1, "a"), fails(TypeError, "int64 as type string")),
]


@pytest.mark.parametrize("name, args, expected", VALUE_CASES)
def test_values(name: str, args: tuple[Any, ...], expected: Any) -> None:
    check(name, args, expected)


def test_has_slice_refuses_huge_comparisons() -> None:
    rows = [list(range(1000)) for _ in range(1000)]
    with pytest.raises(ValueError, match="too large to compare"):
        call("HasSlice", [*range(999), -1], rows)
    shared = list(range(10**5))
    assert call("HasSlice", shared, [shared])  # the same array: found without comparing items
    assert call("HasSlice", 999_999, list(range(10**6)))  # plain values: no budget to exhaust
    assert not call("HasSlice", [1, 2], [[1, 3]] * 10**6)  # one array, a million times


JSON_CASES: list[tuple[Any, str, str]] = [
    # The reference's TestJSON contract.
    ({"ok": 10, "arr": ["first", "<second>"]}, "", '{"ok":10,"arr":["first","<second>"]}'),
    (
        {"ok": 10, "arr": ["first", "<second>"]},
        "\t",
        '{\n\t"ok": 10,\n\t"arr": [\n\t\t"first",\n\t\t"<second>"\n\t]\n}',
    ),
    ({"b": 1, "a": 2}, "", '{"b":1,"a":2}'),  # insertion order, as *types.Map
    ({"a": [], "b": {}}, "  ", '{\n  "a": [],\n  "b": {}\n}'),
    ([1.0, 0.5, 1e21, 1e-7, -0.0], "", "[1,0.5,1e+21,1e-7,-0]"),
    ([D(12), D("1.50"), D(-3)], "", '["12","1.5","-3"]'),
    ([b"hi", None, True, False], "", '["aGk=",null,true,false]'),
    (
        'a&b<c>\u2028\u2029\n\t\b\x01\x7f"\\é',
        "",
        '"a&b<c>\\u2028\\u2029\\n\\t\\u0008\\u0001\x7f\\"\\\\é"',
    ),
    ("\udcff", "", '"\\ufffd"'),
    ({'a"b': 1, "<&>": 2}, "", '{"a\\"b":1,"<&>":2}'),
    ({"\u2028": 1}, "", '{"\\u2028":1}'),
    (["\\u003c"], "", '["\\<"]'),  # the reference's un-escaping of the whole text, kept
    (5, "", "5"),
    ("", "", '""'),
    ({}, "\t", "{}"),
    ([[], [1]], "-", "[\n-[],\n-[\n--1\n-]\n]"),
]


@pytest.mark.parametrize("value, indent, text", JSON_CASES)
def test_json_encode_indent(value: Any, indent: str, text: str) -> None:
    assert call("JSONEncodeIndent", value, indent) == text


def test_json_encode_errors() -> None:
    cycle: list[Any] = []
    cycle.append(cycle)
    with pytest.raises(ValueError, match="encountered a cycle via"):
        call("JSONEncodeIndent", cycle, "")
    with pytest.raises(ValueError, match="json: unsupported value: NaN"):
        call("JSONEncodeIndent", [math.nan], "")
    with pytest.raises(ValueError, match="json: unsupported value: \\+Inf"):
        call("JSONEncodeIndent", {"a": math.inf}, "")
    with pytest.raises(ValueError, match="invalid character in map key"):
        call("JSONEncodeIndent", {"a\nb": 1}, "")
    with pytest.raises(ValueError, match="invalid character in map key"):
        call("JSONEncodeIndent", {"a\\": 1}, "")
    with pytest.raises(ValueError, match="indent is too long"):
        call("JSONEncodeIndent", [], " " * 65)
    with pytest.raises(TypeError, match="int64 as type string"):
        call("JSONEncodeIndent", [], 2)
    deep: list[Any] = []
    for _ in range(1100):
        deep = [deep]
    with pytest.raises(ValueError, match="nested deeper than 1000"):
        call("JSONEncodeIndent", deep, "")


@pytest.mark.parametrize(
    "value, text",
    [
        (None, "<nil>"),
        ("plain", "plain"),
        (1e6, "1e+06"),
        (D("4.0000000000000000"), "4"),
        ([1, "a", None, 1.0, D("1.50"), b"hi", True, []], "[1 a <nil> 1 1.5 [104 105] true []]"),
        ({"b": 1, "a": [1, 2]}, "map[b:1 a:[1 2]]"),
        ({}, "map[]"),
        ({"a": "x  ", "b": "y  "}, "map[a:x   b:y]"),  # types.Map trims trailing spaces
        ({"a": {"b": " "}}, "map[a:map[b:]]"),
        ([{"k": []}, [[]]], "[map[k:[]] [[]]]"),
    ],
)
def test_go_text(value: Any, text: str) -> None:
    assert go_text(value) == text


def test_go_text_and_json_encode_are_bounded() -> None:
    bomb = alias_bomb(leaves=1000)
    started = time.perf_counter()
    with pytest.raises(ValueError, match="longer than"):
        go_text(bomb)
    with pytest.raises(ValueError, match="longer than"):
        json_encode(bomb)
    # A hang guard, not a speed claim: unbounded, this input never finishes.
    assert time.perf_counter() - started < HANG_S
    cycle: dict[str, Any] = {}
    cycle["self"] = cycle
    with pytest.raises(ValueError, match="contains itself"):
        go_text(cycle)
    assert json_encode({"a": [1.5, D(2)]}) == '{"a":[1.5,"2"]}'


# ---- through the machine -------------------------------------------------------------------

NEEDLE = """
func main() string {
    var t map
    t["when"] = DateTime(UnixDateTime("2009-11-11 04:00:00"))
    t["pow"] = Pow(2, 10)
    t["root"] = SqrtDecimal("16")
    t["type"] = GetType(t)
    t["div"] = Div("1", "3")
    t["keys"] = SortedKeys({"b": 1, "a": 2})
    t["rnd"] = Random(0, 10)
    return JSONEncodeIndent(t, "")
}

func bad() float {
    return MathMod(5, 3)
}
"""


def _run(name: str) -> Any:
    program = compile_source(NEEDLE, "stdlib", TABLE)
    fn = program.funcs[name]
    assert fn.body is not None
    machine = Machine(Limits(fuel=100_000), {})
    machine.random = SeededStream(b"seed")  # a chain would seed it with the tx hash
    frame: list[Any] = [None] * fn.nslots
    return getattr(fn.body(machine, frame), "value", None)


def test_built_ins_run_in_the_machine() -> None:
    text = _run("main")
    rnd = random_int(SeededStream(b"seed"), 0, 10)
    assert text == (
        '{"when":"2009-11-11 04:00:00","pow":1024,"root":"4","type":"*types.Map",'
        f'"div":"0.3333333333333333","keys":["a","b"],"rnd":{rnd}}}'
    )


def test_built_in_errors_become_contract_errors() -> None:
    from contracts.errors import ContractRuntimeError

    with pytest.raises(ContractRuntimeError) as info:
        _run("bad")
    assert str(info.value).startswith("reflect: Call using int64 as type float64 [MathMod ")
