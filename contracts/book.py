"""The ledger's view of Needle contracts: find, compile, describe and run stored contracts."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from chain.address import BLACK_HOLE_ID, WHITE_HOLE_ID, address_to_string
from chain.contract_registry import CONTRACT_ID_SHIFT, ContractInfo, ContractLookup, Field
from chain.crypto import Crypto
from chain.execute import TxContext, TxFailure
from chain.fees import HistoryRecord, Payment
from chain.freshness import Head, HeadKeyed
from chain.observer import Notices
from chain.storage.ecosystem_defaults import GUEST_PUBLIC
from chain.storage.repo.contracts import (
    ContractRow,
    get_contract,
    get_contract_by_name,
    list_contract_names,
)
from chain.storage.repo.params import get_platform_parameter
from chain.tables import TableCatalog, split_name
from contracts import ast, payments
from contracts.bridge import pause, run_sync, wait
from contracts.builtins import node_builtins
from contracts.builtins.format import go_text
from contracts.compiler import compile_module
from contracts.ecosystems import install_ecosystem
from contracts.errors import (
    ContractError,
    ContractRuntimeError,
    ContractSyntaxError,
    ContractThrow,
    HostError,
    error_text,
)
from contracts.host import BlockCache, HostContext, TxHost
from contracts.parser import parse, parse_expression
from contracts.program import Builtins, Contract, Function, Program, run_contract
from contracts.vm import ZERO, Limits, Machine

MAX_COMPILED = 10_000  # compiled sources kept in memory
MAX_CONDITIONS = 10_000  # compiled permission conditions kept in memory

FUEL_DIVISOR = 10  # our fuel counts statements' nodes; the reference's max_fuel_tx is finer
TIME_LIMIT_S = 1.0


@dataclass(frozen=True)
class Stored:
    """A contract row and its compiled form."""

    row: ContractRow
    contract: Contract


class NeedleBook:
    """Implements chain.execute.ContractBook and contracts.host.Runtime.

    Compiled sources are cached by (row id, source), so an edited contract compiles anew. Which
    row a name means is cached per block only, as a failed block may have created it; what
    sendTx reads of contracts, per head (chain.freshness).
    """

    def __init__(self, engine: AsyncEngine, crypto: Crypto) -> None:
        self._engine = engine
        self._crypto = crypto
        self.builtins: Builtins = node_builtins(crypto)
        self.catalog = TableCatalog()  # the block producer's (it sees uncommitted DDL)
        self._compiled: dict[tuple[int, str], Program | None] = {}
        self._conditions: dict[str, Function] = {}
        self._block = BlockCache(0)
        self._names: dict[tuple[int, str], Stored | None] = {}
        self._by_id: dict[int, Stored | None] = {}  # this block's contracts by table id
        self._infos: dict[int, tuple[Stored, ContractInfo]] = {}  # describe's, by Stored
        self._fuel: int | None = None  # this block's max_fuel_tx
        self._lookups: HeadKeyed[dict[int, ContractInfo | None]] = HeadKeyed(dict)  # sendTx's
        self._conn: AsyncConnection | None = None
        self._guest = crypto.address(GUEST_PUBLIC)  # hashing it per transaction showed up
        # The $ variables every caller sees alike (their addresses' texts cost a checksum each).
        self._fixed_vars: dict[str, Any] = {
            "node_position": 0,
            "guest_key": self._guest,
            "guest_account": address_to_string(self._guest),
            "black_hole_key": BLACK_HOLE_ID,
            "black_hole_account": address_to_string(BLACK_HOLE_ID),
            "white_hole_key": WHITE_HOLE_ID,
            "white_hole_account": address_to_string(WHITE_HOLE_ID),
            "result": "",
        }

    # ---- compiling -----------------------------------------------------------------------

    def _program(self, row: ContractRow) -> Program | None:
        key = (row.id, row.value)
        if key not in self._compiled:
            if len(self._compiled) >= MAX_COMPILED:
                self._compiled.clear()
            try:
                module = parse(row.value, f"@{row.ecosystem}{row.name}")
                # Stored sources passed the deploy-time checks; a name that is neither a
                # function nor a built-in is a contract, resolved when it is called.
                program: Program | None = compile_module(
                    module, self.builtins, "", row.ecosystem, lambda _name: True
                )
            except ContractError:
                program = None
            self._compiled[key] = program
        return self._compiled[key]

    def _stored(self, row: ContractRow) -> Stored | None:
        program = self._program(row)
        contract = program.contracts.get(row.name) if program is not None else None
        return Stored(row, contract) if contract is not None else None

    def _info(self, stored: Stored) -> ContractInfo:
        fields = tuple(Field(f.name, f.type, f.optional) for f in stored.contract.data)
        row = stored.row
        return ContractInfo(row.id, row.name, row.ecosystem, fields, row.wallet_id, row.token_id)

    def _condition(self, text: str) -> Function:
        fn = self._conditions.get(text)
        if fn is None:
            expr = parse_expression(text, "condition")
            body = ast.Block(expr.line, expr.col, (ast.Return(expr.line, expr.col, expr),))
            func = ast.Func(expr.line, expr.col, "condition", (), None, (), ("bool",), body)
            module = ast.Module(expr.line, expr.col, (func,))
            program = compile_module(module, self.builtins, "condition", 1, lambda _n: True)
            fn = program.funcs["condition"]
            if len(self._conditions) >= MAX_CONDITIONS:
                self._conditions.clear()
            self._conditions[text] = fn
        return fn

    # ---- chain.execute.ContractBook ------------------------------------------------------

    def begin_block(self, block_id: int) -> None:
        """A new block starts: forget what the last one (maybe failed) made us remember."""
        self._block = BlockCache(block_id)
        self._names.clear()
        self._by_id.clear()
        self._fuel = None
        self.catalog.forget()

    async def lookup(self, contract_id: int) -> ContractInfo | None:
        """A committed contract's description, read now (tools; sendTx uses `lookup_at`)."""
        async with self._engine.connect() as conn:
            row = await get_contract(conn, contract_id - CONTRACT_ID_SHIFT)
        stored = self._stored(row) if row is not None else None
        return self._info(stored) if stored is not None else None

    def lookup_at(self, head: Head) -> ContractLookup:
        """Descriptions as of `head`, which the caller has just read, remembered until it moves.

        sendTx checks every tx's parameters: a connection and a query each was a tenth of
        the node's time under load, so one read per contract and head is all it costs.
        """
        known = self._lookups.at(head)

        async def lookup(contract_id: int) -> ContractInfo | None:
            if contract_id not in known:
                info = await self.lookup(contract_id)
                if len(known) >= MAX_COMPILED:
                    known.clear()
                known[contract_id] = info  # also None: a deploy would move the head
            return known[contract_id]

        return lookup

    async def describe(self, conn: AsyncConnection, contract_id: int) -> ContractInfo | None:
        stored = await self._stored_id(conn, contract_id - CONTRACT_ID_SHIFT)
        if stored is None:
            return None
        # Every contract tx asks this: its description is built once per stored contract.
        known = self._infos.get(contract_id)
        if known is None or known[0] is not stored:
            if len(self._infos) >= MAX_COMPILED:
                self._infos.clear()
            known = self._infos[contract_id] = (stored, self._info(stored))
        return known[1]

    async def _stored_id(self, conn: AsyncConnection, table_id: int) -> Stored | None:
        if table_id not in self._by_id:
            row = await get_contract(conn, table_id)
            self._by_id[table_id] = self._stored(row) if row is not None else None
        return self._by_id[table_id]

    async def describe_name(
        self, conn: AsyncConnection, ecosystem: int, name: str
    ) -> tuple[ContractInfo, ContractRow] | None:
        """A contract by name (for the contract endpoint): its description and stored row."""
        row = await get_contract_by_name(conn, ecosystem, name)
        stored = self._stored(row) if row is not None else None
        return (self._info(stored), stored.row) if stored is not None else None

    async def run(self, ctx: TxContext, contract: ContractInfo, params: dict[str, Any]) -> str:
        stored = await self._stored_id(ctx.conn, contract.table_id)
        if stored is None:
            raise TxFailure("panic", f"unknown contract {contract.id}")
        if self._fuel is None:
            self._fuel = int(await get_platform_parameter(ctx.conn, "max_fuel_tx") or 20_000_000)
        limits = Limits(fuel=max(self._fuel // FUEL_DIVISOR, 1), seconds=TIME_LIMIT_S)
        host = TxHost(HostContext.of_tx(ctx), self.catalog, self._block, self)
        machine = Machine(limits, self._tx_vars(ctx, stored, params), host=host, pause=pause)
        machine.contracts = lambda full: self.find_contract(machine, full)
        self._conn = ctx.conn
        try:
            result = await run_sync(lambda: run_contract(machine, stored.contract))
        except ContractThrow as exc:
            self._tx_failed(host)
            raise TxFailure(exc.kind, error_text(str(exc)), exc.exception_id) from exc
        except ContractRuntimeError as exc:
            self._tx_failed(host)
            raise TxFailure(exc.kind, error_text(str(exc))) from exc
        except BaseException:
            self._tx_failed(host)
            raise
        finally:
            self._conn = None
            ctx.fuel_used = machine.fuel_used * FUEL_DIVISOR
        if result is None:
            text = ""
        else:
            try:
                text = _result_text(result)
            except (ValueError, TypeError) as exc:  # a $result too long to print, or itself
                self._tx_failed(host)
                raise TxFailure("panic", str(exc)) from exc
        self._block.accounts |= host.accounts
        self._block.roles |= host.roles
        return text

    async def fee_capable(self, ctx: TxContext, ecosystem: int, key_id: int) -> int:
        host = TxHost(HostContext.of_tx(ctx), self.catalog, self._block, self)
        return await run_sync(lambda: payments.capable(host, ecosystem, key_id))

    async def pay_fees(self, ctx: TxContext, fees: Sequence[Payment]) -> None:
        host = TxHost(HostContext.of_tx(ctx), self.catalog, self._block, self)
        created = ctx.decoded.tx.header.time
        await run_sync(lambda: payments.pay(host, fees, ctx.block_id, created))

    async def write_history(self, ctx: TxContext, rows: Sequence[HistoryRecord]) -> None:
        host = TxHost(HostContext.of_tx(ctx), self.catalog, self._block, self)
        created = ctx.decoded.tx.header.time
        await run_sync(lambda: payments.record(host, rows, ctx.block_id, created))

    def take_notices(self) -> Notices:
        """Whose notification counts this block's contracts asked to publish (once)."""
        notices = Notices(frozenset(self._block.accounts), frozenset(self._block.roles))
        self._block.accounts.clear()
        self._block.roles.clear()
        return notices

    def _tx_failed(self, host: TxHost) -> None:
        # The savepoint undoes the tx's writes; what we remembered of them must go too.
        self._block.clear()
        self._names.clear()
        self._by_id.clear()
        if host.did_ddl:
            self.catalog.forget()

    def caller_vars(self, key_id: int, ecosystem: int) -> dict[str, Any]:
        """The $ variables every contract of this key and ecosystem sees (a tx, a read)."""
        return {
            "key_id": key_id,
            "account_id": address_to_string(key_id),
            "ecosystem_id": ecosystem,
            **self._fixed_vars,
        }

    def _tx_vars(self, ctx: TxContext, stored: Stored, params: dict[str, Any]) -> dict[str, Any]:
        header = ctx.decoded.tx.header
        money = {f.name for f in stored.contract.data if f.type == "money"}
        tx_vars: dict[str, Any] = {k: Decimal(v) if k in money else v for k, v in params.items()}
        for f in stored.contract.data:
            if f.name not in tx_vars:
                tx_vars[f.name] = ZERO[f.type]()  # an absent optional field reads as zero
        full = stored.contract.full_name
        tx_vars.update(self.caller_vars(header.key_id, header.ecosystem_id or 1))
        tx_vars.update(
            time=header.time,
            block=ctx.block_id,
            block_time=ctx.block_time,
            block_key_id=ctx.node.node_key_id,
            txhash=ctx.hash.hex(),
            type=header.id,
            original_contract=full,
            this_contract=full,
        )
        return tx_vars

    # ---- contracts.host.Runtime ----------------------------------------------------------

    def _connection(self) -> AsyncConnection:
        if self._conn is None:
            raise HostError("no transaction is running")
        return self._conn

    def find_contract(self, m: Machine, full_name: str) -> Contract | None:
        host = m.host
        if not isinstance(host, TxHost):
            raise HostError("no transaction is running")
        eco, name = split_name(full_name, host.ecosystem)
        # Contract names keep their case; split_name lowercases for tables.
        name = full_name.lstrip("@").lstrip("0123456789") or name
        key = (eco, name)
        if host.ctx.read_only:
            # An API read: committed contracts only, not those of the block being formed.
            row = wait(get_contract_by_name(host.conn, eco, name))
            stored = self._stored(row) if row is not None else None
            return stored.contract if stored is not None else None
        if key not in self._names:
            row = wait(get_contract_by_name(host.conn, eco, name))
            self._names[key] = self._stored(row) if row is not None else None
        found = self._names[key]
        return found.contract if found is not None else None

    def contract_id(self, contract: Contract) -> int:
        found = self._names.get((contract.ecosystem, contract.name))
        if found is None:
            row = wait(get_contract_by_name(self._connection(), contract.ecosystem, contract.name))
            return row.id if row is not None else 0
        return found.row.id

    def run_conditions(self, m: Machine, contract: Contract) -> None:
        caller = m.tx
        m.tx = dict(caller)
        m.tx["this_contract"] = contract.full_name
        try:
            run_contract(m, contract, ("conditions",))
        finally:
            m.tx = caller

    def eval_condition(self, m: Machine, text: str) -> bool:
        try:
            fn = self._condition(text)
        except ContractSyntaxError as exc:
            raise HostError(exc.located()) from exc
        if fn.body is None:
            return False
        signal = fn.body(m, [None] * fn.nslots)
        value = getattr(signal, "value", None)
        if isinstance(value, str):
            return value not in ("", "0", "false")
        return bool(value)

    def check_condition(self, text: str) -> None:
        try:
            self._condition(text)
        except ContractSyntaxError as exc:
            raise HostError(exc.located()) from exc

    def contract_names(self, source: str) -> list[str]:
        try:
            module = parse(source, "@NewContract")
        except ContractSyntaxError as exc:
            raise HostError(exc.located(), positioned=True) from exc
        return [item.name for item in module.items if isinstance(item, ast.Contract)]

    def check_source(self, source: str, ecosystem: int) -> None:
        try:
            module = parse(source, "@NewContract")
        except ContractSyntaxError as exc:
            raise HostError(exc.located(), positioned=True) from exc
        contracts = [item for item in module.items if isinstance(item, ast.Contract)]
        if len(contracts) != 1:
            raise HostError("only one contract must be in the record")
        own = contracts[0].name
        names = wait(list_contract_names(self._connection(), ecosystem)) | {own}
        try:
            compile_module(
                module, self.builtins, f"@{ecosystem}{own}", ecosystem, names.__contains__
            )
        except ContractSyntaxError as exc:
            raise HostError(exc.located(), positioned=True) from exc

    def contracts_changed(self) -> None:
        self._names.clear()
        self._by_id.clear()

    def create_ecosystem(self, m: Machine, wallet: int, name: str) -> int:
        host = m.host
        if not isinstance(host, TxHost):
            raise HostError("no transaction is running")
        guest = self._guest
        ecosystem = wait(install_ecosystem(host.conn, wallet=wallet, name=name, guest_key_id=guest))
        self.contracts_changed()
        return ecosystem


def _result_text(value: Any) -> str:
    """$result as the reference stores it: fmt.Sprint of the value (Go's %v)."""
    return go_text(value)
