"""Needle execution: golden run cases (run/*.sim -> *.out), limits, contracts and $result."""

from __future__ import annotations

import json
import os
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from contracts.errors import (
    ContractCompileError,
    ContractRaise,
    ContractRuntimeError,
    OutOfFuel,
    OutOfMemory,
)
from contracts.program import run_contract
from contracts.run import compile_source, machine_for, run_function
from contracts.vm import Limits

CASES = sorted((Path(__file__).parent / "run").glob("*.sim"))
# Small bounds so hostile cases end fast; the node uses the platform's max_fuel_tx.
TEST_LIMITS = Limits(fuel=200_000, seconds=5, string_size=1 << 16, memory=1 << 23)


def render(source: str, name: str) -> str:
    """The golden files' format: the result as JSON, or the error's type, position and text."""
    try:
        value = run_function(source, "main", limits=TEST_LIMITS, source_name=name)
    except ContractCompileError as exc:
        return f"compile: {exc.position} {exc.message}\n"
    except ContractRuntimeError as exc:
        return f"{exc.kind}: {exc}\n"
    return json.dumps(value, default=str) + "\n"


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.stem)
def test_golden_run(case: Path) -> None:
    expected = case.with_suffix(".out")
    actual = render(case.read_text(), case.stem)
    if os.environ.get("NEEDLE_BLESS") == "1":  # regenerate after a deliberate change, then review
        expected.write_text(actual)
    assert actual == expected.read_text()


TOKENS_SEND = """
contract TokensSend {
    data {
        Recipient string
        Amount money
        Comment string "optional"
    }
    conditions {
        if $Amount <= 0 {
            warning "Amount must be greater than zero"
        }
    }
    action {
        $result = Sprintf("%s <- %v", $Recipient, $Amount)
    }
}
"""


def run_tokens_send(tx: dict[str, Any]) -> Any:
    program = compile_source(TOKENS_SEND)
    return run_contract(machine_for(program, tx=tx), program.contracts["TokensSend"])


def test_contract_sets_result() -> None:
    tx: dict[str, Any] = {"Recipient": "0000-0000-0000-0000-5555", "Amount": Decimal(12)}
    assert run_tokens_send(tx) == "0000-0000-0000-0000-5555 <- 12"


def test_contract_conditions_stop_the_action() -> None:
    tx: dict[str, Any] = {"Recipient": "x", "Amount": Decimal(0)}
    with pytest.raises(ContractRaise) as info:
        run_tokens_send(tx)
    assert info.value.kind == "warning"
    assert str(info.value) == "Amount must be greater than zero"
    assert "result" not in tx


def test_fuel_is_charged_and_bounded() -> None:
    source = "func main() int { var i int\n while i < 1000 { i++ }\n return i }"
    assert run_function(source, "main", limits=Limits(fuel=100_000)) == 1000
    with pytest.raises(OutOfFuel, match="runtime cost limit overflow"):
        run_function(source, "main", limits=Limits(fuel=500))


def fuel_of(source: str, limits: Limits = Limits()) -> int:
    """The fuel `main` of `source` uses."""
    program = compile_source(source)
    machine = machine_for(program, limits)
    fn = program.funcs["main"]
    assert fn.body is not None
    fn.body(machine, [None] * fn.nslots)
    return machine.fuel_used


JOIN_LOOP = """func main() int {
    var s, t string
    var i int
    s = "%s"
    while i < 100 {
        t = s + s
        i++
    }
    return Size(t)
}"""


def test_concatenation_pays_fuel_by_the_bytes_it_makes() -> None:
    short = fuel_of(JOIN_LOOP % "ab")
    long = fuel_of(JOIN_LOOP % ("x" * 30_000))
    # 100 results of 60,000 characters, one unit per 256 (and Size(t) pays for reading one).
    assert long - short == 101 * (60_000 // 256)


def test_collection_growth_counts_against_the_memory_cap() -> None:
    keys = "func main() int { var m map\n var i int\n"
    keys += " while true { m[Str(i)] = i\n i++ }\n return 0 }"
    with pytest.raises(OutOfMemory) as info:
        run_function(keys, "main", limits=Limits(memory=64_000), source_name="keys")
    assert str(info.value) == "Memory limit exceeded [keys:3]"
    spread = "func main() int { var a array\n a[99999] = 1\n return Len(a) }"
    assert run_function(spread, "main", limits=Limits(memory=1 << 21)) == 100_000
    with pytest.raises(OutOfMemory):
        run_function(spread, "main", limits=Limits(memory=1 << 20))


def test_built_in_results_count_against_the_memory_cap() -> None:
    source = """func main() int {
        var parts array
        var i int
        while true {
            parts[i] = Sprintf("%0500d", i)
            i++
        }
        return 0
    }"""
    with pytest.raises(OutOfMemory):
        run_function(source, "main", limits=Limits(memory=100_000))


UNSUPPORTED = "unsupported combination of types in the operator"


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        # Money with anything but money is refused by + - * /, as the reference's runtime.
        ('"3" + Money(2)', UNSUPPORTED),
        ('Money(2) + "3"', UNSUPPORTED),
        ("Money(2) + 3", UNSUPPORTED),
        ("3 - Money(2)", UNSUPPORTED),
        ("Money(2) * 1.5", UNSUPPORTED),
        ("1.5 / Money(2)", UNSUPPORTED),
        ("Money(2) + Money(3)", "5"),
        ("Money(7) / Money(2)", "3"),  # money division floors
        # Text beside a number reads as that number's type; text with text concatenates.
        ('"3" + 2', 5),
        ('2 + "3"', 5),
        ('"1.5" + 1.0', 2.5),
        ('"3" + "2"', "32"),
        # Comparisons convert to money.
        ('"3" == Money(3)', True),
        ("Money(3) > 2", True),
    ],
)
def test_mixed_operands(expr: str, expected: Any) -> None:
    source = f'func main() string {{ return Sprintf("%v", {expr}) }}'
    if expected == UNSUPPORTED:
        with pytest.raises(ContractRuntimeError) as caught:
            run_function(source, "main", limits=TEST_LIMITS)
        assert caught.value.message == UNSUPPORTED
    else:
        assert run_function(source, "main", limits=TEST_LIMITS) == str(expected).replace(
            "True", "true"
        )
