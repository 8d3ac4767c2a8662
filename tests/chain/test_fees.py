"""The fee arithmetic alone, against numbers worked out by hand from go-ibax's gas.go."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from chain.fees import (
    HISTORY_REWARD,
    HISTORY_TAXES,
    STATUS_PENALTY,
    STATUS_SUCCESS,
    FeeSchedule,
    NotEnoughFee,
    Split,
    UtxoTerms,
    capable_amount,
    combustion_percent,
    contract_fee,
    contract_payments,
    payable,
    split_fee,
    storage_fee,
    utxo_fee,
    utxo_own_fee,
)
from chain.genesis import PLATFORM_PARAMETERS

FOUNDER = 1234
GENESIS = FeeSchedule.from_parameters(
    {name: value for name, value, _ in PLATFORM_PARAMETERS}
    | {"taxes_wallet": f'[["1","{FOUNDER}"]]', "private_blockchain": "0"}
)


def test_genesis_schedule() -> None:
    assert GENESIS.fuel_rates == {1: Decimal(1_000_000)}
    assert GENESIS.taxes_size == 3 and GENESIS.taxes_wallets == {1: FOUNDER}
    assert (GENESIS.price_tx_size, GENESIS.price_tx_data) == (15, 10)
    assert GENESIS.free_contracts == {"@1CallDelayedContract", "@1CheckNodesBan", "@1NewUser"}
    assert not GENESIS.private
    assert GENESIS.contract_pays("@1TokensSend")
    assert not GENESIS.contract_pays("@1NewUser")


def test_private_blockchain_makes_contracts_free() -> None:
    private = FeeSchedule.from_parameters({"private_blockchain": "1", "fuel_rate": '[["1","5"]]'})
    assert private.private and not private.contract_pays("@1TokensSend")


def test_bad_parameter_values_read_as_nothing() -> None:
    schedule = FeeSchedule.from_parameters(
        {"fuel_rate": "not json", "taxes_size": "x", "taxes_wallet": '[["a","b"], 5]'}
    )
    assert schedule.fuel_rates == {} and schedule.taxes_size == 0
    assert schedule.taxes_wallets == {} and schedule.fuel_rate() == 0
    assert FeeSchedule.from_parameters({"fuel_rate": '[["1","-7"]]'}).fuel_rate() == 0


def test_storage_fee_by_size() -> None:
    # 15 coins per MiB: 300 bytes = 15e12 * 300 / 1048576 = 4291534423.828125 -> floor.
    assert storage_fee(GENESIS, 300) == 4_291_534_423
    assert storage_fee(GENESIS, 0) == 1  # at least one unit while the price is set
    free = FeeSchedule.from_parameters({"price_tx_size": "0"})
    assert storage_fee(free, 300) == 0


def test_size_fuel() -> None:
    assert GENESIS.size_fuel(300) == 2  # 10 fuel per 1024 bytes, floored
    assert GENESIS.size_fuel(2048) == 20


def test_contract_fee_parts() -> None:
    fee = contract_fee(GENESIS, fuel=1234, tx_size=300, expedite_units=5 * 10**11)
    assert fee.vm == 1234 * 1_000_000
    assert fee.storage == 4_291_534_423
    assert fee.expedite == 500_000_000_000
    assert fee.total == 1_234_000_000 + 4_291_534_423 + 500_000_000_000


def test_split_taxes_and_combustion() -> None:
    assert split_fee(1000, 3) == Split(reward=970, taxes=30, burn=0)
    assert split_fee(999, 3) == Split(reward=970, taxes=29, burn=0)  # taxes floored
    # Combustion burns first; taxes come out of what is left.
    assert split_fee(1000, 3, 10) == Split(reward=873, taxes=27, burn=100)
    assert split_fee(0, 3) == Split(0, 0, 0)


def test_payable() -> None:
    assert payable(100, 500, False, "A") == 100
    assert payable(100, 40, True, "A") == 40  # a failed tx pays all it has
    with pytest.raises(NotEnoughFee) as caught:
        payable(100, 40, False, "0000-0000-0000-0000-0000")
    assert str(caught.value) == ("0000-0000-0000-0000-0000 not enough fee for taxes in ecosystem 1")


def test_capable_amount_honours_maxpay() -> None:
    assert capable_amount(1000, 0) == 1000
    assert capable_amount(1000, 300) == 300
    assert capable_amount(1000, 5000) == 1000


def test_utxo_fee() -> None:
    # fuel_rate / 10 per byte and per input: 100000 * (300 + 2) = 30200000.
    assert utxo_fee(GENESIS, 300, 2, 0, 10**18) == Split(reward=29_294_000, taxes=906_000)
    # Expedite adds to it; the fee never passes what the inputs hold.
    assert utxo_fee(GENESIS, 300, 1, 10**12, 10**18) == split_fee(30_100_000 + 10**12, 3)
    assert utxo_fee(GENESIS, 300, 1, 0, 1000) == Split(reward=970, taxes=30)
    no_wallet = FeeSchedule.from_parameters({"fuel_rate": '[["1","1000000"]]'})
    assert utxo_fee(no_wallet, 300, 1, 0, 10**18) == Split(0, 0)
    free = FeeSchedule.from_parameters({"fuel_rate": '[["1","0"]]', "taxes_wallet": '[["1","5"]]'})
    assert utxo_fee(free, 300, 1, 0, 10**18) == Split(0, 0)


def test_combustion_percent_of_fee_mode_info() -> None:
    assert combustion_percent({"combustion": {"flag": 2, "percent": 10}}) == 10
    assert combustion_percent('{"combustion": {"flag": "1", "percent": "25"}}') == 25
    assert combustion_percent({"combustion": {"percent": 150}}) == 100
    for bad in (None, "", "not json", [], {"combustion": 5}, {"combustion": {"percent": True}}):
        assert combustion_percent(bad) == 0


def test_utxo_own_fee_in_another_ecosystem() -> None:
    schedule = FeeSchedule.from_parameters(
        {
            "fuel_rate": '[["1","1000000"],["2","5000000"]]',
            "taxes_wallet": '[["1","5"],["2","6"]]',
            "taxes_size": "3",
        }
    )
    terms = UtxoTerms(charged=True, combustion_percent=10, digits=6)
    # fuel_rate 5e6 at 6 digits is 5 units of fuel; / 10 per byte and input: 0.5 * 301 floored
    # = 150; 10 percent burnt (15), then 3 percent of 135 to taxes (4), 131 to the producer.
    assert utxo_own_fee(schedule, 2, terms, 300, 1, 10**9) == Split(131, 4, 15)
    assert utxo_own_fee(schedule, 2, terms, 300, 1, 100) == Split(88, 2, 10)  # at most held
    # Without utxo_fee 1, a fuel rate of its own or the ecosystem: nothing.
    assert utxo_own_fee(schedule, 2, replace(terms, charged=False), 300, 1, 10**9) == Split(0, 0)
    assert utxo_own_fee(schedule, 3, terms, 300, 1, 10**9) == Split(0, 0)
    assert utxo_own_fee(schedule, 2, None, 300, 1, 10**9) == Split(0, 0)
    # Without its taxes wallet the burn is still taken, the rest is not.
    no_wallet = replace(schedule, taxes_wallets={1: 5})
    assert utxo_own_fee(no_wallet, 2, terms, 300, 1, 10**9) == Split(0, 0, 15)


def test_contract_payments_rows() -> None:
    fee = contract_fee(GENESIS, fuel=100, tx_size=0, expedite_units=0)
    assert fee.total == 100_000_001  # vm 1e8, storage 1 unit
    rows = contract_payments(
        fee,
        fee.total,
        GENESIS,
        payer=7,
        producer=9,
        contract="@1Foo",
        penalty=False,
        token_symbol="IBXC",
    )
    assert [(r.sender, r.recipient, r.amount, r.kind, r.status) for r in rows] == [
        (7, 9, 97_000_001, HISTORY_REWARD, STATUS_SUCCESS),
        (7, FOUNDER, 3_000_000, HISTORY_TAXES, STATUS_SUCCESS),
    ]
    assert rows[0].comment == "taxes for execution of @1Foo contract"
    assert rows[0].detail is not None and rows[0].detail["vmCost_fee"]["value"] == "100000000"
    failed = contract_payments(
        fee, 50, GENESIS, payer=7, producer=9, contract="@1Foo", penalty=True, token_symbol="IBXC"
    )
    assert [(r.amount, r.status) for r in failed] == [(49, STATUS_PENALTY), (1, STATUS_PENALTY)]
    assert failed[0].comment == "(error)taxes for execution of @1Foo contract"
    assert (
        contract_payments(
            fee, 0, GENESIS, payer=7, producer=9, contract="@1Foo", penalty=True, token_symbol="X"
        )
        == []
    )
