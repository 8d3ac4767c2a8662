"""Bank writes as node-signed transactions, executed natively by the block producer.

(Over 600 lines: the work queue and the execution of every CCash operation share one batch
view and its sync with the chain; split, each half would reach into the other's state.)

A handler hands an operation to `BankWork.submit`, which signs a type-3 transaction with the
node key, queues it in memory and wakes the producer. The producer takes a batch into the block
it is forming (after the queued transactions), and `execute` checks and applies each operation
against the view plus the batch's earlier operations, writing 1_keys, 1_history,
credentials, statuses and rollback rows in bulk. Only once that block is committed are the view
updated and the handlers answered: an acknowledged write is in a committed block, and a write
that was not acknowledged may be lost in a crash, which is why the queue can live in memory.
A refused operation (e.g. insufficient funds found only here) leaves no trace on chain.

Other processes may write bank blocks on the same database. So the view is never trusted
blindly: under the block writer's lock, before the batch runs, `sync` takes in every bank row
committed since the view last saw the chain (the 1_history mark), and handlers call it before
they read, so every process sees every committed bank write.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import secrets
import time
from collections import deque
from collections.abc import Awaitable, Callable, Container
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from chain.bank.rules import (
    HISTORY_ADMIN,
    HISTORY_DELETE,
    HISTORY_IMPORTED_LOG,
    HISTORY_REGISTER,
    HISTORY_RETURN,
    HISTORY_TRANSFER,
    LOG_TYPES,
    OMEGA,
    UINT32_MAX,
    BankError,
    BankOp,
    BankRules,
    Fault,
    LogEntry,
    OpKind,
)
from chain.bank.view import Account, BankView
from chain.identity import NodeIdentity
from chain.internal import InternalBlock
from chain.observer import NO_OBSERVER, ChainObserver
from chain.storage.repo.bank import (
    Credential,
    HistoryRow,
    ProcessedTx,
    delete_credentials,
    get_bank_ecosystem,
    get_history_mark,
    insert_accounts,
    insert_history,
    insert_processed_statuses,
    list_account_states,
    list_bank_changes,
    list_live_balances,
    list_registrations,
    next_history_id,
    update_accounts,
    upsert_credentials,
)
from chain.storage.repo.money import RollbackRow
from chain.storage.repo.txs import LogRow
from chain.tables import NEW_ECOSYSTEM
from chain.txcodec import CLIENT_ENVELOPE, Header, SmartTransaction, encode_length, encode_payload

logger = logging.getLogger(__name__)

OpenEcosystem = Callable[[AsyncConnection], Awaitable[int]]
# Called after a commit with credentials stored and names whose credentials were removed.
CredentialsChanged = Callable[[list[Credential], list[str]], None]
WAIT_S = 30.0
# Once a wait has timed out, how often the submitter looks again whether its op is back in the
# queue (its block failed) and can be taken out.
RECHECK_S = 0.5


@dataclass(eq=False)
class Pending:
    """One submitted operation: its signed tx and the handler waiting for its block."""

    op: BankOp
    hash: bytes
    raw: bytes
    future: asyncio.Future[int | None]
    outcome: int | None | BankError = None
    cancelled: bool = False  # its submitter gave up: refused if it has not run yet


@dataclass
class _Effects:
    """What a batch did, applied to the view only once its block is committed."""

    accounts: dict[str, Account | None] = field(default_factory=dict)
    names: dict[int, str] = field(default_factory=dict)
    entries: list[tuple[str, int, LogEntry]] = field(default_factory=list)  # name, since, entry
    stored: list[Credential] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    ecosystem: int | None = None
    mark: int = 0  # the newest 1_history id once the block is committed


class _Batch:
    """The block's working view: committed accounts overlaid with this batch's changes."""

    def __init__(self, view: BankView | None, block_id: int, first_history_id: int) -> None:
        self.view = view
        self.block_id = block_id
        self.next_id = first_history_id
        self.effects = _Effects()
        self.history: list[HistoryRow] = []
        self.rollbacks: list[RollbackRow] = []
        # key id -> (balance, deleted, new row): the rows' values when the block ends
        self.rows: dict[int, tuple[int, int, bool]] = {}
        # keys with a 1_keys row before this block: every name ever registered
        self.stored_keys: Container[int] = view.names if view is not None else frozenset()

    def account(self, name: str) -> Account | None:
        accounts = self.effects.accounts
        if name in accounts:
            return accounts[name]
        found = self.view.get(name) if self.view is not None else None
        return found.copy() if found is not None else None

    def history_row(self, tx_hash: bytes, **values: Any) -> HistoryRow:
        row = HistoryRow(id=self.next_id, block_id=self.block_id, txhash=tx_hash, **values)
        self.next_id += 1
        self.history.append(row)
        self.rollbacks.append(RollbackRow(self.block_id, tx_hash, "1_history", str(row.id), ""))
        return row

    def put(self, tx_hash: bytes, ecosystem: int, account: Account, deleted: bool = False) -> None:
        """Record the account's new balance (or deletion) and, first time, how to undo it.

        Blocks are undone whole, newest record first, so only a row's first change in the
        block needs a record: a busy sender then costs one record per block, not one per tx.
        """
        key = account.key_id
        earlier = self.rows.get(key)
        if earlier is not None:
            is_new = earlier[2]
        else:
            is_new = key not in self.stored_keys
            data = ""
            if not is_new:
                committed = self.view.get(account.name) if self.view is not None else None
                balance, was_deleted = (committed.balance, 0) if committed else (0, 1)
                data = f'{{"amount":"{balance}","deleted":"{was_deleted}"}}'
            self.rollbacks.append(
                RollbackRow(self.block_id, tx_hash, "1_keys", f"{key},{ecosystem}", data)
            )
        self.rows[key] = (0 if deleted else account.balance, int(deleted), is_new)
        self.effects.accounts[account.name] = None if deleted else account
        if not deleted:
            account.version += 1

    def log(self, account: Account, entry: LogEntry) -> None:
        self.effects.entries.append((account.name, account.since, entry))


def _result(outcome: int | None | BankError) -> str:
    """What txstatus shows as the tx's result: the new balance or count, if any."""
    return "" if outcome is None or isinstance(outcome, BankError) else str(outcome)


