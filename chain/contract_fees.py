"""A contract call's fee: who pays which part in which token (go-ibax smart/gas.go), pure."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from decimal import ROUND_FLOOR, Decimal
from typing import Any

from chain.address import address_to_string
from chain.fees import (
    CAPABLE,
    COMBUSTION_KEY,
    EXPEDITE,
    FUEL_TYPES,
    HISTORY_COMBUSTION,
    HISTORY_DIRECT,
    HISTORY_REWARD,
    HISTORY_TAXES,
    HUNDRED,
    MONEY_DIGITS,
    PLATFORM_ECOSYSTEM,
    STATUS_PENALTY,
    STATUS_SUCCESS,
    STORAGE,
    UNABLE,
    VM,
    FeeMode,
    FeeSchedule,
    NotEnoughFee,
    Payment,
    split_fee,
    storage_amount,
)

# PaymentType: who pays in the token's ecosystem.
CALLER, BINDER, ECOSYSTEM_WALLET = "ContractCaller", "ContractBinder", "EcosystemAddress"


@dataclass(frozen=True)
class TokenTerms:
    """An ecosystem whose token may take a share of a call's fee (ecosystem 1 always does)."""

    ecosystem: int
    digits: int
    token_symbol: str
    fee_mode: FeeMode | None = None  # ignored for ecosystem 1


@dataclass(frozen=True)
class Category:
    """One part of a fee in one payment: its amount before rounding and how it is reckoned."""

    kind: str  # EXPEDITE, STORAGE or VM
    amount: Decimal
    flag: int = UNABLE
    conversion_rate: Decimal = HUNDRED
    multiply: bool = False  # pay conversion_rate percent of it

    def fee(self) -> int:
        value = self.amount * self.conversion_rate / HUNDRED if self.multiply else self.amount
        return int(value.to_integral_value(rounding=ROUND_FLOOR))


@dataclass(frozen=True)
class FeePlan:
    """One payment of a call's fee (the reference's PaymentInfo), before the fuel is known."""

    ecosystem: int
    token_symbol: str
    digits: int
    payer: int
    recipient: int  # the block producer, or the wallet an indirect payment goes to
    taxes_wallet: int
    payment_type: str
    fuel_rate: Decimal  # its ecosystem's, as fuel_rate states it (scaled to `digits` on use)
    categories: tuple[Category, ...]
    taxes_size: int
    indirect: bool = False  # the caller pays the wallet that pays ecosystem 1 for it
    burn_percent: int = 0


def _scaled(amount: Decimal, digits: int) -> Decimal:
    """An amount in smallest units of a token of `digits` as smallest units of ecosystem 1."""
    return amount.scaleb(MONEY_DIGITS - digits)


def _own_fuel_rate(schedule: FeeSchedule, ecosystem: int, follow_fuel: Decimal) -> Decimal:
    # Without an entry of its own, ecosystem 1's rate times follow_fuel (the reference then
    # stores that entry in fuel_rate; we reckon it each time).
    if ecosystem in schedule.fuel_rates:
        return schedule.fuel_rates[ecosystem]
    return schedule.fuel_rate() * (follow_fuel if follow_fuel > 0 else 1)


