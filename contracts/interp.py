"""A bounded tree-walking interpreter for Needle: fuel per step, call depth, value sizes, time."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from contracts import ast
from contracts.errors import ContractError

INT64_MIN, INT64_MAX = -(1 << 63), (1 << 63) - 1
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
        "stack",
        "node_position",
        "txhash",
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


class ContractRuntimeError(ContractError):
    """A failure while running a contract; `kind` is the txstatus errmsg type."""

    kind = "panic"

    def __init__(self, message: str, node: ast.Node | None = None, source_name: str = "") -> None:
        self.message = message
        self.line = node.line if node is not None else 0
        self.col = node.col if node is not None else 0
        self.source_name = source_name
        super().__init__(message)

    @property
    def position(self) -> str:
        return f"[{self.source_name}:{self.line}:{self.col}]"

    def __str__(self) -> str:
        return f"{self.position} {self.message}"


class ContractRaise(ContractRuntimeError):
    """`error`, `warning` or `info` in the source: the contract stops with that type."""

    def __init__(self, kind: str, message: str, node: ast.Node, source_name: str) -> None:
        super().__init__(message, node, source_name)
        self.kind = kind


class ContractThrow(ContractRuntimeError):
    """`Throw(id, message)`: an error a client can recognise by its id."""

    kind = "exception"

    def __init__(self, exception_id: str, message: str, node: ast.Node, source_name: str) -> None:
        super().__init__(message, node, source_name)
        self.exception_id = exception_id


class OutOfFuel(ContractRuntimeError):
    """The transaction used all the fuel it may."""


class TimeLimit(ContractRuntimeError):
    """The transaction ran longer than its time limit."""

    kind = "txError"


@dataclass(frozen=True)
class Limits:
    """Bounds on one transaction's execution."""

    fuel: int = 20_000_000
    seconds: float = 2.0
    call_depth: int = 40
    string_size: int = 1 << 20
    array_size: int = 1_000_000
    map_size: int = 100_000


Builtin = Callable[..., Any]


class _Break(Exception):
    pass


class _Continue(Exception):
    pass


@dataclass
class _Return(Exception):
    value: Any


@dataclass
class Frame:
    """Locals of one function call."""

    locals: dict[str, Any] = field(default_factory=dict)
    types: dict[str, str] = field(default_factory=dict)


def truthy(value: Any) -> bool:
    """How a condition reads any value (as go-ibax's ValueToBool)."""
    if isinstance(value, (list, dict, str, bytes)):
        return len(value) > 0
    return bool(value)


