"""Needle parser: one method per construct, binary operators by a precedence table.

(Over 600 lines: one recursive-descent parser, a parse method per rule of the grammar.)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NoReturn

from chain.golang.ints import INT64_MAX
from contracts import ast
from contracts.errors import ContractSyntaxError
from contracts.lexer import TokenStream
from contracts.tokens import T, Token

# Nesting of blocks, parentheses, calls, indexes, maps and arrays: each level costs a few
# Python frames, so 32 levels stay far below the interpreter's recursion limit.
MAX_DEPTH = 32
# Levels of one expression's tree. Operator and index chains are parsed by loops, not
# recursion, so this bound is what keeps recursive visitors (dump, the compiler) safe.
MAX_EXPR_HEIGHT = 100

# Binary operators by precedence, lowest first. The operators go-ibax has keep its priorities
# (|| 10, && 15, == != 20, < <= > >= 22, + - 25, * / 30); the ones only the formal grammar has
# join its add_op (| ^) and mul_op (% << >> &) groups.
PRECEDENCE: tuple[frozenset[str], ...] = (
    frozenset({"||"}),
    frozenset({"&&"}),
    frozenset({"==", "!="}),
    frozenset({"<", "<=", ">", ">="}),
    frozenset({"+", "-", "|", "^"}),
    frozenset({"*", "/", "%", "<<", ">>", "&"}),
)
PRIORITY: dict[str, int] = {op: level for level, ops in enumerate(PRECEDENCE) for op in ops}
ASSIGN_OPS = frozenset({"=", "+=", "-=", "*=", "/=", "%=", "<<=", ">>=", "&=", "|=", "^="})
UNARY_OPS = frozenset({"!", "-", "+"})
# `conditions` and `action` may be written with or without `func`.
_SECTIONS = frozenset({"conditions", "action"})
_MAP_KEYS = frozenset({T.STRING, T.IDENT, T.TYPE, T.KEYWORD})
# A statement that ends with a block needs no newline before the next one (`if a {} b = 1`).
_BLOCK_STATEMENTS = (ast.If, ast.While, ast.Block)


def _at_dot(token: Token) -> bool:
    return token.type is T.OP and token.value == "."


def _at_type(token: Token) -> bool:
    return token.type is T.TYPE


def _at_else(token: Token) -> bool:
    return token.type is T.KEYWORD and token.value in ("elif", "else")


class Parser:
    """Recursive descent over a TokenStream; one Parser parses one source."""

    def __init__(self, source: str, name: str = "") -> None:
        self.s = TokenStream(source, name)
        self.depth = 0
        self.in_expression = False
        self.expression_start = self.s.current  # where a too deep expression is reported

    def deeper(self) -> None:
        # No matching decrement on errors: the first error ends the whole parse.
        self.depth += 1
        if self.depth > MAX_DEPTH:
            self.s.fail(f"nesting is deeper than {MAX_DEPTH}")

    def open_brace(self) -> Token:
        """`{` of a block or section, which may stand on the next line (`if a` newline `{`)."""
        self.s.skip_eos()
        return self.s.expect(T.OP, "{")

    # ---- top level -----------------------------------------------------------------------

    def parse_module(self) -> ast.Module:
        first = self.s.current
        items: list[ast.Contract | ast.Func] = []
        self.s.skip_eos()
        while not self.s.at(T.EOF):
            if self.s.at(T.KEYWORD, "contract"):
                items.append(self.parse_contract())
            elif self.s.at(T.KEYWORD, "func") or self._at_section():
                items.append(self.parse_func())
            else:
                self.s.fail(f"expected contract or func, found {self.s.current.describe()}")
            self.s.skip_eos()
        return ast.Module(first.line, first.col, tuple(items))

    def _at_section(self) -> bool:
        return self.s.current.type is T.KEYWORD and self.s.current.value in _SECTIONS

    def parse_contract(self) -> ast.Contract:
        start = self.s.expect(T.KEYWORD, "contract")
        name = self.s.expect(T.IDENT).value
        self.open_brace()
        data: list[ast.DataField] = []
        settings: list[tuple[str, ast.Literal]] = []
        funcs: list[ast.Func] = []
        self.s.skip_eos()
        while not self.s.at_op("}"):
            if self.s.at(T.KEYWORD, "data"):
                data.extend(self.parse_data(data))
            elif self.s.at(T.KEYWORD, "settings"):
                settings.extend(self.parse_settings())
            elif self.s.at(T.KEYWORD, "func") or self._at_section():
                funcs.append(self.parse_func())
            elif self.s.at(T.EOF):
                self.s.fail("unexpected end of source: missing '}'")
            else:
                self.s.fail(f"unexpected {self.s.current.describe()} in contract {name}")
            self.s.skip_eos()
        self.s.expect(T.OP, "}")
        seen: set[str] = set()
        for func in funcs:
            if func.name in seen:
                raise ContractSyntaxError(
                    f"{func.name} is defined twice in contract {name}",
                    func.line,
                    func.col,
                    self.s.name,
                    self.s.source,
                )
            seen.add(func.name)
        return ast.Contract(start.line, start.col, name, tuple(data), tuple(settings), tuple(funcs))

    def parse_data(self, earlier: list[ast.DataField]) -> list[ast.DataField]:
        """`Name type ["tag"]` per line; `A, B type` shares the type and the tag."""
        self.s.expect(T.KEYWORD, "data")
        self.open_brace()
        fields: list[ast.DataField] = []
        seen = {f.name for f in earlier}
        self.s.skip_eos()
        while not self.s.at_op("}"):
            names = [self.s.expect(T.IDENT)]
            while self.s.next_if(T.OP, ","):
                names.append(self.s.expect(T.IDENT))
            kind = self.s.expect(T.TYPE).value
            tag = self.s.next_if(T.STRING)
            for name in names:
                if name.value in seen:
                    self.s.fail(f"data field {name.value} is defined twice", name)
                seen.add(name.value)
                fields.append(
                    ast.DataField(name.line, name.col, name.value, kind, tag.value if tag else "")
                )
            if self.s.at_op("}"):
                break
            if not self.s.at(T.IDENT):  # another field may follow on the same line
                self.s.expect(T.EOS)
            self.s.skip_eos()
        self.s.expect(T.OP, "}")
        return fields

    def parse_settings(self) -> list[tuple[str, ast.Literal]]:
        """`name = literal`, one per line or separated by commas."""
        self.s.expect(T.KEYWORD, "settings")
        self.open_brace()
        found: list[tuple[str, ast.Literal]] = []
        self.s.skip_eos()
        while not self.s.at_op("}"):
            name = self.s.expect(T.IDENT).value
            self.s.expect(T.OP, "=")
            value = self.parse_literal()
            if value is None:
                self.s.fail("a setting must be a literal")
            found.append((name, value))
            if self.s.at_op("}"):
                break
            if not self.s.next_if(T.OP, ","):
                self.s.expect(T.EOS)
            self.s.skip_eos()
        self.s.expect(T.OP, "}")
        return found

    def parse_func(self) -> ast.Func:
        start = self.s.current
        if self.s.next_if(T.KEYWORD, "func"):
            name = self.s.advance().value if self._at_section() else self.s.expect(T.IDENT).value
        elif self._at_section():
            name = self.s.advance().value
        else:
            self.s.fail(f"expected func, found {self.s.current.describe()}")
        params: tuple[ast.Param, ...] = ()
        variadic = None
        if self.s.at_op("("):
            params, variadic = self.parse_params()
        tails: list[ast.TailDef] = []
        while True:
            self.s.skip_eos_if(_at_dot)  # tails may continue on the next line
            if not self.s.at_op("."):
                break
            dot = self.s.advance()
            tail_name = self.s.expect(T.IDENT).value
            tail_params: tuple[ast.Param, ...] = ()
            tail_variadic = None
            if self.s.at_op("("):
                tail_params, tail_variadic = self.parse_params()
            tails.append(ast.TailDef(dot.line, dot.col, tail_name, tail_params, tail_variadic))
        returns: list[str] = []
        while True:
            self.s.skip_eos_if(_at_type)
            if not self.s.at(T.TYPE):
                break
            returns.append(self.s.advance().value)
            self.s.next_if(T.OP, ",")
        body = self.parse_block()
        return ast.Func(
            start.line, start.col, name, params, variadic, tuple(tails), tuple(returns), body
        )

    def parse_params(self) -> tuple[tuple[ast.Param, ...], str | None]:
        """`(a, b int, c string, rest ...)`; commas between parameters are optional."""
        self.s.expect(T.OP, "(")
        params: list[ast.Param] = []
        pending: list[Token] = []
        variadic = None
        while not self.s.at_op(")"):
            name = self.s.expect(T.IDENT)
            if self.s.next_if(T.OP, "..."):
                if pending:
                    self.s.fail(f"parameter {pending[-1].value} has no type", pending[-1])
                variadic = name.value
                self.s.next_if(T.OP, ",")
                break
            pending.append(name)
            if self.s.at(T.TYPE):
                kind = self.s.advance().value
                params.extend(ast.Param(t.line, t.col, t.value, kind) for t in pending)
                pending = []
            self.s.next_if(T.OP, ",")
        if pending:
            self.s.fail(f"parameter {pending[-1].value} has no type", pending[-1])
        self.s.expect(T.OP, ")")
        return tuple(params), variadic

    # ---- statements ----------------------------------------------------------------------

    def parse_block(self) -> ast.Block:
        start = self.open_brace()
        self.deeper()
        body: list[ast.Node] = []
        self.s.skip_eos()
        while not self.s.at_op("}"):
            if self.s.at(T.EOF):
                self.s.fail("unexpected end of source: missing '}'")
            statement = self.parse_statement()
            body.append(statement)
            if not (self.s.at_op("}") or isinstance(statement, _BLOCK_STATEMENTS)):
                self.s.expect(T.EOS)
            self.s.skip_eos()
        self.s.expect(T.OP, "}")
        self.depth -= 1
        return ast.Block(start.line, start.col, tuple(body))

    def parse_statement(self) -> ast.Node:
        token = self.s.current
        if token.type is T.KEYWORD:
            method = _STATEMENTS.get(token.value)
            if method is not None:
                return method(self)
        if self.s.at_op("{"):
            return self.parse_block()
        return self.parse_simple()

    def parse_var_stmt(self) -> ast.VarDecl:
        """`var a, b int, c string`; commas are optional, as in parameter lists."""
        start = self.s.expect(T.KEYWORD, "var")
        names: list[tuple[str, str]] = []
        pending: list[Token] = []
        while True:
            pending.append(self.s.expect(T.IDENT))
            self.s.next_if(T.OP, ",")
            if self.s.at(T.TYPE):
                kind = self.s.advance().value
                names.extend((t.value, kind) for t in pending)
                pending = []
                self.s.next_if(T.OP, ",")
                if not self.s.at(T.IDENT):
                    break
            elif not self.s.at(T.IDENT):
                self.s.fail(f"variable {pending[-1].value} has no type", pending[-1])
        return ast.VarDecl(start.line, start.col, tuple(names))

    def parse_if_stmt(self) -> ast.If:
        """`if c {..} elif c {..} else if c {..} else {..}`; `else if` is the same as `elif`."""
        start = self.s.expect(T.KEYWORD, "if")
        branches = [(self.parse_expr(), self.parse_block())]
        orelse = None
        while True:
            self.s.skip_eos_if(_at_else)  # `}` newline `else {`: the newline ends nothing
            if self.s.next_if(T.KEYWORD, "elif"):
                branches.append((self.parse_expr(), self.parse_block()))
            elif self.s.next_if(T.KEYWORD, "else"):
                if not self.s.next_if(T.KEYWORD, "if"):
                    orelse = self.parse_block()
                    break
                branches.append((self.parse_expr(), self.parse_block()))
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
        if self.s.at(T.EOS) or self.s.at(T.EOF) or self.s.at_op("}"):
            return ast.Return(token.line, token.col, None)
        value = self.parse_expr()
        if self.s.at_op(","):
            self.s.fail("return takes one value")
        return ast.Return(token.line, token.col, value)

    def parse_raise_stmt(self) -> ast.Raise:
        token = self.s.advance()
        return ast.Raise(token.line, token.col, token.value, self.parse_expr())

    def parse_simple(self) -> ast.Node:
        start = self.s.current
        targets = [self.parse_expr()]
        while self.s.next_if(T.OP, ","):
            targets.append(self.parse_expr())
        if self.s.at_op("++", "--"):
            if len(targets) != 1:
                self.s.fail("++ and -- take one variable")
            op = self.s.advance().value
            return ast.IncDec(start.line, start.col, op, self._target(targets[0]))
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

    # ---- expressions ---------------------------------------------------------------------

    def parse_expr(self) -> ast.Node:
        if self.in_expression:
            return self._nested_expr()
        self.in_expression = True
        start = self.s.pos
        self.expression_start = self.s.current
        node = self._nested_expr()
        self.in_expression = False
        # Every node of an expression has a token of its own, so a short one is shallow.
        if self.s.pos - start > MAX_EXPR_HEIGHT and _deeper_than(node, MAX_EXPR_HEIGHT):
            self.too_deep()
        return node

    def too_deep(self) -> NoReturn:
        self.s.fail(
            f"expression is nested deeper than {MAX_EXPR_HEIGHT} levels", self.expression_start
        )

    def _nested_expr(self) -> ast.Node:
        self.deeper()
        node = self.parse_binary()
        self.depth -= 1
        return node

    def parse_binary(self) -> ast.Node:
        """Operands and operators by precedence climbing with explicit stacks, left-associative."""
        first = self.parse_unary()
        token = self.s.current
        if token.type is not T.OP or token.value not in PRIORITY:
            return first  # most expressions have no operator
        operands = [first]
        # Heights counting each operand as 1: a lower bound that stops a long chain early.
        heights = [1]
        operators: list[Token] = []
        while self.s.current.type is T.OP and self.s.current.value in PRIORITY:
            priority = PRIORITY[self.s.current.value]
            while operators and PRIORITY[operators[-1].value] >= priority:
                self._reduce(operands, heights, operators)
            operators.append(self.s.advance())
            operands.append(self.parse_unary())
            heights.append(1)
        while operators:
            self._reduce(operands, heights, operators)
        return operands[0]

    def _reduce(self, operands: list[ast.Node], heights: list[int], operators: list[Token]) -> None:
        op = operators.pop()
        right, right_height = operands.pop(), heights.pop()
        left, left_height = operands.pop(), heights.pop()
        height = max(left_height, right_height) + 1
        if height > MAX_EXPR_HEIGHT:
            self.too_deep()
        operands.append(ast.Binary(op.line, op.col, op.value, left, right))
        heights.append(height)

    def parse_unary(self) -> ast.Node:
        token = self.s.current
        if token.type is not T.OP or token.value not in UNARY_OPS:
            return self.parse_postfix()
        prefixes: list[Token] = []
        while self.s.current.type is T.OP and self.s.current.value in UNARY_OPS:
            prefixes.append(self.s.advance())
        if len(prefixes) >= MAX_EXPR_HEIGHT:
            self.too_deep()
        node = self.parse_postfix()
        for op in reversed(prefixes):
            node = ast.Unary(op.line, op.col, op.value, node)
        return node

    def parse_postfix(self) -> ast.Node:
        node = self.parse_primary()
        chain = 0
        while self.s.at_op("["):
            chain += 1
            if chain >= MAX_EXPR_HEIGHT:
                self.too_deep()
            bracket = self.s.advance()
            if self.s.next_if(T.OP, ":"):
                node = self._slice(bracket, node, None)
                continue
            index = self.parse_expr()
            if self.s.next_if(T.OP, ":"):
                node = self._slice(bracket, node, index)
                continue
            self.s.expect(T.OP, "]")
            node = ast.Index(bracket.line, bracket.col, node, index)
        return node

    def _slice(self, bracket: Token, obj: ast.Node, low: ast.Node | None) -> ast.Slice:
        high = None if self.s.at_op("]") else self.parse_expr()
        self.s.expect(T.OP, "]")
        return ast.Slice(bracket.line, bracket.col, obj, low, high)

    def parse_arguments(self) -> tuple[tuple[ast.Node, ...], bool]:
        """`(a, b, rest...)`: `...` may follow the last argument only."""
        self.s.expect(T.OP, "(")
        args: list[ast.Node] = []
        spread = False
        if not self.s.at_op(")"):
            while True:
                args.append(self.parse_expr())
                if self.s.next_if(T.OP, "..."):
                    spread = True
                    break
                if not self.s.next_if(T.OP, ","):
                    break
        self.s.expect(T.OP, ")")
        return tuple(args), spread

    def parse_literal(self) -> ast.Literal | None:
        """A number, string, bool or nil token as a Literal; None (nothing taken) otherwise."""
        token = self.s.current
        if token.type is T.INT:
            self.s.advance()
            return ast.Literal(token.line, token.col, "int", self._int_value(token))
        if token.type is T.FLOAT:
            self.s.advance()
            text = token.value.replace("_", "")
            if float(text) in (float("inf"), float("-inf")):
                self.s.fail(f"float literal {token.value} is out of range", token)
            return ast.Literal(token.line, token.col, "float", text)
        if token.type is T.STRING:
            self.s.advance()
            return ast.Literal(token.line, token.col, "string", token.value)
        if token.type is T.KEYWORD and token.value in ("true", "false", "nil"):
            self.s.advance()
            if token.value == "nil":
                return ast.Literal(token.line, token.col, "nil", None)
            return ast.Literal(token.line, token.col, "bool", token.value == "true")
        return None

    def _int_value(self, token: Token) -> int:
        text = token.value.replace("_", "")
        base = {"x": 16, "o": 8, "b": 2}.get(text[1:2].lower(), 10) if text[:1] == "0" else 10
        # A leading zero alone is still decimal (`0785` is 785), as in go-ibax.
        value = int(text[2:] if base != 10 else text, base)
        if value > INT64_MAX:
            self.s.fail(f"integer literal {token.value} is out of range", token)
        return value

    def parse_primary(self) -> ast.Node:
        token = self.s.current
        if token.type is T.IDENT:
            self.s.advance()
            if not self.s.at_op("("):
                return ast.Name(token.line, token.col, token.value)
            return self._call(token)
        literal = self.parse_literal()
        if literal is not None:
            return literal
        if token.type is T.DOLLAR:
            self.s.advance()
            if self.s.at_op("("):  # go-ibax calls a function held in a $ variable
                args, spread = self.parse_arguments()
                return ast.Call(token.line, token.col, "$" + token.value, args, (), spread)
            return ast.TxVar(token.line, token.col, token.value)
        if token.type is T.AT:
            self.s.advance()
            args, spread = self.parse_arguments()
            if spread:
                self.s.fail("... cannot be used in a contract call", token)
            return ast.ContractCall(token.line, token.col, token.value, args)
        if self.s.at_op("("):
            self.s.advance()
            inner = self.parse_expr()
            self.s.expect(T.OP, ")")
            return inner
        if self.s.at_op("{"):
            return self.parse_map()
        if self.s.at_op("["):
            return self.parse_array()
        self.s.fail(f"unexpected {token.describe()}")

    def _call(self, name: Token) -> ast.Call:
        args, spread = self.parse_arguments()
        tails: list[ast.Tail] = []
        while True:
            self.s.skip_eos_if(_at_dot)  # `DBFind("t")` newline `.Where(...)`
            if not self.s.at_op("."):
                break
            dot = self.s.advance()
            tail = self.s.expect(T.IDENT).value
            tail_args: tuple[ast.Node, ...] = ()
            tail_spread = False
            if self.s.at_op("("):
                tail_args, tail_spread = self.parse_arguments()
            tails.append(ast.Tail(dot.line, dot.col, tail, tail_args, tail_spread))
        return ast.Call(name.line, name.col, name.value, args, tuple(tails), spread)

    def parse_map(self) -> ast.MapLit:
        """`{key: value, "k": v, $var: v}`; newlines may stand anywhere between the items."""
        start = self.s.expect(T.OP, "{")
        self.deeper()
        pairs: list[tuple[str | ast.TxVar, ast.Node]] = []
        self.s.skip_eos()
        while not self.s.at_op("}"):
            pairs.append(self._pair())
            self.s.skip_eos()
            if not self.s.next_if(T.OP, ","):
                break
            self.s.skip_eos()
        self.s.expect(T.OP, "}")
        self.depth -= 1
        return ast.MapLit(start.line, start.col, tuple(pairs))

    def _pair(self) -> tuple[str | ast.TxVar, ast.Node]:
        token = self.s.current
        key: str | ast.TxVar
        if token.type in _MAP_KEYS:
            key = self.s.advance().value
        elif token.type is T.DOLLAR:
            self.s.advance()
            key = ast.TxVar(token.line, token.col, token.value)
        else:
            self.s.fail(f"expected a map key, found {token.describe()}")
        self.s.skip_eos()
        self.s.expect(T.OP, ":")
        return key, self.parse_expr()

    def parse_array(self) -> ast.ArrayLit:
        """`[a, b]`; an item `key: value` is a map of that one pair, as go-ibax reads it."""
        start = self.s.expect(T.OP, "[")
        self.deeper()
        items: list[ast.Node] = []
        while not self.s.at_op("]"):
            token = self.s.current
            if token.type in _MAP_KEYS or token.type is T.DOLLAR:
                if self.s.look().type is T.OP and self.s.look().value == ":":
                    items.append(ast.MapLit(token.line, token.col, (self._pair(),)))
                else:
                    items.append(self.parse_expr())
            else:
                items.append(self.parse_expr())
            if not self.s.next_if(T.OP, ","):
                break
        self.s.expect(T.OP, "]")
        self.depth -= 1
        return ast.ArrayLit(start.line, start.col, tuple(items))


def _deeper_than(root: ast.Node, limit: int) -> bool:
    """Whether the tree under root has more than `limit` levels, found without recursion."""
    stack = [(root, 1)]
    while stack:
        node, level = stack.pop()
        if level > limit:
            return True
        level += 1
        for value in vars(node).values():
            # Children are nodes, tuples of nodes, or tuples of pairs (map items, if branches).
            if isinstance(value, ast.Node):
                stack.append((value, level))
            elif type(value) is tuple:
                for item in value:
                    if isinstance(item, ast.Node):
                        stack.append((item, level))
                    elif type(item) is tuple:
                        stack.extend((part, level) for part in item if isinstance(part, ast.Node))
    return False


_STATEMENTS: dict[str, Callable[[Parser], ast.Node]] = {
    "var": Parser.parse_var_stmt,
    "if": Parser.parse_if_stmt,
    "while": Parser.parse_while_stmt,
    "break": Parser.parse_break_stmt,
    "continue": Parser.parse_continue_stmt,
    "return": Parser.parse_return_stmt,
    "error": Parser.parse_raise_stmt,
    "warning": Parser.parse_raise_stmt,
    "info": Parser.parse_raise_stmt,
}


def parse(source: str, name: str = "") -> ast.Module:
    """Parse Needle source into a Module; raises ContractSyntaxError with a position."""
    return Parser(source, name).parse_module()


def parse_expression(source: str, name: str = "") -> ast.Node:
    """Parse one expression (a permission condition such as `$key_id == 5 && RoleAccess(1)`).

    Raises ContractSyntaxError when the source is not exactly one expression.
    """
    parser = Parser(source, name)
    stream = parser.s
    stream.skip_eos()
    if stream.at(T.EOF):
        stream.fail("expected an expression, found end of source")
    node = parser.parse_expr()
    stream.skip_eos()
    if not stream.at(T.EOF):
        stream.fail(f"unexpected {stream.current.describe()} after the expression")
    return node