def plan_contract_fee(
    schedule: FeeSchedule,
    *,
    caller: int,
    producer: int,
    binder: int,
    tx_ecosystem: int,
    ecosystem_wallet: int,
    tokens: Sequence[TokenTerms],
    tx_size: int,
    expedite: Decimal,
) -> list[FeePlan]:
    """The payments of a call's fee, as the reference's prepareMultiPay.

    `tokens` are ecosystem 1 and the ecosystems of the call and of the contract's token
    that have a token. Ecosystem 1's coin pays every part, from the contract's bound wallet
    (`binder`) or the caller. An ecosystem with a fee mode and a payer of its own (the bound
    wallet, else the call's ecosystem's `ecosystem_wallet`) and a part flagged 2 takes over:
    the caller pays the parts flagged 1 in ecosystem 1's coin, and the other parts in the
    token (to the producer, the taxes and the burn, and their conversion_rate percent to the
    payer, plus the expedite), and the payer pays those parts in ecosystem 1's coin.
    """
    taxes_size = schedule.taxes_size
    platform_taxes = schedule.taxes_wallets.get(PLATFORM_ECOSYSTEM, producer)
    rate = schedule.fuel_rate()
    plans: list[FeePlan] = []
    for token in sorted(tokens, key=lambda t: t.ecosystem):
        digits = token.digits
        storage = storage_amount(schedule, tx_size, digits)
        expedite_here = expedite.scaleb(digits)
        if token.ecosystem == PLATFORM_ECOSYSTEM:
            payer, kind = (binder, BINDER) if binder else (caller, CALLER)
            parts = (
                Category(VM, Decimal(0)),
                Category(STORAGE, storage),
                Category(EXPEDITE, expedite_here),
            )
            plans.append(
                FeePlan(
                    PLATFORM_ECOSYSTEM,
                    token.token_symbol,
                    digits,
                    payer,
                    producer,
                    platform_taxes,
                    kind,
                    rate,
                    parts,
                    taxes_size,
                )
            )
            continue
        mode = token.fee_mode
        if mode is None:
            continue
        if binder:
            payer, kind = binder, BINDER
        elif tx_ecosystem != PLATFORM_ECOSYSTEM and ecosystem_wallet:
            payer, kind = ecosystem_wallet, ECOSYSTEM_WALLET
        else:
            continue  # the caller pays nothing in an ecosystem's token of its own accord
        if not mode.has_capable_part():
            continue
        own_rate = _own_fuel_rate(schedule, token.ecosystem, mode.follow_fuel)
        follow = mode.follow_fuel if mode.follow_fuel > 0 else Decimal(1)
        caller_coin: list[Category] = []
        payer_coin: list[Category] = []
        to_payer: list[Category] = []
        own: list[Category] = []
        for name in sorted(mode.parts):
            if name not in FUEL_TYPES:
                continue
            flag, conversion = mode.parts[name]
            flag = flag or CAPABLE  # the reference reads a missing flag as 2 here
            conversion = conversion if conversion > 0 else HUNDRED
            amount = {VM: Decimal(0), STORAGE: storage, EXPEDITE: expedite_here}[name]
            part = Category(name, amount, flag, conversion)
            if flag == UNABLE:
                caller_coin.append(replace(part, amount=_scaled(amount, digits)))
            elif flag == CAPABLE:
                if name != EXPEDITE:
                    own.append(part)
                    to_payer.append(replace(part, multiply=True))
                else:
                    to_payer.append(part)
                coin = _scaled(amount, digits)
                payer_coin.append(replace(part, amount=coin / follow if name == EXPEDITE else coin))
        platform = plans[0] if plans else None
        symbol = platform.token_symbol if platform else ""
        burn = mode.combustion_percent if mode.combustion_flag == 2 else 0
        plans = [
            FeePlan(1, symbol, MONEY_DIGITS, caller, producer, platform_taxes, CALLER, rate,
                    tuple(caller_coin), taxes_size),
            FeePlan(1, symbol, MONEY_DIGITS, payer, producer, platform_taxes, kind, rate,
                    tuple(payer_coin), taxes_size),
            FeePlan(token.ecosystem, token.token_symbol, digits, caller, payer, 0, CALLER,
                    own_rate, tuple(to_payer), 0, indirect=True),
            FeePlan(token.ecosystem, token.token_symbol, digits, caller, producer,
                    schedule.taxes_wallets.get(token.ecosystem, platform_taxes), CALLER,
                    own_rate, tuple(own), taxes_size, burn_percent=burn),
        ]  # fmt: skip
    return plans


def _go_decimal(value: Decimal) -> str:
    """A decimal as Go's shopspring prints it: plain digits, no trailing zeros."""
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text if text not in ("", "-0") else "0"


