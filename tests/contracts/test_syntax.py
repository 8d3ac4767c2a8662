"""Needle lexer and parser: golden cases (cases/*.sim -> *.out), limits, parse_expression."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from contracts.ast import dump
from contracts.errors import ContractSyntaxError
from contracts.lexer import MAX_SOURCE, tokenize, unescape
from contracts.parser import MAX_DEPTH, MAX_EXPR_HEIGHT, parse, parse_expression

CASES = Path(__file__).parent / "cases"
SOURCES = sorted(CASES.glob("*.sim"))
DEEP = "nesting is deeper than|expression is nested deeper than"


def render(source: str, name: str) -> str:
    """What a golden file holds: the tree's dump, or the positioned error."""
    try:
        return dump(parse(source, name)) + "\n"
    except ContractSyntaxError as exc:
        return f"error: {exc.position} {exc.message}\n"


@pytest.mark.parametrize("case", SOURCES, ids=lambda p: p.stem)
def test_golden(case: Path) -> None:
    expected = case.with_suffix(".out")
    actual = render(case.read_text(encoding="utf-8"), case.stem)
    if os.environ.get("NEEDLE_BLESS") == "1":  # regenerate after a deliberate change, then review
        expected.write_text(actual, encoding="utf-8")
    assert actual == expected.read_text(encoding="utf-8")


def test_error_shows_position_and_line() -> None:
    with pytest.raises(ContractSyntaxError) as info:
        parse("func f() {\n    $a = 1 # 2\n}\n", "@1Demo")
    assert str(info.value) == "[@1Demo:2:12] unexpected character '#'\n        $a = 1 # 2"


@pytest.mark.parametrize(
    "body,value",
    [
        (r"a\"b", 'a"b'),
        (r"\t\r\n", "\t\r\n"),
        (r"\\", "\\\\"),  # go-ibax keeps both backslashes
        (r"\\t", "\\\t"),  # ... and then reads \t
        (r"\d+\u00e9\x41", r"\d+\u00e9\x41"),
    ],
)
def test_string_escapes_are_the_reference_ones(body: str, value: str) -> None:
    assert unescape(body) == value


def test_positions_count_lines_inside_strings_and_comments() -> None:
    source = 'func f() {\n $a = "x\ny" /* a\nb */ + `r\n`\n $b = 1\n}'
    tokens = [t for t in tokenize(source) if t.value == "b" or t.value == "1"]
    assert [(t.line, t.col) for t in tokens] == [(6, 2), (6, 7)]


# ---- nesting: every way of nesting is refused with an error, never a RecursionError --------

EXPRESSION_PATHS = {
    "parens": ("(", ")"),
    "arrays": ("[", "]"),
    "maps": ("{k: ", "}"),
    "array pairs": ("[k: ", "]"),
    "calls": ("f(", ")"),
    "tails": ("f().g(", ")"),
    "contract calls": ("@1C(", ")"),
    "dollar calls": ("$f(", ")"),
    "indexes": ("a[", "]"),
    "slices": ("a[1:", "]"),
    "unary not": ("!", ""),
    "unary minus": ("- ", ""),
    "binary right": ("1 + (", ")"),
}
STATEMENT_PATHS = {
    "if": ("if a {\n", "\n}"),
    "while": ("while a {\n", "\n}"),
    "blocks": ("{\n", "\n}"),
    "else": ("if a {} else {\n", "\n}"),
    "elif": ("if a {} elif b {\n", "\n}"),
}


@pytest.mark.parametrize("depth", [MAX_DEPTH * 5, 3_000])
@pytest.mark.parametrize("path", sorted(EXPRESSION_PATHS))
def test_deep_expressions_are_refused(path: str, depth: int) -> None:
    opener, closer = EXPRESSION_PATHS[path]
    source = f"func f() {{\n$a = {opener * depth}1{closer * depth}\n}}"
    with pytest.raises(ContractSyntaxError, match=DEEP):
        parse(source)


@pytest.mark.parametrize("depth", [MAX_DEPTH * 5, 3_000])
@pytest.mark.parametrize("path", sorted(STATEMENT_PATHS))
def test_deep_blocks_are_refused(path: str, depth: int) -> None:
    opener, closer = STATEMENT_PATHS[path]
    with pytest.raises(ContractSyntaxError, match=DEEP):
        parse(f"func f() {{\n{opener * depth}{closer * depth}\n}}")


@pytest.mark.parametrize(
    "chain", ["1" + " + 1" * 3_000, "a" + "[0]" * 3_000, "!" * 3_000 + "a", "a" + " == a" * 200]
)
def test_long_operator_chains_are_refused(chain: str) -> None:
    with pytest.raises(ContractSyntaxError, match=DEEP):
        parse(f"func f() {{\n$a = {chain}\n}}")


def test_the_limits_themselves_parse() -> None:
    depth = MAX_DEPTH - 2  # the func's block and the statement's expression take two levels
    dump(parse(f"func f() {{\n$a = {'(' * depth}1{')' * depth}\n}}"))
    dump(parse(f"func f() {{\n$a = 1{' + 1' * (MAX_EXPR_HEIGHT - 1)}\n}}"))


