"""Needle parser under hypothesis: any input ends well and in time; valid programs round-trip."""

from __future__ import annotations

import re
from collections.abc import Callable
from random import Random
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from contracts import ast
from contracts.errors import ContractSyntaxError
from contracts.parser import parse
from contracts.tokens import KEYWORDS, OPERATORS, TYPES
from tests.fuzzing import FUZZ, time_bound

PROGRAMS = settings(FUZZ, max_examples=100)  # each example is a whole program


def parse_or_positioned_error(source: str) -> ast.Module | None:
    """parse() ends in a Module or in a ContractSyntaxError that points into the source."""
    with time_bound():
        try:
            module = parse(source, "fuzz")
        except ContractSyntaxError as exc:
            lines = source.split("\n")
            assert 1 <= exc.line <= len(lines), (exc.line, exc.message)
            assert 1 <= exc.col <= len(lines[exc.line - 1]) + 1, (exc.col, exc.message)
            assert exc.message and str(exc)
            return None
        ast.dump(module)  # any accepted tree is shallow enough for recursive visitors
        return module


# ---- (a) arbitrary input -----------------------------------------------------------------

GRAMMAR_CHARS = "{}()[]\n\t ,.:;=+-*/%!<>&|^$@\"`\\_aeEx019é#'"
PIECES = sorted(KEYWORDS | TYPES) + list(OPERATORS) + [
    "x", "Name", "$v", "@1C", "@C", "0", "7", "0x1F", "1.5", ".5", "1e3", "1_0",
    '"s"', '"a\\"b"', "`r`", "\n", "\n\n", ";", "//c\n", "/*c*/", "/*\n*/", "\"", "`", "/*",
]  # fmt: skip


@FUZZ
@given(st.text(max_size=300))
def test_arbitrary_text(source: str) -> None:
    parse_or_positioned_error(source)


@FUZZ
@given(st.text(alphabet=GRAMMAR_CHARS, max_size=300))
def test_grammar_characters(source: str) -> None:
    parse_or_positioned_error(source)


@FUZZ
@given(st.lists(st.sampled_from(PIECES), max_size=120), st.sampled_from([" ", "", "\n"]))
def test_token_soup(pieces: list[str], glue: str) -> None:
    parse_or_positioned_error(glue.join(pieces))


EXPR_OPENERS = [
    ("(", ")"), ("[", "]"), ("{k: ", "}"), ("[k: ", "]"), ("f(", ")"), ("a[", "]"),
    ("a[:", "]"), ("a[1:", "]"), ("!", ""), ("- ", ""), ("+ ", ""), ("f().g(", ")"),
    ("@1X(", ")"), ("$f(", ")"), ("1 + (", ")"), ("x * ", ""), ("a[0][", "]"),
]  # fmt: skip
STATEMENT_OPENERS = [
    ("if a {\n", "\n}"), ("while a {\n", "\n}"), ("{\n", "\n}"),
    ("if a {} else {\n", "\n}"), ("if a {} elif b\n{\n", "\n}"), ("if (a) {} else if b {", "}"),
]  # fmt: skip


@FUZZ
@given(
    st.lists(st.sampled_from(STATEMENT_OPENERS), max_size=40),
    st.lists(st.sampled_from(EXPR_OPENERS), max_size=120),
)
def test_every_nesting_path_is_bounded(
    blocks: list[tuple[str, str]], exprs: list[tuple[str, str]]
) -> None:
    expr = "".join(o for o, _ in exprs) + "1" + "".join(c for _, c in reversed(exprs))
    body = f"$r = {expr}"
    for opener, closer in reversed(blocks):
        body = opener + body + closer
    source = f"func main() {{\n{body}\n}}"
    module = parse_or_positioned_error(source)
    if len(blocks) + len(exprs) <= 12:  # well inside the limits: must parse
        assert module is not None


# ---- (b) random valid programs, printed and parsed back ---------------------------------

