"""Block planning: which queued transactions the next block takes, within the platform's limits.

Pure: no database and no clock. The producer runs the planned steps in order and may stop
early (the block's fuel or generation time runs out); whatever it did not reach stays queued.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

TOO_BIG = "transaction is bigger than max_block_size"


@dataclass(frozen=True)
class BlockLimits:
    """The platform parameters that bound one block."""

    max_tx_block: int = 5000
    max_tx_block_per_user: int = 5000
    max_block_size: int = 64 << 20
    max_block_generation_time: int = 2000  # ms: txs beyond it wait for the next block
    max_fuel_block: int = 200_000_000  # contract fuel of a block, in the reference's units

    @classmethod
    def from_parameters(cls, params: Mapping[str, str]) -> BlockLimits:
        """The limits from platform parameters; a missing or unreadable one keeps its default."""

        def value(name: str, default: int) -> int:
            try:
                return max(int(params.get(name, default)), 1)
            except ValueError:
                return default

        return cls(
            max_tx_block=value("max_tx_block", cls.max_tx_block),
            max_tx_block_per_user=value("max_tx_block_per_user", cls.max_tx_block_per_user),
            max_block_size=value("max_block_size", cls.max_block_size),
            max_block_generation_time=value(
                "max_block_generation_time", cls.max_block_generation_time
            ),
            max_fuel_block=value("max_fuel_block", cls.max_fuel_block),
        )


@dataclass(frozen=True, slots=True)
class Candidate:
    """What planning needs of a queued transaction: its sender and its size in bytes."""

    key_id: int
    size: int


@dataclass(frozen=True, slots=True)
class Step:
    """One candidate the block deals with: run it, or drop it (too big for any block)."""

    index: int  # into the candidates
    run: bool


def plan_block(candidates: Sequence[Candidate], limits: BlockLimits) -> list[Step]:
    """The steps of the next block, in queue order (the queue's order is the block's).

    At most ``max_tx_block`` txs run, at most ``max_tx_block_per_user`` of one sender, and
    their sizes add up to at most ``max_block_size``. A tx larger than ``max_block_size`` on
    its own is dropped (rejected with :data:`TOO_BIG`). A candidate without a step, held back
    by its sender's count or by the size left, stays queued for a later block.
    """
    steps: list[Step] = []
    per_user: Counter[int] = Counter()
    runs = size = 0
    for index, tx in enumerate(candidates):
        if runs >= limits.max_tx_block:
            break
        if per_user[tx.key_id] >= limits.max_tx_block_per_user:
            continue
        if tx.size > limits.max_block_size:
            steps.append(Step(index, run=False))
            continue
        if size + tx.size > limits.max_block_size:
            continue
        per_user[tx.key_id] += 1
        size += tx.size
        runs += 1
        steps.append(Step(index, run=True))
    return steps


def fuel_left(limits: BlockLimits, used: int, included: int) -> int | None:
    """The contract fuel the next tx may use; None (no bound) for the block's first tx.

    The first tx always fits: a block must make progress whatever its fuel.
    """
    return limits.max_fuel_block - used if included else None


def out_of_time(limits: BlockLimits, elapsed_s: float, included: int) -> bool:
    """Has forming the block taken longer than ``max_block_generation_time``?

    Never before the first tx: the rest wait for the next block, which comes right after.
    """
    return included > 0 and elapsed_s * 1000 > limits.max_block_generation_time
