"""DateTime's time parsing: Go's time.Parse with the layout "2006-01-02T15:04:05".

The general Go layout formatter is chain/golang/time.py (format_time, zones); this is
the one fixed layout the page language parses, with the reference's error texts.
"""

from __future__ import annotations

from typing import Final

from chain.golang.time import days_from_civil

LAYOUT: Final = "2006-01-02T15:04:05"
_DAY: Final = 86400


def _quote(data: bytes) -> str:
    """The time package's quote(): ASCII kept, other bytes as \\x escapes."""
    out = ['"']
    for byte in data:
        if byte >= 0x80 or byte < 0x20:
            out.append(f"\\x{byte:02x}")
        else:
            ch = chr(byte)
            out.append("\\" + ch if ch in '"\\' else ch)
    out.append('"')
    return "".join(out)


class TimeParseError(ValueError):
    """time.ParseError's text."""

    def __init__(self, value: bytes, layout_elem: str, value_elem: bytes, message: str = ""):
        if message:
            text = f"parsing time {_quote(value)}{message}"
        else:
            text = (
                f"parsing time {_quote(value)} as {_quote(LAYOUT.encode())}: "
                f"cannot parse {_quote(value_elem)} as {_quote(layout_elem.encode())}"
            )
        super().__init__(text)


def _digit(data: bytes, i: int) -> bool:
    return i < len(data) and 0x30 <= data[i] <= 0x39


def _getnum(data: bytes, fixed: bool) -> tuple[int, bytes] | None:
    if not _digit(data, 0):
        return None
    if not _digit(data, 1):
        return None if fixed else (data[0] - 0x30, data[1:])
    return (data[0] - 0x30) * 10 + data[1] - 0x30, data[2:]


def _days_in(month: int, year: int) -> int:
    if month == 2:
        leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
        return 29 if leap else 28
    return 30 if month in (4, 6, 9, 11) else 31


def parse_t_layout(value: bytes) -> int:
    """Unix seconds of `value` read as "2006-01-02T15:04:05" (UTC), or TimeParseError."""
    rest = value
    fields: dict[str, int] = {}
    # (literal before the element, element, range name or "")
    chunks = (("", "2006", ""), ("-", "01", "month"), ("-", "02", ""), ("T", "15", "hour"),
              (":", "04", "minute"), (":", "05", "second"))
    limits = {"01": (1, 12), "15": (0, 23), "04": (0, 59), "05": (0, 59)}
    for prefix, code, range_name in chunks:
        if prefix:
            if not rest or rest[0] != ord(prefix):
                raise TimeParseError(value, prefix, rest)
            rest = rest[1:]
        hold = rest
        if code == "2006":
            part = rest[:4]
            if len(rest) < 4 or not _year_ok(part):
                raise TimeParseError(value, code, hold)
            fields[code] = _atoi(part)
            rest = rest[4:]
            continue
        got = _getnum(rest, code != "15")
        if got is None:
            raise TimeParseError(value, code, hold)
        fields[code], rest = got
        if code in limits:
            low, high = limits[code]
            if not low <= fields[code] <= high:
                raise TimeParseError(value, code, rest, f": {range_name} out of range")
        if code == "05" and len(rest) >= 2 and rest[0] in b".," and _digit(rest, 1):
            n = 2
            while _digit(rest, n):
                n += 1
            rest = rest[n:]
    if rest:
        raise TimeParseError(value, "", rest, f": extra text: {_quote(rest)}")
    year, month, day = fields["2006"], fields["01"], fields["02"]
    if not 1 <= day <= _days_in(month, year):
        raise TimeParseError(value, "", rest, ": day out of range")
    days = days_from_civil(year, month, day)
    return days * _DAY + fields["15"] * 3600 + fields["04"] * 60 + fields["05"]


def _year_ok(part: bytes) -> bool:
    body = part[1:] if part[:1] in (b"-", b"+") else part
    return bool(body) and all(0x30 <= b <= 0x39 for b in body)


def _atoi(part: bytes) -> int:
    return int(part.decode("ascii"))
