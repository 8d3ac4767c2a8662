"""Facade: parse a Needle source and run one of its functions or contracts, bounded."""

from __future__ import annotations

from typing import Any

from contracts.builtins import BASIC
from contracts.interp import Interpreter, Limits
from contracts.parser import parse


def run_function(
    source: str, name: str, *args: Any, limits: Limits = Limits(), source_name: str = ""
) -> Any:
    """Parse `source` and call its top-level function `name`."""
    module = parse(source, source_name)
    return Interpreter(module, BASIC, limits, {}, source_name).run_func(name, *args)


def run_contract(
    source: str,
    name: str,
    tx_vars: dict[str, Any],
    limits: Limits = Limits(),
    source_name: str = "",
) -> Any:
    """Parse `source` and run contract `name` (conditions, then action); returns $result."""
    module = parse(source, source_name)
    return Interpreter(module, BASIC, limits, tx_vars, source_name or f"@1{name}").run_contract(
        name
    )
