"""create_app(): the aiohttp application with storage, identity and routes, tied to its life."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import time
from collections.abc import AsyncIterator, Callable

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from api.appkeys import (
    ADMISSION,
    BANS,
    CONTRACTS,
    ENGINE,
    HEAD_WATCH,
    HEADS,
    INTERFACE_ROWS,
    NODE,
    PAGES,
    PRODUCER,
    READS,
    REGISTRAR,
    SETTINGS,
    TOKENS,
    TXQUEUE,
    InterfaceRows,
)
from api.auth import TokenCache, derive_key
from api.bank.http import answer_ccash, is_ccash_path
from api.bank.keys import BANK, BANK_HTTP, BANK_STOP
from api.bank.routes import bank_http, setup_bank_routes
from api.edge import edge_middleware
from api.events.hub import EVENTS, EventHub, EventLimits, cancel
from api.events.protocol import SHUTDOWN
from api.events.socket import PATH as EVENTS_PATH
from api.events.socket import serve_events
from api.explorer.routes import setup_explorer_routes
from api.ops.docs import node_version
from api.ops.health import HEALTH, PRODUCER_LINK, PRODUCER_TASK, HealthSettings
from api.ops.metrics import METRICS, NodeMetrics
from api.ops.requestid import ACCESS_LOG
from api.ops.routes import setup_ops_routes
from api.readcache import READ_CACHE, ReadCache
from api.routes import setup_routes
from api.settings import ApiSettings
from chain.admission import Admission
from chain.bank.rules import BANK_ECOSYSTEM_NAME, BankRules
from chain.bank.service import Bank
from chain.bans import BanList, BanRules, BlockFailures
from chain.contract_registry import CONTRACT_ID_SHIFT, NEW_USER_ID
from chain.errors import ConfigMismatchError
from chain.freshness import HeadKeyed, Heads, HeadWatch
from chain.genesis import GenesisOptions, create_genesis
from chain.identity import NodeIdentity
from chain.internal import InternalWork, NoInternalWork
from chain.observer import NO_OBSERVER, ChainObserver, Observers
from chain.producer import BlockProducer
from chain.registration import chain_registrar
from chain.storage.engine import (
    CommitProbe,
    check_connection,
    commit_probe,
    make_engine,
    sqlite_file_of,
)
from chain.storage.migrate import head_revision, upgrade
from chain.storage.repo.contracts import get_contract
from chain.storage.repo.ecosystem import guest_account_id
from chain.storage.repo.meta import get_node_config
from chain.txpool import Backlog, TxQueue
from contracts.book import NeedleBook
from contracts.ecosystems import install_ecosystem, platform_contracts
from contracts.reads import TableReads
from node.config import Config
from node.datadir import jwt_secret, open_data_dir
from node.workers import (
    EventRelay,
    QueueOnly,
    WorkerSpec,
    follow_relay,
    forward_wakes,
    listen_for_wakes,
    worker_header,
)
from pages import PageEngine

logger = logging.getLogger(__name__)

# Set when there is work for the producer (queued txs, the bank's writes).
WAKE = web.AppKey("wake", asyncio.Event)
RELAY = web.AppKey("relay", EventRelay)  # worker 0's, with several workers
PRODUCER_POLL_S = 0.5  # the producer also polls: txs queued by other nodes on the database
# An API worker hears of no block from its own producer: it polls for a tx's outcome.
WAITER_POLL_S = 0.05
RELAY_WAIT_S = 30.0  # how long an API worker waits at start for worker 0's event relay


async def ensure_genesis(engine: AsyncEngine, node: NodeIdentity, private: bool = True) -> None:
    """Create block 1 on an empty database; refuse one made for another network or node."""
    async with engine.begin() as conn:
        recorded = await get_node_config(conn)
        if not recorded:
            block = await create_genesis(
                conn,
                node,
                GenesisOptions(timestamp=int(time.time()), private=private),
                contracts=platform_contracts(),
            )
            logger.info("genesis block created: %s", block.header.block_hash.hex())
            return
    expected = {
        "network_id": str(node.network_id),
        "cryptoer": node.crypto.cryptoer.value,
        "hasher": node.crypto.hasher.value,
        "node_key_id": str(node.node_key_id),
    }
    for name, value in expected.items():
        if recorded.get(name) != value:
            raise ConfigMismatchError(
                f"the database was made for {name}={recorded.get(name)!r}, not {value!r}; "
                "use another --db, or the data dir and settings it was made with"
            )
    async with engine.connect() as conn:
        new_user = await get_contract(conn, NEW_USER_ID - CONTRACT_ID_SHIFT)
    if new_user is None or new_user.name != "NewUser":
        # Chains started before the system contracts were written in Needle have none; their
        # ids (clients' Header.IDs) cannot be given to them afterwards.
        raise ConfigMismatchError(
            "the database has no system contracts (it was made by an earlier version of this "
            "node): start a new chain with a new --db or data dir"
        )


async def prepare_storage(engine: AsyncEngine, node: NodeIdentity, private: bool = True) -> None:
    """Reachable database, newest schema, a genesis block of this network and node."""
    await check_connection(engine)
    await upgrade(engine)
    await ensure_genesis(engine, node, private)


def prepare(config: Config) -> None:
    """Data dir, schema and genesis once, before several workers open them (node/workers.py)."""

    async def run() -> None:
        node = open_data_dir(config.data_dir, config.network_id, config.crypto)
        jwt_secret(config.data_dir, config.jwt_secret)  # made here, not by racing workers
        engine = make_engine(config.db_url)
        logger.info("connecting to %s", config.censored_db_url())
        try:
            await prepare_storage(engine, node, config.private_blockchain)
        finally:
            await engine.dispose()

    asyncio.run(run())


def storage_context(
    config: Config, worker: WorkerSpec | None = None
) -> Callable[[web.Application], AsyncIterator[None]]:
    """Cleanup context: data dir, engine, migrations and genesis; disposed on shutdown."""

    async def context(app: web.Application) -> AsyncIterator[None]:
        node = open_data_dir(config.data_dir, config.network_id, config.crypto)
        engine = make_engine(config.db_url)
        # On a SQLite file the producer has an engine of its own whose statements skip
        # aiosqlite's thread: it holds the one write lock for a whole block. PostgreSQL (and a
        # database in memory, which a second engine would not see) shares the pool.
        produces = worker is None or worker.produces
        own = produces and sqlite_file_of(engine) is not None
        block_engine = make_engine(config.db_url, inline=True) if own else engine
        probe: CommitProbe | None = None
        logger.info("connecting to %s", config.censored_db_url())
        try:
            await prepare_storage(engine, node, config.private_blockchain)
            app[ENGINE] = engine
            head_watch = app[HEAD_WATCH] = HeadWatch(engine)
            app[READ_CACHE] = ReadCache(head_watch)
            app[NODE] = node
            app[SETTINGS] = ApiSettings(
                jwt_key=jwt_secret(config.data_dir, config.jwt_secret),
                token_expire=config.token_expire,
                max_token_expire=config.max_token_expire,
                max_body_size=config.max_body_size,
                api_address=f"http://{config.host}:{config.port}",
            )
            app[TOKENS] = TokenCache(app[SETTINGS].jwt_key)
            book = NeedleBook(engine, node.crypto)
            app[CONTRACTS] = book
            app[ADMISSION] = Admission(engine, head_watch, book.lookup_at)
            app[HEADS] = Heads()
            interface_rows: InterfaceRows = HeadKeyed(dict)
            app[INTERFACE_ROWS] = interface_rows
            app[READS] = TableReads(book, node, app[HEADS])
            # The bank's txs reach blocks through the producer, which it wakes as they come.
            wake = asyncio.Event()
            internal: InternalWork = NoInternalWork()
            metrics = app[METRICS]
            # Each process bounds what it acknowledged: its share of the node's backlog.
            processes = 1 if worker is None else worker.count
            share = -(-config.max_backlog // processes)
            backlog = Backlog(share, config.backlog_wait, metrics.backlog_waited)
            observer: ChainObserver = Observers(metrics, backlog)
            if config.events:
                hub = EventHub(
                    engine,
                    EventLimits(max_clients=config.events_max_clients),
                    derive_key(app[SETTINGS].jwt_key, "notify"),
                    version=node_version(),
                )
                app[EVENTS] = hub
                observer = Observers(observer, hub)
            if worker is not None and worker.produces:
                # The other workers hear every block: their live-event clients, their bans.
                app[RELAY] = EventRelay()
                observer = Observers(observer, app[RELAY])
            if config.bank_enabled:
                # SQLite: reads learn of other connections' commits without a query.
                probe = commit_probe(engine)
                bank = make_bank(config, engine, node, wake.set, metrics, probe)
                app[BANK] = bank
                internal = bank.work
            bans = BanList(ban_rules(config))
            producer_type = BlockProducer if produces else QueueOnly
            producer = producer_type(
                block_engine,
                node,
                config.block_window_ms,
                poll_s=PRODUCER_POLL_S if producer_type is BlockProducer else WAITER_POLL_S,
                book=book,
                internal=internal,
                wake=wake,
                observer=observer,
                notices=book.take_notices,
                bad_txs=bans,
                # Its inline engine holds the event loop while it builds a block: let sendTx in.
                paced=block_engine is not engine,
            )
            app[PRODUCER] = producer
            app[TXQUEUE] = TxQueue(engine, metrics.queue_committed, backlog)
            app[WAKE] = wake
            app[BANS] = bans
            app[REGISTRAR] = chain_registrar(
                engine, node, producer.accepted, producer.wait_processed
            )
            yield
        finally:
            if probe is not None:
                probe.close()
            if block_engine is not engine:
                await block_engine.dispose()
            await engine.dispose()

    return context


def ops_context(config: Config) -> Callable[[web.Application], AsyncIterator[None]]:
    """Cleanup context: readiness knows the schema it needs and the head age it accepts."""

    async def context(app: web.Application) -> AsyncIterator[None]:
        app[HEALTH] = HealthSettings(head_revision(), config.ready_max_head_age)
        yield

    return context


async def producer_context(app: web.Application) -> AsyncIterator[None]:
    """Run the block producer for the app's life; a block in progress is rolled back on stop."""
    task = asyncio.create_task(app[PRODUCER].run(), name="block-producer")
    app[PRODUCER_TASK] = task  # readiness watches it
    yield
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