@pytest.mark.parametrize(
    "body",
    [
        "if a {}" + " else if a {}" * 5_000,  # `else if` is flat: no nesting, no recursion
        "if a {}" + "\nelif a {}" * 5_000,
        "a = 1\n" * 5_000,
        "f(" + "1, " * 5_000 + "1)",
        "$m = {" + "k: 1, " * 5_000 + "}",
        "f()" + ".g(1)" * 5_000,
    ],
    ids=["else-if", "elif", "statements", "arguments", "map", "tails"],
)
def test_long_flat_constructs_parse(body: str) -> None:
    dump(parse(f"func f() {{\n{body}\n}}"))


# ---- size and time ------------------------------------------------------------------------

UNIT = """
contract Pay{n} {{
    data {{
        Recipient string
        Amount money
        Comment string "optional"
    }}
    conditions {{
        if $Amount <= 0 || Size($Recipient) == 0 {{
            warning Sprintf("bad amount %v for %s", $Amount, "\\"quoted\\"\\n")
        }} elif $key_id == 0x10 {{
            error `raw
text`
        }}
    }}
    action {{
        var rows array, i int
        rows = DBFind("keys").Columns("id,amount").Where({{"id": $key_id, $x: [1, 2.5e3, nil]}})
            .Order("id").Limit(10)
        while i < Len(rows) {{ /* a comment */
            $result = $result + rows[i]["amount"] * 2 - -1 // note
            i += 1
        }}
    }}
}}
"""


def synthetic_source(size: int) -> str:
    """About `size` characters of varied, valid Needle (contracts Pay0, Pay1, ...)."""
    parts, total, n = [], 0, 0
    while total + len(UNIT) + 10 < size:
        part = UNIT.format(n=n)
        parts.append(part)
        total += len(part)
        n += 1
    return "".join(parts)


def timed(source: str) -> float:
    started = time.perf_counter()
    try:
        parse(source)
    except ContractSyntaxError:
        pass
    return time.perf_counter() - started


def test_a_full_size_source_parses_in_bounded_time() -> None:
    source = synthetic_source(MAX_SOURCE)
    assert len(source) > MAX_SOURCE - 1000
    assert timed(source) < 30  # a hang guard: about 1 s here, a quadratic step takes hours


@pytest.mark.parametrize(
    "piece",
    [
        "/*a",  # unterminated comments used to be rescanned from each one: quadratic
        '"a',
        "`a",
        "F int\n",  # data fields used to be checked for duplicates pairwise
        "func f(){}\n",  # and so did the funcs of a contract
        "1+",
        "(",
        "{",
        "x[",
        "-",
        "else if a {}",
    ],
)
def test_hostile_sources_end_quickly(piece: str) -> None:
    # 128 KiB is enough: each of these took minutes when a step was quadratic.
    size = MAX_SOURCE // 8
    wrapped = {"F int\n": "contract C { data {\n%s}}", "func f(){}\n": "contract C {\n%s}"}
    source = wrapped.get(piece, "func f() { if a {} %s }") % (piece * (size // len(piece)))
    assert timed(source) < 20  # a hang guard, not a speed claim


def test_oversized_source_is_refused() -> None:
    with pytest.raises(ContractSyntaxError, match="source is too long"):
        parse(" " * (MAX_SOURCE + 1))


# ---- parse_expression ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "source,expected",
    [
        (
            'ContractConditions("MainCondition")',
            "(Call name='ContractConditions' args=[(Literal kind='string' value='MainCondition')]"
            " tails=[] spread=False)",
        ),
        (
            "$key_id == 5 && RoleAccess(1)\n",
            "(Binary op='&&' left=(Binary op='==' left=(TxVar id='key_id') right=(Literal "
            "kind='int' value=5)) right=(Call name='RoleAccess' args=[(Literal kind='int' "
            "value=1)] tails=[] spread=False))",
        ),
        ("  true  ", "(Literal kind='bool' value=True)"),
        ("(1 +\n 2)", "(Binary op='+' left=(Literal kind='int' value=1) right=(Literal kind='int'"
                      " value=2))"),
    ],
)  # fmt: skip
def test_parse_expression(source: str, expected: str) -> None:
    assert dump(parse_expression(source)) == expected


@pytest.mark.parametrize(
    "source,message,col",
    [
        ("", "expected an expression, found end of source", 1),
        ("a b", "unexpected 'b' after the expression", 3),
        ("a\n&& b", "unexpected '&&' after the expression", 1),
        ("f(1) {", "unexpected '{' after the expression", 6),
        ("1 +", "unexpected end of source", 4),
        ("a = 1", "unexpected '=' after the expression", 3),
        ("func f() {}", "unexpected 'func'", 1),
    ],
)
def test_parse_expression_refuses_anything_else(source: str, message: str, col: int) -> None:
    with pytest.raises(ContractSyntaxError) as info:
        parse_expression(source, "cond")
    assert (info.value.message, info.value.col) == (message, col)
