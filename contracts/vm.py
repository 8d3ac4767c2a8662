"""The Needle machine: per-transaction state (fuel, time, $ variables, call stack) and values."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import ROUND_DOWN, Context, Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from chain.golang.decimal import decimal_text
from chain.golang.ints import INT64_MAX, INT64_MIN
from chain.golang.strconv import format_float
from contracts import ast
from contracts.errors import ContractRuntimeError, OutOfFuel, OutOfMemory, TimeLimit

if TYPE_CHECKING:
    from contracts.builtins.random import SeededStream

SYSTEM_VARS = frozenset(
    {
        "time",
        "ecosystem_id",
        "block",
        "key_id",
        "account_id",
        "type",
        "block_key_id",
        "block_time",
        "original_contract",
        "this_contract",
        "guest_key",
        "guest_account",
        "black_hole_key",
        "black_hole_account",
        "white_hole_key",
        "white_hole_account",
        "stack",
        "node_position",
        "txhash",
        "pre_block_data_hash",
    }
)
ZERO: dict[str, Callable[[], Any]] = {
    "bool": lambda: False,
    "int": lambda: 0,
    "address": lambda: 0,
    "float": lambda: 0.0,
    "money": lambda: Decimal(0),
    "string": lambda: "",
    "bytes": lambda: b"",
    "array": list,
    "map": dict,
    "file": dict,
}
# Money stays below 10^60 between operations, so a product (120 digits) is always exact.
MONEY_BOUND = Decimal(10) ** 60
MONEY_ONLY = frozenset("+-*/")  # operators that take money only beside money
MONEY_CONTEXT = Context(prec=120)
# How often (in fuel units) the machine looks at the clock and lets its host breathe.
CHECK_EVERY = 2048
# One unit of fuel per this many characters, bytes or items a statement or built-in is given
# or produces (string concatenation, a built-in's arguments, a collection's growth).
SIZE_FUEL_UNIT = 256
# What one new item of an array or key of a map is counted as against the memory cap.
ITEM_BYTES = 16
KEY_BYTES = 64


@dataclass(frozen=True)
class Limits:
    """Bounds on one transaction's execution."""

    fuel: int = 20_000_000
    seconds: float = 2.0
    call_depth: int = 40
    string_size: int = 1 << 20
    array_size: int = 1_000_000
    map_size: int = 100_000
    # Bytes a tx may produce in all (strings, bytes, collections' items): counted as made and
    # never given back, so every node stops a tx at the same statement (the reference caps
    # a tx's memory at 128 MiB too).
    memory: int = 128 << 20


def fail(message: str, node: ast.Node | None, source: str) -> ContractRuntimeError:
    """A panic at a node of a source."""
    if node is None:
        return ContractRuntimeError(message, 0, 0, source)
    return ContractRuntimeError(message, node.line, node.col, source)


