"""Needle syntax tree: declarative nodes with positions, and a compact dump for golden tests."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any


@dataclass(frozen=True)
class Node:
    """Every node knows where its source starts."""

    line: int = field(compare=False, repr=False)
    col: int = field(compare=False, repr=False)


# ---- expressions -------------------------------------------------------------------------


@dataclass(frozen=True)
class Literal(Node):
    """int, float, string, bool or nil; numbers keep their source text until compiled."""

    kind: str
    value: Any


@dataclass(frozen=True)
class Name(Node):
    """A local variable or a function name."""

    id: str


@dataclass(frozen=True)
class TxVar(Node):
    """A `$name` transaction variable."""

    id: str


@dataclass(frozen=True)
class Unary(Node):
    op: str
    operand: Node


@dataclass(frozen=True)
class Binary(Node):
    op: str
    left: Node
    right: Node


@dataclass(frozen=True)
class Tail(Node):
    """An optional-parameter tail of a call: `.Where({...})`; `spread` as in Call."""

    name: str
    args: tuple[Node, ...]
    spread: bool = False


@dataclass(frozen=True)
class Call(Node):
    """`Name(args).Tail(args)...`; `spread` when the last argument ends with `...`."""

    name: str
    args: tuple[Node, ...]
    tails: tuple[Tail, ...] = ()
    spread: bool = False


@dataclass(frozen=True)
class ContractCall(Node):
    """`@1Name(args)`."""

    name: str
    args: tuple[Node, ...]


@dataclass(frozen=True)
class Index(Node):
    obj: Node
    index: Node


@dataclass(frozen=True)
class Slice(Node):
    obj: Node
    low: Node | None
    high: Node | None


@dataclass(frozen=True)
class MapLit(Node):
    """`{key: value}`; a key is a string, or a `$var` whose value is the key."""

    pairs: tuple[tuple[str | TxVar, Node], ...]


@dataclass(frozen=True)
class ArrayLit(Node):
    items: tuple[Node, ...]


# ---- statements --------------------------------------------------------------------------


@dataclass(frozen=True)
class Block(Node):
    body: tuple[Node, ...]


@dataclass(frozen=True)
class VarDecl(Node):
    """`var a, b int`."""

    names: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Assign(Node):
    """`a, b = x, y` or `a += x`."""

    op: str
    targets: tuple[Node, ...]
    values: tuple[Node, ...]


@dataclass(frozen=True)
class IncDec(Node):
    op: str
    target: Node


@dataclass(frozen=True)
class ExprStmt(Node):
    expr: Node


@dataclass(frozen=True)
class If(Node):
    """`if c {..} elif c {..} else {..}`."""

    branches: tuple[tuple[Node, Block], ...]
    orelse: Block | None


@dataclass(frozen=True)
class While(Node):
    cond: Node
    body: Block


@dataclass(frozen=True)
class Break(Node):
    pass


@dataclass(frozen=True)
class Continue(Node):
    pass


@dataclass(frozen=True)
class Return(Node):
    value: Node | None


@dataclass(frozen=True)
class Raise(Node):
    """`error expr`, `warning expr` or `info expr`: abort with a typed error."""

    kind: str
    value: Node


# ---- definitions -------------------------------------------------------------------------


@dataclass(frozen=True)
class Param(Node):
    name: str
    type: str


@dataclass(frozen=True)
class TailDef(Node):
    """`func DBFind(table string).Where(cond string, args ...)`: an optional-parameter tail."""

    name: str
    params: tuple[Param, ...]
    variadic: str | None = None


@dataclass(frozen=True)
class Func(Node):
    name: str
    params: tuple[Param, ...]
    variadic: str | None
    tails: tuple[TailDef, ...]
    returns: tuple[str, ...]
    body: Block


@dataclass(frozen=True)
class DataField(Node):
    name: str
    type: str
    tag: str  # e.g. "optional"

    @property
    def optional(self) -> bool:
        return "optional" in self.tag.split(",")


@dataclass(frozen=True)
class Contract(Node):
    name: str
    data: tuple[DataField, ...]
    settings: tuple[tuple[str, Literal], ...]
    funcs: tuple[Func, ...]  # conditions and action are funcs with those names


@dataclass(frozen=True)
class Module(Node):
    items: tuple[Contract | Func, ...]


def dump(node: Any) -> str:
    """A compact, position-free S-expression of a tree (the golden files' format)."""
    if isinstance(node, Node):
        parts = [type(node).__name__]
        for f in fields(node):
            if f.name in ("line", "col"):
                continue
            parts.append(f"{f.name}={dump(getattr(node, f.name))}")
        return "(" + " ".join(parts) + ")"
    if isinstance(node, tuple):
        return "[" + " ".join(dump(item) for item in node) + "]"
    return repr(node)
