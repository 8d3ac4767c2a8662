"""Logicor's phases one at a time: lexer, parser tree and positions, object syntax, CSV,
macros, language resources and the render limits."""

from __future__ import annotations

import pytest

from pages import Limits, PageEngine, PageLimitError, TemplateSyntaxError
from pages.gocsv import CsvError, read_all
from pages.lang import lang_macro, parse_name, pick_text
from pages.lexer import tokenize
from pages.macros import Budget, Var, replace
from pages.nodes import Call, Text, dump
from pages.objparse import ObjectSyntaxError, parse_object
from pages.parser import MAX_SOURCE, Parser, parse
from pages.tokens import T
from tests.pages.emptychain import EmptyChain


def test_lexer_keeps_runs_and_splits_punctuation() -> None:
    tokens = tokenize('Div(a b, "c")\n.Style{x}')
    assert [(t.kind, t.value) for t in tokens] == [
        (T.WORD, "Div"),
        (T.LPAREN, "("),
        (T.WORD, "a"),
        (T.SPACE, " "),
        (T.WORD, "b"),
        (T.COMMA, ","),
        (T.SPACE, " "),
        (T.QUOTE, '"'),
        (T.WORD, "c"),
        (T.QUOTE, '"'),
        (T.RPAREN, ")"),
        (T.SPACE, "\n"),
        (T.DOT, "."),
        (T.WORD, "Style"),
        (T.LBRACE, "{"),
        (T.WORD, "x"),
        (T.RBRACE, "}"),
    ]
    assert [t.kind for t in tokenize("é1_-:")] == [T.TEXT]


def test_tree_binds_parameters_and_keeps_positions() -> None:
    tree = parse('Hello\n  Button(Body: "Go", Page: p).Alert(Text: sure?){x}Span(s)', "page")
    text, button, rest, span = tree.nodes
    assert isinstance(text, Text) and text.value == "Hello\n  " and (text.line, text.col) == (1, 1)
    assert isinstance(button, Call) and (button.line, button.col) == (2, 3)
    assert [(p.name, p.value) for p in button.params] == [
        ("Body", "Go"),
        ("Page", "p"),
        ("Class", ""),
        ("Contract", ""),
        ("Params", ""),
        ("PageParams", ""),
    ]
    assert (button.params[0].line, button.params[0].col) == (2, 17)
    assert button.body is not None and button.body.nodes == (Text(2, 17, "Go"),)
    (alert,) = button.tails
    assert alert.spec.name == "Alert" and (alert.line, alert.col) == (2, 31)
    assert [(p.name, p.value) for p in alert.params][0] == ("Text", "sure?")
    # Alert takes no body: `{x}` after it is text.
    assert rest == Text(2, 49, "{x}")
    assert isinstance(span, Call) and span.spec.name == "Span"
    assert dump(tree).splitlines()[:3] == [
        "Template 1:1",
        "  Text 1:1 'Hello\\n  '",
        "  Call Button 2:3",
    ]


def test_parser_limits_are_positioned_errors() -> None:
    with pytest.raises(TemplateSyntaxError) as info:
        parse("x" * (MAX_SOURCE + 1), "big")
    assert (info.value.line, info.value.col) == (1, 1)
    with pytest.raises(TemplateSyntaxError) as deep:
        Parser("P(){\n" * 3 + "x" + "}" * 3, "page", max_depth=2).parse()
    assert str(deep.value) == "[page:4:1] templates nest deeper than 2 levels\n    x}}}"