PRIORITY = {  # written out here, not imported, so a precedence change in the parser shows up
    "||": 1, "&&": 2, "==": 3, "!=": 3, "<": 4, "<=": 4, ">": 4, ">=": 4,
    "+": 5, "-": 5, "|": 5, "^": 5, "*": 6, "/": 6, "%": 6, "<<": 6, ">>": 6, "&": 6,
}  # fmt: skip
ASSIGN = ["=", "+=", "-=", "*=", "/=", "%=", "<<=", ">>=", "&=", "|=", "^="]
IDENT_RE = re.compile(r"[^\W\d]\w*\Z")
NAMES = st.sampled_from(["a", "b", "x1", "Name", "_t", "é", "DBFind", "conditionsX"])
TX_NAMES = st.sampled_from(["key_id", "result", "data", "func", "A"])
TYPE_NAMES = st.sampled_from(sorted(TYPES))
STRINGS = st.text(alphabet='ab \t\n\r"\\`tné$', max_size=8)


def dq_ok(value: str) -> bool:
    """A "..." string can hold the value: no backslash right before " t r n or the end."""
    return re.search(r'\\(["trn]|\Z)', value) is None


PRINTABLE_STRINGS = STRINGS.filter(lambda v: dq_ok(v) or "`" not in v)


def lit(kind: str, value: Any) -> ast.Literal:
    return ast.Literal(0, 0, kind, value)


LEAVES = st.one_of(
    st.integers(0, (1 << 63) - 1).map(lambda v: lit("int", v)),
    st.from_regex(
        r"\A(?:[0-9]{1,6}\.[0-9]{1,6}(?:[eE][+-]?[0-9]{1,2})?|[0-9]{1,6}[eE][+-]?[0-9]{1,2}"
        r"|\.[0-9]{1,6}|[0-9]{1,6}\.)\Z"
    ).map(lambda v: lit("float", v)),
    PRINTABLE_STRINGS.map(lambda v: lit("string", v)),
    st.booleans().map(lambda v: lit("bool", v)),
    st.just(lit("nil", None)),
    NAMES.map(lambda v: ast.Name(0, 0, v)),
    TX_NAMES.map(lambda v: ast.TxVar(0, 0, v)),
)
MAP_KEYS = st.one_of(
    PRINTABLE_STRINGS,
    st.sampled_from(["k", "int", "true", "func"]),
    TX_NAMES.map(lambda v: ast.TxVar(0, 0, v)),
)


Draw = Callable[[st.SearchStrategy[Any]], Any]
BINARY_OPS = st.sampled_from(sorted(PRIORITY))
EXPR_KINDS = st.sampled_from(
    ["leaf", "leaf", "unary", "binary", "call", "$call", "@call", "index", "slice", "map", "array"]
)
VARIABLES = NAMES.map(lambda v: ast.Name(0, 0, v)) | TX_NAMES.map(lambda v: ast.TxVar(0, 0, v))
DATA_FIELDS = st.builds(
    lambda n, t, g: ast.DataField(0, 0, n, t, g),
    NAMES,
    TYPE_NAMES,
    st.sampled_from(["", "optional", "optional,hidden"]),
)


def _some(draw: Draw, strategy: st.SearchStrategy[Any], most: int = 3) -> tuple[Any, ...]:
    return tuple(draw(st.lists(strategy, max_size=most)))


# Composite strategies keep hypothesis's reports short (a nested one prints as its name).
@st.composite
def exprs(draw: Draw, budget: int = 3) -> ast.Node:
    """An expression with at most `budget` levels of compound nodes."""
    kind = draw(EXPR_KINDS)
    if budget == 0 or kind == "leaf":
        node: ast.Node = draw(LEAVES)
        return node
    sub = EXPRS[budget - 1]
    if kind == "unary":
        return ast.Unary(0, 0, draw(st.sampled_from("!-+")), draw(sub))
    if kind == "binary":
        return ast.Binary(0, 0, draw(BINARY_OPS), draw(sub), draw(sub))
    if kind in ("call", "$call", "@call"):
        args = _some(draw, sub)
        spread = bool(args) and draw(st.booleans())
        if kind == "@call":
            prefix = draw(st.sampled_from(["@", "@1", "@25"]))
            return ast.ContractCall(0, 0, prefix + draw(NAMES), args)
        if kind == "$call":
            return ast.Call(0, 0, "$" + draw(NAMES), args, (), spread)
        tails = []
        for _ in range(draw(st.integers(0, 2))):
            tail_args = _some(draw, sub, 2)
            tail_spread = bool(tail_args) and draw(st.booleans())
            tails.append(ast.Tail(0, 0, draw(NAMES), tail_args, tail_spread))
        return ast.Call(0, 0, draw(NAMES), args, tuple(tails), spread)
    if kind == "index":
        return ast.Index(0, 0, draw(sub), draw(sub))
    if kind == "slice":
        return ast.Slice(0, 0, draw(sub), draw(st.none() | sub), draw(st.none() | sub))
    if kind == "map":
        return ast.MapLit(0, 0, _some(draw, st.tuples(MAP_KEYS, sub)))
    return ast.ArrayLit(0, 0, _some(draw, sub))