def worker_context(worker: WorkerSpec) -> Callable[[web.Application], AsyncIterator[None]]:
    """Cleanup context: worker 0 hears the other workers' wake-ups; they send theirs."""

    async def context(app: web.Application) -> AsyncIterator[None]:
        wake = app[WAKE]
        if worker.produces:
            transport = await listen_for_wakes(worker.wake_path, wake)
            relay = await app[RELAY].serve(worker.events_path) if RELAY in app else None
            try:
                yield
            finally:
                transport.close()
                if relay is not None:
                    relay.close()
            return
        task = asyncio.create_task(forward_wakes(worker.wake_path, wake), name="wake-producer")
        # Readiness watches the producer's task; an API worker's link to it stands in.
        app[PRODUCER_TASK] = task
        # Worker 0's blocks: failed txs count in this worker's bans, and reach its live-event
        # clients when it has them.
        # Its backlog: which of the txs it acknowledged worker 0's blocks settled.
        backlog = app[TXQUEUE].backlog
        hearer: ChainObserver = Observers(
            BlockFailures(app[BANS], app[NODE].node_key_id), backlog
        )
        if EVENTS in app:
            hearer = Observers(app[EVENTS], hearer)
        connected = asyncio.Event()
        # Set while the link to worker 0 stands: its process runs the producer readiness asks for.
        app[PRODUCER_LINK] = connected
        follow = asyncio.create_task(
            # Blocks settled while the link was down went unheard: count nothing from before.
            follow_relay(worker.events_path, hearer, connected, backlog.forget_all),
            name="follow-blocks",
        )
        # Serve once worker 0's blocks reach this worker (it starts alongside).
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(RELAY_WAIT_S):
                await connected.wait()
        yield
        await cancel(task)
        await cancel(follow)

    return context


