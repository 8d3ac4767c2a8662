"""Go's time: layouts ("2006-01-02 15:04:05"), Format, the fixed-layout Parse, zones, AddDate.

Calendar arithmetic is on integers (proleptic Gregorian, as Go's), so any int64 Unix time
works, not just Python's datetime range. Times are whole seconds at a fixed offset.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from chain.golang.bounds import check_length

DATE_TIME_LAYOUT: Final = "2006-01-02 15:04:05"
MAX_ZONE_NAME: Final = 256
_DAY: Final = 86400
# The Gregorian calendar (and so every zone's yearly rule) repeats every 400 years.
_CYCLE_SECONDS: Final = 146097 * _DAY
# The instants Python's datetime can place in any zone (a day of margin at both ends).
_FIRST: Final = -62135596800 + _DAY
_LAST: Final = 253402300799 - _DAY

_MONTHS: Final = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
_DAYS: Final = ("Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday")


# ---- calendar ------------------------------------------------------------------------------


def days_from_civil(year: int, month: int, day: int) -> int:
    """Days since 1970-01-01 of a proleptic Gregorian date (month 1..12, any day number)."""
    y = year - (1 if month <= 2 else 0)
    era = y // 400
    yoe = y - era * 400
    doy = (153 * (month + (-3 if month > 2 else 9)) + 2) // 5 + day - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468


def civil_from_days(days: int) -> tuple[int, int, int]:
    """(year, month, day) of a day number since 1970-01-01."""
    z = days + 719468
    era = z // 146097
    doe = z - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    day = doy - (153 * mp + 2) // 5 + 1
    month = mp + 3 if mp < 10 else mp - 9
    return yoe + era * 400 + (1 if month <= 2 else 0), month, day


def _is_leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def _days_in(month: int, year: int) -> int:
    if month == 2:
        return 29 if _is_leap(year) else 28
    return 30 if month in (4, 6, 9, 11) else 31


# ---- zones ---------------------------------------------------------------------------------


def load_location(name: str) -> ZoneInfo | None:
    """time.LoadLocation: None is UTC ("", "UTC", and "Local", which is UTC on our nodes)."""
    check_length(name, MAX_ZONE_NAME, "location name")
    if name in ("", "UTC", "Local"):
        return None
    if ".." in name or name.startswith(("/", "\\")):
        raise ValueError("Load location: time: invalid location name")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError) as exc:
        raise ValueError(f"Load location: unknown time zone {name}") from exc


def offset_at(zone: ZoneInfo | None, unix: int) -> int:
    """Seconds east of UTC in `zone` at the instant `unix`."""
    if zone is None:
        return 0
    if unix > _LAST:
        # Past 9999 only the zone's yearly rule applies, and it repeats every 400 years.
        unix -= -(-(unix - _LAST) // _CYCLE_SECONDS) * _CYCLE_SECONDS
    unix = max(unix, _FIRST)  # before year 1 a zone is at its first (local mean time) offset
    offset = datetime.fromtimestamp(unix, UTC).astimezone(zone).utcoffset()
    return int(offset.total_seconds()) if offset is not None else 0


def local_to_unix(local: int, zone: ZoneInfo | None) -> int:
    """time.Date's choice of offset for a wall-clock time (also in gaps and overlaps)."""
    first = offset_at(zone, local)
    if first == 0:
        return local
    return local - offset_at(zone, local - first)


# ---- layouts -------------------------------------------------------------------------------

_TZ_CODES: Final = (
    ("-070000", 7),
    ("-07:00:00", 9),
    ("-0700", 5),
    ("-07:00", 6),
    ("-07", 3),
)


