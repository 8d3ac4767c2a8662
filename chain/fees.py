"""Transaction fees as the reference charges them (go-ibax smart/gas.go, UtxoToken), pure."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, replace
from decimal import ROUND_FLOOR, Decimal, InvalidOperation
from typing import Any

from chain.errors import ChainError

PLATFORM_ECOSYSTEM = 1
COMBUSTION_KEY = 0  # burnt value is key 0's (an output of it, or its balance)
MONEY_DIGITS = 12
CHAIN_SIZE = 1 << 20  # price_tx_size is per this many bytes (the reference's consts.ChainSize)
SIZE_FUEL_BYTES = 1024  # price_tx_data is fuel per this many bytes

# 1_history.type of fee payments (the reference's GasScenesType).
HISTORY_REWARD = 1
HISTORY_TAXES = 2
HISTORY_DIRECT = 15
HISTORY_COMBUSTION = 16
HISTORY_TRANSFER_SELF = 24
# spent_info.type of a native transfer's fee outputs (consts.UTXO_Type_*).
UTXO_PACKAGING = 20
UTXO_TAXES = 21
# 1_history.status of a fee payment (pbgo.TxInvokeStatusCode).
STATUS_SUCCESS = 0
STATUS_PENALTY = 1

# The platform parameters the fees read.
FEE_PARAMETERS = (
    "fuel_rate",
    "taxes_size",
    "taxes_wallet",
    "price_tx_size",
    "price_tx_data",
    "pay_free_contract",
    "private_blockchain",
)


class NotEnoughFee(ChainError):
    """The payer cannot pay a successful transaction's fee: the transaction fails."""


def _pairs(text: str) -> dict[int, str]:
    """`[["1","1000000"], ...]` as {1: "1000000"}; a value that is not such a list is empty."""
    try:
        items = json.loads(text) if text else []
    except ValueError:
        return {}
    found: dict[int, str] = {}
    if not isinstance(items, list):
        return found
    for item in items:
        if isinstance(item, list) and len(item) >= 2:
            try:
                found[int(str(item[0]))] = str(item[1])
            except ValueError:
                continue
    return found


def _int(text: str | None) -> int:
    try:
        return int(text or 0)
    except ValueError:
        return 0


def _decimal(text: str) -> Decimal:
    try:
        value = Decimal(text)
    except InvalidOperation:
        return Decimal(0)
    return value if value.is_finite() and value > 0 else Decimal(0)


def _floor(value: Decimal) -> int:
    return int(value.to_integral_value(rounding=ROUND_FLOOR))


@dataclass(frozen=True)
class FeeSchedule:
    """The platform parameters that set fees, parsed once per block.

    A rate or price of 0 (or a missing one) charges nothing for its part.
    """

    fuel_rates: Mapping[int, Decimal]  # ecosystem -> smallest units per unit of fuel
    taxes_size: int  # percent of a fee that goes to the taxes wallet
    taxes_wallets: Mapping[int, int]  # ecosystem -> key id
    price_tx_size: int  # coins per CHAIN_SIZE bytes of a contract tx
    price_tx_data: int  # fuel per SIZE_FUEL_BYTES bytes of a contract tx
    free_contracts: frozenset[str]  # full names (@1NewUser)
    private: bool  # private_blockchain: contract txs are free

    @classmethod
    def from_parameters(cls, values: Mapping[str, str | None]) -> FeeSchedule:
        """From platform parameter values (name -> value); bad values read as 0 or empty."""
        rates = {eco: _decimal(v) for eco, v in _pairs(values.get("fuel_rate") or "").items()}
        wallets = {eco: _int(v) for eco, v in _pairs(values.get("taxes_wallet") or "").items()}
        free = (values.get("pay_free_contract") or "").split(",")
        return cls(
            fuel_rates=rates,
            taxes_size=min(max(_int(values.get("taxes_size")), 0), 100),
            taxes_wallets={eco: key for eco, key in wallets.items() if key},
            price_tx_size=max(_int(values.get("price_tx_size")), 0),
            price_tx_data=max(_int(values.get("price_tx_data")), 0),
            free_contracts=frozenset(name.strip() for name in free if name.strip()),
            private=(values.get("private_blockchain") or "0").strip() not in ("", "0", "false"),
        )

    def contract_pays(self, full_name: str) -> bool:
        """Does a call of this contract pay (the reference's needPayment)?"""
        return not self.private and full_name not in self.free_contracts

    def size_fuel(self, tx_size: int) -> int:
        """Fuel a contract tx's size costs before it runs."""
        return self.price_tx_data * tx_size // SIZE_FUEL_BYTES

    def fuel_rate(self, ecosystem: int = PLATFORM_ECOSYSTEM) -> Decimal:
        return self.fuel_rates.get(ecosystem, Decimal(0))


