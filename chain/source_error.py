"""The positioned syntax error that both languages' parsers raise (Needle and Logicor)."""

from __future__ import annotations


class SourceSyntaxError(Exception):
    """Source text a parser refuses: carries `[name:line:col]` and shows the offending line."""

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
