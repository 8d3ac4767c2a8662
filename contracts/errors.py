"""Errors of Needle source code and of its execution, each with the position it was found at."""

from __future__ import annotations

from chain.source_error import SourceSyntaxError

# The reference cuts a VM error's text to this many bytes, then adds "..." (SetVMError).
MAX_ERROR_BYTES = 150


def error_text(text: str) -> str:
    """The text as the reference reports it: at most MAX_ERROR_BYTES bytes of UTF-8, then "...".

    A character the cut splits shows as one U+FFFD per byte left of it, as Go's JSON encoder
    shows the invalid bytes.
    """
    raw = text.encode()
    if len(raw) <= MAX_ERROR_BYTES:
        return text
    head = raw[:MAX_ERROR_BYTES].decode(errors="ignore")
    return head + "\ufffd" * (MAX_ERROR_BYTES - len(head.encode())) + "..."


class ContractError(Exception):
    """Base of every error a contract's source or execution can raise."""


class ContractSyntaxError(ContractError, SourceSyntaxError):
    """Source that does not lex or parse; carries `[name:line:col]` and shows the line."""

    def located(self) -> str:
        """The message as the reference reports a source it refuses: `text [Ln:3 Col:5]`."""
        return f"{self.message} [Ln:{self.line} Col:{self.col}]"


class ContractCompileError(ContractSyntaxError):
    """Source that parses but cannot be compiled (an unknown name, a misplaced statement)."""


class ContractRuntimeError(ContractError):
    """A failure while running a contract; `kind` is the txstatus errmsg type.

    Its text is the reference's: the message, then where it happened, innermost first: the
    built-in that failed (if one did) and `source:line` of each contract on the way out,
    as in `divided by zero [@1Inner:5 @1Outer:9]` or `Access denied [DBInsert @1Mine:3]`.
    """

    kind = "panic"
    located = True  # whether the text carries the `[...]` suffix

    def __init__(
        self,
        message: str,
        line: int = 0,
        col: int = 0,
        source_name: str = "",
        builtin: str = "",
    ) -> None:
        self.message = message
        self.line = line
        self.col = col
        self.source_name = source_name
        self.builtin = builtin
        self.trace: list[str] = [f"{source_name}:{line}"] if source_name or line else []
        super().__init__(message)

    def called_from(self, source_name: str, line: int) -> None:
        """The error leaves a contract through a call in `source_name` at `line`."""
        if self.trace and self.trace[-1].startswith(f"{source_name}:"):
            return  # one entry per contract on the way out, as the reference
        self.trace.append(f"{source_name}:{line}")

    def __str__(self) -> str:
        if not self.located or not (self.trace or self.builtin):
            return self.message
        where = " ".join(([self.builtin] if self.builtin else []) + self.trace)
        return f"{self.message} [{where}]"


class ContractRaise(ContractRuntimeError):
    """`error`, `warning` or `info` in the source: the contract stops with that type.

    The author's text alone is reported, as the reference does.
    """

    located = False

    def __init__(self, kind: str, message: str, line: int, col: int, source_name: str) -> None:
        super().__init__(message, line, col, source_name)
        self.kind = kind


class ContractThrow(ContractRuntimeError):
    """`Throw(id, message)`: an error a client can recognise by its id (the text alone)."""

    kind = "exception"
    located = False

    def __init__(
        self, exception_id: str, message: str, line: int, col: int, source_name: str
    ) -> None:
        super().__init__(message, line, col, source_name)
        self.exception_id = exception_id


class OutOfFuel(ContractRuntimeError):
    """The transaction used all the fuel it may."""


class OutOfMemory(ContractRuntimeError):
    """The transaction's values grew past its memory cap."""


class TimeLimit(ContractRuntimeError):
    """The transaction ran longer than its time limit (reported without a place, as the
    reference's `txError`)."""

    kind = "txError"
    located = False


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
