"""Go's strings and unicode white space: what strings.TrimSpace and strings.Fields skip."""

from __future__ import annotations

from typing import Final

# unicode.IsSpace: ASCII white space, U+0085, U+00A0 and the Z categories (not U+001C-U+001F,
# which Python's str.strip() also removes).
GO_SPACE: Final = (
    " \t\n\v\f\r\x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006"
    "\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)


def trim_space(text: str) -> str:
    """strings.TrimSpace."""
    return text.strip(GO_SPACE)
