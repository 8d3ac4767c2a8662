"""The money state of the block being formed: unspent outputs and balances, written in bulk."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from sqlalchemy.ext.asyncio import AsyncConnection

from chain.storage.repo.keys import insert_keys
from chain.storage.repo.money import (
    Output,
    get_amounts,
    insert_outputs,
    list_unspent_many,
    set_amounts,
    spend_outputs,
)

Account = tuple[int, int]  # (ecosystem, key_id)


@dataclass
class BlockLedger:
    """Native transfers read and change this view; `flush` writes it in a few statements.

    A transfer checks everything before it changes anything, so a failed transfer leaves the
    view untouched: the in-memory equivalent of rolling back its savepoint. Per-row database
    round trips were the producer's bottleneck (about 8 per transfer).
    """

    conn: AsyncConnection
    _unspent: dict[Account, list[Output]] = field(default_factory=dict)
    _amounts: dict[Account, int | None] = field(default_factory=dict)
    _spent: list[tuple[Output, bytes, int]] = field(default_factory=list)
    _outputs: dict[tuple[bytes, int], Output] = field(default_factory=dict)
    _new_keys: list[Account] = field(default_factory=list)
    _changed_amounts: set[Account] = field(default_factory=set)
    # New outputs of accounts not loaded yet: not in the database before the flush either.
    _unloaded: dict[Account, list[Output]] = field(default_factory=dict)

    async def preload(self, accounts: Iterable[Account]) -> None:
        """Load the unspent outputs and balances of many accounts in two queries."""
        wanted = [a for a in set(accounts) if a not in self._unspent]
        if not wanted:
            return
        found = await list_unspent_many(self.conn, wanted)
        for account in wanted:
            # Outputs this block made since the last flush are not in the database yet (and
            # unspent: spending needs the account loaded).
            pending = self._unloaded.pop(account, [])
            self._unspent[account] = found.get(account, []) + pending
        amounts = await get_amounts(self.conn, wanted)
        for account in wanted:
            self._amounts.setdefault(account, amounts.get(account))

    async def unspent(self, account: Account) -> list[Output]:
        """The account's unspent outputs as of this point in the block, oldest first."""
        await self.preload([account])
        return list(self._unspent[account])

    async def amount(self, account: Account) -> int | None:
        """The account's balance, or None if it has no row."""
        await self.preload([account])
        return self._amounts[account]

    def spend(self, account: Account, outputs: list[Output], tx_hash: bytes) -> None:
        """Mark all given outputs of the account spent by a transaction."""
        spent = {(o.output_tx_hash, o.output_index) for o in outputs}
        self._unspent[account] = [
            o for o in self._unspent[account] if (o.output_tx_hash, o.output_index) not in spent
        ]
        for i, out in enumerate(outputs):
            key = (out.output_tx_hash, out.output_index)
            if key in self._outputs:
                # Created earlier in this block: it is inserted already spent, as an UPDATE
                # would run before its INSERT.
                self._outputs[key] = replace(out, input_tx_hash=tx_hash, input_index=i)
            else:
                self._spent.append((out, tx_hash, i))

    def add_output(self, output: Output) -> None:
        """A new unspent output."""
        self._outputs[(output.output_tx_hash, output.output_index)] = output
        account = (output.ecosystem, output.output_key_id)
        if account in self._unspent:
            self._unspent[account].append(output)
        else:
            self._unloaded.setdefault(account, []).append(output)

    def set_amount(self, account: Account, amount: int) -> None:
        """Set a balance; creates the account row if it has none."""
        if amount < 0:
            raise ValueError("negative balance")
        if self._amounts.get(account) is None:
            self._new_keys.append(account)
        self._amounts[account] = amount
        self._changed_amounts.add(account)

    async def flush(self) -> None:
        """Write every change, then forget the cache (a contract may change rows next)."""
        await spend_outputs(self.conn, self._spent)
        await insert_outputs(self.conn, list(self._outputs.values()))
        await insert_keys(self.conn, self._new_keys)
        await set_amounts(
            self.conn,
            [(eco, key, self._amounts[(eco, key)] or 0) for eco, key in self._changed_amounts],
        )
        self._unspent.clear()
        self._amounts.clear()
        self._spent.clear()
        self._outputs.clear()
        self._unloaded.clear()
        self._new_keys.clear()
        self._changed_amounts.clear()