def storage_amount(schedule: FeeSchedule, tx_size: int, digits: int = MONEY_DIGITS) -> Decimal:
    """price_tx_size tokens per CHAIN_SIZE bytes in smallest units of `digits`, unrounded;
    at least one unit unless the price is 0."""
    if schedule.price_tx_size <= 0:
        return Decimal(0)
    fee = Decimal(schedule.price_tx_size).scaleb(digits) * tx_size / CHAIN_SIZE
    return fee if fee > 0 else Decimal(1)


def capable_amount(amount: int, maxpay: int) -> int:
    """What an account may spend on a fee: its balance, or its maxpay when that is lower."""
    if 0 < maxpay < amount:
        return maxpay
    return amount


@dataclass(frozen=True)
class Split:
    """A paid fee's parts: the block producer's reward, the taxes wallet's share, the burn."""

    reward: int
    taxes: int
    burn: int = 0

    @property
    def total(self) -> int:
        return self.reward + self.taxes + self.burn


def split_fee(money: int, taxes_size: int, combustion_percent: int = 0) -> Split:
    """Burn combustion_percent first, then taxes_size percent of the rest to taxes."""
    burn = money * max(combustion_percent, 0) // 100
    rest = money - burn
    taxes = rest * taxes_size // 100
    return Split(reward=rest - taxes, taxes=taxes, burn=burn)


def utxo_fee(
    schedule: FeeSchedule, tx_size: int, inputs: int, expedite_units: int, available: int
) -> Split:
    """A native transfer's fee in ecosystem 1, taken from the outputs it spends.

    fuel_rate / 10 per byte of the tx and per output spent, plus expedite, at most what the
    outputs hold; nothing without a taxes wallet (the reference's UtxoToken).
    """
    if PLATFORM_ECOSYSTEM not in schedule.taxes_wallets:
        return Split(0, 0)
    rate = schedule.fuel_rate()
    money = _floor(rate / 10 * (tx_size + inputs)) + max(expedite_units, 0)
    money = min(money, max(available, 0))
    return split_fee(money, schedule.taxes_size)


# A contract fee's parts by the reference's names, in the order it walks them (sorted).
EXPEDITE, STORAGE, VM = "expedite_fee", "storage_fee", "vmCost_fee"
FUEL_TYPES = (EXPEDITE, STORAGE, VM)
# GasPayAbleType: a part paid in ecosystem 1's coin, or in the ecosystem's own token.
UNABLE, CAPABLE = 1, 2
HUNDRED = Decimal(100)


def _number(value: Any) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return Decimal(0)
    try:
        found = Decimal(str(value).strip())
    except InvalidOperation:
        return Decimal(0)
    return found if found.is_finite() else Decimal(0)


def _whole(value: Any) -> int:
    found = _number(value)
    return int(found) if found == found.to_integral_value() else 0


