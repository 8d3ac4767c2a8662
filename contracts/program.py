"""The compiled program model (funcs, contracts, bound built-ins) and its run-time entry points.

The compiler (contracts/compiler.py) builds a Program; the ledger and the built-ins run its
contracts through `run_contract` and `enter_contract`, here, without knowing how it was built.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from contracts import ast
from contracts.vm import SYSTEM_VARS, Machine, fail

Code = Callable[[Machine, list[Any]], Any]


class _Signal:
    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name


BREAK = _Signal("break")
CONTINUE = _Signal("continue")


class Ret:
    """A `return` on its way out of the function's blocks."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value


@dataclass(frozen=True)
class Builtin:
    """A built-in that needs the machine: called as fn(machine, *args, **tails).

    `tails` are the optional-parameter tails it takes (DBFind's Where, Limit, ...), each passed
    as a keyword argument holding the list of the tail's values.
    """

    fn: Callable[..., Any]
    cost: int
    tails: frozenset[str] = frozenset()


BuiltinEntry = tuple[Callable[..., Any], int] | Builtin
Builtins = Mapping[str, BuiltinEntry]


@dataclass(eq=False)
class Function:
    """A compiled func: its frame layout and body."""

    name: str
    node: ast.Func
    source: str
    param_slots: tuple[int, ...] = ()
    variadic_slot: int | None = None
    # tail name -> ((slot, type) of each parameter, slot of its `...` parameter or None)
    tails: dict[str, tuple[tuple[tuple[int, str], ...], int | None]] = field(default_factory=dict)
    nslots: int = 0
    body: Code | None = None


@dataclass(eq=False)
class Contract:
    """A compiled contract: data fields, settings and its funcs (conditions and action too)."""

    name: str
    ecosystem: int
    data: tuple[ast.DataField, ...]
    settings: dict[str, Any]
    funcs: dict[str, Function]
    source: str

    @property
    def full_name(self) -> str:
        return f"@{self.ecosystem}{self.name}"


@dataclass(eq=False)
class Program:
    """A compiled source: its top-level funcs and contracts."""

    funcs: dict[str, Function]
    contracts: dict[str, Contract]


# ---- contracts at run time -----------------------------------------------------------------


def find_contract(m: Machine, full_name: str, node: ast.Node, source: str) -> Contract:
    """Another contract by its `@N` name, through the machine's resolver."""
    found = m.contracts(full_name) if m.contracts is not None else None
    if found is None:
        raise fail(f"unknown contract {full_name}", node, source)
    if not isinstance(found, Contract):
        raise fail(f"unknown contract {full_name}", node, source)
    return found


def enter_contract(
    m: Machine, contract: Contract, params: dict[str, Any], node: ast.Node | None, source: str
) -> Any:
    """Run another contract (conditions, then action) with its own $ variables; its $result."""
    full = contract.full_name
    if full in m.stack:
        raise fail(f"There is loop in {full} contract", node, source)
    caller = m.tx
    tx = {k: v for k, v in caller.items() if k in SYSTEM_VARS}
    tx.update(params)
    tx["result"] = ""
    tx["this_contract"] = full
    m.tx = tx
    try:
        return run_contract(m, contract)
    finally:
        m.tx = caller


def run_contract(
    m: Machine, contract: Contract, parts: tuple[str, ...] = ("conditions", "action")
) -> Any:
    """Run parts of a contract with the machine's current $ variables; returns $result."""
    m.stack.append(contract.full_name)
    m.tx["stack"] = list(m.stack)
    m.depth += 1
    try:
        if m.depth > m.limits.call_depth:
            raise fail("the call stack is too deep", None, contract.source)
        for part in parts:
            fn = contract.funcs.get(part)
            if fn is not None and fn.body is not None:
                fn.body(m, [None] * fn.nslots)
    finally:
        m.depth -= 1
        m.stack.pop()
    return m.tx.get("result", "")