@st.composite
def targets(draw: Draw) -> ast.Node:
    node: ast.Node = draw(VARIABLES)
    for _ in range(draw(st.integers(0, 2))):
        node = ast.Index(0, 0, node, draw(EXPRS[1]))
    return node


EXPRS = [exprs(budget) for budget in range(4)]  # built once: building strategies is slow
TARGETS = targets()
EXPR = EXPRS[3]


@st.composite
def statements(draw: Draw, depth: int) -> ast.Node:
    kinds = ["expr", "assign", "multi", "incdec", "var", "jump", "return", "raise"]
    kind = draw(st.sampled_from(kinds + (["if", "while", "block"] if depth else [])))
    if kind == "expr":
        return ast.ExprStmt(0, 0, draw(EXPR))
    if kind == "assign":
        return ast.Assign(0, 0, draw(st.sampled_from(ASSIGN)), (draw(TARGETS),), (draw(EXPR),))
    if kind == "multi":
        pairs = draw(st.lists(st.tuples(TARGETS, EXPR), min_size=2, max_size=3))
        return ast.Assign(0, 0, "=", tuple(t for t, _ in pairs), tuple(v for _, v in pairs))
    if kind == "incdec":
        return ast.IncDec(0, 0, draw(st.sampled_from(["++", "--"])), draw(TARGETS))
    if kind == "var":
        names = draw(st.lists(st.tuples(NAMES, TYPE_NAMES), min_size=1, max_size=4))
        return ast.VarDecl(0, 0, tuple(names))
    if kind == "jump":
        node: ast.Node = draw(st.sampled_from([ast.Break(0, 0), ast.Continue(0, 0)]))
        return node
    if kind == "return":
        return ast.Return(0, 0, draw(st.none() | EXPR))
    if kind == "raise":
        return ast.Raise(0, 0, draw(st.sampled_from(["error", "warning", "info"])), draw(EXPR))
    if kind == "if":
        inner = BLOCKS[depth - 1]
        branches = draw(st.lists(st.tuples(EXPR, inner), min_size=1, max_size=3))
        return ast.If(0, 0, tuple(branches), draw(st.none() | inner))
    if kind == "while":
        return ast.While(0, 0, draw(EXPR), draw(BLOCKS[depth - 1]))
    block: ast.Node = draw(BLOCKS[depth - 1])
    return block


@st.composite
def blocks(draw: Draw, depth: int) -> ast.Block:
    return ast.Block(0, 0, _some(draw, STATEMENTS[depth]))


STATEMENTS = [statements(depth) for depth in range(3)]
BLOCKS = [blocks(depth) for depth in range(3)]


@st.composite
def params(draw: Draw) -> tuple[ast.Param, ...]:
    pairs = draw(st.lists(st.tuples(NAMES, TYPE_NAMES), max_size=3))
    return tuple(ast.Param(0, 0, name, kind) for name, kind in pairs)


@st.composite
def funcs(draw: Draw, names: st.SearchStrategy[str] = NAMES) -> ast.Func:
    tails = tuple(
        ast.TailDef(0, 0, draw(NAMES), draw(params()), draw(st.none() | NAMES))
        for _ in range(draw(st.integers(0, 2)))
    )
    returns = _some(draw, TYPE_NAMES, 2)
    variadic = draw(st.none() | NAMES)
    return ast.Func(0, 0, draw(names), draw(params()), variadic, tails, returns, draw(BLOCKS[2]))


