"""Compiles a Needle syntax tree into nested Python closures, the compact form the machine runs.

(Over 600 lines: one Compiler, a method per construct, all sharing its scope and loop state.)

Each expression becomes `f(machine, frame) -> value` and each statement `f(machine, frame) ->
signal` (None, BREAK, CONTINUE or a Ret). Names are resolved once, here: locals become frame
slots, calls are bound to their function or built-in, and fuel is charged per statement with a
price counted here from its nodes. That is several times faster than walking the tree.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from chain.golang.ints import INT64_MAX, INT64_MIN
from contracts import ast
from contracts.errors import (
    ContractCompileError,
    ContractRaise,
    ContractRuntimeError,
    ContractThrow,
    HostError,
)
from contracts.program import (
    BREAK,
    CONTINUE,
    Builtin,
    Builtins,
    Code,
    Contract,
    Function,
    Program,
    Ret,
    arg_size_fuel,
    enter_contract,
    find_contract,
    size_fuel,
)
from contracts.vm import (
    ITEM_BYTES,
    KEY_BYTES,
    SYSTEM_VARS,
    ZERO,
    Machine,
    arith,
    convert,
    equal,
    fail,
    fill_params,
    index,
    memory_size,
    store_index,
    to_str,
    truthy,
)


class _Scope:
    """Block scopes of one function: name -> (slot, declared type)."""

    def __init__(self) -> None:
        self.levels: list[dict[str, tuple[int, str | None]]] = [{}]
        self.nslots = 0

    def declare(self, name: str, kind: str | None) -> int:
        current = self.levels[-1]
        known = current.get(name)
        if known is not None and known[1] == kind:
            return known[0]
        slot = self.nslots
        self.nslots += 1
        current[name] = (slot, kind)
        return slot

    def find(self, name: str) -> tuple[int, str | None] | None:
        for level in reversed(self.levels):
            if name in level:
                return level[name]
        return None


def node_count(node: Any) -> int:
    """How many expression nodes a statement evaluates at most: its fuel price."""
    if isinstance(node, ast.Block):
        return 0  # nested blocks charge for their own statements
    if isinstance(node, ast.Node):
        total = 1
        for value in vars(node).values():
            total += node_count(value)
        return total
    if isinstance(node, tuple):
        return sum(node_count(item) for item in node)
    return 0


class Compiler:
    """Turns a parsed module into a Program; one Compiler per module."""

    def __init__(
        self,
        module: ast.Module,
        builtins: Builtins,
        source: str,
        ecosystem: int = 1,
        known_contracts: Callable[[str], bool] | None = None,
    ) -> None:
        self.module = module
        self.builtins = builtins
        self.source = source
        self.ecosystem = ecosystem
        self.known_contracts = known_contracts
        self.program = Program({}, {})
        self.local: dict[str, Function] = {}
        self.contract: ast.Contract | None = None
        self.scope = _Scope()
        self.loops = 0
        self.source_of_fn = source

    # ---- definitions ---------------------------------------------------------------------

    def compile(self) -> Program:
        shells: list[tuple[Function, ast.Contract | None]] = []
        for item in self.module.items:
            if isinstance(item, ast.Func):
                fn = Function(item.name, item, self.source or self._default_source())
                self.program.funcs[item.name] = fn
                shells.append((fn, None))
            else:
                name = self.source or f"@{self.ecosystem}{item.name}"
                contract = Contract(
                    item.name,
                    self.ecosystem,
                    item.data,
                    {k: v.value for k, v in item.settings},
                    {},
                    name,
                )
                for func in item.funcs:
                    fn = Function(func.name, func, name)
                    contract.funcs[func.name] = fn
                    shells.append((fn, item))
                self.program.contracts[item.name] = contract
        for fn, owner in shells:
            self._function(fn, owner)
        return self.program

    def _default_source(self) -> str:
        # Top-level funcs of a contract's source report positions under the contract's name.
        first = next((i for i in self.module.items if isinstance(i, ast.Contract)), None)
        return f"@{self.ecosystem}{first.name}" if first is not None else ""

    def _function(self, fn: Function, owner: ast.Contract | None) -> None:
        self.contract = owner
        self.local = self.program.contracts[owner.name].funcs if owner is not None else {}
        self.source_of_fn = fn.source
        self.scope = _Scope()
        node = fn.node
        fn.param_slots = tuple(self.scope.declare(p.name, p.type) for p in node.params)
        if node.variadic is not None:
            fn.variadic_slot = self.scope.declare(node.variadic, "array")
        for tail in node.tails:
            params = tuple((self.scope.declare(p.name, p.type), p.type) for p in tail.params)
            rest = self.scope.declare(tail.variadic, "array") if tail.variadic else None
            fn.tails[tail.name] = (params, rest)
        fn.body = self._block(node.body, new_scope=False)
        fn.nslots = self.scope.nslots

    def error(self, message: str, node: ast.Node) -> ContractCompileError:
        return ContractCompileError(message, node.line, node.col, self.source_of_fn)

    # ---- statements ----------------------------------------------------------------------

    def _block(self, block: ast.Block, new_scope: bool = True) -> Code:
        if new_scope:
            self.scope.levels.append({})
        try:
            items = tuple((node_count(s), s, self._stmt(s)) for s in block.body)
        finally:
            if new_scope:
                self.scope.levels.pop()
        source = self.source_of_fn

        def run(m: Machine, f: list[Any]) -> Any:
            for cost, node, stmt in items:
                m.fuel -= cost
                if m.fuel < m.check_at:
                    m.tick(node, source)
                signal = stmt(m, f)
                if signal is not None:
                    return signal
            return None

        if len(items) == 1:
            cost, node, stmt = items[0]

            def run_one(m: Machine, f: list[Any]) -> Any:
                m.fuel -= cost
                if m.fuel < m.check_at:
                    m.tick(node, source)
                return stmt(m, f)

            return run_one
        return run

    def _stmt(self, node: ast.Node) -> Code:
        source = self.source_of_fn
        if isinstance(node, ast.ExprStmt):
            expr = self._expr(node.expr)

            def expr_stmt(m: Machine, f: list[Any]) -> Any:
                expr(m, f)
                return None

            return expr_stmt
        if isinstance(node, ast.Assign):
            return self._assign(node)
        if isinstance(node, ast.VarDecl):
            decls = tuple((self.scope.declare(name, kind), ZERO[kind]) for name, kind in node.names)

            def var_decl(m: Machine, f: list[Any]) -> Any:
                for slot, zero in decls:
                    f[slot] = zero()
                return None

            return var_decl
        if isinstance(node, ast.IncDec):
            step = 1 if node.op == "++" else -1
            target = node.target
            value = ast.Binary(node.line, node.col, "+", target, ast.Literal(0, 0, "int", step))
            return self._assign(ast.Assign(node.line, node.col, "=", (target,), (value,)))
        if isinstance(node, ast.If):
            return self._if(node)
        if isinstance(node, ast.While):
            return self._while(node)
        if isinstance(node, (ast.Break, ast.Continue)):
            if not self.loops:
                raise self.error(f"{type(node).__name__.lower()} is not inside a loop", node)
            signal = BREAK if isinstance(node, ast.Break) else CONTINUE
            return lambda m, f: signal
        if isinstance(node, ast.Return):
            if node.value is None:
                empty = Ret(None)
                return lambda m, f: empty
            value_code = self._expr(node.value)
            return lambda m, f: Ret(value_code(m, f))
        if isinstance(node, ast.Raise):
            text = self._expr(node.value)
            kind = node.kind

            def raise_stmt(m: Machine, f: list[Any]) -> Any:
                raise ContractRaise(kind, to_str(text(m, f)), node.line, node.col, source)

            return raise_stmt
        if isinstance(node, ast.Block):
            return self._block(node)
        raise self.error(f"unsupported statement {type(node).__name__}", node)

    def _if(self, node: ast.If) -> Code:
        branches = tuple((self._expr(c), self._block(b)) for c, b in node.branches)
        orelse = self._block(node.orelse) if node.orelse is not None else None
        if len(branches) == 1:
            (cond, body) = branches[0]

            def if_one(m: Machine, f: list[Any]) -> Any:
                value = cond(m, f)
                if value is True or (value is not False and truthy(value)):
                    return body(m, f)
                if orelse is not None:
                    return orelse(m, f)
                return None

            return if_one

        def if_chain(m: Machine, f: list[Any]) -> Any:
            for cond, body in branches:
                if truthy(cond(m, f)):
                    return body(m, f)
            if orelse is not None:
                return orelse(m, f)
            return None

        return if_chain

    def _while(self, node: ast.While) -> Code:
        cond = self._expr(node.cond)
        self.loops += 1
        try:
            body = self._block(node.body)
        finally:
            self.loops -= 1
        source = self.source_of_fn

        def while_loop(m: Machine, f: list[Any]) -> Any:
            while truthy(cond(m, f)):
                m.fuel -= 1
                if m.fuel < m.check_at:
                    m.tick(node, source)
                signal = body(m, f)
                if signal is not None:
                    if signal is BREAK:
                        break
                    if signal is CONTINUE:
                        continue
                    return signal
            return None

        return while_loop

    def _assign(self, node: ast.Assign) -> Code:
        values = tuple(self._expr(v) for v in node.values)
        if node.op != "=":
            if len(node.targets) != 1 or len(values) != 1:
                raise self.error(f"{node.op} takes one variable and one value", node)
            op = node.op[:-1]
            combined = ast.Binary(node.line, node.col, op, node.targets[0], node.values[0])
            values = (self._expr(combined),)
        if len(values) != len(node.targets):
            raise self.error("wrong count of values in the assignment", node)
        stores = tuple(self._store(t) for t in node.targets)
        if len(stores) == 1:
            store, value = stores[0], values[0]

            def assign_one(m: Machine, f: list[Any]) -> Any:
                store(m, f, value(m, f))
                return None

            return assign_one

        def assign_many(m: Machine, f: list[Any]) -> Any:
            results = [v(m, f) for v in values]
            for s, result in zip(stores, results, strict=True):
                s(m, f, result)
            return None

        return assign_many

    def _store(self, target: ast.Node) -> Callable[[Machine, list[Any], Any], None]:
        source = self.source_of_fn
        if isinstance(target, ast.Name):
            found = self.scope.find(target.id)
            if found is None:
                raise self.error(f"unknown variable '{target.id}'", target)
            slot, kind = found
            if kind in ("money", "float"):

                def store_typed(m: Machine, f: list[Any], value: Any) -> None:
                    f[slot] = m.checked(convert(kind, value), target, source)

                return store_typed

            def store_local(m: Machine, f: list[Any], value: Any) -> None:
                t = type(value)
                if t is str or t is list or t is dict or t is bytes:
                    m.checked(value, target, source)
                f[slot] = value

            return store_local
        if isinstance(target, ast.TxVar):
            name = target.id
            if name in SYSTEM_VARS:
                raise self.error(f"system variable ${name} cannot be changed", target)

            def store_tx(m: Machine, f: list[Any], value: Any) -> None:
                m.tx[name] = m.checked(value, target, source)

            return store_tx
        if isinstance(target, ast.Index):
            obj = self._expr(target.obj)
            key = self._expr(target.index)

            def store_item(m: Machine, f: list[Any], value: Any) -> None:
                store_index(
                    m, obj(m, f), key(m, f), m.checked(value, target, source), target, source
                )

            return store_item
        raise self.error("cannot assign to this expression", target)

    # ---- expressions ---------------------------------------------------------------------

    def _expr(self, node: ast.Node) -> Code:
        method = getattr(self, f"_expr_{type(node).__name__}", None)
        if method is None:
            raise self.error(f"unsupported expression {type(node).__name__}", node)
        code: Code = method(node)
        return code

    def _expr_Literal(self, node: ast.Literal) -> Code:  # noqa: N802 - named after the node
        value = float(node.value) if node.kind == "float" else node.value
        return lambda m, f: value

    def _expr_Name(self, node: ast.Name) -> Code:  # noqa: N802
        found = self.scope.find(node.id)
        if found is None:
            raise self.error(f"unknown identifier {node.id}", node)
        slot = found[0]
        return lambda m, f: f[slot]

    def _expr_TxVar(self, node: ast.TxVar) -> Code:  # noqa: N802
        name, source = node.id, self.source_of_fn

        def tx_var(m: Machine, f: list[Any]) -> Any:
            try:
                return m.tx[name]
            except KeyError:
                raise fail(f"unknown variable ${name}", node, source) from None

        return tx_var

    def _expr_Unary(self, node: ast.Unary) -> Code:  # noqa: N802
        operand = self._expr(node.operand)
        source = self.source_of_fn
        if node.op == "!":
            return lambda m, f: not truthy(operand(m, f))
        negate = node.op == "-"

        def unary(m: Machine, f: list[Any]) -> Any:
            value = operand(m, f)
            if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
                raise fail("unsupported combination of types in the operator", node, source)
            return m.checked(-value if negate else value, node, source)

        return unary

    def _expr_Binary(self, node: ast.Binary) -> Code:  # noqa: N802
        left, right = self._expr(node.left), self._expr(node.right)
        op, source = node.op, self.source_of_fn
        if op == "&&":
            return lambda m, f: truthy(left(m, f)) and truthy(right(m, f))
        if op == "||":
            return lambda m, f: truthy(left(m, f)) or truthy(right(m, f))
        if op == "==":
            return lambda m, f: equal(left(m, f), right(m, f))
        if op == "!=":
            return lambda m, f: not equal(left(m, f), right(m, f))
        fast = _INT_FAST.get(op)
        if fast is not None:
            return fast(left, right, node, source)

        def binary(m: Machine, f: list[Any]) -> Any:
            return arith(m, op, left(m, f), right(m, f), node, source)

        return binary

    def _expr_ArrayLit(self, node: ast.ArrayLit) -> Code:  # noqa: N802
        items = tuple(self._expr(i) for i in node.items)
        source = self.source_of_fn

        def array_lit(m: Machine, f: list[Any]) -> Any:
            made = m.checked([i(m, f) for i in items], node, source)
            m.produce(len(made) * ITEM_BYTES, node, source)
            return made

        return array_lit

    def _expr_MapLit(self, node: ast.MapLit) -> Code:  # noqa: N802
        source = self.source_of_fn
        pairs: list[tuple[str | Code, Code]] = []
        for key, value in node.pairs:
            if isinstance(key, str):
                pairs.append((key, self._expr(value)))
            else:
                pairs.append((self._expr(key), self._expr(value)))
        frozen = tuple(pairs)

        def map_lit(m: Machine, f: list[Any]) -> Any:
            result: dict[str, Any] = {}
            for key, value in frozen:
                name = key if isinstance(key, str) else to_str(key(m, f))
                result[name] = value(m, f)
            m.produce(len(result) * KEY_BYTES, node, source)
            return m.checked(result, node, source)

        return map_lit

    def _expr_Index(self, node: ast.Index) -> Code:  # noqa: N802
        obj, key, source = self._expr(node.obj), self._expr(node.index), self.source_of_fn
        return lambda m, f: index(obj(m, f), key(m, f), node, source)

    def _expr_Slice(self, node: ast.Slice) -> Code:  # noqa: N802
        obj = self._expr(node.obj)
        low = self._expr(node.low) if node.low is not None else None
        high = self._expr(node.high) if node.high is not None else None
        source = self.source_of_fn

        def slice_expr(m: Machine, f: list[Any]) -> Any:
            seq = obj(m, f)
            if not isinstance(seq, (list, str, bytes)):
                raise fail("the index is out of range", node, source)
            lo = 0 if low is None else low(m, f)
            hi = len(seq) if high is None else high(m, f)
            if not isinstance(lo, int) or not isinstance(hi, int) or not 0 <= lo <= hi <= len(seq):
                raise fail("the index is out of range", node, source)
            part = seq[lo:hi]
            m.produce(memory_size(part), node, source)
            return part

        return slice_expr

    def _expr_ContractCall(self, node: ast.ContractCall) -> Code:  # noqa: N802
        args = tuple(self._expr(a) for a in node.args)
        bare = node.name.lstrip("@")
        name = bare if bare[:1].isdigit() else f"{self.ecosystem}{bare}"
        full, source = f"@{name}", self.source_of_fn

        def contract_call(m: Machine, f: list[Any]) -> Any:
            contract = find_contract(m, full, node, source)
            values = [a(m, f) for a in args]
            if len(values) > len(contract.data):
                raise fail(f"too many parameters for contract {contract.name}", node, source)
            given = {d.name: v for d, v in zip(contract.data, values, strict=False)}
            return enter_contract(
                m, contract, fill_params(contract.data, given, node, source), node, source
            )

        return contract_call

    def _expr_Call(self, node: ast.Call) -> Code:  # noqa: N802
        name = node.name
        if name == "Throw":
            return self._throw(node)
        if name == "CallContract":
            return self._call_contract(node)
        fn = self.local.get(name) or self.program.funcs.get(name)
        if fn is not None:
            own, pipes = self._split_tails(node, {t.name for t in fn.node.tails})
            return self._pipes(self._call_function(fn, node, own), pipes, node)
        entry = self.builtins.get(name)
        if entry is not None:
            own, pipes = self._split_tails(node, set(entry.tails))
            return self._pipes(self._call_builtin(name, entry, node, own), pipes, node)
        if self._is_contract(name):
            return self._pipes(self._call_contract_as_func(node), node.tails, node)
        raise self.error(f"unknown identifier {name}", node)

    def _is_contract(self, name: str) -> bool:
        if name in self.program.contracts:
            return True
        return self.known_contracts is not None and self.known_contracts(name)

    def _split_tails(
        self, node: ast.Call, known: set[str]
    ) -> tuple[tuple[ast.Tail, ...], tuple[ast.Tail, ...]]:
        """Tails the callee takes, then the rest: `.One("id")` pipes the result into One."""
        for i, tail in enumerate(node.tails):
            if tail.name not in known:
                callee = self.local.get(tail.name) or self.program.funcs.get(tail.name)
                if callee is None and tail.name not in self.builtins:
                    raise self.error(f"unknown function tail '{tail.name}'", tail)
                return node.tails[:i], node.tails[i:]
        return node.tails, ()

    def _pipes(self, code: Code, pipes: tuple[ast.Tail, ...], node: ast.Call) -> Code:
        """`f(...).G(a)` where G is not a tail of f: G(f(...), a), and so on left to right."""
        if not pipes:
            return code
        first, rest = pipes[0], pipes[1:]
        target = self.local.get(first.name) or self.program.funcs.get(first.name)
        known: set[str] = set()
        if target is not None:
            known = {t.name for t in target.node.tails}
        else:
            known = set(self.builtins[first.name].tails)
        taken = []
        for tail in rest:
            if tail.name not in known:
                break
            taken.append(tail)
        remaining = rest[len(taken) :]
        synthetic = ast.Call(first.line, first.col, first.name, first.args, tuple(taken))
        if target is not None:
            piped = self._call_function(target, synthetic, tuple(taken), code)
        else:
            piped = self._call_builtin(
                first.name, self.builtins[first.name], synthetic, tuple(taken), code
            )
        return self._pipes(piped, remaining, node)

    def _tail_values(self, tail: ast.Tail) -> Callable[[Machine, list[Any]], list[Any]]:
        """A tail's values, its last one spread when written `x...`."""
        codes = tuple(self._expr(a) for a in tail.args)
        source = self.source_of_fn
        if not tail.spread:
            return _values_of(codes)

        def spread_values(m: Machine, f: list[Any]) -> list[Any]:
            values = [c(m, f) for c in codes]
            last = values.pop() if values else None
            if not isinstance(last, list):
                raise fail("only an array can be spread with ...", tail, source)
            values.extend(last)
            return values

        return spread_values

    def _arguments(
        self, node: ast.Call, first: Code | None
    ) -> Callable[[Machine, list[Any]], list[Any]]:
        codes = tuple(self._expr(a) for a in node.args)
        if first is not None:
            codes = (first, *codes)
        source = self.source_of_fn
        if node.spread:

            def spread_args(m: Machine, f: list[Any]) -> list[Any]:
                values = [c(m, f) for c in codes]
                last = values.pop() if values else None
                if not isinstance(last, list):
                    raise fail("only an array can be spread with ...", node, source)
                values.extend(last)
                return values

            return spread_args
        return _values_of(codes)

    def _call_function(
        self,
        fn: Function,
        node: ast.Call,
        tails: tuple[ast.Tail, ...],
        first: Code | None = None,
    ) -> Code:
        args = self._arguments(node, first)
        source = self.source_of_fn
        given = {t.name: self._tail_values(t) for t in tails}
        for tail in tails:
            params, rest = fn.tails[tail.name]
            if rest is None and not tail.spread and len(tail.args) > len(params):
                raise self.error(f"tail {tail.name} takes {len(params)} parameters", tail)
        # Tails left out get their parameters' zero values.
        fills = tuple((params, rest, given.get(name)) for name, (params, rest) in fn.tails.items())
        declared = len(fn.node.params)
        variadic = fn.node.variadic is not None
        if not variadic and not node.spread and len(node.args) + (first is not None) != declared:
            raise self.error(f"function {fn.name} must have {declared} parameters", node)

        def call(m: Machine, f: list[Any]) -> Any:
            values = args(m, f)
            if len(values) < declared or (not variadic and len(values) != declared):
                raise fail(f"function {fn.name} must have {declared} parameters", node, source)
            frame: list[Any] = [None] * fn.nslots
            for slot, value in zip(fn.param_slots, values, strict=False):
                frame[slot] = value
            if fn.variadic_slot is not None:
                frame[fn.variadic_slot] = values[declared:]
            for params, rest, tail_values in fills:
                given_values = tail_values(m, f) if tail_values is not None else []
                for i, (slot, kind) in enumerate(params):
                    frame[slot] = given_values[i] if i < len(given_values) else ZERO[kind]()
                if rest is not None:
                    frame[rest] = given_values[len(params) :]
                elif len(given_values) > len(params):
                    raise fail(f"too many values for a tail of {fn.name}", node, source)
            m.depth += 1
            try:
                if m.depth > m.limits.call_depth:
                    raise fail("the call stack is too deep", node, source)
                body = fn.body
                if body is None:
                    raise fail(f"function {fn.name} is not compiled", node, source)
                signal = body(m, frame)
            except RecursionError:  # a backstop: the depth limit should fire first
                raise fail("the call stack is too deep", node, source) from None
            finally:
                m.depth -= 1
            return signal.value if isinstance(signal, Ret) else None

        return call

    def _call_builtin(
        self,
        name: str,
        entry: Builtin,
        node: ast.Call,
        tails: tuple[ast.Tail, ...],
        first: Code | None = None,
    ) -> Code:
        args = self._arguments(node, first)
        source = self.source_of_fn
        tail_codes = tuple((t.name, self._tail_values(t)) for t in tails)
        fn, cost, with_machine = entry.fn, entry.fuel, entry.machine
        output_fuel, input_fuel = entry.output_fuel, entry.input_fuel

        def builtin(m: Machine, f: list[Any]) -> Any:
            values = args(m, f)
            kwargs = {t: tail_values(m, f) for t, tail_values in tail_codes} if tail_codes else None
            # Work grows with the size of what a built-in is given: price it.
            m.fuel -= cost + arg_size_fuel(values)
            if m.fuel < m.check_at:
                m.tick(node, source)
            try:
                if kwargs:
                    result = fn(m, *values, **kwargs) if with_machine else fn(*values, **kwargs)
                else:
                    result = fn(m, *values) if with_machine else fn(*values)
                if output_fuel:
                    # What it built (or read) can be far larger than its arguments: pay for it.
                    read = size_fuel(values[0]) if input_fuel and values else 0
                    m.fuel -= size_fuel(result) + read
            except ContractRuntimeError:
                raise
            except HostError as exc:
                error = (
                    ContractRuntimeError(exc.message)
                    if exc.positioned
                    else ContractRuntimeError(exc.message, node.line, node.col, source, name)
                )
                error.kind = exc.kind
                raise error from exc
            except (
                TypeError,
                ValueError,
                ArithmeticError,
                KeyError,
                IndexError,
                UnicodeError,
            ) as exc:
                raise ContractRuntimeError(str(exc), node.line, node.col, source, name) from exc
            # What it made counts against the memory cap (not an argument handed back).
            made = memory_size(result)
            if made and not any(result is v for v in values):
                m.produce(made, node, source)
            return m.checked(result, node, source)

        return builtin

    def _throw(self, node: ast.Call) -> Code:
        if len(node.args) != 2:
            raise self.error("function Throw must have 2 parameters", node)
        code, text = self._expr(node.args[0]), self._expr(node.args[1])
        source = self.source_of_fn

        def throw(m: Machine, f: list[Any]) -> Any:
            raise ContractThrow(to_str(code(m, f)), to_str(text(m, f)), node.line, node.col, source)

        return throw

    def _call_contract(self, node: ast.Call) -> Code:
        if len(node.args) != 2:
            raise self.error("function CallContract must have 2 parameters", node)
        name_code, params_code = self._expr(node.args[0]), self._expr(node.args[1])
        source, ecosystem = self.source_of_fn, self.ecosystem

        def call_contract(m: Machine, f: list[Any]) -> Any:
            name, params = name_code(m, f), params_code(m, f)
            if not isinstance(name, str) or not isinstance(params, (dict, type(None))):
                raise fail(
                    "CallContract takes a contract name and a map of parameters", node, source
                )
            m.charge(10, node, source)
            full = name if name.startswith("@") else f"@{ecosystem}{name}"
            contract = find_contract(m, full, node, source)
            return enter_contract(
                m, contract, fill_params(contract.data, params or {}, node, source), node, source
            )

        return call_contract

    def _call_contract_as_func(self, node: ast.Call) -> Code:
        """`Name(...)` naming a contract: positional values fill its data fields in order,
        or a first string "A,B" names the fields the following values fill."""
        args = self._arguments(node, None)
        full, source = f"@{self.ecosystem}{node.name}", self.source_of_fn

        def as_func(m: Machine, f: list[Any]) -> Any:
            contract = find_contract(m, full, node, source)
            if m.stack and m.stack[-1] == contract.full_name:
                raise fail("the contract can't call itself recursively", node, source)
            values = args(m, f)
            names = [d.name for d in contract.data]
            if values and isinstance(values[0], str):
                listed = [n.strip() for n in values[0].split(",")]
                if len(listed) == len(values) - 1 and set(listed) <= set(names):
                    names, values = listed, values[1:]
            if len(values) > len(names):
                raise fail(f"too many parameters for contract {contract.name}", node, source)
            given = dict(zip(names, values, strict=False))
            return enter_contract(
                m, contract, fill_params(contract.data, given, node, source), node, source
            )

        return as_func