class Machine:
    """One transaction's execution state, shared by every contract and function it runs.

    `host` is whatever the chain gives the context-aware built-ins (opaque here); `pause`, when
    set, is called every CHECK_EVERY fuel so a cooperative host can serve other work;
    `contracts` finds another contract by name for `@Name()` and CallContract.
    """

    __slots__ = (
        "limits",
        "fuel",
        "check_at",
        "deadline",
        "depth",
        "tx",
        "stack",
        "host",
        "pause",
        "contracts",
        "fuel_used_base",
        "random",
        "memory",
    )

    def __init__(
        self,
        limits: Limits,
        tx: dict[str, Any] | None = None,
        *,
        host: Any = None,
        pause: Callable[[], None] | None = None,
        contracts: Callable[[str], Any] | None = None,
    ) -> None:
        self.limits = limits
        self.fuel = limits.fuel
        self.fuel_used_base = limits.fuel
        self.check_at = max(self.fuel - CHECK_EVERY, 0)
        self.deadline = time.monotonic() + limits.seconds
        self.depth = 0
        self.tx: dict[str, Any] = tx if tx is not None else {}
        self.stack: list[str] = []
        self.host = host
        self.pause = pause
        self.contracts = contracts
        # The transaction's random stream, made by its first Random call (builtins.random).
        self.random: SeededStream | None = None
        self.memory = 0  # bytes produced so far (see Limits.memory)

    @property
    def fuel_used(self) -> int:
        return self.fuel_used_base - self.fuel

    def tick(self, node: ast.Node | None, source: str) -> None:
        """Fuel crossed a checkpoint: stop if it ran out or time is up, else let the host run."""
        if self.fuel < 0:
            raise OutOfFuel("runtime cost limit overflow", *_pos(node), source)
        if time.monotonic() > self.deadline:
            raise TimeLimit("Time limit exceeded", *_pos(node), source)
        if self.pause is not None:
            self.pause()
            if time.monotonic() > self.deadline:
                raise TimeLimit("Time limit exceeded", *_pos(node), source)
        self.check_at = max(self.fuel - CHECK_EVERY, 0)

    def charge(self, amount: int, node: ast.Node | None, source: str) -> None:
        """Take fuel for work about to be done (a built-in's price)."""
        self.fuel -= amount
        if self.fuel < self.check_at:
            self.tick(node, source)

    def produce(self, size: int, node: ast.Node | None, source: str) -> None:
        """`size` bytes were just made: count them against the memory cap and pay fuel."""
        self.memory += size
        if self.memory > self.limits.memory:
            raise OutOfMemory("Memory limit exceeded", *_pos(node), source)
        self.fuel -= size // SIZE_FUEL_UNIT

    def checked(self, value: Any, node: ast.Node, source: str) -> Any:
        """The value, or a panic if it exceeds the machine's bounds."""
        kind = type(value)
        if kind is int:
            if not INT64_MIN <= value <= INT64_MAX:
                raise fail("integer overflow", node, source)
        elif kind is str or kind is bytes:
            if len(value) > self.limits.string_size:
                raise fail("the string is too long", node, source)
        elif kind is list:
            if len(value) > self.limits.array_size:
                raise fail("the index is out of range", node, source)
        elif kind is dict:
            if len(value) > self.limits.map_size:
                raise fail("the maximum length of map is exceeded", node, source)
        elif kind is Decimal and not -MONEY_BOUND < value < MONEY_BOUND:
            raise fail("the money value is out of range", node, source)
        return value


def _pos(node: ast.Node | None) -> tuple[int, int]:
    return (node.line, node.col) if node is not None else (0, 0)


def memory_size(value: Any) -> int:
    """What a new value counts against the memory cap (its top level only: O(1))."""
    kind = type(value)
    if kind is str or kind is bytes:
        return len(value)
    if kind is list:
        return len(value) * ITEM_BYTES
    if kind is dict:
        return len(value) * KEY_BYTES
    return 0


# ---- values ------------------------------------------------------------------------------


def truthy(value: Any) -> bool:
    """How a condition reads any value (as go-ibax's ValueToBool)."""
    if isinstance(value, (list, dict, str, bytes)):
        return len(value) > 0
    return bool(value)


def to_decimal(value: Any) -> Decimal:
    """A number or numeric text as an exact Decimal."""
    try:
        return Decimal(str(value)) if isinstance(value, float) else Decimal(value)
    except (InvalidOperation, TypeError) as exc:
        raise ValueError(f"{value!r} is not a number") from exc


def convert(kind: str | None, value: Any) -> Any:
    """A value assigned to a typed variable: money stays exact, an int widens to float."""
    if kind == "money" and isinstance(value, (int, str)) and not isinstance(value, bool):
        return to_decimal(value)
    if kind == "float" and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    return value


def type_name(value: Any) -> str:
    """The Needle name of a value's type, for messages."""
    return {
        bool: "bool",
        int: "int",
        float: "float",
        str: "string",
        bytes: "bytes",
        list: "array",
        dict: "map",
        Decimal: "money",
        type(None): "nil",
    }.get(type(value), type(value).__name__)


