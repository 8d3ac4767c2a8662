"""The compiled program model (funcs, contracts, bound built-ins) and its run-time entry points.

The compiler (contracts/compiler.py) builds a Program; the ledger and the built-ins run its
contracts through `run_contract` and `enter_contract`, here, without knowing how it was built.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from contracts import ast
from contracts.errors import ContractRuntimeError
from contracts.vm import SIZE_FUEL_UNIT, SYSTEM_VARS, Machine, fail

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


# One unit per this many of what a priced built-in returns (or reads): building or parsing a
# MiB of text takes this machine 0.1-0.7 s, and the machine runs ~3M fuel a second.
OUTPUT_FUEL_UNIT: Final = 16


@dataclass(frozen=True)
class Builtin:
    """A built-in function as a program calls it, with its fuel price.

    `fn` is called as fn(*args), or fn(machine, *args) when `machine`; `tails` are the
    optional-parameter tails it takes (DBFind's Where, Limit, ...), each passed as a keyword
    holding the list of the tail's values. A call costs `fuel` plus arg_size_fuel(args),
    taken before it; with `output_fuel` also size_fuel(result) after it (and, with
    `input_fuel`, size_fuel(args[0]): what it reads). Fuel taken after a call stops the
    transaction at the machine's next charge, with that statement's position.
    """

    fn: Callable[..., Any]
    fuel: int
    machine: bool = False
    tails: frozenset[str] = frozenset()
    output_fuel: bool = False
    input_fuel: bool = False


Builtins = Mapping[str, Builtin]


def arg_size_fuel(args: Sequence[Any]) -> int:
    """Fuel for the size of a call's arguments (top level only, so it costs O(args))."""
    total = 0
    for arg in args:
        if isinstance(arg, (str, bytes, list, dict)):
            total += len(arg)
    return total // SIZE_FUEL_UNIT


def size_fuel(value: Any) -> int:
    """Fuel for the size of a text, bytes, array or map a priced built-in returns or reads."""
    kind = type(value)
    if kind is str or kind is bytes or kind is list or kind is dict:
        return len(value) // OUTPUT_FUEL_UNIT
    return 0


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
        raise fail(f"there is loop in {full} contract", node, source)
    caller = m.tx
    tx = {k: v for k, v in caller.items() if k in SYSTEM_VARS}
    tx.update(params)
    tx["result"] = ""
    tx["this_contract"] = full
    m.tx = tx
    try:
        return run_contract(m, contract)
    except ContractRuntimeError as exc:
        if node is not None:
            exc.called_from(source, node.line)
        raise
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