async def events_context(app: web.Application) -> AsyncIterator[None]:
    """Publish the producer's blocks to live-event clients for the app's life."""
    task = asyncio.create_task(app[EVENTS].run(), name="live-events")
    yield
    await cancel(task)


async def close_events(app: web.Application) -> None:
    """On shutdown, before handlers are awaited: tell every live-event client to go."""
    app[EVENTS].close_all(SHUTDOWN)


def ban_rules(config: Config) -> BanRules:
    """Which keys sendTx refuses for their bad transactions (minutes in the config)."""
    return BanRules(config.ban_bad_tx, config.ban_bad_time * 60, config.ban_time * 60)


def bank_rules(config: Config) -> BankRules:
    """The bank's rules from the node's settings."""
    return BankRules(
        admin=config.bank_admin,
        max_log=config.bank_max_log,
        add_user_open=config.bank_add_user_open,
        return_on_del=config.bank_return_on_del,
        min_name=config.bank_min_name,
        max_name=config.bank_max_name,
        uppercase=config.bank_name_uppercase,
    )


def make_bank(
    config: Config,
    engine: AsyncEngine,
    node: NodeIdentity,
    wake: Callable[[], None],
    observer: ChainObserver = NO_OBSERVER,
    probe: CommitProbe | None = None,
) -> Bank:
    """The bank, not started; `wake` rouses the producer that will run its work.

    Its ecosystem is founded by the node key.
    """

    async def open_ecosystem(conn: AsyncConnection) -> int:
        return await install_ecosystem(
            conn,
            wallet=node.node_key_id,
            name=BANK_ECOSYSTEM_NAME,
            guest_key_id=guest_account_id(node.crypto),
        )

    bank = Bank(
        engine,
        node,
        bank_rules(config),
        wake=wake,
        open_ecosystem=open_ecosystem,
        hash_cost=config.bank_hash_cost,
        auth_ttl=config.bank_auth_ttl,
        observer=observer,
        probe=probe,
    )
    return bank