def next_chunk(layout: str) -> tuple[str, str, str]:
    """Go's nextStdChunk: (literal prefix, element code or "", rest of the layout)."""
    n = len(layout)
    for i, c in enumerate(layout):
        rest = layout[i:]
        if c == "J" and rest.startswith("Jan"):
            if rest.startswith("January"):
                return layout[:i], "January", layout[i + 7 :]
            if not ("a" <= rest[3:4] <= "z"):
                return layout[:i], "Jan", layout[i + 3 :]
        elif c == "M" and n >= i + 3:
            if rest.startswith("Mon"):
                if rest.startswith("Monday"):
                    return layout[:i], "Monday", layout[i + 6 :]
                if not ("a" <= rest[3:4] <= "z"):
                    return layout[:i], "Mon", layout[i + 3 :]
            if rest.startswith("MST"):
                return layout[:i], "MST", layout[i + 3 :]
        elif c == "0":
            if "1" <= rest[1:2] <= "6":
                return layout[:i], rest[:2], layout[i + 2 :]
            if rest.startswith("002"):
                return layout[:i], "002", layout[i + 3 :]
        elif c == "1":
            if rest.startswith("15"):
                return layout[:i], "15", layout[i + 2 :]
            return layout[:i], "1", layout[i + 1 :]
        elif c == "2":
            if rest.startswith("2006"):
                return layout[:i], "2006", layout[i + 4 :]
            return layout[:i], "2", layout[i + 1 :]
        elif c == "_":
            if rest.startswith("_2"):
                if rest.startswith("_2006"):  # a literal "_" before the year
                    return layout[: i + 1], "2006", layout[i + 5 :]
                return layout[:i], "_2", layout[i + 2 :]
            if rest.startswith("__2"):
                return layout[:i], "__2", layout[i + 3 :]
        elif c in "345":
            return layout[:i], c, layout[i + 1 :]
        elif c == "P" and rest.startswith("PM") or c == "p" and rest.startswith("pm"):
            return layout[:i], rest[:2], layout[i + 2 :]
        elif c in "-Z":
            for pattern, size in _TZ_CODES:
                code = c + pattern[1:]
                if rest.startswith(code):
                    return layout[:i], code, layout[i + size :]
        elif c in ".," and rest[1:2] in ("0", "9"):
            j = i + 1
            while j < n and layout[j] == layout[i + 1]:
                j += 1
            if not (j < n and layout[j].isascii() and layout[j].isdigit()):
                return layout[:i], c + layout[i + 1 : j], layout[j:]
    return layout, "", ""


def _pad(value: int, width: int) -> str:
    return ("-" if value < 0 else "") + str(abs(value)).zfill(width)


