"""Needle lexer: source text to tokens; a newline that ends a statement becomes a token."""

from __future__ import annotations

import re
from collections.abc import Iterator

from contracts.errors import ContractSyntaxError
from contracts.tokens import (
    ENDS_STATEMENT_KEYWORDS,
    ENDS_STATEMENT_OPS,
    KEYWORDS,
    OPERATORS,
    TYPES,
    T,
    Token,
)

MAX_SOURCE = 1 << 20  # a contract's source is bounded like any request body

_IDENT = r"[^\W\d]\w*"
_PATTERNS: tuple[tuple[str, str], ...] = (
    ("ws", r"[ \t\r]+"),
    ("newline", r"\n"),
    ("comment", r"//[^\n]*|/\*(?:.|\n)*?\*/"),
    (
        "float",
        r"(?:\d[\d_]*\.\d[\d_]*(?:[eE][+-]?\d+)?|\d[\d_]*[eE][+-]?\d+|\.\d[\d_]*(?:[eE][+-]?\d+)?)",
    ),
    ("int", r"0[xX][0-9a-fA-F_]+|0[oO][0-7_]+|0[bB][01_]+|\d[\d_]*"),
    ("string", r'"(?:[^"\\\n]|\\.)*"'),
    ("raw", r"`[^`]*`"),
    ("dollar", r"\$" + _IDENT),
    ("at", r"@\d*" + _IDENT),
    ("ident", _IDENT),
    ("op", "|".join(re.escape(op) for op in OPERATORS)),
)
_MASTER = re.compile("|".join(f"(?P<{name}>{pattern})" for name, pattern in _PATTERNS))
_ESCAPES = {
    "n": "\n",
    "t": "\t",
    "r": "\r",
    '"': '"',
    "\\": "\\",
    "'": "'",
    "a": "\a",
    "b": "\b",
    "f": "\f",
    "v": "\v",
    "0": "\0",
}


def _unescape(body: str, line: int, col: int, name: str, source: str) -> str:
    out: list[str] = []
    i = 0
    while i < len(body):
        ch = body[i]
        if ch != "\\":
            out.append(ch)
            i += 1
            continue
        nxt = body[i + 1]
        if nxt in _ESCAPES:
            out.append(_ESCAPES[nxt])
            i += 2
        elif nxt in "xuU":
            size = {"x": 2, "u": 4, "U": 8}[nxt]
            digits = body[i + 2 : i + 2 + size]
            if len(digits) != size or not all(c in "0123456789abcdefABCDEF" for c in digits):
                raise ContractSyntaxError("bad escape in string", line, col, name, source)
            code = int(digits, 16)
            if code > 0x10FFFF:
                raise ContractSyntaxError("bad escape in string", line, col, name, source)
            out.append(chr(code))
            i += 2 + size
        else:
            raise ContractSyntaxError(f"unknown escape \\{nxt} in string", line, col, name, source)
    return "".join(out)


def tokenize(source: str, name: str = "") -> Iterator[Token]:
    """Yield tokens; a newline after a token that can end a statement becomes an EOS token."""
    if len(source) > MAX_SOURCE:
        raise ContractSyntaxError("source is too long", 1, 1, name, "")
    pos, line, line_start = 0, 1, 0
    can_end = False  # the previous token can end a statement
    depth = 0  # inside ( or [ a newline never ends a statement
    while pos < len(source):
        match = _MASTER.match(source, pos)
        col = pos - line_start + 1
        if match is None:
            what = {'"': "unterminated string", "`": "unterminated raw string"}.get(
                source[pos], f"unexpected character {source[pos]!r}"
            )
            raise ContractSyntaxError(what, line, col, name, source)
        kind, text = match.lastgroup, match.group()
        pos = match.end()
        if kind == "newline" or (kind == "comment" and "\n" in text):
            if can_end and depth == 0:
                yield Token(line, col, T.EOS, "\n")
                can_end = False
            line += text.count("\n")
            line_start = pos - (len(text) - text.rfind("\n") - 1)
            continue
        if kind in ("ws", "comment"):
            continue
        token = _make(kind or "", text, line, col, name, source)
        if "\n" in text:  # a raw string or a block comment spanning lines
            line += text.count("\n")
            line_start = match.start() + text.rfind("\n") + 1
        if token.type is T.OP:
            if text in ("(", "["):
                depth += 1
            elif text in (")", "]"):
                depth = max(depth - 1, 0)
        can_end = _ends_statement(token)
        if token.type is T.OP and text == ";":
            token = Token(line, col, T.EOS, ";")
            can_end = False
        yield token
    yield Token(line, pos - line_start + 1, T.EOF, "")


def _ends_statement(token: Token) -> bool:
    if token.type in (T.IDENT, T.DOLLAR, T.INT, T.FLOAT, T.STRING, T.TYPE):
        return True
    if token.type is T.KEYWORD:
        return token.value in ENDS_STATEMENT_KEYWORDS
    return token.type is T.OP and token.value in ENDS_STATEMENT_OPS


def _make(kind: str, text: str, line: int, col: int, name: str, source: str) -> Token:
    if kind == "ident":
        if text in KEYWORDS:
            return Token(line, col, T.KEYWORD, text)
        if text in TYPES:
            return Token(line, col, T.TYPE, text)
        return Token(line, col, T.IDENT, text)
    if kind == "dollar":
        return Token(line, col, T.DOLLAR, text[1:])
    if kind == "at":
        return Token(line, col, T.AT, text)
    if kind == "string":
        return Token(line, col, T.STRING, _unescape(text[1:-1], line, col, name, source))
    if kind == "raw":
        return Token(line, col, T.STRING, text[1:-1])
    if kind == "int":
        return Token(line, col, T.INT, text)
    if kind == "float":
        return Token(line, col, T.FLOAT, text)
    return Token(line, col, T.OP, text)