def to_str(value: Any) -> str:
    """A value as the text `error`, `warning` and Throw show: Go's %v of a scalar."""
    if value is None:
        return ""
    kind = type(value)
    if kind is bool:
        return "true" if value else "false"
    if kind is float:
        return format_float(value)
    if kind is Decimal:
        return decimal_text(value)
    return str(value)


def value_to_int(text: str) -> int:
    """A string read as an int where the other operand is an int (the reference's ValueToInt)."""
    if text == "":
        return 0
    try:
        return int(text.strip(), 10)
    except ValueError:
        raise ValueError(f"{text} is not a valid integer") from None


def _parse_as(text: str, kind: type) -> Any:
    if kind is int:
        return value_to_int(text)
    if kind is float:
        try:
            return float(text)
        except ValueError:
            return 0.0  # the reference's ValueToFloat reads bad text as 0
    return to_decimal(text if text else "0")


def numeric_pair(left: Any, right: Any) -> tuple[Any, Any] | None:
    """Both operands as one numeric type, or None when they are not numbers.

    As the reference: a string beside a number is read as that number's type, int with float
    is float, anything with money is money (exact).
    """
    lt, rt = type(left), type(right)
    if lt is str and rt in (int, float, Decimal):
        left, lt = _parse_as(left, rt), rt
    elif rt is str and lt in (int, float, Decimal):
        right, rt = _parse_as(right, lt), lt
    if lt not in (int, float, Decimal) or rt not in (int, float, Decimal):
        return None
    if lt is Decimal or rt is Decimal:
        return to_decimal(left), to_decimal(right)
    if lt is float or rt is float:
        return float(left), float(right)
    return left, right


def equal(left: Any, right: Any) -> bool:
    """`==`: nil only equals nil, bool only bool; a number equals numeric text of its value."""
    if left is None or right is None:
        return left is right
    if isinstance(left, bool) or isinstance(right, bool):
        return isinstance(left, bool) and isinstance(right, bool) and left == right
    if type(left) is str and type(right) is str:
        return left == right
    try:
        pair = numeric_pair(left, right)
    except ValueError:
        return False  # text that is no number differs from any number (the reference panics)
    if pair is not None:
        return bool(pair[0] == pair[1])
    return bool(left == right)


def compare(op: str, left: Any, right: Any) -> bool:
    """<, <=, > or >= of two values of one kind."""
    if op == "<":
        return bool(left < right)
    if op == "<=":
        return bool(left <= right)
    if op == ">":
        return bool(left > right)
    return bool(left >= right)


def arith(m: Machine, op: str, left: Any, right: Any, node: ast.Node, source: str) -> Any:
    """A binary operator on any two values (the compiler inlines the int fast paths)."""
    if op == "==":
        return equal(left, right)
    if op == "!=":
        return not equal(left, right)
    if isinstance(left, str) and isinstance(right, str):
        if op == "+":
            joined = m.checked(left + right, node, source)
            m.produce(len(joined), node, source)
            return joined
        if op in ("<", "<=", ">", ">="):
            return compare(op, left, right)
        raise fail("unsupported combination of types in the operator", node, source)
    if isinstance(left, bool) or isinstance(right, bool):
        raise fail("unsupported combination of types in the operator", node, source)
    if op in MONEY_ONLY and isinstance(left, Decimal) != isinstance(right, Decimal):
        # As the reference: arithmetic takes money only with money (compare converts).
        raise fail("unsupported combination of types in the operator", node, source)
    try:
        pair = numeric_pair(left, right)
    except ValueError as exc:
        raise fail(str(exc), node, source) from None
    if pair is None:
        raise fail("unsupported combination of types in the operator", node, source)
    left, right = pair
    if op in ("<", "<=", ">", ">="):
        return compare(op, left, right)
    if op in ("/", "%") and right == 0:
        raise fail("divided by zero", node, source)
    if op in ("<<", ">>", "&", "|", "^", "%") and not (
        isinstance(left, int) and isinstance(right, int)
    ):
        raise fail("unsupported combination of types in the operator", node, source)
    result: Any
    if isinstance(left, Decimal):
        return m.checked(_money_op(op, left, right, node, source), node, source)
    if op == "+":
        result = left + right
    elif op == "-":
        result = left - right
    elif op == "*":
        result = left * right
    elif op == "/":
        if isinstance(left, int) and isinstance(right, int):
            quotient = abs(left) // abs(right)  # Go truncates toward zero
            result = quotient if (left >= 0) == (right >= 0) else -quotient
        else:
            result = left / right
    elif op == "%":
        result = abs(left) % abs(right) * (1 if left >= 0 else -1)
    elif op in ("<<", ">>"):
        if not 0 <= right < 64:
            raise fail("invalid shift", node, source)
        result = left << right if op == "<<" else left >> right
    elif op == "&":
        result = left & right
    elif op == "|":
        result = left | right
    elif op == "^":
        result = left ^ right
    else:
        raise fail(f"unknown operator {op}", node, source)
    return m.checked(result, node, source)


