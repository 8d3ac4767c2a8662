"""Needle lexer: source to tokens (a statement-ending newline is one), and the TokenStream."""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Callable, Iterator
from typing import NoReturn

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

# Digits are ASCII only: Python's \d would also take other scripts' digits.
_DIGITS = r"[0-9](?:_?[0-9])*"
_EXPONENT = rf"[eE][+-]?{_DIGITS}"
_IDENT = r"[^\W\d]\w*"
# Each pattern either matches a whole token or fails without backtracking far, so one pass over
# the source is linear; an "open_*" pattern catches what its complete form did not match.
_PATTERNS: tuple[tuple[str, str], ...] = (
    ("ws", r"[ \t\r]+"),
    ("newline", r"\n"),
    ("comment", r"//[^\n]*+|/\*.*?\*/"),
    ("open_comment", r"/\*"),
    ("hex", r"0[xX](?:_?[0-9a-fA-F])+"),
    ("octal", r"0[oO](?:_?[0-7])+"),
    ("binary", r"0[bB](?:_?[01])+"),
    (
        "float",
        rf"{_DIGITS}\.{_DIGITS}(?:{_EXPONENT})?|{_DIGITS}{_EXPONENT}"
        rf"|\.{_DIGITS}(?:{_EXPONENT})?|{_DIGITS}\.(?![.\w])",
    ),
    ("int", _DIGITS),
    ("string", r'"(?:[^"\\]++|\\.)*+"'),
    ("open_string", r'"'),
    ("raw", r"`[^`]*+`"),
    ("open_raw", r"`"),
    ("dollar", r"\$" + _IDENT),
    ("at", r"@[0-9]*" + _IDENT),
    ("ident", _IDENT),
    ("op", "|".join(re.escape(op) for op in OPERATORS)),
)
_MASTER = re.compile("|".join(f"(?P<{name}>{pattern})" for name, pattern in _PATTERNS), re.DOTALL)
_UNTERMINATED = {
    "open_comment": "unterminated comment",
    "open_string": "unterminated string",
    "open_raw": "unterminated raw string",
}
_OPENERS = frozenset({"(", "["})
_CLOSERS = frozenset({")", "]"})
_NUMBER_KINDS = {"hex": T.INT, "octal": T.INT, "binary": T.INT, "int": T.INT, "float": T.FLOAT}
# Only these four escapes mean something in a "..." string; any other backslash stays as
# written, which is what both reference compilers (go-ibax and needle) do.
_ESCAPE = re.compile(r'\\(["trn])')
_ESCAPES = {'"': '"', "t": "\t", "r": "\r", "n": "\n"}


def unescape(body: str) -> str:
    """The value of a "..." string from the text between its quotes."""
    if "\\" not in body:
        return body
    return _ESCAPE.sub(lambda m: _ESCAPES[m.group(1)], body)


def tokenize(source: str, name: str = "") -> Iterator[Token]:
    """Yield tokens; a newline after a token that can end a statement becomes an EOS token."""
    if len(source) > MAX_SOURCE:
        raise ContractSyntaxError("source is too long", 1, 1, name, "")
    pos, line, line_start = 0, 1, 0
    can_end = False  # the previous token can end a statement
    depth = 0  # inside ( or [ a newline never ends a statement
    match_at = _MASTER.match
    # Branches by kind, the most frequent first: this loop is most of the cost of parsing.
    while pos < len(source):
        match = match_at(source, pos)
        if match is None:
            raise ContractSyntaxError(
                f"unexpected character {source[pos]!r}", line, pos - line_start + 1, name, source
            )
        kind, start, pos = match.lastgroup, pos, match.end()
        if kind == "ws":
            continue
        col = start - line_start + 1
        text = match.group()
        if kind == "ident":
            if text in KEYWORDS:
                can_end = text in ENDS_STATEMENT_KEYWORDS
                yield Token(line, col, T.KEYWORD, text)
            else:
                can_end = True
                yield Token(line, col, T.TYPE if text in TYPES else T.IDENT, text)
        elif kind == "op":
            if text in _OPENERS:
                depth += 1
            elif text in _CLOSERS:
                depth = max(depth - 1, 0)
            if text == ";":
                can_end = False
                yield Token(line, col, T.EOS, text)
            else:
                can_end = text in ENDS_STATEMENT_OPS
                yield Token(line, col, T.OP, text)
        elif kind == "newline" or kind == "comment":
            newlines = text.count("\n")
            if newlines:
                if can_end and depth == 0:
                    yield Token(line, col, T.EOS, "\n")
                    can_end = False
                line += newlines
                line_start = start + text.rfind("\n") + 1
        elif kind in _NUMBER_KINDS:
            _check_number_end(source, pos, text, line, col, name)
            can_end = True
            yield Token(line, col, _NUMBER_KINDS[kind], text)
        elif kind == "string" or kind == "raw":
            can_end = True
            value = unescape(text[1:-1]) if kind == "string" else text[1:-1]
            yield Token(line, col, T.STRING, value)
            if "\n" in text:
                line += text.count("\n")
                line_start = start + text.rfind("\n") + 1
        elif kind == "dollar":
            can_end = True
            yield Token(line, col, T.DOLLAR, text[1:])
        elif kind == "at":
            can_end = False
            yield Token(line, col, T.AT, text)
        else:
            raise ContractSyntaxError(_UNTERMINATED[kind or ""], line, col, name, source)
    yield Token(line, pos - line_start + 1, T.EOF, "")


