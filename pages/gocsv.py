"""Go's encoding/csv reader (defaults) for Data's rows, with its error texts."""

from __future__ import annotations

from typing import Final

ERR_FIELD_COUNT: Final = "wrong number of fields"
ERR_BARE_QUOTE: Final = 'bare " in non-quoted-field'
ERR_QUOTE: Final = 'extraneous or missing " in quoted-field'


class CsvError(ValueError):
    """csv.ParseError's text."""


def _error(start_line: int, line: int, column: int, err: str) -> CsvError:
    if err == ERR_FIELD_COUNT:
        return CsvError(f"record on line {line}: {err}")
    if start_line != line:
        return CsvError(
            f"record on line {start_line}; parse error on line {line}, column {column}: {err}"
        )
    return CsvError(f"parse error on line {line}, column {column}: {err}")


def read_all(text: str) -> list[list[str]]:
    """csv.NewReader(text).ReadAll(): records of comma-separated fields, `""` escaping a quote
    in a quoted field; blank lines are skipped; every record has the first one's field count."""
    lines = text.replace("\r\n", "\n").split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    records: list[list[str]] = []
    expected = -1
    index = 0
    while index < len(lines):
        if lines[index] == "":
            index += 1
            continue
        start = index
        record, index = _record(lines, index)
        if expected < 0:
            expected = len(record)
        elif len(record) != expected:
            raise _error(start + 1, start + 1, 1, ERR_FIELD_COUNT)
        records.append(record)
    return records


def _record(lines: list[str], index: int) -> tuple[list[str], int]:
    """One record starting at lines[index]; returns it and the index of the next line."""
    start_line = index + 1
    line = lines[index]
    pos = 0
    fields: list[str] = []
    while True:
        if not line.startswith('"', pos):
            comma = line.find(",", pos)
            end = len(line) if comma == -1 else comma
            field = line[pos:end]
            quote = field.find('"')
            if quote != -1:
                column = len(line[: pos + quote].encode("utf-8", "surrogatepass")) + 1
                raise _error(start_line, index + 1, column, ERR_BARE_QUOTE)
            fields.append(field)
            if comma == -1:
                return fields, index + 1
            pos = comma + 1
            continue
        # A quoted field, which may run over several lines.
        pos += 1
        parts: list[str] = []
        while True:
            quote = line.find('"', pos)
            if quote == -1:
                parts.append(line[pos:])
                index += 1
                if index >= len(lines):
                    column = len(line.encode("utf-8", "surrogatepass")) + 1
                    raise _error(start_line, index, column, ERR_QUOTE)
                parts.append("\n")
                line = lines[index]
                pos = 0
                continue
            parts.append(line[pos:quote])
            after = quote + 1
            if line.startswith('"', after):
                parts.append('"')
                pos = after + 1
                continue
            if after == len(line):
                fields.append("".join(parts))
                return fields, index + 1
            if line[after] == ",":
                fields.append("".join(parts))
                pos = after + 1
                break
            column = len(line[:after].encode("utf-8", "surrogatepass")) + 1
            raise _error(start_line, index + 1, column, ERR_QUOTE)
        if pos == len(line):
            fields.append("")
            return fields, index + 1
