"""The one bounded parser of client numbers: syntax, range, and never slow on huge input."""

from __future__ import annotations

import time
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chain.address import address_to_id, string_to_address
from chain.contract_registry import ContractInfo, Field, TxParamError, check_params
from chain.numbers import (
    INT64_MAX,
    INT64_MIN,
    MAX_NUMBER_TEXT,
    NumberError,
    NumberRangeError,
    clamp_int64,
    parse_decimal,
    parse_float,
    parse_int,
    parse_whole,
)
from chain.storage.values import QueryError, coerce
from chain.txcheck import TxRejected, _expedite, transfer_value

HUGE = ["1e999000", "9" * 1_000_000, "1" + "0" * 500_000, "-" + "9" * 1_000_000, "0." + "0" * 10**6]


def test_parse_int_reads_as_strconv() -> None:
    assert parse_int("0") == 0
    assert parse_int("-0") == 0
    assert parse_int("+42") == 42
    assert parse_int("000000000000000000000000000000042") == 42
    assert parse_int(str(INT64_MAX)) == INT64_MAX
    assert parse_int(str(INT64_MIN)) == INT64_MIN
    for bad in ("", "-", "+", " 1", "1 ", "1_000", "0x10", "1.0", "1e3", "٣", "²"):
        with pytest.raises(NumberError):
            parse_int(bad)


def test_parse_int_range() -> None:
    for out in (str(INT64_MAX + 1), str(INT64_MIN - 1), "9" * 20, "9999999999999999999999"):
        with pytest.raises(NumberRangeError):
            parse_int(out)
    with pytest.raises(NumberRangeError):
        parse_int("0", minimum=1, maximum=10)
    assert parse_int("10", minimum=1, maximum=10) == 10


def test_clamp_int64_is_str_to_int64() -> None:
    assert clamp_int64("12") == 12
    assert clamp_int64("abc") == 0
    assert clamp_int64("") == 0
    assert clamp_int64("9999999999999999999999") == INT64_MAX
    assert clamp_int64("-9999999999999999999999") == INT64_MIN
    assert clamp_int64(str(INT64_MAX + 1)) == INT64_MAX


def test_decimals_whole_numbers_and_floats() -> None:
    assert parse_decimal("1.5") == Decimal("1.5")
    assert parse_decimal(".5e1") == 5
    assert parse_decimal("0e999999999") == 0  # zero, however written
    assert parse_whole("5.00", digits=30) == 5
    assert parse_whole("5e3", digits=30) == 5000
    assert parse_whole("-12", digits=30) == -12
    assert parse_float("2.5") == 2.5
    with pytest.raises(NumberError):
        parse_whole("5.5", digits=30)
    with pytest.raises(NumberRangeError):
        parse_whole("1e30", digits=30)
    for bad in ("NaN", "inf", "Infinity", "1e", "e5", "--1", "1,5", "0x1p3"):
        with pytest.raises(NumberError):
            parse_decimal(bad)
        with pytest.raises(NumberError):
            parse_float(bad)
    with pytest.raises(NumberRangeError):
        parse_decimal("1e101")
    with pytest.raises(NumberRangeError):
        parse_decimal("1e-101")
    with pytest.raises(NumberRangeError):
        parse_float("1e400")


def test_huge_text_is_refused_at_once() -> None:
    started = time.perf_counter()
    for text in HUGE:
        for parse in (parse_int, parse_decimal, parse_float):
            with pytest.raises(NumberError):
                parse(text)
        with pytest.raises(NumberError):
            parse_whole(text, digits=30)
        clamp_int64(text)
    assert time.perf_counter() - started < 10  # a hang guard (unbounded: minutes), not a speed test


def test_client_numbers_in_chain_checks_are_bounded() -> None:
    started = time.perf_counter()
    for text in HUGE:
        with pytest.raises(TxRejected):
            _expedite(text)
        with pytest.raises(TxRejected):
            transfer_value(text)
        for kind in ("number", "money", "double"):
            with pytest.raises(QueryError):
                coerce(kind, "c", text)
    contract = ContractInfo(1, "C", 1, (Field("a", "int", True), Field("m", "money", True)))
    for text in HUGE:
        for name in ("a", "m"):
            with pytest.raises(TxParamError):
                check_params(contract, {name: text})
    assert time.perf_counter() - started < 10  # a hang guard (unbounded: minutes), not a speed test


def test_expedite_units() -> None:
    assert _expedite("") == 0
    assert _expedite("1") == 10**12
    assert _expedite("0.5") == 5 * 10**11
    assert _expedite("1e-13") == 0  # below a smallest unit
    with pytest.raises(TxRejected, match="negative"):
        _expedite("-1")
    with pytest.raises(TxRejected, match="too large"):
        _expedite("9300000")  # past an int64 of smallest units
    assert _expedite("9000000") == 9 * 10**18


def test_transfer_values() -> None:
    assert transfer_value("7") == 7
    assert transfer_value(str(10**30)) == 10**30  # more than any balance: fails in its block
    for bad in ("0", "-1", "1.5", " 7", "1_000", ""):
        with pytest.raises(TxRejected):
            transfer_value(bad)


@settings(max_examples=500, deadline=None)
@given(
    st.one_of(
        st.integers(min_value=-(10**20), max_value=10**20).map(str),
        st.from_regex(r"[+-]?0*[0-9\u0660\u00b2]{0,20}", fullmatch=True),
    )
)
def test_transfer_value_is_parse_int_with_its_bounds(text: str) -> None:
    # transfer_value reads plain digits itself: the same answer as parse_int's, every time.
    try:
        expected: int | None = parse_int(text, minimum=1, maximum=10**MAX_NUMBER_TEXT)
    except NumberError:
        expected = None
    try:
        got: int | None = transfer_value(text)
    except TxRejected:
        got = None
    assert got == expected


def test_addresses_of_huge_numbers_are_invalid() -> None:
    for text in ("-" + "9" * 5_000, "9" * 5_000, "-" + "0" * 5_000 + "1"):
        assert string_to_address(text) == 0
        assert address_to_id(text) == 0
