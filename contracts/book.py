"""The ledger's view of Needle contracts: describe and run stored contracts, and @1NewContract."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from chain.address import address_to_string
from chain.contract_registry import CONTRACT_ID_SHIFT, ContractInfo, Field
from chain.execute import TxContext, TxFailure
from chain.storage.repo.contracts import (
    ContractRow,
    get_contract,
    get_contract_by_name,
    insert_contract,
    list_contracts,
)
from chain.storage.repo.params import get_platform_parameter
from contracts import ast
from contracts.bridge import pause, run_sync
from contracts.builtins import chain_builtins
from contracts.compiler import Contract, compile_module, run_contract
from contracts.errors import ContractRuntimeError, ContractSyntaxError, ContractThrow
from contracts.parser import parse
from contracts.vm import Limits, Machine

# @1NewContract runs natively until the system contracts are written in Needle; its table id is
# the reference's (24), so clients' Header.ID 5024 matches go-ibax.
NEW_CONTRACT = ContractInfo(
    table_id=24,
    name="NewContract",
    ecosystem=1,
    fields=(
        Field("ApplicationId", "int"),
        Field("Value", "string"),
        Field("Conditions", "string"),
        Field("TokenEcosystem", "int", optional=True),
    ),
)
MAX_PARSED = 10_000  # parsed sources kept in memory
FUEL_DIVISOR = 10  # our fuel counts interpreter steps; the reference's max_fuel_tx is finer
TIME_LIMIT_S = 1.0


def _only_contract(module: ast.Module) -> ast.Contract | None:
    found = [item for item in module.items if isinstance(item, ast.Contract)]
    return found[0] if len(found) == 1 else None


class NeedleBook:
    """Implements chain.execute.ContractBook with the parser and interpreter of this package."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._parsed: dict[tuple[int, str], ast.Module] = {}

    def _module(self, row: ContractRow) -> ast.Module | None:
        key = (row.id, row.value)
        module = self._parsed.get(key)
        if module is None:
            try:
                module = parse(row.value, f"@{row.ecosystem}{row.name}")
            except ContractSyntaxError:
                return None
            if len(self._parsed) >= MAX_PARSED:
                self._parsed.clear()
            self._parsed[key] = module
        return module

    def _contract(self, row: ContractRow) -> ast.Contract | None:
        module = self._module(row)
        if module is None:
            return None
        return next(
            (i for i in module.items if isinstance(i, ast.Contract) and i.name == row.name), None
        )

    def _info(self, row: ContractRow) -> ContractInfo | None:
        contract = self._contract(row)
        if contract is None:
            return None
        fields = tuple(Field(f.name, f.type, f.optional) for f in contract.data)
        return ContractInfo(row.id, row.name, row.ecosystem, fields)

    async def lookup(self, contract_id: int) -> ContractInfo | None:
        async with self._engine.connect() as conn:
            return await self.describe(conn, contract_id)

    async def describe(self, conn: AsyncConnection, contract_id: int) -> ContractInfo | None:
        if contract_id == NEW_CONTRACT.id:
            return NEW_CONTRACT
        row = await get_contract(conn, contract_id - CONTRACT_ID_SHIFT)
        return self._info(row) if row is not None else None

    async def describe_name(
        self, conn: AsyncConnection, ecosystem: int, name: str
    ) -> tuple[ContractInfo, ContractRow | None] | None:
        """A contract by name (for the contract endpoint): its description and stored row."""
        if ecosystem == 1 and name == NEW_CONTRACT.name:
            return NEW_CONTRACT, None
        row = await get_contract_by_name(conn, ecosystem, name)
        if row is None:
            return None
        info = self._info(row)
        return (info, row) if info is not None else None

    async def run(self, ctx: TxContext, contract: ContractInfo, params: dict[str, Any]) -> str:
        if contract.id == NEW_CONTRACT.id:
            return await self._new_contract(ctx, params)
        row = await get_contract(ctx.conn, contract.table_id)
        module = self._module(row) if row is not None else None
        if row is None or module is None:
            raise TxFailure("panic", f"unknown contract {contract.id}")
        _, rows = await list_contracts(ctx.conn, row.ecosystem, 100_000, 0)
        builtins = chain_builtins(ctx.node.crypto)
        library: dict[str, Contract] = {}
        for r in rows:
            m = self._module(r)
            if m is not None:
                library.update(
                    compile_module(m, builtins, f"@{r.ecosystem}{r.name}", r.ecosystem).contracts
                )
        compiled = library.get(row.name)
        if compiled is None:
            raise TxFailure("panic", f"unknown contract {contract.id}")
        fuel = int(await get_platform_parameter(ctx.conn, "max_fuel_tx") or 20_000_000)
        limits = Limits(fuel=max(fuel // FUEL_DIVISOR, 1), seconds=TIME_LIMIT_S)
        tx_vars = self._tx_vars(ctx, contract, params)

        def resolve(full: str) -> Contract | None:
            return library.get(full.lstrip("@").lstrip("0123456789"))

        machine = Machine(limits, tx_vars, pause=pause, contracts=resolve)
        try:
            result = await run_sync(lambda: run_contract(machine, compiled))
        except ContractThrow as exc:
            raise TxFailure(exc.kind, str(exc), exc.exception_id) from exc
        except ContractRuntimeError as exc:
            raise TxFailure(exc.kind, str(exc)) from exc
        return "" if result is None else str(result)

    def _tx_vars(
        self, ctx: TxContext, contract: ContractInfo, params: dict[str, Any]
    ) -> dict[str, Any]:
        header = ctx.decoded.tx.header
        money = {f.name for f in contract.fields if f.type == "money"}
        tx_vars: dict[str, Any] = {k: Decimal(v) if k in money else v for k, v in params.items()}
        for f in contract.fields:
            tx_vars.setdefault(f.name, None)
        tx_vars.update(
            key_id=header.key_id,
            account_id=address_to_string(header.key_id),
            ecosystem_id=header.ecosystem_id or 1,
            time=header.time,
            block=ctx.block_id,
            block_time=ctx.block_time,
            block_key_id=ctx.node.node_key_id,
            node_position=0,
            txhash=ctx.hash.hex(),
            type=int(ctx.decoded.tx.tx_type),
            original_contract=contract.full_name,
            this_contract=contract.full_name,
            result="",
        )
        return tx_vars

    async def _new_contract(self, ctx: TxContext, params: dict[str, Any]) -> str:
        header = ctx.decoded.tx.header
        ecosystem = header.ecosystem_id or 1
        source = str(params["Value"])
        try:
            module = parse(source, "@NewContract")
        except ContractSyntaxError as exc:
            raise TxFailure("panic", f"{exc.position} {exc.message}") from exc
        contract = _only_contract(module)
        if contract is None:
            raise TxFailure("panic", "the source must define exactly one contract")
        if await get_contract_by_name(ctx.conn, ecosystem, contract.name) is not None:
            raise TxFailure("panic", f"Contract {contract.name} already exists")
        table_id = await insert_contract(
            ctx.conn,
            ecosystem=ecosystem,
            name=contract.name,
            value=source,
            conditions=str(params["Conditions"]),
            wallet_id=header.key_id,
            app_id=int(params["ApplicationId"]),
        )
        ctx.record_rollback("1_contracts", str(table_id), None)
        return str(table_id)