def _unique(items: tuple[Any, ...]) -> tuple[Any, ...]:
    seen: dict[str, Any] = {}
    for item in items:
        seen.setdefault(item.name, item)
    return tuple(seen.values())


LITERALS = LEAVES.filter(lambda node: isinstance(node, ast.Literal))
PARTS = funcs(NAMES | st.sampled_from(["conditions", "action"]))


@st.composite
def contracts(draw: Draw) -> ast.Contract:
    data = _some(draw, DATA_FIELDS, 4)
    settings_ = _some(draw, st.tuples(NAMES, LITERALS))
    parts = _some(draw, PARTS, 2)
    return ast.Contract(0, 0, draw(NAMES), _unique(data), settings_, _unique(parts))


CONTRACTS = contracts()
FUNCS = funcs()


@st.composite
def modules(draw: Draw) -> ast.Module:
    items = draw(st.lists(CONTRACTS | FUNCS, min_size=1, max_size=2))
    return ast.Module(1, 1, tuple(items))


class Printer:
    """Needle source for a tree, with layout (newlines, comments, literal forms) chosen at
    random wherever the language allows a choice, so the parser sees many spellings."""

    def __init__(self, rnd: Random) -> None:
        self.rnd = rnd

    def maybe(self, p: float = 0.3) -> bool:
        return self.rnd.random() < p

    def gap(self) -> str:
        """Space between tokens where a newline would not end anything."""
        return self.rnd.choice([" ", " ", "\n", " /* c */ ", " // c\n"])

    # ---- literals ----

    def int_text(self, value: int) -> str:
        form = self.rnd.choice(["dec", "dec", "hex", "oct", "bin", "zero", "under"])
        if form == "hex":
            return f"0x{value:x}" if self.maybe(0.5) else f"0X{value:X}"
        if form == "oct":
            return f"0o{value:o}"
        if form == "bin":
            return f"0b{value:b}"
        if form == "zero":
            return f"00{value}"
        if form == "under":
            return f"{value:_}"
        return str(value)

    def string_text(self, value: str) -> str:
        if "`" not in value and (not dq_ok(value) or self.maybe(0.3)):
            return f"`{value}`"
        escaped = value.replace('"', '\\"').replace("\t", "\\t").replace("\r", "\\r")
        return '"' + escaped.replace("\n", "\n" if self.maybe(0.2) else "\\n") + '"'

    def literal(self, node: ast.Literal) -> str:
        if node.kind == "int":
            return self.int_text(node.value)
        if node.kind == "string":
            return self.string_text(node.value)
        if node.kind == "bool":
            return "true" if node.value else "false"
        return "nil" if node.kind == "nil" else str(node.value)

    # ---- expressions ----

    def args(self, args: tuple[ast.Node, ...], spread: bool) -> str:
        sep = "," + self.gap() if self.maybe(0.3) else ", "
        text = sep.join(self.expr(a) for a in args)
        if spread:  # `1. ...`: a float may end with a dot
            text += " ..." if text.endswith(".") else "..."
        return "(" + text + ")"

    def key(self, key: str | ast.TxVar) -> str:
        if isinstance(key, ast.TxVar):
            return "$" + key.id
        return key if IDENT_RE.match(key) else self.string_text(key)

    def postfix_operand(self, node: ast.Node) -> str:
        text = self.expr(node)
        return f"({text})" if isinstance(node, (ast.Binary, ast.Unary)) else text

    def expr(self, node: ast.Node) -> str:  # noqa: C901 - one branch per node kind
        if isinstance(node, ast.Literal):
            return self.literal(node)
        if isinstance(node, ast.Name):
            return node.id
        if isinstance(node, ast.TxVar):
            return "$" + node.id
        if isinstance(node, ast.Unary):
            inner = self.expr(node.operand)
            if isinstance(node.operand, ast.Binary):
                inner = f"({inner})"
            return node.op + (" " if inner[:1] in "+-" else "") + inner
        if isinstance(node, ast.Binary):
            left, right = self.expr(node.left), self.expr(node.right)
            if isinstance(node.left, ast.Binary) and PRIORITY[node.left.op] < PRIORITY[node.op]:
                left = f"({left})"
            if isinstance(node.right, ast.Binary) and PRIORITY[node.right.op] <= PRIORITY[node.op]:
                right = f"({right})"
            return f"{left} {node.op}{self.gap()}{right}"
        if isinstance(node, ast.Call):
            text = node.name + self.args(node.args, node.spread)
            for tail in node.tails:
                text += "\n." if self.maybe(0.2) else "."
                text += tail.name
                if tail.args or self.maybe(0.5):
                    text += self.args(tail.args, tail.spread)
            return text
        if isinstance(node, ast.ContractCall):
            return node.name + self.args(node.args, False)
        if isinstance(node, ast.Index):
            return f"{self.postfix_operand(node.obj)}[{self.expr(node.index)}]"
        if isinstance(node, ast.Slice):
            low = self.expr(node.low) if node.low else ""
            high = self.expr(node.high) if node.high else ""
            return f"{self.postfix_operand(node.obj)}[{low}:{high}]"
        if isinstance(node, ast.MapLit):
            sep = "," + self.rnd.choice([" ", "\n", " // c\n"])
            pairs = sep.join(f"{self.key(k)}: {self.expr(v)}" for k, v in node.pairs)
            return "{" + pairs + ("," if node.pairs and self.maybe(0.2) else "") + "}"
        if isinstance(node, ast.ArrayLit):
            items = []
            for item in node.items:
                if isinstance(item, ast.MapLit) and len(item.pairs) == 1 and self.maybe(0.3):
                    k, v = item.pairs[0]
                    items.append(f"{self.key(k)}: {self.expr(v)}")  # go-ibax's bare pair
                else:
                    items.append(self.expr(item))
            return "[" + ("," + self.gap()).join(items) + "]"
        raise AssertionError(f"no printer for {type(node).__name__}")

    # ---- statements ----

    def block(self, node: ast.Block, indent: str) -> str:
        inner = indent + "    "
        out = ["{"]
        for stmt in node.body:
            out.append("\n" + inner + self.stmt(stmt, inner))
            if self.maybe(0.15):
                out.append(";")
        return "".join(out) + "\n" + indent + "}"

    def brace(self, indent: str) -> str:
        return "\n" + indent if self.maybe(0.2) else " "

    def stmt(self, node: ast.Node, indent: str) -> str:  # noqa: C901 - one branch per node kind
        if isinstance(node, ast.ExprStmt):
            return self.leading(node.expr)
        if isinstance(node, ast.Assign):
            targets = ", ".join(
                [self.leading(node.targets[0])] + [self.expr(t) for t in node.targets[1:]]
            )
            return f"{targets} {node.op} " + ", ".join(self.expr(v) for v in node.values)
        if isinstance(node, ast.IncDec):
            return self.leading(node.target) + node.op
        if isinstance(node, ast.VarDecl):
            return "var " + self.typed(node.names)
        if isinstance(node, (ast.Break, ast.Continue)):
            return type(node).__name__.lower()
        if isinstance(node, ast.Return):
            return "return" + (" " + self.expr(node.value) if node.value else "")
        if isinstance(node, ast.Raise):
            return f"{node.kind} {self.expr(node.value)}"
        if isinstance(node, ast.Block):
            return self.block(node, indent)
        if isinstance(node, ast.While):
            return (
                f"while {self.expr(node.cond)}{self.brace(indent)}{self.block(node.body, indent)}"
            )
        if isinstance(node, ast.If):
            parts = []
            for i, (cond, body) in enumerate(node.branches):
                word = (
                    "if" if i == 0 else self.rnd.choice(["elif", "else if", "\n" + indent + "elif"])
                )
                parts.append(
                    f"{word} {self.expr(cond)}{self.brace(indent)}{self.block(body, indent)}"
                )
            if node.orelse is not None:
                word = self.rnd.choice(["else", "\n" + indent + "else"])
                parts.append(f"{word}{self.brace(indent)}{self.block(node.orelse, indent)}")
            return " ".join(parts)
        raise AssertionError(f"no printer for {type(node).__name__}")

    def leading(self, node: ast.Node) -> str:
        """An expression that starts a statement: a `{` there would open a block."""
        text = self.expr(node)
        return f"({text})" if text.startswith("{") else text

    def typed(self, pairs: tuple[tuple[str, str], ...]) -> str:
        """`a, b int, c string` in one of go-ibax's spellings (commas are optional)."""
        groups: list[tuple[list[str], str]] = []
        for name, kind in pairs:
            if groups and groups[-1][1] == kind and self.maybe(0.5):
                groups[-1][0].append(name)
            else:
                groups.append(([name], kind))
        comma = self.rnd.choice([", ", " "])
        return comma.join(", ".join(names) + " " + kind for names, kind in groups)

    # ---- definitions ----

    def params(self, params: tuple[ast.Param, ...], variadic: str | None) -> str:
        text = self.typed(tuple((p.name, p.type) for p in params))
        if variadic is not None:
            text += (", " if text else "") + variadic + self.rnd.choice(["...", " ..."])
        return f"({text})"

    def func(self, node: ast.Func) -> str:
        head = "func " + node.name
        if node.name in ("conditions", "action") and self.maybe(0.5):
            head = node.name
        if node.params or node.variadic or node.tails or self.maybe(0.5):
            head += self.params(node.params, node.variadic)
        for tail in node.tails:
            head += ("\n." if self.maybe(0.2) else ".") + tail.name
            if tail.params or tail.variadic or self.maybe(0.5):
                head += self.params(tail.params, tail.variadic)
        if node.returns:
            head += " " + self.rnd.choice([", ", " "]).join(node.returns)
        return head + self.brace("") + self.block(node.body, "")

    def contract(self, node: ast.Contract) -> str:
        out = [f"contract {node.name}{self.brace('')}{{"]
        if node.data or self.maybe(0.2):
            lines = [f"{f.name} {f.type} " + self.string_text(f.tag) for f in node.data]
            out.append("data {\n" + "\n".join(lines) + "\n}")
        if node.settings:
            items = [f"{name} = {self.literal(value)}" for name, value in node.settings]
            out.append("settings {" + self.rnd.choice([", ", "\n"]).join(items) + "}")
        out.extend(self.func(f) for f in node.funcs)
        return "\n".join(out) + "\n}"

    def module(self, node: ast.Module) -> str:
        items = [
            self.contract(i) if isinstance(i, ast.Contract) else self.func(i) for i in node.items
        ]
        return "\n".join(items) + "\n"


