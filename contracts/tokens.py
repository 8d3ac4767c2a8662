"""Needle token kinds and the Token record."""

from __future__ import annotations

from enum import Enum
from typing import NamedTuple


class T(Enum):
    """Token kinds."""

    IDENT = "identifier"
    DOLLAR = "$identifier"
    AT = "@identifier"
    INT = "integer"
    FLOAT = "float"
    STRING = "string"
    KEYWORD = "keyword"
    TYPE = "type"
    OP = "operator"
    EOS = "end of statement"
    EOF = "end of source"


KEYWORDS = frozenset(
    {
        "contract",
        "func",
        "return",
        "if",
        "elif",
        "else",
        "while",
        "true",
        "false",
        "var",
        "data",
        "settings",
        "break",
        "continue",
        "warning",
        "info",
        "error",
        "nil",
        "action",
        "conditions",
    }
)
TYPES = frozenset(
    {"bool", "bytes", "int", "address", "array", "map", "money", "float", "string", "file"}
)
# Longest first, so that "<<=" wins over "<<" and "<".
OPERATORS = (
    "<<=",
    ">>=",
    "...",
    "!=",
    "&&",
    "<=",
    "==",
    ">=",
    "||",
    "<<",
    ">>",
    "+=",
    "-=",
    "*=",
    "/=",
    "%=",
    "&=",
    "|=",
    "^=",
    "++",
    "--",
    "(",
    ")",
    ",",
    ".",
    ":",
    "=",
    "[",
    "]",
    "{",
    "}",
    ";",
    "!",
    "*",
    "+",
    "-",
    "/",
    "<",
    ">",
    "&",
    "|",
    "^",
    "%",
)
# After these a newline ends the statement (the grammar's NLSEMI mode).
ENDS_STATEMENT_OPS = frozenset({")", "]", "}", "++", "--"})
ENDS_STATEMENT_KEYWORDS = frozenset(
    {"return", "break", "continue", "warning", "info", "error", "nil", "true", "false"}
)


class Token(NamedTuple):
    """One token with its 1-based position."""

    line: int
    col: int
    type: T
    value: str

    def describe(self) -> str:
        if self.type in (T.EOS, T.EOF):
            return str(self.type.value)
        if self.type is T.DOLLAR:
            return repr("$" + self.value)
        return repr(self.value)
