"""Executing one transaction inside its block: native transfers, or a contract through the book."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncConnection

from chain.address import address_to_id, address_to_string
from chain.blockstate import BlockState
from chain.contract_fees import FeePlan, TokenTerms, plan_contract_fee, plan_total, settle
from chain.contract_registry import ContractInfo, check_params
from chain.errors import ChainError
from chain.fees import (
    COMBUSTION_KEY,
    HISTORY_TRANSFER_SELF,
    MONEY_DIGITS,
    UTXO_PACKAGING,
    UTXO_TAXES,
    FeeMode,
    FeeSchedule,
    HistoryRecord,
    Payment,
    Split,
    UtxoTerms,
    utxo_fee,
    utxo_own_fee,
)
from chain.genesis import TOKEN_SYMBOL
from chain.identity import NodeIdentity
from chain.ledger import BlockLedger
from chain.storage.repo.money import Output, RollbackRow
from chain.storage.repo.params import get_fee_terms, get_parameter
from chain.txcheck import TxRejected, expedite_units, transfer_value
from chain.txcodec import DecodedTx, TxType

# spent_info.type values of the reference (consts.UTXO_Type_*).
UTXO_SELF_UTXO = 11
UTXO_SELF_ACCOUNT = 12
UTXO_OUTPUT = 22
UTXO_COMBUSTION = 23
UTXO_TRANSFER = 26
ERRMSG_LIMIT = 255  # characters of transactions_status.error, as the reference's column


class TxFailure(ChainError):
    """A transaction that fails in its block: recorded with its error, the block goes on.

    `kind` is the txstatus errmsg type: error, warning, info, panic, exception or txError.
    """

    def __init__(self, kind: str, message: str, exception_id: str = "") -> None:
        self.kind = kind
        self.message = message
        self.exception_id = exception_id
        super().__init__(message)

    def errmsg(self, limit: int = ERRMSG_LIMIT) -> str:
        """The JSON stored in transactions_status.error: at most `limit` characters, and still
        JSON (a long message is cut, never the JSON around it, so txstatus can read it)."""
        message, exception_id = self.message, self.exception_id
        text = self._json(message, exception_id)
        while len(text) > limit and (message or exception_id):
            # Escapes make the JSON longer than the text: cut by the excess and look again,
            # the message first (Throw's id is the contract's too, so it may be long as well).
            excess = len(text) - limit
            if message:
                message = message[: max(len(message) - excess, 0)]
            else:
                exception_id = exception_id[: max(len(exception_id) - excess, 0)]
            text = self._json(message, exception_id)
        return text

    def _json(self, message: str, exception_id: str) -> str:
        body = {"type": self.kind, "error": message}
        if exception_id:
            body["id"] = exception_id
        return json.dumps(body, ensure_ascii=False, separators=(",", ":"))


class ContractBook(Protocol):
    """Describes and runs the contracts written in Needle (the contracts package provides it)."""

    def begin_block(self, block_id: int) -> None:
        """A block starts forming (what the book remembered of a failed one is dropped)."""

    async def lookup(self, contract_id: int) -> ContractInfo | None:
        """Describe a contract id outside any block (for sendTx's checks)."""

    async def describe(self, conn: AsyncConnection, contract_id: int) -> ContractInfo | None:
        """Describe a contract id as the block being formed sees it."""

    async def run(self, ctx: TxContext, contract: ContractInfo, params: dict[str, Any]) -> str:
        """Run the contract for this transaction; returns $result or raises TxFailure."""

    async def fee_capable(self, ctx: TxContext, ecosystem: int, key_id: int) -> int:
        """What the account may spend on a fee, as the running transaction sees it."""

    async def pay_fees(self, ctx: TxContext, payments: Sequence[Payment]) -> None:
        """Move fee payments between accounts and record them in 1_history."""

    async def write_history(self, ctx: TxContext, rows: Sequence[HistoryRecord]) -> None:
        """Record in 1_history moves a native transfer made in the ledger."""


@dataclass
class TxContext:
    """One transaction's view of the block being formed."""

    conn: AsyncConnection
    node: NodeIdentity
    block_id: int
    block_time: int
    decoded: DecodedTx
    ledger: BlockLedger
    book: ContractBook | None = None
    state: BlockState | None = None  # the block's rows kept in memory (contracts use it)
    rollbacks: list[RollbackRow] = field(default_factory=list)
    contract_name: str = ""  # set once the called contract is known
    fuel_used: int = 0  # contract fuel, in the reference's units (max_fuel_tx's)
    fees: FeeSchedule | None = None  # None: nothing is charged (a block without fees)
    fee_plans: list[FeePlan] = field(default_factory=list)  # who pays the call's fee

    @property
    def hash(self) -> bytes:
        return self.decoded.hash

    def record_rollback(self, table: str, row_id: str, previous: dict[str, Any] | None) -> None:
        """Remember a row's previous values ("" for a row the transaction created)."""
        data = json.dumps(previous, separators=(",", ":"), sort_keys=True) if previous else ""
        self.rollbacks.append(RollbackRow(self.block_id, self.hash, table, row_id, data))


def _insufficient(key_id: int, ecosystem: int) -> TxFailure:
    return TxFailure(
        "panic",
        f"account {address_to_string(key_id)} current balance is not enough in ecosystem "
        f"{ecosystem}",
    )


def _amount(text: str) -> int:
    # sendTx refuses such a value; a tx from before that check may still be in the queue.
    try:
        return transfer_value(text)
    except TxRejected as exc:
        raise TxFailure("panic", str(exc)) from exc


async def run_utxo(ctx: TxContext) -> str:
    """Type 5: spend all of the sender's outputs, pay the recipient, return the change.

    Outside ecosystem 1 the transfer also pays ecosystem 1's fee out of the sender's
    ecosystem-1 outputs (which it must have), and its own ecosystem's where that one charges.
    """
    tx = ctx.decoded.tx
    if tx.utxo is None:
        raise TxFailure("txError", "not a UTXO transaction")
    sender, ecosystem = tx.header.key_id, tx.header.ecosystem_id or 1
    value = _amount(tx.utxo.value)
    if tx.utxo.to_id == sender:
        raise TxFailure("panic", "cannot send to yourself")
    size, expedite = len(ctx.decoded.raw), expedite_units(tx.expedite)
    inputs = await ctx.ledger.unspent((ecosystem, sender))
    if not inputs:
        raise _insufficient(sender, ecosystem)
    total = sum(o.output_value for o in inputs)
    platform_inputs, platform_total = inputs, total
    if ecosystem != 1:
        platform_inputs = await ctx.ledger.unspent((1, sender))
        if not platform_inputs:
            raise _insufficient(sender, 1)
        platform_total = sum(o.output_value for o in platform_inputs)
    platform = Split(0, 0)
    own = Split(0, 0)
    if ctx.fees is not None:
        platform = utxo_fee(ctx.fees, size, len(platform_inputs), expedite, platform_total)
        if ecosystem != 1:
            found = await get_fee_terms(ctx.conn, ecosystem)
            terms = None
            if found is not None:
                mode = FeeMode.parse(found.fee_mode_info)
                percent = mode.combustion_percent if mode is not None else 0
                terms = UtxoTerms(found.utxo_fee == "1", percent, found.digits)
            own = utxo_own_fee(ctx.fees, ecosystem, terms, size, len(inputs), total)
    left = total - (platform.total if ecosystem == 1 else own.total)
    if left < value:
        raise _insufficient(sender, ecosystem)  # as the reference: a failed transfer pays nothing
    producer = ctx.node.node_key_id
    wallets = ctx.fees.taxes_wallets if ctx.fees is not None else {}
    index = 0

    def pay(eco: int, moves: list[tuple[int, int, int]]) -> None:
        nonlocal index
        for key_id, amount, kind in moves:
            if amount > 0:
                ctx.ledger.add_output(
                    Output(ctx.hash, index, key_id, amount, eco, ctx.block_id, kind)
                )
                index += 1

    # Outputs in the reference's order (one index across both ecosystems): ecosystem 1's fee
    # and change, then the burn, the producer's reward, the taxes, the value and the change.
    fee_moves = [
        (producer, platform.reward, UTXO_PACKAGING),
        (wallets.get(1, 0), platform.taxes, UTXO_TAXES),
    ]
    if ecosystem != 1:
        # The reference spends the ecosystem-1 outputs and returns their change even when
        # the fee is nothing.
        ctx.ledger.spend((1, sender), platform_inputs, ctx.hash)
        platform_change = platform_total - platform.total
        pay(1, [*fee_moves, (sender, platform_change, UTXO_OUTPUT)])
        fee_moves = [
            (COMBUSTION_KEY, own.burn, UTXO_COMBUSTION),
            (producer, own.reward, UTXO_PACKAGING),
            (wallets.get(ecosystem, 0), own.taxes, UTXO_TAXES),
        ]
    ctx.ledger.spend((ecosystem, sender), inputs, ctx.hash)
    pay(
        ecosystem,
        [
            *fee_moves,
            (tx.utxo.to_id, value, UTXO_TRANSFER),
            (sender, left - value, UTXO_OUTPUT),
        ],
    )
    return ""


async def run_transfer_self(ctx: TxContext) -> str:
    """Type 6: move value between the sender's unspent outputs and account balance."""
    tx = ctx.decoded.tx
    if tx.transfer_self is None:
        raise TxFailure("txError", "not a TransferSelf transaction")
    sender, ecosystem = tx.header.key_id, tx.header.ecosystem_id or 1
    account = (ecosystem, sender)
    value = _amount(tx.transfer_self.value)
    source, target = tx.transfer_self.source.lower(), tx.transfer_self.target.lower()
    stored = await ctx.ledger.amount(account)
    balance = stored or 0
    if (source, target) == ("utxo", "account"):
        inputs = await ctx.ledger.unspent(account)
        total = sum(o.output_value for o in inputs)
        if not inputs or total < value:
            raise _insufficient(sender, ecosystem)
        ctx.ledger.spend(account, inputs, ctx.hash)
        if total > value:
            ctx.ledger.add_output(
                Output(ctx.hash, 0, sender, total - value, ecosystem, ctx.block_id, UTXO_SELF_UTXO)
            )
        new_balance = balance + value
    elif (source, target) == ("account", "utxo"):
        if balance < value:
            raise _insufficient(sender, ecosystem)
        ctx.ledger.add_output(
            Output(ctx.hash, 0, sender, value, ecosystem, ctx.block_id, UTXO_SELF_ACCOUNT)
        )
        new_balance = balance - value
    else:
        raise TxFailure("panic", "transfer self fail")
    previous = None if stored is None else {"amount": str(balance)}
    ctx.record_rollback("1_keys", f"{sender},{ecosystem}", previous)
    ctx.ledger.set_amount(account, new_balance)
    if ctx.book is not None:
        # The reference's row: the sender on both sides with the balance after, the source
        # as the client spelt it for the comment.
        move = HistoryRecord(
            ecosystem,
            sender,
            new_balance,
            sender,
            new_balance,
            value,
            HISTORY_TRANSFER_SELF,
            tx.transfer_self.source,
        )
        await ctx.book.write_history(ctx, [move])
    return ""


async def execute(ctx: TxContext) -> str:
    """Run one transaction; returns its $result or raises TxFailure."""
    tx = ctx.decoded.tx
    if tx.tx_type == TxType.UTXO:
        return await run_utxo(ctx)
    if tx.tx_type == TxType.TRANSFER_SELF:
        return await run_transfer_self(ctx)
    contract = await ctx.book.describe(ctx.conn, tx.header.id) if ctx.book is not None else None
    if contract is None or ctx.book is None:
        raise TxFailure("panic", f"unknown contract {tx.header.id}")
    try:
        params = check_params(contract, tx.params)
    except ChainError as exc:
        raise TxFailure("panic", str(exc)) from exc
    ctx.contract_name = contract.full_name
    await plan_fees(ctx, contract)
    return await ctx.book.run(ctx, contract, params)


async def plan_fees(ctx: TxContext, contract: ContractInfo) -> None:
    """Work out who pays the call's fee in which token, before it runs (as the reference's
    prepareMultiPay reads the ecosystems then); nothing when the call is free."""
    fees, tx = ctx.fees, ctx.decoded.tx
    if fees is None or not fees.contract_pays(contract.full_name):
        return
    tx_ecosystem = tx.header.ecosystem_id or 1
    tokens = [TokenTerms(1, MONEY_DIGITS, TOKEN_SYMBOL)]
    others = sorted({e for e in (contract.token_id, tx_ecosystem) if e > 1})
    ecosystem_wallet = 0
    if others:
        if ctx.state is not None:
            await ctx.state.flush_block()  # earlier txs of the block may have changed them
        for eco in others:
            found = await get_fee_terms(ctx.conn, eco)
            if found is not None and found.token_symbol:
                mode = FeeMode.parse(found.fee_mode_info)
                tokens.append(TokenTerms(eco, found.digits, found.token_symbol, mode))
        if tx_ecosystem > 1 and not contract.wallet_id:
            wallet = await get_parameter(ctx.conn, tx_ecosystem, "ecosystem_wallet")
            ecosystem_wallet = address_to_id(wallet or "")
    ctx.fee_plans = plan_contract_fee(
        fees,
        caller=tx.header.key_id,
        producer=ctx.node.node_key_id,
        binder=contract.wallet_id,
        tx_ecosystem=tx_ecosystem,
        ecosystem_wallet=ecosystem_wallet,
        tokens=tokens,
        tx_size=len(ctx.decoded.raw),
        expedite=Decimal(expedite_units(tx.expedite)).scaleb(-MONEY_DIGITS),
    )


async def charge_contract(ctx: TxContext, penalty: bool) -> None:
    """Take a contract tx's fee as the reference's payContract: each planned payment in turn.

    `penalty`: the tx failed (its writes are gone); each payer pays what it can. A successful
    tx whose payer cannot pay raises NotEnoughFee, and the caller fails it.
    """
    fees, book = ctx.fees, ctx.book
    if fees is None or book is None or not ctx.fee_plans:
        return
    fuel = ctx.fuel_used + fees.size_fuel(len(ctx.decoded.raw))
    for plan in ctx.fee_plans:
        if plan_total(plan, fuel) == 0:
            continue
        # Its balance now: an earlier payment of the same call may have taken from it.
        capable = await book.fee_capable(ctx, plan.ecosystem, plan.payer)
        payments = settle(plan, fuel, capable, penalty=penalty, contract=ctx.contract_name)
        if payments:
            await book.pay_fees(ctx, payments)
