"""Facade: parse and compile a Needle source, then run one of its functions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from contracts.builtins import plain_builtins
from contracts.compiler import compile_module
from contracts.errors import ContractRuntimeError
from contracts.parser import parse
from contracts.program import Builtins, Program
from contracts.vm import Limits, Machine


def _bare(full_name: str) -> str:
    return full_name.lstrip("@").lstrip("0123456789")


def compile_source(
    source: str,
    source_name: str = "",
    builtins: Builtins | None = None,
    ecosystem: int = 1,
    known_contracts: Callable[[str], bool] | None = None,
) -> Program:
    """Parse and compile a whole source (with the plain built-ins unless `builtins` are given).

    `known_contracts` names the contracts that calls may reach besides the source's own (as
    deploying does); without it, a call of any other name is an unknown identifier.
    """
    table = plain_builtins() if builtins is None else builtins
    return compile_module(
        parse(source, source_name), table, source_name, ecosystem, known_contracts
    )


def machine_for(
    program: Program, limits: Limits = Limits(), tx: dict[str, Any] | None = None
) -> Machine:
    """A machine with no chain behind it, whose contracts are the program's own."""
    return Machine(limits, tx, contracts=lambda full: program.contracts.get(_bare(full)))


def run_function(
    source: str, name: str, *args: Any, limits: Limits = Limits(), source_name: str = ""
) -> Any:
    """Compile `source` and call its top-level function `name` with `args`."""
    program = compile_source(source, source_name)
    fn = program.funcs.get(name)
    if fn is None or fn.body is None:
        raise ContractRuntimeError(f"unknown identifier {name}")
    frame: list[Any] = [None] * fn.nslots
    for slot, value in zip(fn.param_slots, args, strict=False):
        frame[slot] = value
    signal = fn.body(machine_for(program, limits), frame)
    return getattr(signal, "value", None)
