"""The Logicor lexer, parser and renderer under hypothesis: any input ends well and in time.

The lexer's tokens always join back into the input; the parser always gives a tree (with
positions inside the source) or a positioned TemplateSyntaxError; the renderer gives nodes
or a PageError, never another exception, within its time bound.
"""

from __future__ import annotations

from collections.abc import Iterator

from hypothesis import given
from hypothesis import strategies as st

from pages import Limits, PageEngine, PageError, TemplateSyntaxError
from pages.lexer import tokenize
from pages.nodes import Call, Node, Tail, Template, Text
from pages.parser import Parser
from pages.spec import FUNCS, TAILS
from tests.fuzzing import FUZZ, time_bound
from tests.pages.emptychain import EmptyChain

NAMES = sorted(FUNCS) + sorted({t for table in TAILS.values() for t in table})
PIECES = [
    *NAMES,
    *(f"{n}(" for n in NAMES),
    *(f".{n}(" for n in NAMES),
    *"(){}[],.:\"`#$@ \t\n",
    "Body:",
    "Data:",
    "#x#",
    "$res$",
    '""',
    "``",
    ".(",
    "SetVar(x, 1)",
    "If(#x#){",
    "}.Else{",
    "Range(r, 0, 3)",
    "ForList(r){",
]

# Templates made of the language's own pieces reach far more of the parser than random text.
TEMPLATES = st.lists(st.sampled_from(PIECES) | st.text(max_size=5), max_size=40).map("".join)


def _positions(node: Node, lines: list[str]) -> Iterator[tuple[int, int]]:
    yield node.line, node.col
    if isinstance(node, Template):
        for child in node.nodes:
            yield from _positions(child, lines)
    elif isinstance(node, (Call, Tail)):
        for param in node.params:
            yield param.line, param.col
        if node.body is not None:
            yield from _positions(node.body, lines)
        if isinstance(node, Call):
            for tail in node.tails:
                yield from _positions(tail, lines)


def parse_or_positioned_error(source: str) -> Template | None:
    """A tree whose positions are in the source, or an error that points into it."""
    lines = source.split("\n")

    def inside(line: int, col: int) -> bool:
        return 1 <= line <= len(lines) and 1 <= col <= len(lines[line - 1]) + 1

    with time_bound():
        try:
            tree = Parser(source, "fuzz").parse()
        except TemplateSyntaxError as exc:
            assert inside(exc.line, exc.col), (exc.line, exc.col, exc.message)
            assert str(exc).startswith(f"[fuzz:{exc.line}:{exc.col}] ")
            return None
    for line, col in _positions(tree, lines):
        assert inside(line, col), (line, col)
    return tree


@FUZZ
@given(st.text(max_size=200))
def test_tokens_join_back_into_any_text(source: str) -> None:
    tokens = tokenize(source)
    assert "".join(t.value for t in tokens) == source
    assert [t.offset for t in tokens] == sorted({t.offset for t in tokens})


@FUZZ
@given(st.text(max_size=300))
def test_any_text_parses_or_fails_with_a_position(source: str) -> None:
    parse_or_positioned_error(source)


@FUZZ
@given(TEMPLATES)
def test_any_mix_of_the_language_parses_or_fails_with_a_position(source: str) -> None:
    tree = parse_or_positioned_error(source)
    if tree is not None:
        # Texts and calls cover the source in order: nothing is lost or read twice.
        starts = [(n.line, n.col) for n in tree.nodes]
        assert starts == sorted(starts)
        if tree.nodes and isinstance(tree.nodes[0], Text):
            assert source.startswith(tree.nodes[0].value)


@FUZZ
@given(TEMPLATES, st.booleans())
async def test_any_mix_renders_or_fails_with_a_page_error(source: str, full: bool) -> None:
    engine = PageEngine(Limits(seconds=1.0, max_rows=10_000, max_nodes=20_000))
    variables = {"_full": "1" if full else "0", "ecosystem_id": "1", "key_id": "1"}
    with time_bound():
        try:
            await engine.render_json(source, variables, EmptyChain())
        except PageError:
            pass


def test_nesting_past_the_limit_is_an_error_at_the_deepest_body() -> None:
    source = "Div(){\n" * 51 + "x" + "}" * 51
    try:
        Parser(source, "deep").parse()
    except TemplateSyntaxError as exc:
        assert (exc.line, exc.col) == (52, 1)
        assert exc.message == "templates nest deeper than 50 levels"
    else:
        raise AssertionError("no error")
    Parser("Div(){" * 50 + "x" + "}" * 50, "deep").parse()  # the limit itself is fine