class Interpreter:
    """Runs the functions of one parsed module against transaction variables."""

    def __init__(
        self,
        module: ast.Module,
        builtins: Mapping[str, tuple[Builtin, int]],
        limits: Limits = Limits(),
        tx_vars: dict[str, Any] | None = None,
        source_name: str = "",
        library: Mapping[str, ast.Contract] | None = None,
    ) -> None:
        self.builtins = builtins
        self.limits = limits
        self.tx = tx_vars if tx_vars is not None else {}
        self.source_name = source_name
        self.fuel_used = 0
        self.depth = 0
        self._deadline = 0.0
        self.funcs: dict[str, ast.Func] = {}
        # Contracts that `@Name(...)` may call: the ecosystem's, then this module's own.
        self.contracts: dict[str, ast.Contract] = dict(library or {})
        self.stack: list[str] = []
        for item in module.items:
            if isinstance(item, ast.Func):
                self.funcs[item.name] = item
            else:
                self.contracts[item.name] = item

    # ---- entry points --------------------------------------------------------------------

    def run_contract(self, name: str) -> Any:
        """conditions, then action, of a contract; returns $result."""
        contract = self.contracts.get(name)
        if contract is None:
            raise ContractRuntimeError(f"unknown contract {name}")
        self._start()
        return self._run_contract(contract, contract)

    def _run_contract(self, contract: ast.Contract, node: ast.Node) -> Any:
        if contract.name in self.stack:
            raise self.fail("The contract can't call itself recursively", node)
        local = {f.name: f for f in contract.funcs}
        self.stack.append(contract.name)
        try:
            for part in ("conditions", "action"):
                if part in local:
                    self._call(local[part], [], {}, local, local[part])
        finally:
            self.stack.pop()
        return self.tx.get("result", "")

    def _find_contract(self, text: str, node: ast.Node) -> ast.Contract:
        contract = self.contracts.get(text.lstrip("@").lstrip("0123456789"))
        if contract is None:
            raise self.fail(f"unknown contract {text}", node)
        return contract

    def _call_contract(self, node: ast.ContractCall, args: list[Any]) -> Any:
        """`@1Name(a, b)`: the arguments fill the data fields in order; returns its $result."""
        contract = self._find_contract(node.name, node)
        if len(args) > len(contract.data):
            raise self.fail(f"too many parameters for contract {contract.name}", node)
        named = {f.name: v for f, v in zip(contract.data, args, strict=False)}
        return self._enter_contract(contract, named, node)

    def _enter_contract(
        self, contract: ast.Contract, given: Mapping[str, Any], node: ast.Node
    ) -> Any:
        """Run another contract with named parameters; returns its $result."""
        name = contract.name
        known = {f.name for f in contract.data}
        for key in given:
            if key not in known:
                raise self.fail(f"'{key}' parameter is not required", node)
        params: dict[str, Any] = {}
        for data_field in contract.data:
            if data_field.name in given:
                params[data_field.name] = _convert(data_field.type, given[data_field.name])
            elif data_field.optional:
                params[data_field.name] = ZERO[data_field.type]()
            else:
                raise self.fail(f"Parameter {data_field.name} has not been found", node)
        caller = self.tx
        # The called contract sees the same system variables, its own parameters and $result.
        self.tx = {k: v for k, v in caller.items() if k in SYSTEM_VARS}
        self.tx.update(params, result="", this_contract=f"@1{name}")
        try:
            return self._run_contract(contract, node)
        finally:
            self.tx = caller

    def run_func(self, name: str, *args: Any) -> Any:
        """Call a top-level function."""
        func = self.funcs.get(name)
        if func is None:
            raise ContractRuntimeError(f"unknown identifier {name}")
        self._start()
        return self._call(func, list(args), {}, {}, func)

    def _start(self) -> None:
        self._deadline = time.monotonic() + self.limits.seconds

    # ---- metering ------------------------------------------------------------------------

    def charge(self, amount: int, node: ast.Node) -> None:
        """Take fuel before doing the work; check the time limit now and then."""
        self.fuel_used += amount
        if self.fuel_used > self.limits.fuel:
            raise OutOfFuel("Fuel limit exceeded", node, self.source_name)
        if self.fuel_used & 0x3FF == 0 and time.monotonic() > self._deadline:
            raise TimeLimit("Time limit exceeded", node, self.source_name)

    def fail(self, message: str, node: ast.Node) -> ContractRuntimeError:
        return ContractRuntimeError(message, node, self.source_name)

    def _checked(self, value: Any, node: ast.Node) -> Any:
        if isinstance(value, bool):
            return value
        if isinstance(value, int) and not INT64_MIN <= value <= INT64_MAX:
            raise self.fail("integer overflow", node)
        if isinstance(value, (str, bytes)) and len(value) > self.limits.string_size:
            raise self.fail("the string is too long", node)
        if isinstance(value, list) and len(value) > self.limits.array_size:
            raise self.fail("the index is out of range", node)
        if isinstance(value, dict) and len(value) > self.limits.map_size:
            raise self.fail("the maximum length of map is exceeded", node)
        return value

    # ---- calls ---------------------------------------------------------------------------

    def _call(
        self,
        func: ast.Func,
        args: list[Any],
        tails: dict[str, list[Any]],
        local: Mapping[str, ast.Func],
        node: ast.Node,
    ) -> Any:
        self.depth += 1
        try:
            if self.depth > self.limits.call_depth:
                raise self.fail("the call stack is too deep", node)
            frame = Frame()
            if func.variadic is None and len(args) != len(func.params):
                raise self.fail(
                    f"function {func.name} must have {len(func.params)} parameters", node
                )
            fixed = args[: len(func.params)]
            for param, value in zip(func.params, fixed, strict=False):
                frame.locals[param.name], frame.types[param.name] = value, param.type
            if func.variadic is not None:
                frame.locals[func.variadic] = list(args[len(func.params) :])
            for tail in func.tails:
                given = tails.get(tail.name)
                for i, param in enumerate(tail.params):
                    value = given[i] if given is not None and i < len(given) else ZERO[param.type]()
                    frame.locals[param.name], frame.types[param.name] = value, param.type
            try:
                self._block(func.body, frame, local)
            except _Return as ret:
                return ret.value
            return None
        except RecursionError as exc:  # a backstop: the depth limit should fire first
            raise self.fail("the call stack is too deep", node) from exc
        finally:
            self.depth -= 1

    # ---- statements ----------------------------------------------------------------------

    def _block(self, block: ast.Block, frame: Frame, local: Mapping[str, ast.Func]) -> None:
        for stmt in block.body:
            self._stmt(stmt, frame, local)

    def _stmt(self, node: ast.Node, frame: Frame, local: Mapping[str, ast.Func]) -> None:
        self.charge(1, node)
        match node:
            case ast.ExprStmt(expr=expr):
                self.eval(expr, frame, local)
            case ast.Assign():
                self._assign(node, frame, local)
            case ast.VarDecl(names=names):
                for name, kind in names:
                    frame.locals[name], frame.types[name] = ZERO[kind](), kind
            case ast.IncDec(op=op, target=target):
                step = 1 if op == "++" else -1
                self._store(
                    target,
                    self._arith("+", self.eval(target, frame, local), step, node),
                    frame,
                    local,
                )
            case ast.If(branches=branches, orelse=orelse):
                for cond, body in branches:
                    if truthy(self.eval(cond, frame, local)):
                        self._block(body, frame, local)
                        return
                if orelse is not None:
                    self._block(orelse, frame, local)
            case ast.While(cond=cond, body=body):
                while truthy(self.eval(cond, frame, local)):
                    self.charge(1, node)
                    try:
                        self._block(body, frame, local)
                    except _Break:
                        break
                    except _Continue:
                        continue
            case ast.Break():
                raise _Break()
            case ast.Continue():
                raise _Continue()
            case ast.Return(value=value):
                raise _Return(None if value is None else self.eval(value, frame, local))
            case ast.Raise(kind=kind, value=value):
                text = self.eval(value, frame, local)
                raise ContractRaise(kind, _to_str(text), node, self.source_name)
            case ast.Block():
                self._block(node, frame, local)
            case _:
                raise self.fail(f"unsupported statement {type(node).__name__}", node)

    def _assign(self, node: ast.Assign, frame: Frame, local: Mapping[str, ast.Func]) -> None:
        values = [self.eval(v, frame, local) for v in node.values]
        if node.op != "=":
            if len(node.targets) != 1 or len(values) != 1:
                raise self.fail(f"{node.op} takes one variable and one value", node)
            current = self.eval(node.targets[0], frame, local)
            values = [self._arith(node.op[:-1], current, values[0], node)]
        if len(values) != len(node.targets):
            raise self.fail("wrong count of values in the assignment", node)
        for target, value in zip(node.targets, values, strict=True):
            self._store(target, value, frame, local)

    def _store(
        self, target: ast.Node, value: Any, frame: Frame, local: Mapping[str, ast.Func]
    ) -> None:
        value = self._checked(value, target)
        match target:
            case ast.Name(id=name):
                if name not in frame.locals:
                    raise self.fail(f"unknown identifier {name}", target)
                frame.locals[name] = _convert(frame.types.get(name), value)
            case ast.TxVar(id=name):
                if name in SYSTEM_VARS:
                    raise self.fail(f"system variable ${name} cannot be changed", target)
                self.tx[name] = value
            case ast.Index(obj=obj, index=index):
                container = self.eval(obj, frame, local)
                key = self.eval(index, frame, local)
                if isinstance(container, dict):
                    if not isinstance(key, str):
                        raise self.fail(f"index of map cannot be type {_type_name(key)}", target)
                    container[key] = value
                    self._checked(container, target)
                elif isinstance(container, list):
                    if not isinstance(key, int) or key < 0 or key > self.limits.array_size:
                        raise self.fail("the index is out of range", target)
                    if key >= len(container):
                        container.extend([None] * (key + 1 - len(container)))
                    container[key] = value
                else:
                    raise self.fail(f"cannot index {_type_name(container)}", target)
            case _:
                raise self.fail("cannot assign to this expression", target)

    # ---- expressions ---------------------------------------------------------------------

    def eval(self, node: ast.Node, frame: Frame, local: Mapping[str, ast.Func]) -> Any:
        self.charge(1, node)
        match node:
            case ast.Literal(kind=kind, value=value):
                if kind == "float":
                    return float(value)
                return value
            case ast.Name(id=name):
                if name not in frame.locals:
                    raise self.fail(f"unknown identifier {name}", node)
                return frame.locals[name]
            case ast.TxVar(id=name):
                if name not in self.tx:
                    raise self.fail(f"unknown variable ${name}", node)
                return self.tx[name]
            case ast.Unary(op=op, operand=operand):
                value = self.eval(operand, frame, local)
                if op == "!":
                    return not truthy(value)
                if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
                    raise self.fail("unsupported combination of types in the operator", node)
                return self._checked(-value if op == "-" else value, node)
            case ast.Binary(op="&&", left=left, right=right):
                return truthy(self.eval(left, frame, local)) and truthy(
                    self.eval(right, frame, local)
                )
            case ast.Binary(op="||", left=left, right=right):
                return truthy(self.eval(left, frame, local)) or truthy(
                    self.eval(right, frame, local)
                )
            case ast.Binary(op=op, left=left, right=right):
                return self._arith(
                    op, self.eval(left, frame, local), self.eval(right, frame, local), node
                )
            case ast.ArrayLit(items=items):
                return self._checked([self.eval(i, frame, local) for i in items], node)
            case ast.MapLit(pairs=pairs):
                result: dict[str, Any] = {}
                for key, value in pairs:
                    name = key if isinstance(key, str) else _to_str(self.eval(key, frame, local))
                    result[name] = self.eval(value, frame, local)
                return self._checked(result, node)
            case ast.Index(obj=obj, index=index):
                return self._index(
                    self.eval(obj, frame, local), self.eval(index, frame, local), node
                )
            case ast.Slice(obj=obj, low=low, high=high):
                seq = self.eval(obj, frame, local)
                lo = 0 if low is None else self.eval(low, frame, local)
                hi = len(seq) if high is None else self.eval(high, frame, local)
                if not isinstance(seq, (list, str, bytes)) or not 0 <= lo <= hi <= len(seq):
                    raise self.fail("the index is out of range", node)
                return seq[lo:hi]
            case ast.Call():
                return self._call_named(node, frame, local)
            case ast.ContractCall(args=args):
                return self._call_contract(node, [self.eval(a, frame, local) for a in args])
        raise self.fail(f"unsupported expression {type(node).__name__}", node)

    def _call_named(self, node: ast.Call, frame: Frame, local: Mapping[str, ast.Func]) -> Any:
        args = [self.eval(a, frame, local) for a in node.args]
        if node.spread and args:
            last = args.pop()
            if not isinstance(last, list):
                raise self.fail("only an array can be spread with ...", node)
            args.extend(last)
        tails = {t.name: [self.eval(a, frame, local) for a in t.args] for t in node.tails}
        func = local.get(node.name) or self.funcs.get(node.name)
        if func is None and node.name in ("Throw", "CallContract"):
            return self._special(node, args)
        if func is not None:
            unknown = set(tails) - {t.name for t in func.tails}
            if unknown:
                raise self.fail(f"unknown tail {sorted(unknown)[0]} of {node.name}", node)
            return self._call(func, args, tails, local, node)
        entry = self.builtins.get(node.name)
        if entry is None:
            raise self.fail(f"unknown identifier {node.name}", node)
        builtin, cost = entry
        self.charge(cost, node)
        try:
            return self._checked(builtin(*args, **tails) if tails else builtin(*args), node)
        except ContractRuntimeError:
            raise
        except (TypeError, ValueError, ArithmeticError, KeyError, IndexError, UnicodeError) as exc:
            raise self.fail(f"{node.name}: {exc}", node) from exc

    def _special(self, node: ast.Call, args: list[Any]) -> Any:
        """Built-ins that need the interpreter itself."""
        if node.name == "Throw":
            if len(args) != 2:
                raise self.fail("function Throw must have 2 parameters", node)
            raise ContractThrow(_to_str(args[0]), _to_str(args[1]), node, self.source_name)
        if len(args) != 2 or not isinstance(args[0], str) or not isinstance(args[1], dict):
            raise self.fail("CallContract takes a contract name and a map of parameters", node)
        self.charge(10, node)
        return self._enter_contract(self._find_contract(args[0], node), args[1], node)

    def _index(self, container: Any, key: Any, node: ast.Node) -> Any:
        if isinstance(container, dict):
            if not isinstance(key, str):
                raise self.fail(f"index of map cannot be type {_type_name(key)}", node)
            return container.get(key)
        if isinstance(container, (list, str, bytes)):
            if isinstance(key, bool) or not isinstance(key, int):
                raise self.fail(f"index of array cannot be type {_type_name(key)}", node)
            if not 0 <= key < len(container):
                raise self.fail("the index is out of range", node)
            return container[key]
        raise self.fail(f"cannot index {_type_name(container)}", node)

    def _arith(self, op: str, left: Any, right: Any, node: ast.Node) -> Any:
        if op in ("==", "!="):
            same = _equal(left, right)
            return same if op == "==" else not same
        if isinstance(left, str) and isinstance(right, str):
            if op == "+":
                return self._checked(left + right, node)
            if op in ("<", "<=", ">", ">="):
                return _compare(op, left, right)
            raise self.fail("unsupported combination of types in the operator", node)
        if isinstance(left, bool) or isinstance(right, bool):
            raise self.fail("unsupported combination of types in the operator", node)
        if not isinstance(left, (int, float, Decimal)) or not isinstance(
            right, (int, float, Decimal)
        ):
            raise self.fail("unsupported combination of types in the operator", node)
        if isinstance(left, Decimal) or isinstance(right, Decimal):
            left, right = _decimal(left), _decimal(right)
        elif isinstance(left, float) or isinstance(right, float):
            left, right = float(left), float(right)
        if op in ("<", "<=", ">", ">="):
            return _compare(op, left, right)
        if op in ("/", "%") and right == 0:
            raise self.fail("divided by zero", node)
        if op in ("<<", ">>", "&", "|", "^", "%") and not (
            isinstance(left, int) and isinstance(right, int)
        ):
            raise self.fail("unsupported combination of types in the operator", node)
        result: Any
        match op:
            case "+":
                result = left + right
            case "-":
                result = left - right
            case "*":
                result = left * right
            case "/":
                if isinstance(left, int) and isinstance(right, int):
                    quotient = abs(left) // abs(right)  # Go truncates toward zero
                    result = quotient if (left >= 0) == (right >= 0) else -quotient
                elif isinstance(left, Decimal):
                    result = (left / right).to_integral_value(rounding="ROUND_DOWN")
                else:
                    result = left / right
            case "%":
                result = abs(left) % abs(right) * (1 if left >= 0 else -1)
            case "<<":
                if not 0 <= right < 64:
                    raise self.fail("invalid shift", node)
                result = left << right
            case ">>":
                if not 0 <= right < 64:
                    raise self.fail("invalid shift", node)
                result = left >> right
            case "&":
                result = left & right
            case "|":
                result = left | right
            case "^":
                result = left ^ right
            case _:
                raise self.fail(f"unknown operator {op}", node)
        return self._checked(result, node)


def _decimal(value: Any) -> Decimal:
    try:
        return Decimal(str(value)) if isinstance(value, float) else Decimal(value)
    except InvalidOperation as exc:
        raise ValueError(f"{value!r} is not a number") from exc


def _compare(op: str, left: Any, right: Any) -> bool:
    if op == "<":
        return bool(left < right)
    if op == "<=":
        return bool(left <= right)
    if op == ">":
        return bool(left > right)
    return bool(left >= right)


def _equal(left: Any, right: Any) -> bool:
    if isinstance(left, bool) != isinstance(right, bool):
        return False
    return bool(left == right)


def _convert(kind: str | None, value: Any) -> Any:
    # A typed local keeps its type: money stays exact, an int assigned to a float widens.
    if kind == "money" and isinstance(value, (int, str)) and not isinstance(value, bool):
        return _decimal(value)
    if kind == "float" and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    return value


def _type_name(value: Any) -> str:
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


def _to_str(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