def _check_number_end(source: str, end: int, text: str, line: int, col: int, name: str) -> None:
    # `345rt`, `1_`, `0x`, `1.5.2` are one malformed number, not a number and a name.
    nxt = source[end : end + 1]
    if nxt and (nxt.isalnum() or nxt == "_" or (nxt == "." and source[end + 1 : end + 2] != ".")):
        tail = re.match(r"[\w.]*", source[end : end + 40])
        shown = text + (tail.group() if tail else "")
        raise ContractSyntaxError(f"malformed number {shown}", line, col, name, source)


class TokenStream:
    """current / look / next_if / expect over the lexer's tokens, read lazily: an error stops
    lexing where it is found, and tokens already parsed are not kept."""

    def __init__(self, source: str, name: str) -> None:
        self.source = source
        self.name = name
        self._tokens = tokenize(source, name)
        self._ahead: deque[Token] = deque()  # tokens read past current
        self.current = next(self._tokens)
        self.pos = 0  # tokens consumed so far

    def look(self, offset: int = 1) -> Token:
        """The token `offset` places after current (EOF past the end)."""
        while len(self._ahead) < offset:
            last = self._ahead[-1] if self._ahead else self.current
            if last.type is T.EOF:
                return last
            self._ahead.append(next(self._tokens))
        return self._ahead[offset - 1]

    def advance(self) -> Token:
        token = self.current
        if token.type is not T.EOF:
            self.pos += 1
            self.current = self._ahead.popleft() if self._ahead else next(self._tokens)
        return token

    def at(self, kind: T, value: str | None = None) -> bool:
        token = self.current
        return token.type is kind and (value is None or token.value == value)

    def at_op(self, *values: str) -> bool:
        token = self.current
        return token.type is T.OP and token.value in values

    def next_if(self, kind: T, value: str | None = None) -> Token | None:
        return self.advance() if self.at(kind, value) else None

    def expect(self, kind: T, value: str | None = None) -> Token:
        if not self.at(kind, value):
            wanted = repr(value) if value is not None else kind.value
            self.fail(f"expected {wanted}, found {self.current.describe()}")
        return self.advance()

    def skip_eos(self) -> None:
        while self.current.type is T.EOS:
            self.advance()

    def after_eos(self) -> Token:
        """The first token from here on that is not an end of statement (EOF never is)."""
        token, offset = self.current, 0
        while token.type is T.EOS:
            offset += 1
            token = self.look(offset)
        return token

    def skip_eos_if(self, wanted: Callable[[Token], bool]) -> None:
        """Skip newlines when what follows them continues the construct (`}` newline `else`)."""
        if self.current.type is T.EOS and wanted(self.after_eos()):
            self.skip_eos()

    def fail(self, message: str, token: Token | None = None) -> NoReturn:
        at = token or self.current
        raise ContractSyntaxError(message, at.line, at.col, self.name, self.source)
