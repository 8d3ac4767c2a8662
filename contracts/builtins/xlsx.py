"""GetDataFromXLSX and GetRowsCountXLSX: rows of a spreadsheet stored in 1_binaries."""

from __future__ import annotations

import io
import zipfile
from datetime import date, datetime, time
from typing import Any

import openpyxl
from openpyxl.utils.exceptions import InvalidFileException

from chain.storage.repo.tabledata import get_cell
from contracts.builtins.data import QUERY_FUEL, host_of
from contracts.builtins.gotypes import want_int
from contracts.builtins.registry import REGISTRY
from contracts.errors import HostError
from contracts.host import TxHost
from contracts.vm import Machine

# A stored file is small, but its cells are compressed: reading stops past this many, so a
# crafted sheet cannot hold the block producer.
MAX_CELLS = 1_000_000


def _stored(host: TxHost, binary_id: int) -> bytes | None:
    """The data of one of the ecosystem's binaries, None if it has none of that id."""
    ref = host.table("binaries")
    if host.state is not None:
        host.wait(host.state.direct())  # an upload of this block may wait in memory
    return host.wait(get_cell(host.conn, ref.table, "data", binary_id, ref.scope))


def _text(value: Any) -> str:
    """A cell as text, as the reference's excelize gives it (numbers without a needless .0)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (datetime, date, time)):
        return value.isoformat(sep=" ") if isinstance(value, datetime) else value.isoformat()
    return str(value)


def _sheet_rows(data: bytes, sheet: int) -> list[list[str]]:
    """The rows of sheet `sheet` (1 is the first, as excelize 1.4 counts; none if there is no
    such sheet): every row as wide as the widest, trailing empty rows left out."""
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise HostError(f"the binary is not an xlsx file: {exc}") from exc
    try:
        if not 1 <= sheet <= len(book.worksheets):
            return []
        rows: list[list[str]] = []
        cells = 0
        for row in book.worksheets[sheet - 1].iter_rows(values_only=True):
            cells += len(row)
            if cells > MAX_CELLS:
                raise HostError(f"the sheet has more than {MAX_CELLS} cells")
            rows.append([_text(v) for v in row])
    finally:
        book.close()
    while rows and not any(rows[-1]):
        rows.pop()
    width = max((len(row) for row in rows), default=0)
    return [row + [""] * (width - len(row)) for row in rows]


@REGISTRY.builtin("GetDataFromXLSX", fuel=QUERY_FUEL, machine=True, output_fuel=True)
def get_data_from_xlsx(
    m: Machine, binary_id: Any, start: Any, count: Any, sheet: Any
) -> list[Any] | None:
    """GetDataFromXLSX(binaryId, startLine, linesCount, sheetNum): rows [startLine,
    startLine+linesCount) of the sheet, each an array of its cells' text; nil if the
    ecosystem has no such binary."""
    first, wanted, number = want_int(start), want_int(count), want_int(sheet)
    data = _stored(host_of(m), want_int(binary_id))
    if data is None:
        return None
    rows = _sheet_rows(data, number)
    end = min(first + wanted, len(rows))
    return [list(row) for row in rows[max(first, 0) : end]]


@REGISTRY.builtin("GetRowsCountXLSX", fuel=QUERY_FUEL, machine=True)
def get_rows_count_xlsx(m: Machine, binary_id: Any, sheet: Any) -> int:
    """GetRowsCountXLSX(binaryId, sheetNum): how many rows the sheet has."""
    number, wanted = want_int(sheet), want_int(binary_id)
    data = _stored(host_of(m), wanted)
    if data is None:
        raise HostError(f"binary {wanted} has not been found")
    return len(_sheet_rows(data, number))