@PROGRAMS
@given(modules(), st.randoms(use_true_random=False))
def test_valid_programs_round_trip(module: ast.Module, rnd: Random) -> None:
    source = Printer(rnd).module(module)
    with time_bound():
        parsed = parse(source, "round_trip")
    assert ast.dump(parsed) == ast.dump(module), source


def _mutate(source: str, rnd: Random) -> str:
    for _ in range(rnd.randint(1, 4)):
        i = rnd.randrange(len(source) + 1)
        j = min(len(source), i + rnd.randint(0, 6))
        edit: Callable[[], str] = rnd.choice(
            [
                lambda: source[:i] + source[j:],
                lambda: source[:i] + source[i:j] * 2 + source[j:],
                lambda: source[:i] + rnd.choice(PIECES) + source[i:],
            ]
        )
        source = edit()
    return source


@PROGRAMS
@given(modules(), st.randoms(use_true_random=False))
def test_mutated_programs(module: ast.Module, rnd: Random) -> None:
    accepted = parse_or_positioned_error(_mutate(Printer(rnd).module(module), rnd))
    if accepted is not None and printable(accepted):  # what the parser accepts prints back
        with time_bound():
            again = parse(Printer(rnd).module(accepted), "reprint")
        assert ast.dump(again) == ast.dump(accepted)


def printable(node: object) -> bool:
    """Whether every string in the tree can be written as a literal (see dq_ok)."""
    if isinstance(node, str):
        return dq_ok(node) or "`" not in node
    if isinstance(node, tuple):
        return all(printable(item) for item in node)
    if isinstance(node, ast.Node):
        return all(printable(v) for k, v in vars(node).items() if k not in ("line", "col"))
    return True
