"""Reading a stored spreadsheet's sheet as GetDataFromXLSX does, without a chain."""

from __future__ import annotations

import io
from datetime import datetime

import openpyxl
import pytest

from contracts.builtins import xlsx
from contracts.errors import HostError


def book(*sheets: list[tuple[object, ...]]) -> bytes:
    made = openpyxl.Workbook()
    first = made.active
    assert first is not None
    made.remove(first)
    for number, rows in enumerate(sheets, start=1):
        sheet = made.create_sheet(f"s{number}")
        for row in rows:
            sheet.append(row)
    out = io.BytesIO()
    made.save(out)
    return out.getvalue()


def test_rows_are_text_as_wide_as_the_widest_without_trailing_empty_rows() -> None:
    data = book(
        [("a", 1, 2.5, True), ("b",), (None, None, datetime(2024, 1, 2, 3, 4, 5)), (None,)],
        [("second",)],
    )
    assert xlsx._sheet_rows(data, 1) == [
        ["a", "1", "2.5", "1"],
        ["b", "", "", ""],
        ["", "", "2024-01-02 03:04:05", ""],
    ]
    assert xlsx._sheet_rows(data, 2) == [["second"]]
    # excelize 1.4 counts sheets from 1: 0 and past the last are no sheet.
    assert xlsx._sheet_rows(data, 0) == [] and xlsx._sheet_rows(data, 3) == []


def test_a_file_that_is_no_spreadsheet_or_too_big_is_an_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with pytest.raises(HostError, match="not an xlsx file"):
        xlsx._sheet_rows(b"PK\x03\x04 not really", 1)
    data = book([("a", "b", "c")] * 3)
    monkeypatch.setattr(xlsx, "MAX_CELLS", 8)
    with pytest.raises(HostError, match="more than 8 cells"):
        xlsx._sheet_rows(data, 1)