def _money_op(op: str, left: Decimal, right: Decimal, node: ast.Node, source: str) -> Decimal:
    # Exact: money has up to 30 digits and products more; the default context keeps only 28.
    if op == "+":
        return MONEY_CONTEXT.add(left, right)
    if op == "-":
        return MONEY_CONTEXT.subtract(left, right)
    if op == "*":
        return MONEY_CONTEXT.multiply(left, right)
    if op == "/":
        return MONEY_CONTEXT.divide(left, right).to_integral_value(rounding=ROUND_DOWN)
    raise fail("unsupported combination of types in the operator", node, source)


def index(container: Any, key: Any, node: ast.Node, source: str) -> Any:
    """`a[i]` / `m[k]`: a missing map key reads as nil, an array index must be in range."""
    if isinstance(container, dict):
        if not isinstance(key, str):
            raise fail(f"index of map cannot be type {type_name(key)}", node, source)
        return container.get(key)
    if isinstance(container, (list, str, bytes)):
        if isinstance(key, bool) or not isinstance(key, int):
            raise fail(f"index of array cannot be type {type_name(key)}", node, source)
        if not 0 <= key < len(container):
            raise fail("the index is out of range", node, source)
        return container[key]
    raise fail(f"cannot index {type_name(container)}", node, source)


def store_index(
    m: Machine, container: Any, key: Any, value: Any, node: ast.Node, source: str
) -> None:
    """`a[i] = v` / `m[k] = v`; an array grows to reach the index, within bounds."""
    if isinstance(container, dict):
        if not isinstance(key, str):
            raise fail(f"index of map cannot be type {type_name(key)}", node, source)
        if key not in container:
            m.produce(KEY_BYTES, node, source)
        container[key] = value
        m.checked(container, node, source)
    elif isinstance(container, list):
        if isinstance(key, bool) or not isinstance(key, int):
            raise fail(f"index of array cannot be type {type_name(key)}", node, source)
        if key < 0 or key >= m.limits.array_size:
            raise fail("the index is out of range", node, source)
        if key >= len(container):
            m.produce((key + 1 - len(container)) * ITEM_BYTES, node, source)
            container.extend([None] * (key + 1 - len(container)))
        container[key] = value
    else:
        raise fail(f"cannot index {type_name(container)}", node, source)


def fill_params(
    data: tuple[ast.DataField, ...], given: Mapping[str, Any], node: ast.Node, source: str
) -> dict[str, Any]:
    """A called contract's data fields from named values: unknown and missing ones fail."""
    known = {f.name for f in data}
    for key in given:
        if key not in known:
            raise fail(f"'{key}' parameter is not required", node, source)
    params: dict[str, Any] = {}
    for field in data:
        if field.name in given:
            params[field.name] = convert(field.type, given[field.name])
        elif field.optional:
            params[field.name] = ZERO[field.type]()
        else:
            raise fail(f"Parameter {field.name} has not been found", node, source)
    return params