@dataclass(frozen=True)
class FeeMode:
    """An ecosystem's fee_mode_info: per part its flag and conversion rate (percent), the
    combustion flag (2: burn) and percent, and how many times ecosystem 1's fuel rate its
    own defaults to (follow_fuel)."""

    parts: Mapping[str, tuple[int, Decimal]]
    combustion_flag: int = 1
    combustion_percent: int = 0
    follow_fuel: Decimal = Decimal(0)

    @classmethod
    def parse(cls, info: Any) -> FeeMode | None:
        """From the column's JSON (text or value); None when unset. What does not read as a
        number reads as 0."""
        if isinstance(info, str):
            try:
                info = json.loads(info) if info.strip() else None
            except ValueError:
                info = {}
        if info is None:
            return None
        if not isinstance(info, dict):
            info = {}
        detail = info.get("fee_mode_detail")
        parts: dict[str, tuple[int, Decimal]] = {}
        if isinstance(detail, dict):
            for name, flag in detail.items():
                flag = flag if isinstance(flag, dict) else {}
                parts[str(name)] = (_whole(flag.get("flag")), _number(flag.get("conversion_rate")))
        combustion = info.get("combustion")
        combustion = combustion if isinstance(combustion, dict) else {}
        flag = _whole(combustion.get("flag"))
        percent = _whole(combustion.get("percent"))
        flag = flag if flag > 0 else 1
        return cls(
            parts=parts,
            combustion_flag=flag,
            combustion_percent=min(max(percent, 0), 100),
            follow_fuel=_number(info.get("follow_fuel")),
        )

    def has_capable_part(self) -> bool:
        return any(self.parts.get(name, (0, HUNDRED))[0] == CAPABLE for name in FUEL_TYPES)


@dataclass(frozen=True)
class UtxoTerms:
    """What an ecosystem other than 1 adds to the fee of a native transfer in its token."""

    charged: bool  # its `utxo_fee` parameter is 1: it takes a fee of its own
    combustion_percent: int  # of that fee, burnt first (an output of key 0)
    digits: int


def utxo_own_fee(
    schedule: FeeSchedule,
    ecosystem: int,
    terms: UtxoTerms | None,
    tx_size: int,
    inputs: int,
    available: int,
) -> Split:
    """A native transfer's fee in its own ecosystem's token (not 1), from the outputs it spends.

    As the reference's UtxoToken: only where `utxo_fee` is 1 and `fuel_rate` has the
    ecosystem; fuel_rate (scaled to its digits) / 10 per byte and per output spent, at most
    what the outputs hold; the combustion percent of it is burnt even without a taxes wallet,
    the rest split to the producer and the ecosystem's taxes wallet when it has one.
    """
    rate = schedule.fuel_rate(ecosystem)
    if terms is None or not terms.charged or rate <= 0:
        return Split(0, 0)
    scale = Decimal(10) ** (terms.digits - MONEY_DIGITS)
    money = min(_floor(rate * scale / 10 * (tx_size + inputs)), max(available, 0))
    burn = money * terms.combustion_percent // 100
    money -= burn
    if money <= 0 or ecosystem not in schedule.taxes_wallets:
        return Split(0, 0, burn)
    return replace(split_fee(money, schedule.taxes_size), burn=burn)


@dataclass(frozen=True)
class Payment:
    """One move of a fee between two accounts, recorded as a 1_history row of `kind`."""

    ecosystem: int
    sender: int
    recipient: int
    amount: int
    kind: int  # HISTORY_REWARD, HISTORY_TAXES or HISTORY_COMBUSTION
    comment: str
    status: int  # STATUS_SUCCESS or STATUS_PENALTY
    detail: Mapping[str, Any] | None = None


@dataclass(frozen=True)
class HistoryRecord:
    """A 1_history row of a move whose balances the caller already set (TransferSelf)."""

    ecosystem: int
    sender: int
    sender_balance: int
    recipient: int
    recipient_balance: int
    amount: int
    kind: int
    comment: str
    status: int = STATUS_SUCCESS
