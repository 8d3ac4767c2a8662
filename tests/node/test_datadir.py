"""Data dir initialisation, restart on the same dir and database, and refusal of foreign ones."""

from __future__ import annotations

import dataclasses
import stat
from typing import Any

import pytest
from aiohttp import web
from sqlalchemy import func, select

from chain.block import Block, genesis_prev_hash, genesis_rollbacks_hash, verify_block
from chain.crypto import Cryptoer, Hasher
from chain.errors import ConfigMismatchError
from chain.genesis import FOUNDER_AMOUNT, PLATFORM_PARAMETERS
from chain.storage.engine import make_engine
from chain.storage.repo.blocks import get_block
from chain.storage.schema import keys, members, parameters, platform_parameters, spent_info
from node.app import create_app
from node.config import Config
from tests.helpers import Wallet


async def start_and_stop(app: web.Application) -> None:
    """Run the app's startup (where the data dir and database are checked), then clean up."""
    runner = web.AppRunner(app)
    try:
        await runner.setup()
    finally:
        await runner.cleanup()


async def test_first_start_initialises_data_dir(aiohttp_client: Any, config: Config) -> None:
    await aiohttp_client(create_app(config))
    for name, secret in (
        ("PrivateKey", True),
        ("PublicKey", False),
        ("NodePrivateKey", True),
        ("NodePublicKey", False),
        ("jwt-secret", True),
    ):
        path = config.data_dir / name
        mode = stat.S_IMODE(path.stat().st_mode)
        assert (mode & 0o077 == 0) if secret else (mode == 0o644), name
        if "Key" in name:
            bytes.fromhex(path.read_text())


async def test_genesis_contents_and_verification(aiohttp_client: Any, config: Config) -> None:
    await aiohttp_client(create_app(config))
    crypto = config.crypto
    founder_pub = bytes.fromhex((config.data_dir / "PublicKey").read_text())
    node_pub = bytes.fromhex((config.data_dir / "NodePublicKey").read_text())
    founder = crypto.address(founder_pub)
    engine = make_engine(config.db_url)
    try:
        async with engine.connect() as conn:
            row = await get_block(conn, 1)
            assert row is not None
            block = Block.deserialize(row.data)
            verify_block(
                block, genesis_prev_hash(crypto), genesis_rollbacks_hash(crypto), node_pub, crypto
            )
            assert block.header.block_hash == row.hash
            assert row.key_id == crypto.address(node_pub)
            count = await conn.scalar(select(func.count()).select_from(platform_parameters))
            assert count == len(PLATFORM_PARAMETERS) == 28
            eco = await conn.scalar(select(func.count()).select_from(parameters))
            assert eco == 14
            founder_param = await conn.scalar(
                select(parameters.c.value).where(parameters.c.name == "founder_account")
            )
            assert founder_param == str(founder)
            utxo = await conn.scalar(
                select(spent_info.c.output_value).where(spent_info.c.output_key_id == founder)
            )
            assert utxo == FOUNDER_AMOUNT == 5_250_000 * 10**12
            ids = set((await conn.execute(select(keys.c.id))).scalars())
            assert {founder, crypto.address(node_pub), -110277540701013350, 0, 5555} <= ids
            names = set((await conn.execute(select(members.c.member_name))).scalars())
            assert {"founder", "guest", "black_hole", "white_hole"} <= names
    finally:
        await engine.dispose()


async def test_restart_keeps_keys_chain_and_tokens(aiohttp_client: Any, config: Config) -> None:
    client = await aiohttp_client(create_app(config))
    wallet = Wallet(config.crypto)
    await wallet.login(client)
    keys_before = {n: (config.data_dir / n).read_text() for n in ("PrivateKey", "NodePrivateKey")}
    engine = make_engine(config.db_url)
    async with engine.connect() as conn:
        genesis = await get_block(conn, 1)
    await engine.dispose()
    await client.close()

    client2 = await aiohttp_client(create_app(config))
    resp = await client2.get("/api/v2/auth/status", headers=wallet.auth)
    assert (await resp.json())["active"] is True
    assert keys_before == {n: (config.data_dir / n).read_text() for n in keys_before}
    engine = make_engine(config.db_url)
    async with engine.connect() as conn:
        again = await get_block(conn, 1)
    await engine.dispose()
    assert genesis is not None and again is not None and genesis.hash == again.hash


async def test_explicit_jwt_secret_wins(aiohttp_client: Any, make_config: Any) -> None:
    config = make_config(jwt_secret="s3cret-for-tests-0123456789abcdef-xyz")
    client = await aiohttp_client(create_app(config))
    wallet = Wallet(config.crypto)
    await wallet.login(client)
    import jwt

    claims = jwt.decode(
        wallet.token, b"s3cret-for-tests-0123456789abcdef-xyz", algorithms=["HS256"]
    )
    assert claims["key_id"] == str(wallet.key_id)
    assert claims["role_id"] == "0"
    assert claims["account_id"] == wallet.login_body["account"]


@pytest.mark.parametrize(
    "change",
    [{"network_id": 2}, {"cryptoer": Cryptoer.P256, "hasher": Hasher.SHA256}],
)
async def test_foreign_data_dir_is_refused(
    aiohttp_client: Any, config: Config, change: dict[str, Any]
) -> None:
    client = await aiohttp_client(create_app(config))
    await client.close()
    other = dataclasses.replace(config, **change)
    with pytest.raises(ConfigMismatchError, match="data dir .* was made for"):
        await start_and_stop(create_app(other))


async def test_database_of_another_node_is_refused(
    aiohttp_client: Any, config: Config, tmp_path: Any
) -> None:
    client = await aiohttp_client(create_app(config))
    await client.close()
    other = dataclasses.replace(config, data_dir=tmp_path / "other")
    with pytest.raises(ConfigMismatchError, match="the database was made for node_key_id"):
        await start_and_stop(create_app(other))
