"""Facade: parse and compile a Needle source, then run one of its functions or contracts."""

from __future__ import annotations

from typing import Any

from contracts.builtins import BASIC
from contracts.compiler import Builtins, Program, compile_module
from contracts.compiler import run_contract as run_compiled
from contracts.errors import ContractRuntimeError
from contracts.parser import parse
from contracts.vm import Limits, Machine


def _bare(full_name: str) -> str:
    return full_name.lstrip("@").lstrip("0123456789")


def compile_source(
    source: str, source_name: str = "", builtins: Builtins = BASIC, ecosystem: int = 1
) -> Program:
    """Parse and compile a whole source."""
    return compile_module(parse(source, source_name), builtins, source_name, ecosystem)


def run_function(
    source: str, name: str, *args: Any, limits: Limits = Limits(), source_name: str = ""
) -> Any:
    """Compile `source` and call its top-level function `name` with `args`."""
    program = compile_source(source, source_name)
    fn = program.funcs.get(name)
    if fn is None or fn.body is None:
        raise ContractRuntimeError(f"unknown identifier {name}")
    machine = Machine(limits, {}, contracts=lambda full: program.contracts.get(_bare(full)))
    frame: list[Any] = [None] * fn.nslots
    for slot, value in zip(fn.param_slots, args, strict=False):
        frame[slot] = value
    signal = fn.body(machine, frame)
    return getattr(signal, "value", None)


def run_contract(
    source: str,
    name: str,
    tx_vars: dict[str, Any],
    limits: Limits = Limits(),
    source_name: str = "",
) -> Any:
    """Compile `source` and run contract `name` (conditions, then action); returns $result."""
    program = compile_source(source, source_name)
    contract = program.contracts.get(name)
    if contract is None:
        raise ContractRuntimeError(f"unknown contract {name}")
    machine = Machine(limits, tx_vars, contracts=lambda full: program.contracts.get(_bare(full)))
    return run_compiled(machine, contract)