def test_object_syntax_as_the_reference() -> None:
    # go-ibax's TestObj cases, and the errors.
    assert parse_object('{"val": "value, [] 1", test: Test}') == {
        "val": "value, [] 1",
        "test": "Test",
    }
    assert parse_object('[ col1 , col2, {"val": "value 1", test: Test value} ]') == [
        "col1",
        "col2",
        {"val": "value 1", "test": "Test value"},
    ]
    assert parse_object('{sub: {"test1": 23, test2:[34, 45]},"test2": "text"}') == {
        "sub": {"test1": "23", "test2": ["34", "45"]},
        "test2": "text",
    }
    assert parse_object("[a: 1, b, c:]") == [{"a": "1"}, "b"]  # a last key alone is lost
    assert parse_object("{a: 1, b:, c: 2}") == {"a": "1", "b": "", "c": "2"}
    assert parse_object("{{a: 1}, b: 2}") == {"b": "2"}  # a keyless object in an object
    assert parse_object("{}") == "" and parse_object("[ ]") == ""
    for bad in ("{a: 1, , b: 2}", "{a: 1,}", "[1,]"):
        with pytest.raises(ObjectSyntaxError, match="^unexpected comma$"):
            parse_object(bad)
    with pytest.raises(ObjectSyntaxError, match="^Where has wrong format$"):
        parse_object("id = 1")


def test_csv_as_go_reads_it() -> None:
    assert read_all('a,"b,c"\n\n"d ""e""",f\r\n') == [["a", "b,c"], ['d "e"', "f"]]
    assert read_all('"multi\nline",x') == [["multi\nline", "x"]]
    with pytest.raises(CsvError, match=r"^record on line 2: wrong number of fields$"):
        read_all("a,b\nc")
    with pytest.raises(CsvError, match=r'^parse error on line 1, column 3: bare " in'):
        read_all('ab"c')
    with pytest.raises(CsvError, match=r'^parse error on line 1, column 4: extraneous or'):
        read_all('"a"b')


def test_macros() -> None:
    variables = {"a": Var("1"), "b": Var("#a##a#"), "raw": Var("#a#", as_is=True)}
    budget = Budget(1000)
    assert replace("#a#-#b#-#raw#-#none#-# a#", variables, [], budget) == "1-11-#a#--# a#"
    loop = {"x": Var("<#y#>"), "y": Var("<#x#>")}
    assert replace("#x#", loop, [], budget) == "<<#x#>>"
    with pytest.raises(PageLimitError):
        replace("#b#" * 600, variables, [], Budget(1000))


def test_language_resources() -> None:
    texts = {"en": "Hello", "ru": "Privet", "pt-br": "Ola"}
    assert pick_text(texts, "ru-RU,en") == "Privet"
    assert pick_text(texts, "pt-BR") == "Ola"
    assert pick_text(texts, "de") == "Hello"
    assert pick_text({"ru": "Privet"}, "de") == "Privet"
    assert parse_name("@12name_1") == (12, "name_1") and parse_name("name") == (0, "")
    resources = {1: {"hi": texts}, 2: {"hi": {"en": "Two"}}}

    def lookup(ecosystem: int) -> dict[str, dict[str, str]]:
        return resources.get(ecosystem, {})

    assert lang_macro("$hi$ $@2hi$ $nope$ $hi$", 1, "ru", lookup) == "Privet Two $nope$ Privet"
    assert lang_macro("$hi$", 0, "ru", lookup) == "$hi$"  # no ecosystem: no resources


async def test_render_limits() -> None:
    host = EmptyChain()
    small = Limits(max_nodes=100, max_rows=50, max_text=1000, max_nesting=5)
    engine = PageEngine(small)
    variables = {"_full": "0"}
    await engine.render("Range(r, 0, 50)", variables, host)
    with pytest.raises(PageLimitError, match="too many rows"):
        await engine.render("Range(r, 0, 51)", variables, host)
    with pytest.raises(PageLimitError, match="too many nodes"):
        await engine.render("Span(x)" * 60, variables, host)
    with pytest.raises(PageLimitError, match="too large"):
        await engine.render("P(" + "x" * 1001 + ")", variables, host)
    with pytest.raises(PageLimitError, match="nest too deeply"):
        await engine.render("SetVar(a, P(P(P(P(P(P(x)))))))", variables, host)
    with pytest.raises(PageLimitError, match="time limit"):
        await PageEngine(Limits(seconds=0.0)).render("Span(x)", variables, host)
