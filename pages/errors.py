"""Errors of Logicor templates: a positioned syntax error and the limits a render may hit."""

from __future__ import annotations

from chain.source_error import SourceSyntaxError


class PageError(Exception):
    """Base of every error a template's source or its rendering can raise."""


class TemplateSyntaxError(PageError, SourceSyntaxError):
    """A template the parser refuses (only for its limits: any other text is a valid template).

    Carries `[name:line:col]` and shows the offending line, as Needle's syntax errors do.
    """


class PageLimitError(PageError):
    """A render went past one of its bounds (time, nesting, output size, rows).

    The API answers it as the reference answers a page over its generation time: E_HEAVYPAGE.
    """