def bank_context(config: Config) -> Callable[[web.Application], AsyncIterator[None]]:
    """Cleanup context: start the CCash bank once the producer runs (its writes are blocks)."""

    async def context(app: web.Application) -> AsyncIterator[None]:
        await app[BANK].start(config.bank_admin_password)
        yield

    return context


def _stop_like_sigterm() -> None:
    # run_app turns SIGTERM into a graceful exit: requests finish, the producer stops cleanly.
    os.kill(os.getpid(), signal.SIGTERM)


def create_app(config: Config, worker: WorkerSpec | None = None) -> web.Application:
    """Build the application; nothing touches disk or network until it starts.

    `worker`: this process is one of several on the port (node/workers.py); None: the only one.
    """
    ccash = (is_ccash_path, answer_ccash) if config.bank_enabled else None
    app = web.Application(
        client_max_size=config.max_body_size,
        middlewares=[edge_middleware(config.body_timeout, ccash)],
    )
    setup_routes(app)
    setup_ops_routes(app)
    app[METRICS] = NodeMetrics(None if worker is None else str(worker.metrics_dir))
    app[ACCESS_LOG] = config.access_log
    app[PAGES] = PageEngine()
    app.cleanup_ctx.append(storage_context(config, worker))
    app.cleanup_ctx.append(ops_context(config))
    if worker is not None:
        app.cleanup_ctx.append(worker_context(worker))
        app.on_response_prepare.append(worker_header(worker.index))
    if worker is None or worker.produces:
        app.cleanup_ctx.append(producer_context)
    if config.explorer:
        setup_explorer_routes(app)
    if config.events:
        app.router.add_get(EVENTS_PATH, serve_events)
        app.cleanup_ctx.append(events_context)
        app.on_shutdown.append(close_events)
    if config.bank_enabled:
        setup_bank_routes(app)
        app[BANK_HTTP] = bank_http(bank_rules(config), config.bank_help_url)
        app[BANK_STOP] = _stop_like_sigterm
        app.cleanup_ctx.append(bank_context(config))
    return app
