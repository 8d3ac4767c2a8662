"""The Logicor parse tree: declarative nodes with the position they start at.

A template is a sequence of texts and calls. A call keeps its arguments bound to its
parameters as the reference binds them (raw text, macros and language resources are
resolved when it renders), its body parsed ahead, and its tails (`.Where(...)`, `.Else{...}`).
"""

from __future__ import annotations

from dataclasses import dataclass

from pages.spec import FuncSpec


@dataclass(frozen=True, slots=True)
class Node:
    """Base of every tree node; `line` and `col` are 1-based."""

    line: int
    col: int


@dataclass(frozen=True, slots=True)
class Text(Node):
    """Text between calls, as written."""

    value: str


@dataclass(frozen=True, slots=True)
class Param(Node):
    """One bound argument: the parameter's name and its text.

    `named` marks `Name: value` arguments of `*` functions, whose value takes macros as it
    is bound (the reference's order of work).
    """

    name: str
    value: str
    named: bool = False


@dataclass(frozen=True, slots=True)
class Tail(Node):
    """A tail call after a function: `.Name(args){body}`."""

    spec: FuncSpec
    params: tuple[Param, ...]
    body: Template | None


@dataclass(frozen=True, slots=True)
class Call(Node):
    """A function call `Name(args){body}.Tail(...)...`."""

    spec: FuncSpec
    params: tuple[Param, ...]
    body: Template | None
    tails: tuple[Tail, ...]


@dataclass(frozen=True, slots=True)
class Template(Node):
    """A whole template or a body: its nodes in order.

    A text that ends a template is written as is; a text before a call takes macros when it
    is written (the reference's order, which decides what `#var#` means there).
    """

    nodes: tuple[Text | Call, ...]
    source: str


def dump(node: Node | None, indent: int = 0) -> str:
    """A readable, stable rendering of a tree (golden files and debugging)."""
    pad = "  " * indent
    if node is None:
        return pad + "-"
    if isinstance(node, Template):
        inner = [dump(n, indent + 1) for n in node.nodes]
        return "\n".join([f"{pad}Template {node.line}:{node.col}", *inner])
    if isinstance(node, Text):
        return f"{pad}Text {node.line}:{node.col} {node.value!r}"
    if isinstance(node, (Call, Tail)):
        kind = "Call" if isinstance(node, Call) else "Tail"
        lines = [f"{pad}{kind} {node.spec.name} {node.line}:{node.col}"]
        for p in node.params:
            mark = " (named)" if p.named else ""
            lines.append(f"{pad}  {p.name}{mark} = {p.value!r}")
        if node.body is not None:
            lines.append(f"{pad}  body:")
            lines.append(dump(node.body, indent + 2))
        if isinstance(node, Call):
            lines.extend(dump(t, indent + 1) for t in node.tails)
        return "\n".join(lines)
    return pad + repr(node)
