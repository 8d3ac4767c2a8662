"""Needle parser: one method per construct and per precedence level, errors with positions."""

from __future__ import annotations

from collections.abc import Callable
from typing import NoReturn, TypeVar

from contracts import ast
from contracts.errors import ContractSyntaxError
from contracts.lexer import tokenize
from contracts.tokens import T, Token

MAX_DEPTH = (
    32  # nesting of blocks and expressions: ~12 Python frames each, well under the stack limit
)

# Binary operators by precedence, lowest first (go-ibax's priorities; newer Needle adds % & | ^).
PRECEDENCE: tuple[frozenset[str], ...] = (
    frozenset({"||"}),
    frozenset({"&&"}),
    frozenset({"==", "!="}),
    frozenset({"<", "<=", ">", ">="}),
    frozenset({"+", "-", "|", "^"}),
    frozenset({"*", "/", "%", "<<", ">>", "&"}),
)
ASSIGN_OPS = frozenset({"=", "+=", "-=", "*=", "/=", "%=", "<<=", ">>=", "&=", "|=", "^="})

N = TypeVar("N")


class TokenStream:
    """current / look / next_if / expect over the lexer's tokens."""

    def __init__(self, source: str, name: str) -> None:
        self.source = source
        self.name = name
        self.tokens = list(tokenize(source, name))
        self.pos = 0

    @property
    def current(self) -> Token:
        return self.tokens[self.pos]

    def look(self, offset: int = 1) -> Token:
        return self.tokens[min(self.pos + offset, len(self.tokens) - 1)]

    def advance(self) -> Token:
        token = self.tokens[self.pos]
        if token.type is not T.EOF:
            self.pos += 1
        return token

    def at(self, kind: T, value: str | None = None) -> bool:
        token = self.current
        return token.type is kind and (value is None or token.value == value)

    def at_op(self, *values: str) -> bool:
        return self.current.type is T.OP and self.current.value in values

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

    def fail(self, message: str, token: Token | None = None) -> NoReturn:
        at = token or self.current
        raise ContractSyntaxError(message, at.line, at.col, self.name, self.source)


