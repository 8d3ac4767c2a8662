"""create_app(): the aiohttp application with storage, identity and routes, tied to its life."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Callable

from aiohttp import web
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from api.appkeys import BANS, CONTRACTS, ENGINE, NODE, PRODUCER, REGISTRAR, SETTINGS
from api.ban import BanList
from api.middleware import client_middleware, cors_middleware, error_middleware
from api.routes import setup_routes
from api.settings import ApiSettings
from chain.errors import ConfigMismatchError
from chain.genesis import GenesisOptions, create_genesis
from chain.identity import NodeIdentity
from chain.producer import BlockProducer
from chain.registration import chain_registrar
from chain.storage.engine import make_engine
from chain.storage.migrate import upgrade
from chain.storage.repo.meta import get_node_config
from contracts.book import NeedleBook
from contracts.ecosystems import platform_contracts
from node.config import Config
from node.datadir import jwt_secret, open_data_dir

logger = logging.getLogger(__name__)


async def ensure_genesis(engine: AsyncEngine, node: NodeIdentity) -> None:
    """Create block 1 on an empty database; refuse one made for another network or node."""
    async with engine.begin() as conn:
        recorded = await get_node_config(conn)
        if not recorded:
            block = await create_genesis(
                conn,
                node,
                GenesisOptions(timestamp=int(time.time())),
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


def storage_context(config: Config) -> Callable[[web.Application], AsyncIterator[None]]:
    """Cleanup context: data dir, engine, migrations and genesis; disposed on shutdown."""

    async def context(app: web.Application) -> AsyncIterator[None]:
        node = open_data_dir(config.data_dir, config.network_id, config.crypto)
        engine = make_engine(config.db_url)
        logger.info("connecting to %s", config.censored_db_url())
        try:
            async with engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
            await upgrade(engine)
            await ensure_genesis(engine, node)
            app[ENGINE] = engine
            app[NODE] = node
            app[SETTINGS] = ApiSettings(
                jwt_key=jwt_secret(config.data_dir, config.jwt_secret),
                token_expire=config.token_expire,
                max_body_size=config.max_body_size,
                api_address=f"http://{config.host}:{config.port}",
            )
            book = NeedleBook(engine, node.crypto)
            app[CONTRACTS] = book
            producer = BlockProducer(engine, node, config.block_window_ms, book=book)
            app[PRODUCER] = producer
            app[BANS] = BanList()
            app[REGISTRAR] = chain_registrar(
                engine, node, producer.accepted, producer.wait_processed
            )
            yield
        finally:
            await engine.dispose()

    return context


async def producer_context(app: web.Application) -> AsyncIterator[None]:
    """Run the block producer for the app's life; a block in progress is rolled back on stop."""
    task = asyncio.create_task(app[PRODUCER].run(), name="block-producer")
    yield
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


def create_app(config: Config) -> web.Application:
    """Build the application; nothing touches disk or network until it starts."""
    app = web.Application(
        client_max_size=config.max_body_size,
        middlewares=[
            cors_middleware,
            error_middleware,
            web.normalize_path_middleware(
                append_slash=False, remove_slash=True, redirect_class=web.HTTPMovedPermanently
            ),
            client_middleware,
        ],
    )
    setup_routes(app)
    app.cleanup_ctx.append(storage_context(config))
    app.cleanup_ctx.append(producer_context)
    return app
