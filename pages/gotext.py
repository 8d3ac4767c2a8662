"""Small pieces of Go's text behaviour the reference's template code relies on."""

from __future__ import annotations

import re
from typing import Final

# unicode.IsSpace, which strings.TrimSpace trims (Python's str.strip() also trims \x1c-\x1f).
# Twin of contracts/builtins.py _GO_SPACE; both belong in chain/golang/.
GO_SPACE: Final = (
    " \t\n\v\f\r\x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006"
    "\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)
_INT64_MIN: Final = -(1 << 63)
_INT64_MAX: Final = (1 << 63) - 1
_DIGITS = re.compile(r"[+-]?[0-9]+", re.ASCII)


def trim_space(text: str) -> str:
    """strings.TrimSpace."""
    return text.strip(GO_SPACE)


def str_to_int64(text: str) -> int:
    """converter.StrToInt64: strconv.ParseInt(s, 10, 64), 0 when it fails.

    Out of range, Go answers the nearest bound with its error, and the error is ignored.
    """
    if not _DIGITS.fullmatch(text):
        return 0
    value = int(text, 10)
    return min(max(value, _INT64_MIN), _INT64_MAX)


def str_to_int(text: str) -> int:
    """converter.StrToInt: strconv.Atoi (int is 64-bit on the reference), as StrToInt64."""
    return str_to_int64(text)
