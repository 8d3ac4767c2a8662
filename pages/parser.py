"""The Logicor parser: tokens to a tree, splitting calls exactly as the reference does.

go-ibax reads a template character by character (`template.go` process/getFunc/callFunc);
this parser follows the same rules over tokens, so every template means here what it means
there: a function name is the run of ASCII letters right before "(", arguments split on
commas at the call's own level (the last declared parameter takes the rest), an argument
that starts with a quote runs to the matching quote (doubled to escape it), one that starts
with "[" or "{" runs to the matching bracket, `{...}` after the call is its Body (or Data),
and `.Tail(...)` / `.Tail{...}` of the function's tail table follow. Any text is a template;
the only errors are the limits: the source size and how deeply bodies nest.
"""

from __future__ import annotations

import bisect
from typing import Final, NamedTuple

from chain.golang.strings import trim_space
from pages.errors import TemplateSyntaxError
from pages.lexer import tokenize
from pages.nodes import Call, Param, Tail, Template, Text
from pages.spec import FUNCS, TAILS, FuncSpec
from pages.tokens import T, Token

MAX_SOURCE: Final = 1 << 20  # characters of one template
MAX_NESTING: Final = 50  # bodies within bodies (the renderer also counts nesting it makes)

_QUOTES = (T.QUOTE, T.BACKQUOTE)
_TRIM = "\t\r\n "


class _Raw(NamedTuple):
    """An argument as split, before binding: its text and where it starts."""

    text: str
    offset: int


class _RawTail(NamedTuple):
    spec: FuncSpec
    params: list[_Raw]
    offset: int


def _trim(text: str, quotes: bool) -> str:
    """callFunc's trim: blanks off, then every leading/trailing copy of the opening quote."""
    result = text.strip(_TRIM)
    if quotes and result and result[0] in '"`':
        result = result.strip(result[0])
    return result


def template_param(spec: FuncSpec) -> str | None:
    """The parameter that holds a template the function renders (its body)."""
    if "Body" in spec.params:
        return "Body"
    if spec.name == "ForList":
        return "Data"
    return None


