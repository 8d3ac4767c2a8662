"""Errors of Logicor templates: a positioned syntax error and the limits a render may hit."""

from __future__ import annotations


class PageError(Exception):
    """Base of every error a template's source or its rendering can raise."""


class TemplateSyntaxError(PageError):
    """A template the parser refuses (only for its limits: any other text is a valid template).

    Carries `[name:line:col]` and shows the offending line, as Needle's syntax errors do.
    """

    def __init__(
        self, message: str, line: int, col: int, source_name: str = "", source: str = ""
    ) -> None:
        self.message = message
        self.line = line
        self.col = col
        self.source_name = source_name
        self.source = source
        super().__init__(message)

    @property
    def position(self) -> str:
        return f"[{self.source_name}:{self.line}:{self.col}]"

    def __str__(self) -> str:
        text = f"{self.position} {self.message}"
        lines = self.source.splitlines()
        if 0 < self.line <= len(lines):
            text += "\n    " + lines[self.line - 1][:200]
        return text


class PageLimitError(PageError):
    """A render went past one of its bounds (time, nesting, output size, rows).

    The API answers it as the reference answers a page over its generation time: E_HEAVYPAGE.
    """
