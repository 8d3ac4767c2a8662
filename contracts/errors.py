"""Errors of Needle source code and of its execution, each with the position it was found at."""

from __future__ import annotations


class ContractError(Exception):
    """Base of every error a contract's source or execution can raise."""


class ContractSyntaxError(ContractError):
    """Source that does not lex or parse; carries `[name:line:col]` and shows the line."""

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


class ContractCompileError(ContractSyntaxError):
    """Source that parses but cannot be compiled (an unknown name, a misplaced statement)."""


class ContractRuntimeError(ContractError):
    """A failure while running a contract; `kind` is the txstatus errmsg type."""

    kind = "panic"

    def __init__(self, message: str, line: int = 0, col: int = 0, source_name: str = "") -> None:
        self.message = message
        self.line = line
        self.col = col
        self.source_name = source_name
        super().__init__(message)

    @property
    def position(self) -> str:
        return f"[{self.source_name}:{self.line}:{self.col}]"

    def __str__(self) -> str:
        if not self.source_name and not self.line:
            return self.message
        return f"{self.position} {self.message}"


class ContractRaise(ContractRuntimeError):
    """`error`, `warning` or `info` in the source: the contract stops with that type."""

    def __init__(self, kind: str, message: str, line: int, col: int, source_name: str) -> None:
        super().__init__(message, line, col, source_name)
        self.kind = kind


class ContractThrow(ContractRuntimeError):
    """`Throw(id, message)`: an error a client can recognise by its id."""

    kind = "exception"

    def __init__(
        self, exception_id: str, message: str, line: int, col: int, source_name: str
    ) -> None:
        super().__init__(message, line, col, source_name)
        self.exception_id = exception_id


class OutOfFuel(ContractRuntimeError):
    """The transaction used all the fuel it may."""


class TimeLimit(ContractRuntimeError):
    """The transaction ran longer than its time limit."""

    kind = "txError"


class HostError(Exception):
    """Raised by a built-in that talks to the chain: becomes a positioned contract error.

    `kind` is the txstatus type (a denied write is a `panic` "Access denied", as the
    reference's).
    """

    def __init__(self, message: str, kind: str = "panic", positioned: bool = False) -> None:
        self.message = message
        self.kind = kind
        self.positioned = positioned  # the message names its own source position already
        super().__init__(message)
