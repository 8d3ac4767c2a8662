"""Logicor token kinds and the Token record."""

from __future__ import annotations

from enum import Enum
from typing import NamedTuple


class T(Enum):
    """Token kinds. Punctuation that steers the parser is one token per character."""

    WORD = "word"  # a run of ASCII letters: a function or tail name when a "(" follows
    SPACE = "space"  # a run of characters up to and including " " (controls, newlines)
    TEXT = "text"  # a run of anything else that never steers the parser
    LPAREN = "("
    RPAREN = ")"
    LBRACE = "{"
    RBRACE = "}"
    LBRACKET = "["
    RBRACKET = "]"
    QUOTE = '"'
    BACKQUOTE = "`"
    COMMA = ","
    DOT = "."


class Token(NamedTuple):
    """One token: kind, its text and its offset in the text that was lexed."""

    kind: T
    value: str
    offset: int


PUNCTUATION: dict[str, T] = {
    "(": T.LPAREN,
    ")": T.RPAREN,
    "{": T.LBRACE,
    "}": T.RBRACE,
    "[": T.LBRACKET,
    "]": T.RBRACKET,
    '"': T.QUOTE,
    "`": T.BACKQUOTE,
    ",": T.COMMA,
    ".": T.DOT,
}
