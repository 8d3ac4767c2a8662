"""Date and time built-ins over Go's layouts, parsing and zones (chain/golang/time).

The reference formats Unix times in the node's local zone; we always use UTC, so every node
answers the same (reference nodes usually run in UTC too). Nothing here reads the clock.
"""

from __future__ import annotations

from typing import Any, Final

from chain.golang import time as go_time
from chain.golang.bounds import check_length
from contracts.builtins.gotypes import check_int64, want_int, want_str
from contracts.builtins.registry import REGISTRY

MAX_LAYOUT: Final = 1024


@REGISTRY.builtin("DateTime", fuel=10)
def date_time(unix: Any) -> str:
    """DateTime(unix int) string: "YYYY-MM-DD HH:MM:SS" in UTC."""
    return go_time.format_time(go_time.DATE_TIME_LAYOUT, want_int(unix))


@REGISTRY.builtin("DateFormat", fuel=20)
def date_format(layout: Any, unix: Any) -> str:
    """DateFormat(layout string, unix int) string: Go's Time.Format in UTC."""
    text = check_length(want_str(layout), MAX_LAYOUT, "layout")
    return go_time.format_time(text, want_int(unix))


@REGISTRY.builtin("DateTimeLocation", fuel=20)
def date_time_location(unix: Any, name: Any) -> str:
    """DateTimeLocation(unix int, zone string) string: the wall clock of that zone."""
    seconds = want_int(unix)
    zone = go_time.load_location(want_str(name))
    offset = go_time.offset_at(zone, seconds)
    return go_time.format_time(go_time.DATE_TIME_LAYOUT, seconds, offset)


@REGISTRY.builtin("UnixDateTime", fuel=10)
def unix_date_time(text: Any) -> int:
    """UnixDateTime(value string) int: UTC "YYYY-MM-DD HH:MM:SS" to Unix time; 0 if invalid."""
    try:
        return go_time.wall_seconds(go_time.parse_date_time(want_str(text)))
    except go_time.ParseError:
        return 0


@REGISTRY.builtin("UnixDateTimeLocation", fuel=20)
def unix_date_time_location(text: Any, name: Any) -> int:
    """UnixDateTimeLocation(value, zone string) int: a wall-clock time of that zone."""
    zone = go_time.load_location(want_str(name))
    try:
        parts = go_time.parse_date_time(want_str(text))
    except go_time.ParseError as exc:
        raise ValueError(f"Parse time: {exc}") from exc
    return check_int64(go_time.local_to_unix(go_time.wall_seconds(parts), zone))


@REGISTRY.builtin("AddDate", fuel=10)
def add_date(unix: Any, years: Any, months: Any, days: Any) -> int:
    """AddDate(unix, years, months, days int) int: Go's AddDate (Jan 31 + 1 month = Mar 3)."""
    seconds = want_int(unix)
    add_y, add_m, add_d = want_int(years), want_int(months), want_int(days)
    return check_int64(go_time.add_date(seconds, add_y, add_m, add_d))
