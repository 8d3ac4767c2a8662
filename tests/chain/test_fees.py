"""The fee arithmetic alone, against numbers worked out by hand from go-ibax's gas.go."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from chain.address import address_to_string
from chain.contract_fees import (
    BINDER,
    CALLER,
    ECOSYSTEM_WALLET,
    FeePlan,
    TokenTerms,
    plan_contract_fee,
    plan_total,
    settle,
)
from chain.fees import (
    HISTORY_COMBUSTION,
    HISTORY_DIRECT,
    HISTORY_REWARD,
    HISTORY_TAXES,
    STATUS_PENALTY,
    STATUS_SUCCESS,
    FeeMode,
    FeeSchedule,
    NotEnoughFee,
    Split,
    UtxoTerms,
    capable_amount,
    split_fee,
    storage_amount,
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
    # 15 coins per MiB: 300 bytes = 15e12 * 300 / 1048576 = 4291534423.828125 (floored when paid).
    assert storage_amount(GENESIS, 300) == Decimal("4291534423.828125")
    assert storage_amount(GENESIS, 300, 6) == Decimal("4291.534423828125")  # a token of 6 digits
    assert storage_amount(GENESIS, 0) == 1  # at least one unit while the price is set
    free = FeeSchedule.from_parameters({"price_tx_size": "0"})
    assert storage_amount(free, 300) == 0


def test_size_fuel() -> None:
    assert GENESIS.size_fuel(300) == 2  # 10 fuel per 1024 bytes, floored
    assert GENESIS.size_fuel(2048) == 20


def _platform_plan(schedule: FeeSchedule = GENESIS, **kw: object) -> list[FeePlan]:
    args: dict[str, object] = {
        "caller": 7,
        "producer": 9,
        "binder": 0,
        "tx_ecosystem": 1,
        "ecosystem_wallet": 0,
        "tokens": [TokenTerms(1, 12, "IBXC")],
        "tx_size": 300,
        "expedite": Decimal("0.5"),
    }
    args.update(kw)
    return plan_contract_fee(schedule, **args)  # type: ignore[arg-type]


def test_contract_fee_parts() -> None:
    [plan] = _platform_plan()
    assert (plan.ecosystem, plan.payer, plan.recipient, plan.taxes_wallet) == (1, 7, 9, FOUNDER)
    assert plan.payment_type == CALLER and not plan.indirect and plan.burn_percent == 0
    # fuel x fuel_rate + storage by size (floored) + expedite.
    assert plan_total(plan, 1234) == 1_234_000_000 + 4_291_534_423 + 500_000_000_000


def test_split_taxes_and_combustion() -> None:
    assert split_fee(1000, 3) == Split(reward=970, taxes=30, burn=0)
    assert split_fee(999, 3) == Split(reward=970, taxes=29, burn=0)  # taxes floored
    # Combustion burns first; taxes come out of what is left.
    assert split_fee(1000, 3, 10) == Split(reward=873, taxes=27, burn=100)
    assert split_fee(0, 3) == Split(0, 0, 0)


def test_a_payer_short_of_the_fee() -> None:
    [plan] = _platform_plan(expedite=Decimal(0), tx_size=0)
    assert plan_total(plan, 1) == 1_000_001
    paid = settle(plan, 1, 500, penalty=True, contract="@1Foo")  # a failed tx pays all it has
    assert [(m.amount, m.kind) for m in paid] == [(485, HISTORY_REWARD), (15, HISTORY_TAXES)]
    with pytest.raises(NotEnoughFee) as caught:
        settle(plan, 1, 500, penalty=False, contract="@1Foo")
    assert str(caught.value) == f"{address_to_string(7)} not enough fee for taxes in ecosystem 1"


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


def test_fee_mode_info_as_read() -> None:
    mode = FeeMode.parse(
        {
            "fee_mode_detail": {"vmCost_fee": {"flag": "2", "conversion_rate": "50"}},
            "combustion": {"flag": 2, "percent": 10},
            "follow_fuel": 2.5,
        }
    )
    assert mode is not None and mode.parts == {"vmCost_fee": (2, Decimal(50))}
    assert (mode.combustion_flag, mode.combustion_percent) == (2, 10)
    assert mode.follow_fuel == Decimal("2.5") and mode.has_capable_part()
    text = FeeMode.parse('{"combustion": {"flag": "1", "percent": "25"}}')
    assert text is not None and text.combustion_percent == 25 and not text.has_capable_part()
    assert FeeMode.parse(None) is None and FeeMode.parse("") is None
    for bad in ("not json", [], {"combustion": 5}, {"combustion": {"percent": True}}):
        found = FeeMode.parse(bad)
        assert found is not None and (found.combustion_flag, found.combustion_percent) == (1, 0)
    clamped = FeeMode.parse({"combustion": {"percent": 150}})
    assert clamped is not None and clamped.combustion_percent == 100


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
    [plan] = _platform_plan(expedite=Decimal(0), tx_size=0)
    rows = settle(plan, 100, 10**18, penalty=False, contract="@1Foo")  # vm 1e8, storage 1 unit
    assert [(r.sender, r.recipient, r.amount, r.kind, r.status) for r in rows] == [
        (7, 9, 97_000_001, HISTORY_REWARD, STATUS_SUCCESS),
        (7, FOUNDER, 3_000_000, HISTORY_TAXES, STATUS_SUCCESS),
    ]
    assert rows[0].comment == "taxes for execution of @1Foo contract"
    assert rows[0].detail is not None
    assert rows[0].detail["vmCost_fee"] == {
        "arithmetic": "NATIVE",
        "conversion_rate": 100,
        "decimal": "100000000",
        "flag": 1,
        "value": "100000000",
    }
    assert rows[0].detail["payment_type"] == "ContractCaller"
    failed = settle(plan, 100, 50, penalty=True, contract="@1Foo")
    assert [(r.amount, r.status) for r in failed] == [(49, STATUS_PENALTY), (1, STATUS_PENALTY)]
    assert failed[0].comment == "(error)taxes for execution of @1Foo contract"
    assert settle(plan, 100, 0, penalty=True, contract="@1Foo") == []


def test_a_bound_wallet_pays_ecosystem_1s_fee() -> None:
    [plan] = _platform_plan(binder=55)
    assert (plan.payer, plan.payment_type) == (55, BINDER)
    message = f"{address_to_string(55)} not enough fee for taxes in ecosystem 1"
    with pytest.raises(NotEnoughFee, match=message):
        settle(plan, 10, 0, penalty=False, contract="@1Foo")


TWO = FeeSchedule.from_parameters(
    {
        "fuel_rate": '[["1","1000000"],["2","2000000"]]',
        "taxes_wallet": f'[["1","{FOUNDER}"],["2","77"]]',
        "taxes_size": "3",
        "price_tx_size": "15",
    }
)
SECOND = TokenTerms(
    2,
    6,
    "SEC",
    FeeMode.parse(
        {
            "fee_mode_detail": {
                "vmCost_fee": {"flag": "2", "conversion_rate": "50"},
                "storage_fee": {"flag": "1", "conversion_rate": ""},
                "expedite_fee": {"flag": "2", "conversion_rate": "100"},
            },
            "combustion": {"flag": 2, "percent": 10},
            "follow_fuel": 2,
        }
    ),
)


def _moves(plan: FeePlan, fuel: int) -> list[tuple[int, int, int, int, int]]:
    paid = settle(plan, fuel, 10**20, penalty=False, contract="@2Foo")
    return [(m.ecosystem, m.sender, m.recipient, m.amount, m.kind) for m in paid]


def test_an_ecosystem_wallet_and_its_token_share_the_fee() -> None:
    # A call in ecosystem 2 (wallet 55) of 1 MiB with an expedite of 1 token, fuel 100.
    plans = _platform_plan(
        TWO,
        tx_ecosystem=2,
        ecosystem_wallet=55,
        tokens=[TokenTerms(1, 12, "IBXC"), SECOND],
        tx_size=1 << 20,
        expedite=Decimal(1),
    )
    kinds = [(p.ecosystem, p.payer, p.payment_type, p.indirect) for p in plans]
    assert kinds == [
        (1, 7, CALLER, False),
        (1, 55, ECOSYSTEM_WALLET, False),
        (2, 7, CALLER, True),
        (2, 7, CALLER, False),
    ]
    caller_coin, wallet_coin, to_wallet, own = plans
    # The storage part (flag 1): the caller pays it in ecosystem 1's coin (15 coins per MiB).
    assert _moves(caller_coin, 100) == [
        (1, 7, 9, 14_550_000_000_000, HISTORY_REWARD),
        (1, 7, FOUNDER, 450_000_000_000, HISTORY_TAXES),
    ]
    # The parts of flag 2, in ecosystem 1's coin, by the wallet: fuel x rate 1e6, and the
    # expedite (1 token = 1e12 units of coin) divided by follow_fuel 2.
    assert _moves(wallet_coin, 100) == [
        (1, 55, 9, 485_097_000_000, HISTORY_REWARD),
        (1, 55, FOUNDER, 15_003_000_000, HISTORY_TAXES),
    ]
    # The caller pays the wallet in the token: 50 percent of the vm part (fuel x rate 2e6 at
    # 6 digits = 200 units) and the expedite (1e6 units).
    assert _moves(to_wallet, 100) == [(2, 7, 55, 1_000_100, HISTORY_DIRECT)]
    # ... and the vm part itself to the producer, 10 percent burnt, 3 percent of the rest to
    # ecosystem 2's taxes wallet.
    assert _moves(own, 100) == [
        (2, 7, 0, 20, HISTORY_COMBUSTION),
        (2, 7, 9, 175, HISTORY_REWARD),
        (2, 7, 77, 5, HISTORY_TAXES),
    ]
    burnt = settle(own, 100, 10**20, penalty=False, contract="@2Foo")[0].detail
    assert burnt is not None and burnt["combustion"] == {
        "after": "180",
        "before": "200",
        "flag": 2,
        "percent": 10,
        "value": "20",
    }
    # Short of the token, the call fails naming the ecosystem.
    with pytest.raises(NotEnoughFee, match="not enough fee for taxes in ecosystem 2"):
        settle(to_wallet, 100, 5, penalty=False, contract="@2Foo")


def test_when_the_ecosystems_token_takes_no_share() -> None:
    tokens = [TokenTerms(1, 12, "IBXC"), SECOND]
    platform_only = [(1, 7, CALLER)]

    def payers(**kw: object) -> list[tuple[int, int, str]]:
        plans = _platform_plan(TWO, **({"tokens": tokens} | kw))
        return [(p.ecosystem, p.payer, p.payment_type) for p in plans]

    # Nobody but the caller to pay for it: no ecosystem wallet, or a call from ecosystem 1.
    assert payers(tx_ecosystem=2, ecosystem_wallet=0) == platform_only
    assert payers(tx_ecosystem=1, ecosystem_wallet=55) == platform_only
    # No part flagged 2, or no fee mode at all.
    unable = TokenTerms(2, 6, "SEC", FeeMode.parse({"combustion": {"flag": 2, "percent": 5}}))
    assert payers(tx_ecosystem=2, ecosystem_wallet=55, tokens=[tokens[0], unable]) == (
        platform_only
    )
    plain = TokenTerms(2, 6, "SEC", None)
    assert payers(tx_ecosystem=2, ecosystem_wallet=55, tokens=[tokens[0], plain]) == (platform_only)
    # A wallet bound to the contract pays wherever the call comes from.
    assert payers(tx_ecosystem=1, binder=56) == [
        (1, 7, CALLER),
        (1, 56, BINDER),
        (2, 7, CALLER),
        (2, 7, CALLER),
    ]
