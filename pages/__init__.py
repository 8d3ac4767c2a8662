"""Logicor, the page template language: lexer, parser, tree, renderer and functions."""

from __future__ import annotations

from pages.engine import PageEngine, render_page
from pages.errors import PageError, PageLimitError, TemplateSyntaxError
from pages.host import HistoryResult, PageDataError, PageHost, RowQuery, RowResult
from pages.output import Element, tree_json, tree_value
from pages.parser import parse
from pages.renderer import Limits

__all__ = [
    "Element",
    "HistoryResult",
    "Limits",
    "PageDataError",
    "PageEngine",
    "PageError",
    "PageHost",
    "PageLimitError",
    "RowQuery",
    "RowResult",
    "TemplateSyntaxError",
    "parse",
    "render_page",
    "tree_json",
    "tree_value",
]