def _values_of(codes: tuple[Code, ...]) -> Callable[[Machine, list[Any]], list[Any]]:
    """The values of a call's arguments, in order. Up to three are listed without a
    comprehension: its own frame per call was a tenth of a built-in call's cost."""
    if not codes:
        return lambda m, f: []
    if len(codes) == 1:
        (a,) = codes
        return lambda m, f: [a(m, f)]
    if len(codes) == 2:
        a, b = codes
        return lambda m, f: [a(m, f), b(m, f)]
    if len(codes) == 3:
        a, b, c = codes
        return lambda m, f: [a(m, f), b(m, f), c(m, f)]
    return lambda m, f: [code(m, f) for code in codes]


def _int_op(op: str) -> Callable[[Code, Code, ast.Node, str], Code]:
    """A binary operator with a fast path for two ints (the common case in loops).

    The closures are written out once per operator on purpose: a shared one calling
    `operator.add` and friends would add a call to every evaluation on the hottest path.
    """

    def make(left: Code, right: Code, node: ast.Node, source: str) -> Code:
        if op == "+":

            def add(m: Machine, f: list[Any]) -> Any:
                a, b = left(m, f), right(m, f)
                if type(a) is int and type(b) is int:
                    c = a + b
                    if INT64_MIN <= c <= INT64_MAX:
                        return c
                return arith(m, "+", a, b, node, source)

            return add
        if op == "-":

            def sub(m: Machine, f: list[Any]) -> Any:
                a, b = left(m, f), right(m, f)
                if type(a) is int and type(b) is int:
                    c = a - b
                    if INT64_MIN <= c <= INT64_MAX:
                        return c
                return arith(m, "-", a, b, node, source)

            return sub
        if op == "*":

            def mul(m: Machine, f: list[Any]) -> Any:
                a, b = left(m, f), right(m, f)
                if type(a) is int and type(b) is int:
                    c = a * b
                    if INT64_MIN <= c <= INT64_MAX:
                        return c
                return arith(m, "*", a, b, node, source)

            return mul
        if op == "<":

            def lt(m: Machine, f: list[Any]) -> Any:
                a, b = left(m, f), right(m, f)
                if type(a) is int and type(b) is int:
                    return a < b
                return arith(m, "<", a, b, node, source)

            return lt
        if op == "<=":

            def le(m: Machine, f: list[Any]) -> Any:
                a, b = left(m, f), right(m, f)
                if type(a) is int and type(b) is int:
                    return a <= b
                return arith(m, "<=", a, b, node, source)

            return le
        if op == ">":

            def gt(m: Machine, f: list[Any]) -> Any:
                a, b = left(m, f), right(m, f)
                if type(a) is int and type(b) is int:
                    return a > b
                return arith(m, ">", a, b, node, source)

            return gt

        def ge(m: Machine, f: list[Any]) -> Any:
            a, b = left(m, f), right(m, f)
            if type(a) is int and type(b) is int:
                return a >= b
            return arith(m, ">=", a, b, node, source)

        return ge

    return make


_INT_FAST = {op: _int_op(op) for op in ("+", "-", "*", "<", "<=", ">", ">=")}


def compile_module(
    module: ast.Module,
    builtins: Builtins,
    source: str = "",
    ecosystem: int = 1,
    known_contracts: Callable[[str], bool] | None = None,
) -> Program:
    """Compile a parsed module; `source` names it in error positions (default `@N<Contract>`)."""
    return Compiler(module, builtins, source, ecosystem, known_contracts).compile()