class Parser:
    """Parses one template; positions are lines and columns of `source`."""

    def __init__(self, source: str, name: str = "template", max_depth: int = MAX_NESTING):
        self.source = source
        self.name = name
        self.max_depth = max_depth
        self._lines = [0]
        start = source.find("\n")
        while start != -1:
            self._lines.append(start + 1)
            start = source.find("\n", start + 1)

    def parse(self) -> Template:
        """The tree of the whole source, or TemplateSyntaxError."""
        if len(self.source) > MAX_SOURCE:
            raise self._error(f"template is longer than {MAX_SOURCE} characters", 0)
        return self._template(self.source, 0, 0)

    # ---- positions -----------------------------------------------------------------------

    def _position(self, offset: int) -> tuple[int, int]:
        offset = min(max(offset, 0), len(self.source))
        index = bisect.bisect_right(self._lines, offset) - 1
        return index + 1, offset - self._lines[index] + 1

    def _error(self, message: str, offset: int) -> TemplateSyntaxError:
        line, col = self._position(offset)
        return TemplateSyntaxError(message, line, col, self.name, self.source)

    # ---- templates -----------------------------------------------------------------------

    def _template(self, text: str, base: int, depth: int) -> Template:
        """`text`, which starts at `base` in the source, as a sequence of texts and calls."""
        if depth > self.max_depth:
            raise self._error(f"templates nest deeper than {self.max_depth} levels", base)
        tokens = tokenize(text)
        nodes: list[Text | Call] = []
        n = len(tokens)
        start = 0  # the first token of the text not yet written
        i = 0
        while i < n:
            if tokens[i].kind is T.LPAREN and i > start and tokens[i - 1].kind is T.WORD:
                spec = FUNCS.get(tokens[i - 1].value)
                if spec is not None:
                    name = tokens[i - 1]
                    if name.offset > tokens[start].offset:
                        before = text[tokens[start].offset : name.offset]
                        nodes.append(self._text(before, base + tokens[start].offset))
                    i = self._call(tokens, i, spec, base, depth, name, nodes) + 1
                    # `Name(...).(...)` calls the same function again.
                    while (
                        i + 2 < n and tokens[i].kind is T.DOT and tokens[i + 1].kind is T.LPAREN
                    ):
                        i = self._call(tokens, i + 1, spec, base, depth, tokens[i], nodes) + 1
                    start = i
                    continue
            i += 1
        if start < n:
            nodes.append(self._text(text[tokens[start].offset :], base + tokens[start].offset))
        line, col = self._position(base)
        return Template(line, col, tuple(nodes), text)

    def _text(self, value: str, offset: int) -> Text:
        line, col = self._position(offset)
        return Text(line, col, value)

    def _call(
        self,
        tokens: list[Token],
        i: int,
        spec: FuncSpec,
        base: int,
        depth: int,
        name: Token,
        nodes: list[Text | Call],
    ) -> int:
        """Parse the call whose "(" is tokens[i]; append it; return its last token's index."""
        raw, end, raw_tails = self._arguments(tokens, i, spec)
        params = self._bind(spec, raw, base)
        tails = tuple(
            Tail(
                *self._position(base + t.offset),
                t.spec,
                tail_params := self._bind(t.spec, t.params, base),
                self._body(t.spec, tail_params, base, depth),
            )
            for t in raw_tails
        )
        line, col = self._position(base + name.offset)
        nodes.append(Call(line, col, spec, params, self._body(spec, params, base, depth), tails))
        return end

    def _body(
        self, spec: FuncSpec, params: tuple[Param, ...], base: int, depth: int
    ) -> Template | None:
        """The parsed template of a call's body parameter (None when it has none)."""
        name = template_param(spec)
        if name is None:
            return None
        for param in params:
            if param.name == name and param.value:
                offset = self._offset(param)
                return self._template(param.value, offset, depth + 1)
        return None

    def _offset(self, param: Param) -> int:
        return self._lines[param.line - 1] + param.col - 1

    # ---- arguments -------------------------------------------------------------------------

    def _arguments(
        self, tokens: list[Token], i0: int, spec: FuncSpec
    ) -> tuple[list[_Raw], int, list[_RawTail]]:
        """Split the arguments after tokens[i0] ("(" or "{"): getFunc of the reference.

        Returns the arguments, the index of the token that closes the call (the last one
        when it never closes) and the tails that follow it.
        """
        n = len(tokens)
        pieces: list[list[str]] = [[]]
        starts: list[int] = [tokens[i0].offset + 1]
        max_params = 0xFF if spec.star else len(spec.params)
        body_mode = tokens[i0].kind is T.LBRACE
        level = 1
        obj_level = 0
        obj_open = obj_close = T.LBRACKET
        pair: T | None = None
        quote = False
        tails: list[_RawTail] = []
        end = i0
        i = i0 + 1

        def add(token: Token) -> None:
            if not pieces[-1]:
                starts[-1] = token.offset
            pieces[-1].append(token.value)

        while i < n:
            token = tokens[i]
            kind = token.kind
            end = i
            if obj_level:
                add(token)
                if kind is obj_open:
                    obj_level += 1
                elif kind is obj_close:
                    obj_level -= 1
                i += 1
                continue
            if pair is not None:
                if kind is not pair:
                    add(token)
                elif i + 1 == n or tokens[i + 1].kind is not pair:
                    pair = None
                    if quote:
                        add(token)
                        quote = False
                else:  # a doubled quote is one quote character
                    add(token)
                    i += 1
                    end = i
                i += 1
                continue
            if not pieces[-1] and not body_mode and kind is not T.RPAREN and kind is not T.COMMA:
                # The start of an argument: blanks are skipped, a quote or a bracket opens it.
                if kind is T.SPACE:
                    pass
                elif kind in _QUOTES:
                    pair = kind
                elif kind is T.LBRACKET or kind is T.LBRACE:
                    obj_open = kind
                    obj_close = T.RBRACKET if kind is T.LBRACKET else T.RBRACE
                    obj_level = 1
                    add(token)
                else:
                    if kind is T.LPAREN:
                        level += 1
                    add(token)
                i += 1
                continue
            if kind in _QUOTES:
                if not body_mode:
                    pair = kind
                    quote = True
            elif kind is T.COMMA:
                if not body_mode and level == 1 and len(pieces) < max_params:
                    pieces.append([])
                    starts.append(token.offset + 1)
                    i += 1
                    continue
            elif kind is (T.LBRACE if body_mode else T.LPAREN):
                level += 1
            elif kind is (T.RBRACE if body_mode else T.RPAREN):
                if level > 0:
                    level -= 1
                if level == 0:
                    if not body_mode and spec.takes_body:
                        j = i + 1
                        if j < n and tokens[j].kind is T.SPACE and not tokens[j].value.strip(" \t"):
                            j += 1
                        if j < n and tokens[j].kind is T.LBRACE:
                            body_mode = True
                            prefix = spec.body_param + ":"
                            pieces.append([prefix])
                            starts.append(tokens[j].offset + 1 - len(prefix))
                            end = j
                            i = j + 1
                            level = 1
                            continue
                    end = self._tails(tokens, i, spec, tails)
                    break
            add(token)
            i += 1
        raw = [_Raw("".join(p), s) for p, s in zip(pieces, starts, strict=True)]
        return raw, end, tails

    def _tails(self, tokens: list[Token], i: int, spec: FuncSpec, tails: list[_RawTail]) -> int:
        """Tails after the call that closes at tokens[i]; the index of the last one's end."""
        table = TAILS.get(spec.tag)
        n = len(tokens)
        while table is not None and i + 2 < n and tokens[i + 1].kind is T.DOT:
            word = tokens[i + 2]
            tail = table.get(word.value) if word.kind is T.WORD else None
            if tail is None:
                break
            j = i + 3
            if j < n and tokens[j].kind is T.SPACE and not tokens[j].value.strip(" \t"):
                j += 1
            if j >= n or tokens[j].kind not in (T.LPAREN, T.LBRACE):
                break
            params, i, _ = self._arguments(tokens, j, tail)
            tails.append(_RawTail(tail, params, word.offset))
            if tail.last:
                break
        return i

    # ---- binding ---------------------------------------------------------------------------

    def _bind(self, spec: FuncSpec, raw: list[_Raw], base: int) -> tuple[Param, ...]:
        """Arguments to parameters, as callFunc binds them (`Name: value` or by position)."""
        bound: dict[str, tuple[str, int, bool]] = {}

        def at(arg: _Raw, value: str) -> int:
            found = arg.text.find(value) if value else -1
            return base + arg.offset + max(found, 0)

        if spec.star:
            for index, arg in enumerate(raw):
                val = trim_space(arg.text)
                colon = val.find(":")
                if colon != -1:
                    value = _trim(val[colon + 1 :], True)
                    bound[val[:colon]] = (value, at(arg, value), True)
                else:
                    bound[str(index)] = (val, at(arg, val), False)
        else:
            text = spec.params_text
            for index, name in enumerate(spec.params):
                if index < len(raw):
                    arg = raw[index]
                    val = trim_space(arg.text)
                    colon = val.find(":")
                    key = val[:colon]
                    if colon != -1 and "#" + key in text:
                        value = _trim(val[colon + 1 :], key != "Data")
                        bound["#" + key] = (value, at(arg, value), False)
                    elif colon != -1 and key in text:
                        value = _trim(val[colon + 1 :], key != "Data")
                        bound[key] = (value, at(arg, value), False)
                    else:
                        bound[name] = (val, at(arg, val), False)
                elif name not in bound:
                    bound[name] = ("", base, False)
        params = []
        for key, (value, offset, named) in bound.items():
            line, col = self._position(offset)
            params.append(Param(line, col, key, value, named))
        return tuple(params)


def parse(source: str, name: str = "template") -> Template:
    """Parse a template (the facade over Parser)."""
    return Parser(source, name).parse()