class BankWork:
    """The bank's in-memory transaction queue and executor (the producer's InternalWork)."""

    def __init__(
        self,
        node: NodeIdentity,
        rules: BankRules,
        wake: Callable[[], None],
        open_ecosystem: OpenEcosystem,
        credentials_changed: CredentialsChanged,
        observer: ChainObserver = NO_OBSERVER,
    ) -> None:
        self._node = node
        self.rules = rules
        self._wake = wake
        self._open = open_ecosystem
        self._credentials_changed = credentials_changed
        self._queue: deque[Pending] = deque()
        self.wait_s = WAIT_S  # how long a submitter waits before it cancels
        self.observer = observer  # the node's metrics (NO_OBSERVER: none)
        self.view: BankView | None = None
        self._nonces = itertools.count(secrets.randbits(62))
        # The node key never changes: made ready once, it signs every bank tx.
        self._signer = node.crypto.signer(node.node_private)

    # ---- the view against the chain -------------------------------------------------------

    async def load_view(self, conn: AsyncConnection, ecosystem: int) -> BankView:
        """The view read afresh from the chain's rows."""
        view = BankView(ecosystem)
        view.mark = await get_history_mark(conn)  # first: rows after it are read again later
        registrations = await list_registrations(conn, ecosystem)
        balances = await list_live_balances(conn, ecosystem)
        latest: dict[int, tuple[int, str]] = {}
        for history_id, key_id, name in registrations:
            view.names[key_id] = name
            latest[key_id] = (history_id, name)
        for key_id, (history_id, name) in latest.items():
            if key_id in balances:
                view.accounts[name] = Account(name, key_id, balances[key_id], since=history_id)
        return view

    async def sync(
        self, conn: AsyncConnection, newest: int | None = None, tries: int | None = None
    ) -> bool:
        """Take in the bank rows committed since the view's mark (by any process).

        `newest` is the chain's mark when the caller has just read it. Under the writer's
        lock (`tries` None) nothing commits meanwhile, so this always ends with the view up
        to date there; a reader racing commits gives up after `tries` rounds, a commit later.
        True when it caught up, False when it gave up.
        """
        while not await self._sync_once(conn, newest):
            newest = None
            if tries is not None:
                tries -= 1
                if tries <= 0:
                    return False
        return True

    async def _sync_once(self, conn: AsyncConnection, newest: int | None) -> bool:
        """False when the view changed under this call (a commit, another sync): try again."""
        view = self.view
        if view is None:
            return True
        start = view.mark
        if newest is None or newest < start or view.stale:
            # (A mark read before this process's own latest commit is behind the view's.)
            newest = await get_history_mark(conn)
        if newest == start and not view.stale:
            return True
        if newest < start or view.stale:
            # Blocks were undone (or one of ours abandoned): rows and ids went back.
            fresh = await self.load_view(conn, view.ecosystem)
            if self.view is not view or view.mark != start:
                return False
            self.view = fresh
            return True
        rows = await list_bank_changes(conn, view.ecosystem, start)
        touched = sorted({k for r in rows for k in (r.sender_id, r.recipient_id) if k})
        states = await list_account_states(conn, view.ecosystem, touched)
        if self.view is not view or view.mark != start:
            return False
        self._catch_up(view, rows, touched, states)
        view.mark = max(newest, rows[-1].id if rows else 0)
        return True

    @staticmethod
    def _catch_up(
        view: BankView,
        rows: list[HistoryRow],
        touched: list[int],
        states: dict[int, tuple[int, bool]],
    ) -> None:
        """Apply other processes' committed rows: new names, balances, deletions."""
        since: dict[int, int] = {}
        newest_time: dict[int, int] = {}
        for row in rows:
            if row.type == HISTORY_REGISTER:
                view.names[row.recipient_id] = row.comment
                since[row.recipient_id] = row.id
                newest_time[row.recipient_id] = 0  # a new holder's log starts here
            elif row.type in LOG_TYPES:
                for key in (row.sender_id, row.recipient_id):
                    if key:
                        newest_time[key] = max(newest_time.get(key, 0), row.created_at)
        for key in touched:
            name = view.names.get(key)
            if name is None:
                continue
            state = states.get(key)
            old = view.accounts.get(name)
            view.logs.pop(name, None)  # its entries changed: read again when asked
            if state is None or state[1]:
                view.accounts.pop(name, None)
                continue
            last_time: int | None
            if key in since:
                first, last_time = since[key], newest_time.get(key, 0)
            elif old is not None:
                first = old.since
                last_time = (
                    None if old.last_time is None else max(old.last_time, newest_time.get(key, 0))
                )
            else:
                view.stale = True  # a live account the view never saw registered: reload
                continue
            version = old.version + 1 if old is not None else 0
            view.accounts[name] = Account(name, key, state[0], first, last_time, version)

    # ---- the handlers' side ---------------------------------------------------------------

    def sign(self, op: BankOp) -> tuple[bytes, bytes]:
        """The operation as a type-3 transaction signed by the node key: (hash, raw)."""
        node = self._node
        params = op.params()
        # Equal requests in one second must still be distinct txs (hashes); a random start
        # keeps two processes (or restarts) apart, a counter is cheaper than fresh randomness.
        params["Nonce"] = next(self._nonces)
        tx = SmartTransaction(
            header=Header(
                id=0,
                ecosystem_id=self.view.ecosystem if self.view is not None else 1,
                key_id=node.node_key_id,
                time=op.time,
                network_id=node.network_id,
                public_key=node.node_public,
            ),
            signed_by=node.node_key_id,
            params=params,
        )
        payload = encode_payload(tx, nested_header=True)
        tx_hash = node.crypto.double_hash(payload)
        signature = self._signer.sign(tx_hash)
        raw = b"".join(
            (
                bytes([CLIENT_ENVELOPE]),
                encode_length(len(payload)),
                payload,
                encode_length(len(signature)),
                signature,
            )
        )
        return tx_hash, raw

    async def submit(self, op: BankOp, timeout: float | None = None) -> int | None:
        """Run one operation through a block; returns its result once the block is committed.

        After `timeout` (default `wait_s`) the operation is cancelled for real: taken out of
        the queue, or, if a block being formed holds it already, refused there unless it has
        run, in which case the answer is its outcome once that block ends. So an answer of
        Fault.UNAVAILABLE (503) means it is not on chain and never will be.
        """
        if not op.time:
            op = replace(op, time=int(time.time()))
        tx_hash, raw = self.sign(op)
        future: asyncio.Future[int | None] = asyncio.get_running_loop().create_future()
        pending = Pending(op, tx_hash, raw, future)
        self._queue.append(pending)
        self._wake()
        try:
            result = await self._outcome(pending, self.wait_s if timeout is None else timeout)
        except BankError as exc:
            self.observer.bank_operation(op.kind.value, exc.fault.value)
            raise
        self.observer.bank_operation(op.kind.value, "ok")
        return result

    async def _outcome(self, pending: Pending, timeout: float) -> int | None:
        wait = timeout
        while True:
            done, _ = await asyncio.wait((pending.future,), timeout=wait)
            if done:
                return pending.future.result()
            pending.cancelled = True
            try:
                self._queue.remove(pending)
            except ValueError:
                wait = RECHECK_S  # in a block being formed: it ends in a commit or back here
                continue
            raise BankError(Fault.UNAVAILABLE)

    # ---- chain.internal.InternalWork -------------------------------------------------------

    def pending(self) -> bool:
        return bool(self._queue)

    def take(self, limit: int) -> list[Any]:
        batch: list[Any] = []
        while self._queue and len(batch) < limit:
            batch.append(self._queue.popleft())
        return batch

    def abandoned(self, batch: list[Any]) -> None:
        """The block failed: the operations go back to the front, in order."""
        self._queue.extendleft(reversed(batch))
        if self.view is not None:
            # Its sync ran inside the failed transaction and may have seen its own rows.
            self.view.stale = True

    async def execute(
        self, conn: AsyncConnection, batch: list[Any], block_id: int, block_time: int
    ) -> InternalBlock:
        # Under the writer's lock: the view is brought up to what every process committed, so
        # balances are checked against the chain, not against this process's memory.
        await self.sync(conn)
        work = _Batch(self.view, block_id, await next_history_id(conn))
        included: list[Pending] = []
        for pending in batch:
            if pending.cancelled:  # its submitter has given up (and will answer 503)
                pending.outcome = BankError(Fault.UNAVAILABLE)
                continue
            try:
                pending.outcome = await self._apply(conn, work, pending)
            except BankError as exc:
                pending.outcome = exc
                continue
            included.append(pending)
        eco = work.effects.ecosystem or (self.view.ecosystem if self.view is not None else 1)
        await self._write(conn, work, eco)
        work.effects.mark = work.next_id - 1
        key_id = self._node.node_key_id
        await insert_processed_statuses(
            conn,
            [ProcessedTx(p.hash, block_id, _result(p.outcome)) for p in included],
            time_s=block_time,
            ecosystem=eco,
            wallet_id=key_id,
        )
        logs = [
            LogRow(
                hash=p.hash,
                block=block_id,
                timestamp=p.op.time * 1000,
                contract_name=f"@{eco}CCash{p.op.kind.value}",
                address=key_id,
                ecosystem_id=eco,
                status=0,
            )
            for p in included
        ]
        return InternalBlock(
            raw=[p.raw for p in included],
            logs=logs,
            rollbacks=work.rollbacks,
            touched=("1_keys", "1_history"),
            done=(batch, work.effects),
        )

    async def _write(self, conn: AsyncConnection, work: _Batch, eco: int) -> None:
        new = [(k, bal) for k, (bal, _d, is_new) in work.rows.items() if is_new]
        old = [(k, bal, d) for k, (bal, d, is_new) in work.rows.items() if not is_new]
        await insert_accounts(conn, eco, new)
        await update_accounts(conn, eco, old)
        await insert_history(conn, eco, work.history)
        now = int(time.time())
        await upsert_credentials(conn, work.effects.stored, now)
        await delete_credentials(conn, work.effects.removed)

    def committed(self, done: Any) -> None:
        batch, effects = done
        view = self.view
        if effects.ecosystem is not None and view is None:
            self.view = view = BankView(effects.ecosystem)
            view.mark = effects.mark
        if view is not None:
            view.mark = max(view.mark, effects.mark)
            for name, account in effects.accounts.items():
                if account is None:
                    view.accounts.pop(name, None)
                    view.logs.pop(name, None)
                else:
                    old = view.accounts.get(name)
                    if old is None or old.since != account.since:
                        view.logs.pop(name, None)  # a new holder of the name: a fresh log
                    view.accounts[name] = account
            view.names.update(effects.names)
            for name, since, entry in effects.entries:
                holder = view.accounts.get(name)
                if holder is not None and holder.since == since:  # not a deleted holder's
                    view.add_entry(name, entry)
        self._credentials_changed(effects.stored, effects.removed)
        for pending in batch:
            if pending.future.done():
                continue
            if isinstance(pending.outcome, BankError):
                pending.future.set_exception(pending.outcome)
            else:
                pending.future.set_result(pending.outcome)

    # ---- the operations ------------------------------------------------------------------

    async def _apply(self, conn: AsyncConnection, work: _Batch, p: Pending) -> int | None:
        op = p.op
        if op.kind == OpKind.OPEN:
            if self.view is not None or work.effects.ecosystem is not None:
                return self.view.ecosystem if self.view is not None else work.effects.ecosystem
            existing = await get_bank_ecosystem(conn)
            if existing is not None:
                return existing  # another process, starting with this one, opened it first
            work.effects.ecosystem = await self._open(conn)
            # The rollback marker of a new ecosystem: undoing the block removes its rows.
            work.rollbacks.append(
                RollbackRow(work.block_id, p.hash, NEW_ECOSYSTEM, str(work.effects.ecosystem), "")
            )
            return work.effects.ecosystem
        if self.view is None:
            raise BankError(Fault.UNAVAILABLE)
        eco = self.view.ecosystem
        if op.kind == OpKind.TRANSFER:
            return self._transfer(work, eco, p)
        if op.kind == OpKind.REGISTER:
            self._register(work, eco, p)
            return None
        if op.kind == OpKind.SET_BALANCE:
            self._set_balance(work, eco, p)
            return None
        if op.kind == OpKind.IMPACT_BALANCE:
            return self._impact(work, eco, p)
        if op.kind == OpKind.DELETE:
            account = work.account(op.name)
            if account is None:
                raise BankError(Fault.USER_NOT_FOUND)
            if self.rules.protected(op.name):
                raise BankError(Fault.PROTECTED)
            self._delete(work, eco, p, account)
            return None
        if op.kind == OpKind.PRUNE:
            return self._prune(work, eco, p)
        raise BankError(Fault.UNAVAILABLE)

    def _transfer(self, work: _Batch, eco: int, p: Pending) -> int:
        op = p.op
        if op.amount == 0:
            raise BankError(Fault.AMOUNT_ZERO)
        if op.name == op.other:
            raise BankError(Fault.NAMES_MATCH)
        receiver = work.account(op.other)
        if receiver is None:
            raise BankError(Fault.RECEIVER_MISSING)
        sender = work.account(op.name)
        if sender is None:
            raise BankError(Fault.SENDER_MISSING)
        if sender.balance < op.amount:
            raise BankError(Fault.INSUFFICIENT)
        if receiver.balance + op.amount > UINT32_MAX:
            raise BankError(Fault.OVERFLOW)
        sender.balance -= op.amount
        receiver.balance += op.amount
        work.put(p.hash, eco, sender)
        work.put(p.hash, eco, receiver)
        work.history_row(
            p.hash,
            sender_id=sender.key_id,
            recipient_id=receiver.key_id,
            amount=op.amount,
            created_at=op.time,
            type=HISTORY_TRANSFER,
            sender_balance=sender.balance,
            recipient_balance=receiver.balance,
        )
        work.log(sender, LogEntry(receiver.name, False, op.amount, op.time))
        work.log(receiver, LogEntry(sender.name, True, op.amount, op.time))
        return sender.balance

    def _register(self, work: _Batch, eco: int, p: Pending) -> None:
        op = p.op
        if not self.rules.valid_name(op.name):
            raise BankError(Fault.INVALID_NAME)
        if work.account(op.name) is not None:
            raise BankError(Fault.USER_EXISTS)
        if not 0 <= op.amount <= UINT32_MAX:
            raise BankError(Fault.OVERFLOW)
        key_id = self._node.crypto.seed_address(op.name)
        row = work.history_row(
            p.hash,
            sender_id=0,
            recipient_id=key_id,
            amount=op.amount,
            created_at=op.time,
            type=HISTORY_REGISTER,
            comment=op.name,
            recipient_balance=op.amount,
        )
        account = Account(op.name, key_id, op.amount, since=row.id, last_time=0)
        for entry in op.imported_logs:
            self._imported(work, p, account, entry)
        work.put(p.hash, eco, account)
        work.effects.names[key_id] = op.name
        work.effects.stored.append(Credential(op.name, key_id, op.secret))

    def _imported(self, work: _Batch, p: Pending, account: Account, entry: LogEntry) -> None:
        work.history_row(
            p.hash,
            sender_id=0 if entry.receiving else account.key_id,
            recipient_id=account.key_id if entry.receiving else 0,
            amount=entry.amount,
            created_at=entry.time,
            type=HISTORY_IMPORTED_LOG,
            comment=entry.counterparty,
        )
        account.last_time = max(account.last_time or 0, entry.time)
        work.log(account, entry)

    def _admin_change(self, work: _Batch, eco: int, p: Pending, account: Account, new: int) -> None:
        delta = new - account.balance
        account.balance = new
        work.put(p.hash, eco, account)
        receiving = delta > 0
        work.history_row(
            p.hash,
            sender_id=0 if receiving else account.key_id,
            recipient_id=account.key_id if receiving else 0,
            amount=abs(delta),
            created_at=p.op.time,
            type=HISTORY_ADMIN,
            sender_balance=0 if receiving else new,
            recipient_balance=new if receiving else 0,
        )
        work.log(account, LogEntry(OMEGA, receiving, abs(delta), p.op.time))

    def _set_balance(self, work: _Batch, eco: int, p: Pending) -> None:
        account = work.account(p.op.name)
        if account is None:
            raise BankError(Fault.USER_NOT_FOUND)
        if not 0 <= p.op.amount <= UINT32_MAX:
            raise BankError(Fault.OVERFLOW)
        self._admin_change(work, eco, p, account, p.op.amount)

    def _impact(self, work: _Batch, eco: int, p: Pending) -> int:
        if p.op.amount == 0:
            raise BankError(Fault.AMOUNT_ZERO)
        account = work.account(p.op.name)
        if account is None:
            raise BankError(Fault.USER_NOT_FOUND)
        new = max(account.balance + p.op.amount, 0)  # CCash clamps at 0
        if new > UINT32_MAX:
            raise BankError(Fault.OVERFLOW)
        self._admin_change(work, eco, p, account, new)
        return new

    def _delete(self, work: _Batch, eco: int, p: Pending, account: Account) -> None:
        """Delete an account; with return-on-delete its balance goes to the return account."""
        balance = account.balance
        target_name = self.rules.return_on_del
        target = work.account(target_name) if target_name and target_name != account.name else None
        credited = 0
        if target is not None and balance:
            credited = min(balance, UINT32_MAX - target.balance)  # never past uint32
            target.balance += credited
            work.put(p.hash, eco, target)
            work.history_row(
                p.hash,
                sender_id=account.key_id,
                recipient_id=target.key_id,
                amount=credited,
                created_at=p.op.time,
                type=HISTORY_RETURN,
                recipient_balance=target.balance,
            )
        account.balance = 0
        work.put(p.hash, eco, account, deleted=True)
        work.history_row(
            p.hash,
            sender_id=account.key_id,
            recipient_id=0,
            amount=balance - credited,
            created_at=p.op.time,
            type=HISTORY_DELETE,
            comment=account.name,
        )
        work.effects.removed.append(account.name)

    def _prune(self, work: _Batch, eco: int, p: Pending) -> int:
        op = p.op
        view = self.view
        names = set(view.accounts) if view is not None else set()
        names.update(n for n, a in work.effects.accounts.items() if a is not None)
        deleted = 0
        for name in sorted(names):
            account = work.account(name)
            if account is None or self.rules.protected(name) or account.balance >= op.amount:
                continue
            if op.before is not None:
                # Unknown activity (not looked up before submitting) keeps the account.
                if account.last_time is None or account.last_time >= op.before:
                    continue
            self._delete(work, eco, p, account)
            deleted += 1
        return deleted