def _with_fuel(plan: FeePlan, fuel: int) -> tuple[Category, ...]:
    """The plan's parts with the vm part set: fuel x its fuel rate, in its token's units."""
    parts = list(plan.categories)
    for i, part in enumerate(parts):
        if part.kind == VM:
            vm = Decimal(fuel) * plan.fuel_rate * Decimal(10) ** (plan.digits - MONEY_DIGITS)
            parts[i] = replace(part, amount=vm)
            break
    return tuple(parts)


def plan_total(plan: FeePlan, fuel: int) -> int:
    """What the plan's payer owes once the call used `fuel`."""
    return sum(part.fee() for part in _with_fuel(plan, fuel))


def _detail(plan: FeePlan, parts: Sequence[Category]) -> dict[str, Any]:
    detail: dict[str, Any] = {
        part.kind: {
            "arithmetic": "MUL" if part.multiply else "NATIVE",
            "conversion_rate": int(part.conversion_rate)
            if part.conversion_rate == part.conversion_rate.to_integral_value()
            else float(part.conversion_rate),
            "decimal": _go_decimal(part.amount),
            "flag": part.flag,
            "value": str(part.fee()),
        }
        for part in parts
    }
    detail.update(
        {
            "fuel_rate": _go_decimal(plan.fuel_rate),
            "payment_type": plan.payment_type,
            "taxes_size": plan.taxes_size,
            "token_symbol": plan.token_symbol,
        }
    )
    return dict(sorted(detail.items()))


def _combustion_detail(plan: FeePlan, parts: Sequence[Category], money: int) -> dict[str, Any]:
    percent = plan.burn_percent
    detail: dict[str, Any] = {part.kind: str(part.fee() * percent // 100) for part in parts}
    burn = money * percent // 100
    detail["combustion"] = {
        "after": str(money - burn),
        "before": str(money),
        "flag": 2,
        "percent": percent,
        "value": str(burn),
    }
    detail["fuel_rate"] = _go_decimal(plan.fuel_rate)
    detail["token_symbol"] = plan.token_symbol
    return dict(sorted(detail.items()))


def settle(
    plan: FeePlan, fuel: int, capable: int, *, penalty: bool, contract: str
) -> list[Payment]:
    """The 1_history moves of one plan once the call used `fuel` and its payer may spend
    `capable`. A successful call's payer short of the fee fails it (NotEnoughFee); a failed
    call's payer pays what it has."""
    parts = _with_fuel(plan, fuel)
    money = sum(part.fee() for part in parts)
    if capable < money:
        if not penalty:
            raise NotEnoughFee(
                f"{address_to_string(plan.payer)} not enough fee for taxes in ecosystem "
                f"{plan.ecosystem}"
            )
        money = max(capable, 0)
    comment = f"taxes for execution of {contract} contract"
    if penalty:
        comment = "(error)" + comment
    status = STATUS_PENALTY if penalty else STATUS_SUCCESS
    eco, payer = plan.ecosystem, plan.payer
    detail = _detail(plan, parts)
    if plan.indirect:
        moves = [
            Payment(eco, payer, plan.recipient, money, HISTORY_DIRECT, comment, status, detail)
        ]
        return [m for m in moves if m.amount > 0]
    moves = []
    if plan.burn_percent:
        burn = money * plan.burn_percent // 100
        burnt = _combustion_detail(plan, parts, money)
        moves.append(
            Payment(eco, payer, COMBUSTION_KEY, burn, HISTORY_COMBUSTION, comment, status, burnt)
        )
        money -= burn
    split = split_fee(money, plan.taxes_size)
    moves += [
        Payment(eco, payer, plan.recipient, split.reward, HISTORY_REWARD, comment, status, detail),
        Payment(eco, payer, plan.taxes_wallet, split.taxes, HISTORY_TAXES, comment, status),
    ]
    return [m for m in moves if m.amount > 0]
