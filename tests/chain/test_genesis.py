"""What block 1 writes besides ecosystem 1's rows: platform parameters, supply, log, block."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine

from chain.genesis import (
    FIRST_BLOCK_TX_TYPE,
    FOUNDER_AMOUNT,
    PLATFORM_PARAMETERS,
    GenesisOptions,
    create_genesis,
    platform_parameter_rows,
)
from chain.storage.repo.blocks import get_head
from chain.storage.repo.money import Output, list_block_outputs
from chain.storage.repo.param_rows import ParamRow, list_platform_params
from chain.storage.repo.txs import LogRow, get_log
from tests.chain.conftest import CRYPTO, NODE

FOUNDER = NODE.founder_key_id
OPTIONS = GenesisOptions(timestamp=1_700_000_000, test=True, private=False)


def test_platform_parameter_rows_follow_the_options() -> None:
    rows = platform_parameter_rows(FOUNDER, OPTIONS)
    assert [(r.id, r.name) for r in rows] == [
        (i, name) for i, (name, _, _) in enumerate(PLATFORM_PARAMETERS, start=1)
    ]
    values = {r.name: r.value for r in rows}
    assert values["taxes_wallet"] == f'[["1","{FOUNDER}"]]'
    assert (values["test"], values["private_blockchain"]) == ("true", "0")
    assert values["max_tx_block"] == "5000"
    default = {r.name: r.value for r in platform_parameter_rows(FOUNDER, GenesisOptions(0))}
    assert (default["test"], default["private_blockchain"]) == ("false", "1")
    assert rows[23] == ParamRow(24, "test", "true", "false")


async def test_genesis_writes_parameters_supply_log_and_block(migrated_engine: AsyncEngine) -> None:
    async with migrated_engine.begin() as conn:
        block = await create_genesis(conn, NODE, OPTIONS)
    tx_hash = CRYPTO.double_hash(block.txs[0])
    async with migrated_engine.connect() as conn:
        assert await list_platform_params(conn) == platform_parameter_rows(FOUNDER, OPTIONS)
        assert await list_block_outputs(conn, 1) == [
            Output(tx_hash, 0, FOUNDER, FOUNDER_AMOUNT, 1, 1, FIRST_BLOCK_TX_TYPE)
        ]
        assert await get_log(conn, [tx_hash]) == {
            tx_hash: LogRow(tx_hash, 1, 1_700_000_000_000, "", FOUNDER, 1, 0)
        }
        head = await get_head(conn)
    assert head is not None and (head.id, head.hash) == (1, block.header.block_hash)
