"""Block planning, without a database or a clock: limits, order, drops, fuel and time."""

from __future__ import annotations

import pytest

from chain.planning import BlockLimits, Candidate, Step, fuel_left, out_of_time, plan_block


def _txs(*pairs: tuple[int, int]) -> list[Candidate]:
    return [Candidate(key_id, size) for key_id, size in pairs]


def _runs(steps: list[Step]) -> list[int]:
    return [s.index for s in steps if s.run]


def test_everything_runs_in_queue_order_within_the_limits() -> None:
    txs = _txs((1, 10), (2, 10), (1, 10), (3, 10))
    assert plan_block(txs, BlockLimits()) == [Step(i, run=True) for i in range(4)]
    assert plan_block([], BlockLimits()) == []


def test_max_tx_block_ends_the_block() -> None:
    txs = _txs((1, 10), (2, 10), (3, 10), (4, 10 << 30))
    steps = plan_block(txs, BlockLimits(max_tx_block=2))
    # The oversized tx beyond the limit is not reached, so not dropped yet either.
    assert steps == [Step(0, run=True), Step(1, run=True)]


def test_per_user_limit_holds_back_only_that_sender() -> None:
    txs = _txs((1, 10), (1, 10), (2, 10), (1, 10), (2, 10))
    steps = plan_block(txs, BlockLimits(max_tx_block_per_user=1))
    assert _runs(steps) == [0, 2]
    assert all(s.run for s in steps)  # the held-back ones stay queued: no step at all


def test_block_size_skips_what_does_not_fit_and_takes_smaller_ones_after() -> None:
    txs = _txs((1, 60), (2, 50), (3, 40), (4, 1))
    assert _runs(plan_block(txs, BlockLimits(max_block_size=100))) == [0, 2]
    # Exactly full is allowed.
    assert _runs(plan_block(_txs((1, 60), (2, 40)), BlockLimits(max_block_size=100))) == [0, 1]


def test_a_tx_larger_than_any_block_is_dropped() -> None:
    txs = _txs((1, 101), (2, 100), (3, 101))
    steps = plan_block(txs, BlockLimits(max_block_size=100))
    assert steps == [Step(0, run=False), Step(1, run=True), Step(2, run=False)]
    # Dropped txs count neither against the block's size nor its tx count.
    steps = plan_block(txs, BlockLimits(max_block_size=100, max_tx_block=1))
    assert steps == [Step(0, run=False), Step(1, run=True)]


def test_held_back_sender_is_not_dropped_even_when_oversized() -> None:
    txs = _txs((1, 10), (1, 500))
    limits = BlockLimits(max_block_size=100, max_tx_block_per_user=1)
    assert plan_block(txs, limits) == [Step(0, run=True)]


def test_first_tx_always_fits_the_fuel() -> None:
    limits = BlockLimits(max_fuel_block=1000)
    assert fuel_left(limits, used=0, included=0) is None
    assert fuel_left(limits, used=5000, included=0) is None
    assert fuel_left(limits, used=300, included=1) == 700
    assert fuel_left(limits, used=1200, included=2) == -200


def test_generation_time_never_stops_an_empty_block() -> None:
    limits = BlockLimits(max_block_generation_time=2000)
    assert not out_of_time(limits, elapsed_s=10.0, included=0)
    assert not out_of_time(limits, elapsed_s=2.0, included=3)
    assert out_of_time(limits, elapsed_s=2.001, included=1)


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, BlockLimits()),
        (
            {
                "max_tx_block": "7",
                "max_tx_block_per_user": "3",
                "max_block_size": "1024",
                "max_block_generation_time": "500",
                "max_fuel_block": "99",
                "unrelated": "x",
            },
            BlockLimits(7, 3, 1024, 500, 99),
        ),
        ({"max_tx_block": "0", "max_block_size": "-5"}, BlockLimits(1, 5000, 1)),
        ({"max_tx_block": "many", "max_fuel_block": ""}, BlockLimits()),
    ],
    ids=["defaults", "all-set", "at-least-one", "unreadable-keeps-default"],
)
def test_limits_from_platform_parameters(params: dict[str, str], expected: BlockLimits) -> None:
    assert BlockLimits.from_parameters(params) == expected