class Parser:
    """Recursive descent over a TokenStream."""

    def __init__(self, source: str, name: str = "") -> None:
        self.s = TokenStream(source, name)
        self.depth = 0

    def nested(self, parse: Callable[[], N]) -> N:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            self.s.fail(f"nesting is deeper than {MAX_DEPTH}")
        try:
            return parse()
        finally:
            self.depth -= 1

    # ---- top level -----------------------------------------------------------------------

    def parse_module(self) -> ast.Module:
        first = self.s.current
        items: list[ast.Contract | ast.Func] = []
        self.s.skip_eos()
        while not self.s.at(T.EOF):
            if self.s.at(T.KEYWORD, "contract"):
                items.append(self.parse_contract())
            elif self.s.at(T.KEYWORD, "func"):
                items.append(self.parse_func())
            else:
                self.s.fail(f"expected contract or func, found {self.s.current.describe()}")
            self.s.skip_eos()
        return ast.Module(first.line, first.col, tuple(items))

    def parse_contract(self) -> ast.Contract:
        start = self.s.expect(T.KEYWORD, "contract")
        name = self.s.expect(T.IDENT).value
        self.s.expect(T.OP, "{")
        data: list[ast.DataField] = []
        settings: list[tuple[str, ast.Literal]] = []
        funcs: list[ast.Func] = []
        self.s.skip_eos()
        while not self.s.at_op("}"):
            if self.s.at(T.KEYWORD, "data"):
                data.extend(self.parse_data())
            elif self.s.at(T.KEYWORD, "settings"):
                settings.extend(self.parse_settings())
            elif (
                self.s.at(T.KEYWORD, "func")
                or self.s.at(T.KEYWORD, "conditions")
                or self.s.at(T.KEYWORD, "action")
            ):
                funcs.append(self.parse_func())
            else:
                self.s.fail(f"unexpected {self.s.current.describe()} in contract {name}")
            self.s.skip_eos()
        self.s.expect(T.OP, "}")
        names = [f.name for f in funcs]
        for dup in {n for n in names if names.count(n) > 1}:
            self.s.fail(f"{dup} is defined twice in contract {name}", start)
        return ast.Contract(start.line, start.col, name, tuple(data), tuple(settings), tuple(funcs))

    def parse_data(self) -> list[ast.DataField]:
        self.s.expect(T.KEYWORD, "data")
        self.s.expect(T.OP, "{")
        fields: list[ast.DataField] = []
        self.s.skip_eos()
        while not self.s.at_op("}"):
            name = self.s.expect(T.IDENT)
            kind = self.s.expect(T.TYPE).value
            tag = self.s.next_if(T.STRING)
            if any(f.name == name.value for f in fields):
                self.s.fail(f"data field {name.value} is defined twice", name)
            fields.append(
                ast.DataField(name.line, name.col, name.value, kind, tag.value if tag else "")
            )
            if not self.s.at_op("}"):
                self.s.expect(T.EOS)
            self.s.skip_eos()
        self.s.expect(T.OP, "}")
        return fields

    def parse_settings(self) -> list[tuple[str, ast.Literal]]:
        self.s.expect(T.KEYWORD, "settings")
        self.s.expect(T.OP, "{")
        found: list[tuple[str, ast.Literal]] = []
        self.s.skip_eos()
        while not self.s.at_op("}"):
            name = self.s.expect(T.IDENT).value
            self.s.expect(T.OP, "=")
            value = self.parse_primary()
            if not isinstance(value, ast.Literal):
                self.s.fail("a setting must be a literal")
            found.append((name, value))
            if not self.s.at_op("}"):
                self.s.expect(T.EOS)
            self.s.skip_eos()
        self.s.expect(T.OP, "}")
        return found

    def parse_func(self) -> ast.Func:
        start = self.s.current
        if self.s.next_if(T.KEYWORD, "func"):
            if self.s.at(T.KEYWORD, "conditions") or self.s.at(T.KEYWORD, "action"):
                name = self.s.advance().value
            else:
                name = self.s.expect(T.IDENT).value
        elif self.s.at(T.KEYWORD, "conditions") or self.s.at(T.KEYWORD, "action"):
            name = self.s.advance().value
        else:
            self.s.fail(f"expected func, found {self.s.current.describe()}")
        params: tuple[ast.Param, ...] = ()
        variadic = None
        if self.s.at_op("("):
            params, variadic = self.parse_params()
        tails: list[ast.TailDef] = []
        while self.s.at_op("."):
            dot = self.s.advance()
            tail_name = self.s.expect(T.IDENT).value
            tail_params: tuple[ast.Param, ...] = ()
            if self.s.at_op("("):
                tail_params, _ = self.parse_params()
            tails.append(ast.TailDef(dot.line, dot.col, tail_name, tail_params))
        returns: list[str] = []
        while self.s.at(T.TYPE):
            returns.append(self.s.advance().value)
            self.s.next_if(T.OP, ",")
        body = self.parse_block()
        return ast.Func(
            start.line, start.col, name, params, variadic, tuple(tails), tuple(returns), body
        )

    def parse_params(self) -> tuple[tuple[ast.Param, ...], str | None]:
        self.s.expect(T.OP, "(")
        params: list[ast.Param] = []
        pending: list[Token] = []
        variadic = None
        while not self.s.at_op(")"):
            name = self.s.expect(T.IDENT)
            if self.s.next_if(T.OP, "..."):
                variadic = name.value
                break
            pending.append(name)
            if self.s.at(T.TYPE):
                kind = self.s.advance().value
                params.extend(ast.Param(t.line, t.col, t.value, kind) for t in pending)
                pending = []
            if not self.s.at_op(")"):
                self.s.expect(T.OP, ",")
        if pending:
            self.s.fail(f"parameter {pending[-1].value} has no type", pending[-1])
        self.s.expect(T.OP, ")")
        return tuple(params), variadic

    # ---- statements ----------------------------------------------------------------------

    def parse_block(self) -> ast.Block:
        start = self.s.expect(T.OP, "{")
        return self.nested(lambda: self._block_body(start))

    def _block_body(self, start: Token) -> ast.Block:
        body: list[ast.Node] = []
        self.s.skip_eos()
        while not self.s.at_op("}"):
            if self.s.at(T.EOF):
                self.s.fail("unexpected end of source: missing '}'")
            body.append(self.parse_statement())
            if not self.s.at_op("}"):
                self.s.expect(T.EOS)
            self.s.skip_eos()
        self.s.expect(T.OP, "}")
        return ast.Block(start.line, start.col, tuple(body))

    def parse_statement(self) -> ast.Node:
        token = self.s.current
        if token.type is T.KEYWORD:
            method = getattr(self, f"parse_{token.value}_stmt", None)
            if method is not None:
                node: ast.Node = method()
                return node
        if self.s.at_op("{"):
            return self.parse_block()
        return self.parse_simple()

    def parse_var_stmt(self) -> ast.VarDecl:
        start = self.s.expect(T.KEYWORD, "var")
        names: list[tuple[str, str]] = []
        pending: list[str] = []
        while True:
            pending.append(self.s.expect(T.IDENT).value)
            if self.s.at(T.TYPE):
                kind = self.s.advance().value
                names.extend((n, kind) for n in pending)
                pending = []
                if not (self.s.at(T.IDENT) or self.s.at_op(",")):
                    break
            self.s.next_if(T.OP, ",")
        return ast.VarDecl(start.line, start.col, tuple(names))

    def parse_if_stmt(self) -> ast.If:
        start = self.s.expect(T.KEYWORD, "if")
        branches = [(self.parse_expr(), self.parse_block())]
        orelse = None
        while True:
            if (
                self.s.at(T.EOS)
                and self.s.look().type is T.KEYWORD
                and self.s.look().value
                in (
                    "elif",
                    "else",
                )
            ):
                self.s.advance()  # `}` newline `else {`: the newline does not end the if
            if self.s.next_if(T.KEYWORD, "elif"):
                branches.append((self.parse_expr(), self.parse_block()))
            elif self.s.next_if(T.KEYWORD, "else"):
                if self.s.at(T.KEYWORD, "if"):
                    nested = self.parse_if_stmt()
                    orelse = ast.Block(nested.line, nested.col, (nested,))
                else:
                    orelse = self.parse_block()
                break
            else:
                break
        return ast.If(start.line, start.col, tuple(branches), orelse)

    def parse_while_stmt(self) -> ast.While:
        start = self.s.expect(T.KEYWORD, "while")
        return ast.While(start.line, start.col, self.parse_expr(), self.parse_block())

    def parse_break_stmt(self) -> ast.Break:
        token = self.s.advance()
        return ast.Break(token.line, token.col)

    def parse_continue_stmt(self) -> ast.Continue:
        token = self.s.advance()
        return ast.Continue(token.line, token.col)

    def parse_return_stmt(self) -> ast.Return:
        token = self.s.advance()
        if self.s.at(T.EOS) or self.s.at_op("}"):
            return ast.Return(token.line, token.col, None)
        return ast.Return(token.line, token.col, self.parse_expr())

    def _raise(self) -> ast.Raise:
        token = self.s.advance()
        return ast.Raise(token.line, token.col, token.value, self.parse_expr())

    parse_error_stmt = _raise
    parse_warning_stmt = _raise
    parse_info_stmt = _raise

    def parse_simple(self) -> ast.Node:
        start = self.s.current
        targets = [self.parse_expr()]
        while self.s.next_if(T.OP, ","):
            targets.append(self.parse_expr())
        if self.s.at_op("++", "--"):
            if len(targets) != 1:
                self.s.fail("++ and -- take one variable")
            return ast.IncDec(
                start.line, start.col, self.s.advance().value, self._target(targets[0])
            )
        if self.s.current.type is T.OP and self.s.current.value in ASSIGN_OPS:
            op = self.s.advance().value
            values = [self.parse_expr()]
            while self.s.next_if(T.OP, ","):
                values.append(self.parse_expr())
            return ast.Assign(
                start.line, start.col, op, tuple(self._target(t) for t in targets), tuple(values)
            )
        if len(targets) != 1:
            self.s.fail("expected an assignment")
        return ast.ExprStmt(start.line, start.col, targets[0])

    def _target(self, node: ast.Node) -> ast.Node:
        if not isinstance(node, (ast.Name, ast.TxVar, ast.Index)):
            raise ContractSyntaxError(
                "cannot assign to this expression", node.line, node.col, self.s.name, self.s.source
            )
        return node

    # ---- expressions, lowest precedence first --------------------------------------------

    def parse_expr(self) -> ast.Node:
        return self.nested(lambda: self.parse_binary(0))

    def parse_binary(self, level: int) -> ast.Node:
        if level == len(PRECEDENCE):
            return self.parse_unary()
        left = self.parse_binary(level + 1)
        while self.s.current.type is T.OP and self.s.current.value in PRECEDENCE[level]:
            op = self.s.advance()
            right = self.parse_binary(level + 1)
            left = ast.Binary(op.line, op.col, op.value, left, right)
        return left

    def parse_unary(self) -> ast.Node:
        if self.s.at_op("!", "-", "+"):
            op = self.s.advance()
            operand = self.nested(self.parse_unary)
            return ast.Unary(op.line, op.col, op.value, operand)
        return self.parse_postfix()

    def parse_postfix(self) -> ast.Node:
        node = self.parse_primary()
        while self.s.at_op("["):
            bracket = self.s.advance()
            low = None if self.s.at_op(":") else self.parse_expr()
            if self.s.next_if(T.OP, ":"):
                high = None if self.s.at_op("]") else self.parse_expr()
                self.s.expect(T.OP, "]")
                node = ast.Slice(bracket.line, bracket.col, node, low, high)
            else:
                self.s.expect(T.OP, "]")
                if low is None:
                    self.s.fail("empty index")
                node = ast.Index(bracket.line, bracket.col, node, low)
        return node

    def parse_arguments(self) -> tuple[tuple[ast.Node, ...], bool]:
        self.s.expect(T.OP, "(")
        args: list[ast.Node] = []
        spread = False
        while not self.s.at_op(")"):
            args.append(self.parse_expr())
            if self.s.next_if(T.OP, "..."):
                spread = True
                break
            if not self.s.at_op(")"):
                self.s.expect(T.OP, ",")
        self.s.expect(T.OP, ")")
        return tuple(args), spread

    def parse_primary(self) -> ast.Node:
        token = self.s.current
        if token.type is T.INT:
            self.s.advance()
            text = token.value.replace("_", "")
            try:
                value = int(text, 0) if text[:2].lower() in ("0x", "0o", "0b") else int(text, 10)
            except ValueError:
                self.s.fail(f"malformed number {token.value}", token)
            return ast.Literal(token.line, token.col, "int", value)
        if token.type is T.FLOAT:
            self.s.advance()
            return ast.Literal(token.line, token.col, "float", token.value.replace("_", ""))
        if token.type is T.STRING:
            self.s.advance()
            return ast.Literal(token.line, token.col, "string", token.value)
        if token.type is T.KEYWORD and token.value in ("true", "false", "nil"):
            self.s.advance()
            if token.value == "nil":
                return ast.Literal(token.line, token.col, "nil", None)
            return ast.Literal(token.line, token.col, "bool", token.value == "true")
        if token.type is T.DOLLAR:
            self.s.advance()
            return ast.TxVar(token.line, token.col, token.value)
        if token.type is T.AT:
            self.s.advance()
            args, _ = self.parse_arguments()
            return ast.ContractCall(token.line, token.col, token.value, args)
        if token.type is T.IDENT:
            self.s.advance()
            if not self.s.at_op("("):
                return ast.Name(token.line, token.col, token.value)
            args, spread = self.parse_arguments()
            tails: list[ast.Tail] = []
            while self._at_tail():
                self.s.skip_eos()
                dot = self.s.advance()
                name = self.s.expect(T.IDENT).value
                tail_args: tuple[ast.Node, ...] = ()
                if self.s.at_op("("):
                    tail_args, _ = self.parse_arguments()
                tails.append(ast.Tail(dot.line, dot.col, name, tail_args))
            return ast.Call(token.line, token.col, token.value, args, tuple(tails), spread)
        if self.s.at_op("("):
            self.s.advance()
            inner = self.parse_expr()
            self.s.expect(T.OP, ")")
            return inner
        if self.s.at_op("{"):
            return self.nested(self.parse_map)
        if self.s.at_op("["):
            return self.nested(self.parse_array)
        self.s.fail(f"unexpected {token.describe()}")

    def _at_tail(self) -> bool:
        # A call chain may continue on the next line: `DBFind("t")` newline `.Where(...)`.
        if self.s.at_op("."):
            return True
        return self.s.at(T.EOS) and self.s.look().type is T.OP and self.s.look().value == "."

    def parse_map(self) -> ast.MapLit:
        start = self.s.expect(T.OP, "{")
        pairs: list[tuple[str | ast.TxVar, ast.Node]] = []
        self.s.skip_eos()
        while not self.s.at_op("}"):
            key_token = self.s.current
            key: str | ast.TxVar
            if key_token.type in (T.STRING, T.IDENT, T.TYPE, T.KEYWORD):
                key = self.s.advance().value
            elif key_token.type is T.DOLLAR:
                self.s.advance()
                key = ast.TxVar(key_token.line, key_token.col, key_token.value)
            else:
                self.s.fail(f"expected a map key, found {key_token.describe()}")
            self.s.expect(T.OP, ":")
            pairs.append((key, self.parse_expr()))
            self.s.skip_eos()
            if not self.s.at_op("}"):
                self.s.expect(T.OP, ",")
            self.s.skip_eos()
        self.s.expect(T.OP, "}")
        return ast.MapLit(start.line, start.col, tuple(pairs))

    def parse_array(self) -> ast.ArrayLit:
        start = self.s.expect(T.OP, "[")
        items: list[ast.Node] = []
        while not self.s.at_op("]"):
            items.append(self.parse_expr())
            if not self.s.at_op("]"):
                self.s.expect(T.OP, ",")
        self.s.expect(T.OP, "]")
        return ast.ArrayLit(start.line, start.col, tuple(items))


def parse(source: str, name: str = "") -> ast.Module:
    """Parse Needle source into a Module; raises ContractSyntaxError with a position."""
    return Parser(source, name).parse_module()
