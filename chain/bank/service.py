"""The bank as the HTTP edge uses it: credentials, committed reads, writes through blocks."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable

from sqlalchemy.ext.asyncio import AsyncEngine

from chain.bank.auth import (
    LoginGuard,
    VerifiedCache,
    check_password,
    hash_password,
    needs_upgrade,
)
from chain.bank.executor import BankWork, OpenEcosystem
from chain.bank.rules import (
    HISTORY_IMPORTED_LOG,
    OMEGA,
    BankError,
    BankOp,
    BankRules,
    Fault,
    LogEntry,
    OpKind,
)
from chain.bank.view import Account, BankView, UserLog
from chain.identity import NodeIdentity
from chain.observer import NO_OBSERVER, ChainObserver
from chain.storage.engine import CommitProbe, read_connection
from chain.storage.repo.bank import (
    Credential,
    HistoryRow,
    get_auth_state,
    get_bank_ecosystem,
    get_history_mark,
    list_credentials_of,
    list_last_log_times,
    list_log_rows,
    set_credential_hash,
    upsert_credentials,
)

logger = logging.getLogger(__name__)

# Slow hashes run in threads; more at once would only queue behind the two cores.
HASH_THREADS = 2
# Password checks waiting for a hashing thread beyond this are refused at once (503), so a
# flood of guesses queues nowhere; verified users (the cache) never wait for a thread.
MAX_HASH_WAITING = 32
# Checks at once of an address that gave a wrong password lately: more are refused (429).
SUSPECT_CHECKS = 2
# A request's catching up with other processes races this one's commits; after this many
# lost races it reads the view as it is (a block newer than the request began with).
READ_SYNC_TRIES = 3
# Reading a log races the blocks that change it; after this many lost races it is not cached.
LOG_READ_TRIES = 3


class _FreshReads:
    """Requests' look at the chain, batched: one round of queries at a time serves every
    request that arrived before the round began (the mark, the credentials they ask for).

    A request always waits for a round that starts after it arrived, so it sees every bank
    write committed before it came, by any process; under load many requests share one round
    instead of each costing its own database round trip.
    """

    def __init__(
        self, engine: AsyncEngine, work: BankWork, probe: CommitProbe | None = None
    ) -> None:
        self._engine = engine
        self._work = work
        self._next: asyncio.Future[dict[str, Credential]] | None = None
        self._names: set[str] = set()
        self._runner: asyncio.Task[None] | None = None
        # SQLite: the file's commit counter when the last round that caught up began. Unchanged
        # since then, no connection has committed anything the view lacks: no round needed.
        self._probe = probe
        self._caught_up_at: int | None = None
        self.rounds = 0  # rounds of queries run (the probe saves the others)

    def _unchanged(self) -> bool:
        view = self._work.view
        if self._probe is None or self._caught_up_at is None or view is None or view.stale:
            return False
        return self._probe.version() == self._caught_up_at

    async def fresh(self, name: str | None = None) -> Credential | None:
        """Once the view has caught up: the stored credential of `name` (if asked)."""
        if name is None and self._unchanged():
            return None
        if self._next is None:
            self._next = asyncio.get_running_loop().create_future()
            self._names = set()
        future = self._next
        if name is not None:
            self._names.add(name)
        if self._runner is None:
            self._runner = asyncio.create_task(self._run(), name="bank-fresh-reads")
        found = await asyncio.shield(future)
        return found.get(name) if name is not None else None

    async def _run(self) -> None:
        try:
            while self._next is not None:
                future, names = self._next, sorted(self._names)
                self._next, self._names = None, set()
                # Read before the queries: a commit after it changes the counter again.
                version = self._probe.version() if self._probe is not None else None
                self.rounds += 1
                try:
                    async with read_connection(self._engine) as conn:
                        mark = await get_history_mark(conn)
                        found = await list_credentials_of(conn, names) if names else {}
                        caught_up = await self._work.sync(conn, mark, tries=READ_SYNC_TRIES)
                except Exception as exc:  # every waiter gets it, and the next round runs
                    future.set_exception(exc)
                    future.exception()
                    continue
                if caught_up and version is not None:
                    self._caught_up_at = version
                future.set_result(found)
        finally:
            self._runner = None


class Bank:
    """One node's bank: the rules, the committed view, credentials and the write queue."""

    def __init__(
        self,
        engine: AsyncEngine,
        node: NodeIdentity,
        rules: BankRules,
        *,
        wake: Callable[[], None],
        open_ecosystem: OpenEcosystem,
        hash_cost: int,
        auth_ttl: float,
        observer: ChainObserver = NO_OBSERVER,
        probe: CommitProbe | None = None,
    ) -> None:
        self.engine = engine
        self.work = BankWork(node, rules, wake, open_ecosystem, self.credentials_changed, observer)
        self.rules = rules
        self.hash_cost = hash_cost
        self._verified = VerifiedCache(auth_ttl)
        self._hashing = asyncio.Semaphore(HASH_THREADS)
        self._waiting = 0  # checks queued for a hashing thread
        self._checking: dict[str, int] = {}  # client address -> its checks under way
        # Checks under way by cache tag: the same name, password and hash are hashed once,
        # however many requests (a client's burst on a cold cache) ask at the same time.
        self._inflight: dict[bytes, asyncio.Future[bool]] = {}
        self._upgrading: set[str] = set()  # names whose hash is being made stronger
        self.guard = LoginGuard()
        self._reads = _FreshReads(engine, self.work, probe)

    @property
    def read_rounds(self) -> int:
        """Rounds of queries its reads ran to catch up with other processes."""
        return self._reads.rounds

    @property
    def view(self) -> BankView:
        view = self.work.view
        if view is None:
            raise BankError(Fault.UNAVAILABLE)
        return view

    # ---- start-up ------------------------------------------------------------------------

    async def start(self, admin_password: str) -> None:
        """Open the bank ecosystem if the chain has none, load the view, provision the admin."""
        async with self.engine.connect() as conn:
            ecosystem = await get_bank_ecosystem(conn)
        if ecosystem is None:
            opened = await self.work.submit(BankOp(OpKind.OPEN), timeout=120)
            if opened is None:
                raise RuntimeError("the bank ecosystem could not be created")
            ecosystem = opened
            logger.info("bank ecosystem %d created", ecosystem)
        await self.load(ecosystem)
        if self.rules.admin:
            await self._provision_admin(admin_password)

    async def load(self, ecosystem: int) -> None:
        """Read the accounts as the chain holds them."""
        async with self.engine.connect() as conn:
            view = await self.work.load_view(conn, ecosystem)
        self.work.view = view
        logger.info("bank: %d accounts in ecosystem %d", len(view.accounts), ecosystem)

    async def refresh(self) -> BankView:
        """The view, once it has taken in every bank write committed by any process."""
        await self._reads.fresh()
        return self.view

    async def _provision_admin(self, password: str) -> None:
        admin = self.rules.admin
        if self.view.get(admin) is None:
            try:
                await self.register(admin, password.encode(), 0, by_admin=True)
                logger.info("bank admin %r registered", admin)
                return
            except BankError as exc:
                if exc.fault != Fault.USER_EXISTS:  # another process registered it first
                    raise
        stored = await self.stored_credential(admin)
        if stored is None or not await self._check(password.encode(), stored.hash):
            await self.change_password(admin, password.encode())
            logger.info("bank admin %r password set from the configuration", admin)

    # ---- credentials ---------------------------------------------------------------------

    async def stored_credential(self, name: str) -> Credential | None:
        """The user's password hash as the database holds it now."""
        async with read_connection(self.engine) as conn:
            return (await get_auth_state(conn, name))[1]

    async def _check(self, password: bytes, stored: str) -> bool:
        self._waiting += 1
        try:
            await self._hashing.acquire()
        finally:
            self._waiting -= 1
        try:
            return await asyncio.to_thread(check_password, password, stored)
        finally:
            self._hashing.release()

    async def _hash(self, password: bytes) -> str:
        async with self._hashing:
            return await asyncio.to_thread(hash_password, password, self.hash_cost)

    async def authenticate(self, name: str, password: bytes, address: str = "") -> bool:
        """Is this a registered user with this password? Cached briefly once verified.

        The stored hash is read on every call (one round trip, with the view's mark), so a
        password changed or a user deleted through another process counts at once here.
        Raises Fault.TOO_MANY_TRIES for an address or name in backoff after wrong passwords,
        and Fault.UNAVAILABLE when the hashing threads are too far behind.
        """
        stored = await self._reads.fresh(name)
        if name not in self.view.accounts or stored is None:
            self.guard.failed(name, address)
            return False
        hit = self._verified.hit(name, password, stored.hash)
        self.work.observer.cache_lookup("bank_auth", hit)
        if hit:
            return True
        if not self.guard.allowed(name, address):
            raise BankError(Fault.TOO_MANY_TRIES)
        generation = self._verified.generation(name)
        right = await self._verify_once(name, password, stored.hash, address)
        if not right:
            self.guard.failed(name, address)
            return False
        self.guard.succeeded(name, address)
        if needs_upgrade(stored.hash, self.hash_cost) and name not in self._upgrading:
            # An imported XXH3 hash or a weaker scrypt one: replaced now the password is known
            # (once: a burst of this user's requests does not hash it again for each).
            self._upgrading.add(name)
            try:
                new_hash = await self._hash(password)
                if await self._store_hash(name, stored.key_id, new_hash, expected=stored.hash):
                    stored = Credential(name, stored.key_id, new_hash)
            finally:
                self._upgrading.discard(name)
            generation = self._verified.generation(name)
        self._verified.remember(name, password, stored.hash, generation)
        return name in self.view.accounts

    async def _verify_once(self, name: str, password: bytes, stored: str, address: str) -> bool:
        """check_password on a hashing thread, shared by equal checks under way, bounded."""
        tag = self._verified.tag(name, password, stored)
        running = self._inflight.get(tag)
        if running is not None:
            return await asyncio.shield(running)
        if self.guard.suspect(address) and self._checking.get(address, 0) >= SUSPECT_CHECKS:
            raise BankError(Fault.TOO_MANY_TRIES)
        if self._waiting >= MAX_HASH_WAITING:
            raise BankError(Fault.UNAVAILABLE)
        future: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._inflight[tag] = future
        self._checking[address] = self._checking.get(address, 0) + 1
        try:
            right = await self._check(password, stored)
            future.set_result(right)
            return right
        except BaseException as exc:
            future.set_exception(BankError(Fault.UNAVAILABLE))
            future.exception()  # retrieved: nobody else may be waiting for it
            raise exc
        finally:
            del self._inflight[tag]
            left = self._checking.pop(address) - 1
            if left:
                self._checking[address] = left

    async def _store_hash(
        self, name: str, key_id: int, hash_text: str, expected: str | None = None
    ) -> bool:
        """Store a user's hash; with `expected`, only over that one (an upgrade loses to a
        password changed meanwhile). False when nothing was stored."""
        async with self.engine.begin() as conn:
            if await set_credential_hash(conn, name, hash_text, int(time.time()), expected):
                return True
            if expected is not None:
                return False
            await upsert_credentials(conn, [Credential(name, key_id, hash_text)], 0)
            return True

    async def change_password(self, name: str, password: bytes) -> None:
        """Set a user's password (in the database, not on chain: every process reads it)."""
        account = (await self.refresh()).get(name)
        if account is None:
            raise BankError(Fault.USER_NOT_FOUND)
        hash_text = await self._hash(password)
        self._verified.invalidate(name)
        await self._store_hash(name, account.key_id, hash_text)
        self._verified.invalidate(name)

    def credentials_changed(self, stored: list[Credential], removed: list[str]) -> None:
        """A committed block stored or removed credentials (registrations, deletions)."""
        for credential in stored:
            self._verified.invalidate(credential.name)
        for name in removed:
            self._verified.invalidate(name)

    # ---- reads ---------------------------------------------------------------------------

    async def balance(self, name: str) -> int:
        account = (await self.refresh()).get(name)
        if account is None:
            raise BankError(Fault.USER_NOT_FOUND)
        return account.balance

    async def exists(self, name: str) -> bool:
        return name in (await self.refresh()).accounts

    async def user_log(self, name: str) -> UserLog:
        """The user's newest log entries, from the chain's history, cached once read."""
        view = await self.refresh()
        for _ in range(LOG_READ_TRIES):
            account = view.get(name)
            if account is None:
                raise BankError(Fault.USER_NOT_FOUND)
            cached = view.logs.get(name)
            self.work.observer.cache_lookup("bank_log", cached is not None)
            if cached is not None:
                return cached
            log = await self._read_log(view, account)
            if view.get(name) is account:  # no block changed the account meanwhile
                view.remember_log(name, log)
                return log
        # A very busy account: answer what was read, without caching a possibly stale log.
        return log

    async def _read_log(self, view: BankView, account: Account) -> UserLog:
        async with self.engine.connect() as conn:
            rows = await list_log_rows(
                conn, view.ecosystem, account.key_id, account.since, self.rules.max_log
            )
        account.last_time = max(account.last_time or 0, rows[0].created_at if rows else 0)
        return UserLog((self._entry(account, row) for row in reversed(rows)), self.rules.max_log)

    def _entry(self, account: Account, row: HistoryRow) -> LogEntry:
        receiving = row.recipient_id == account.key_id
        if row.type == HISTORY_IMPORTED_LOG:
            counterparty = row.comment
        else:
            other = row.sender_id if receiving else row.recipient_id
            counterparty = self.view.names.get(other, OMEGA) if other else OMEGA
        return LogEntry(counterparty, receiving, row.amount, row.created_at)

    # ---- writes (each through a block) ---------------------------------------------------

    async def register(self, name: str, password: bytes, amount: int, by_admin: bool) -> None:
        if not by_admin and not self.rules.add_user_open:
            raise BankError(Fault.ADD_USER_DISABLED)
        if not self.rules.valid_name(name):
            raise BankError(Fault.INVALID_NAME)
        if name in (await self.refresh()).accounts:
            raise BankError(Fault.USER_EXISTS)
        secret = await self._hash(password)
        await self.work.submit(BankOp(OpKind.REGISTER, name=name, amount=amount, secret=secret))

    async def transfer(self, sender: str, receiver: str, amount: int) -> int:
        """Returns the sender's balance after the transfer."""
        # The producer checks again in block order; these answer the common refusals at once.
        if amount == 0:
            raise BankError(Fault.AMOUNT_ZERO)
        if sender == receiver:
            raise BankError(Fault.NAMES_MATCH)
        if receiver not in (await self.refresh()).accounts:
            raise BankError(Fault.RECEIVER_MISSING)
        result = await self.work.submit(
            BankOp(OpKind.TRANSFER, name=sender, other=receiver, amount=amount)
        )
        return int(result or 0)

    async def set_balance(self, name: str, amount: int) -> None:
        if name not in (await self.refresh()).accounts:
            raise BankError(Fault.USER_NOT_FOUND)
        await self.work.submit(BankOp(OpKind.SET_BALANCE, name=name, amount=amount))

    async def impact_balance(self, name: str, amount: int) -> int:
        if amount == 0:
            raise BankError(Fault.AMOUNT_ZERO)
        if name not in (await self.refresh()).accounts:
            raise BankError(Fault.USER_NOT_FOUND)
        result = await self.work.submit(BankOp(OpKind.IMPACT_BALANCE, name=name, amount=amount))
        return int(result or 0)

    async def delete(self, name: str) -> None:
        if name not in (await self.refresh()).accounts:
            raise BankError(Fault.USER_NOT_FOUND)
        if self.rules.protected(name):
            raise BankError(Fault.PROTECTED)
        await self.work.submit(BankOp(OpKind.DELETE, name=name))

    async def prune(self, amount: int, before: int | None) -> int:
        """Delete users poorer than `amount` (and, with `before`, idle since before it)."""
        view = await self.refresh()
        if before is not None:
            unknown = [
                a for a in view.accounts.values() if a.balance < amount and a.last_time is None
            ]
            if unknown:
                async with self.engine.connect() as conn:
                    newest = await list_last_log_times(conn, view.ecosystem)
                for account in unknown:
                    # An earlier holder's rows of a re-registered name count too: a user is
                    # kept rather than pruned on doubt.
                    account.last_time = max(account.last_time or 0, newest.get(account.key_id, 0))
        result = await self.work.submit(BankOp(OpKind.PRUNE, amount=amount, before=before))
        return int(result or 0)