def _zone_text(code: str, offset: int) -> str:
    if offset == 0 and code.startswith("Z"):
        return "Z"
    zone = int(offset / 60)  # Go divides toward zero
    absoffset = offset
    sign = "+"
    if zone < 0:
        sign, zone, absoffset = "-", -zone, -offset
    text = sign + _pad(zone // 60, 2)
    if ":" in code:
        text += ":"
    if code not in ("-07", "Z07"):
        text += _pad(zone % 60, 2)
    if code[1:] in ("070000", "07:00:00"):
        text += (":" if ":" in code else "") + _pad(absoffset % 60, 2)
    return text


def format_time(layout: str, unix: int, offset: int = 0, zone_name: str = "UTC") -> str:
    """time.Time.Format for a whole-second time at `offset` seconds east of UTC."""
    local = unix + offset
    days, clock = divmod(local, _DAY)
    year, month, day = civil_from_days(days)
    hour, minute, second = clock // 3600, clock // 60 % 60, clock % 60
    yday = days - days_from_civil(year, 1, 1) + 1
    weekday = (days + 4) % 7
    fields: dict[str, Callable[[], str]] = {
        "2006": lambda: _pad(year, 4),
        "06": lambda: _pad(abs(year) % 100, 2),
        "January": lambda: _MONTHS[month - 1],
        "Jan": lambda: _MONTHS[month - 1][:3],
        "1": lambda: str(month),
        "01": lambda: _pad(month, 2),
        "Monday": lambda: _DAYS[weekday],
        "Mon": lambda: _DAYS[weekday][:3],
        "2": lambda: str(day),
        "_2": lambda: f"{day:>2}",
        "02": lambda: _pad(day, 2),
        "__2": lambda: f"{yday:>3}",
        "002": lambda: _pad(yday, 3),
        "15": lambda: _pad(hour, 2),
        "3": lambda: str(hour % 12 or 12),
        "03": lambda: _pad(hour % 12 or 12, 2),
        "4": lambda: str(minute),
        "04": lambda: _pad(minute, 2),
        "5": lambda: str(second),
        "05": lambda: _pad(second, 2),
        "PM": lambda: "PM" if hour >= 12 else "AM",
        "pm": lambda: "pm" if hour >= 12 else "am",
        "MST": lambda: zone_name or _zone_text("-0700", offset),
    }
    out: list[str] = []
    while layout:
        prefix, code, layout = next_chunk(layout)
        out.append(prefix)
        if not code:
            break
        if code in fields:
            out.append(fields[code]())
        elif code[0] in ".,":
            # Whole seconds: ".000" prints zeros (at most 9), ".999" prints nothing.
            if code[1] == "0":
                out.append(code[0] + "0" * min(len(code) - 1, 9))
        else:
            out.append(_zone_text(code, offset))
    return "".join(out)


# ---- parsing (the numeric layouts the built-ins and the page engine use) -------------------


def quote(text: str) -> str:
    """The time package's quote(): ASCII kept, other bytes as \\x escapes.

    Very long values are cut (with "...") so an error message stays small.
    """
    if len(text) > 200:
        return quote(text[:200])[:-1] + '..."'
    out = ['"']
    for ch in text:
        if ord(ch) >= 0x80 or ch < " ":
            out.extend(f"\\x{b:02x}" for b in ch.encode("utf-8", "surrogateescape"))
        else:
            out.append("\\" + ch if ch in '"\\' else ch)
    out.append('"')
    return "".join(out)


class ParseError(ValueError):
    """time.ParseError's text."""

    def __init__(
        self,
        value: str,
        layout_elem: str,
        value_elem: str,
        message: str = "",
        layout: str = DATE_TIME_LAYOUT,
    ) -> None:
        if message:
            text = f"parsing time {quote(value)}{message}"
        else:
            text = (
                f"parsing time {quote(value)} as {quote(layout)}: "
                f"cannot parse {quote(value_elem)} as {quote(layout_elem)}"
            )
        super().__init__(text)


def _skip(value: str, prefix: str) -> tuple[str, bool]:
    """Go's skip(): a space in the layout matches any run of spaces."""
    while prefix:
        if prefix[0] == " ":
            if value and value[0] != " ":
                return value, False
            prefix, value = prefix.lstrip(" "), value.lstrip(" ")
            continue
        if not value or value[0] != prefix[0]:
            return value, False
        prefix, value = prefix[1:], value[1:]
    return value, True


def _getnum(value: str, fixed: bool) -> tuple[int, str] | None:
    if not value[:1].isascii() or not value[:1].isdigit():
        return None
    if not value[1:2].isascii() or not value[1:2].isdigit():
        return None if fixed else (int(value[0]), value[1:])
    return int(value[:2]), value[2:]


def _skip_fraction(value: str) -> str:
    """After the seconds Go accepts a fraction the layout does not name (",5" or ".123")."""
    if len(value) >= 2 and value[0] in ".," and value[1].isascii() and value[1].isdigit():
        n = 2
        while n < len(value) and value[n].isascii() and value[n].isdigit():
            n += 1
        return value[n:]
    return value


_NUMERIC_CODES: Final = frozenset(("2006", "01", "02", "15", "04", "05"))


def parse_date_time(
    text: str, layout: str = DATE_TIME_LAYOUT
) -> tuple[int, int, int, int, int, int]:
    """time.Parse(layout, text) -> (year, month, day, hour, min, sec), in UTC.

    For the numeric layouts of year, month, day, hour, minute and second only (the built-ins'
    "2006-01-02 15:04:05", the page engine's "2006-01-02T15:04:05").
    """
    full_layout, value = layout, text
    fields: dict[str, int] = {}
    ranges = {
        "01": (1, 12, "month"),
        "15": (0, 23, "hour"),
        "04": (0, 59, "minute"),
        "05": (0, 59, "second"),
    }
    while True:
        prefix, code, layout = next_chunk(layout)
        value, ok = _skip(value, prefix)
        if not ok:
            raise ParseError(text, prefix, value, layout=full_layout)
        if not code:
            if value:
                extra = f": extra text: {quote(value)}"
                raise ParseError(text, "", value, extra, layout=full_layout)
            break
        if code not in _NUMERIC_CODES:
            raise ValueError(f"layout element {code!r} is not supported here")
        hold = value
        if code == "2006":
            if len(value) < 4 or not (value[0].isascii() and value[0].isdigit()):
                raise ParseError(text, code, hold, layout=full_layout)
            digits, value = value[:4], value[4:]
            if not all(c.isascii() and c.isdigit() for c in digits):
                # Go has already taken the four characters when atoi refuses them.
                raise ParseError(text, code, value, layout=full_layout)
            fields[code] = int(digits)
            continue
        got = _getnum(value, code != "15")
        if got is None:
            raise ParseError(text, code, hold, layout=full_layout)
        fields[code], value = got
        if code in ranges:
            low, high, name = ranges[code]
            if not low <= fields[code] <= high:
                raise ParseError(
                    text, code, value, f": {name} out of range", layout=full_layout
                )
        if code == "05":
            value = _skip_fraction(value)
    year, month, day = fields["2006"], fields["01"], fields["02"]
    if not 1 <= day <= _days_in(month, year):
        raise ParseError(text, "", value, ": day out of range", layout=full_layout)
    return year, month, day, fields["15"], fields["04"], fields["05"]


def wall_seconds(parts: tuple[int, int, int, int, int, int]) -> int:
    year, month, day, hour, minute, second = parts
    return days_from_civil(year, month, day) * _DAY + hour * 3600 + minute * 60 + second


def add_date(unix: int, years: int, months: int, days: int) -> int:
    """Time.AddDate in UTC: months overflow into years, days into months (Jan 31 + 1 month is
    Mar 3), the clock kept."""
    day_number, clock = divmod(unix, _DAY)
    year, month, day = civil_from_days(day_number)
    carry, month0 = divmod(month - 1 + months, 12)
    total_days = days_from_civil(year + years + carry, month0 + 1, 1) + day - 1 + days
    return total_days * _DAY + clock


def time_string(unix: int) -> str:
    """Time.String() of a whole-second UTC time: "2009-11-10 23:00:00 +0000 UTC"."""
    return format_time("2006-01-02 15:04:05.999999999 -0700 MST", unix)


def duration_string(nanoseconds: int) -> str:
    """Duration.String(): "7h59m49.4310543s", "1.5ms", "0s"."""
    sign = "-" if nanoseconds < 0 else ""
    ns = abs(nanoseconds)
    if ns == 0:
        return "0s"
    if ns < 1_000_000_000:
        # Below a second Go picks the largest unit that keeps a whole part: ms, µs or ns.
        for unit, size in (("ms", 1_000_000), ("µs", 1_000), ("ns", 1)):
            if ns >= size:
                whole, frac = divmod(ns, size)
                digits = len(str(size)) - 1
                text = str(whole) + (f".{frac:0{digits}d}".rstrip("0") if frac else "")
                return sign + text + unit
    hours, rest = divmod(ns, 3_600_000_000_000)
    minutes, rest = divmod(rest, 60_000_000_000)
    secs, frac = divmod(rest, 1_000_000_000)
    out = f"{hours}h" if hours else ""
    if hours or minutes:
        out += f"{minutes}m"
    out += str(secs) + (f".{frac:09d}".rstrip("0") if frac else "") + "s"
    return sign + out
