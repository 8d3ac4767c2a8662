"""Block 1: ecosystem 1 with its default rows, all parameters and the founder's initial supply."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

import msgpack
from sqlalchemy.ext.asyncio import AsyncConnection

from chain.block import Block, BlockHeader, genesis_prev_hash, genesis_rollbacks_hash, seal_block
from chain.identity import NodeIdentity
from chain.storage.ecosystem_defaults import PLATFORM_ECOSYSTEM
from chain.storage.repo.blocks import block_row, insert_block
from chain.storage.repo.contracts import ContractSeed, insert_contracts
from chain.storage.repo.ecosystem import (
    guest_account_id,
    insert_ecosystem_rows,
    insert_platform_rows,
)
from chain.storage.repo.keys import insert_key
from chain.storage.repo.meta import insert_node_config
from chain.storage.repo.money import Output, insert_outputs
from chain.storage.repo.param_rows import ParamRow
from chain.storage.repo.params import insert_platform_parameters
from chain.storage.repo.txs import LogRow, insert_log

MONEY_DIGITS = 12
FOUNDER_AMOUNT = 5_250_000 * 10**MONEY_DIGITS
FIRST_BLOCK_TX_TYPE = 1
TOKEN_SYMBOL = "IBXC"
TOKEN_NAME = "IBAX Coin"

_PLATFORM_ACCESS = 'ContractAccess("@1UpdatePlatformParam")'

# (name, value, conditions) in the reference's insert order; ids follow this order.
PLATFORM_PARAMETERS: tuple[tuple[str, str, str], ...] = (
    ("default_ecosystem_page", "If(#ecosystem_id# > 1){Include(@1welcome)}", _PLATFORM_ACCESS),
    ("default_ecosystem_menu", "", _PLATFORM_ACCESS),
    ("default_ecosystem_contract", "", _PLATFORM_ACCESS),
    ("gap_between_blocks", "2", _PLATFORM_ACCESS),
    ("rollback_blocks", "60", _PLATFORM_ACCESS),
    ("honor_nodes", "", _PLATFORM_ACCESS),
    ("number_of_nodes", "101", _PLATFORM_ACCESS),
    ("max_block_size", "67108864", _PLATFORM_ACCESS),
    ("max_tx_size", "33554432", _PLATFORM_ACCESS),
    ("max_tx_block", "5000", _PLATFORM_ACCESS),
    ("max_columns", "50", _PLATFORM_ACCESS),
    ("max_indexes", "5", _PLATFORM_ACCESS),
    ("max_tx_block_per_user", "5000", _PLATFORM_ACCESS),
    ("max_fuel_tx", "20000000", _PLATFORM_ACCESS),
    ("max_fuel_block", "200000000", _PLATFORM_ACCESS),
    ("taxes_size", "3", _PLATFORM_ACCESS),
    ("taxes_wallet", "", _PLATFORM_ACCESS),
    ("fuel_rate", '[["1","1000000"]]', _PLATFORM_ACCESS),
    ("max_block_generation_time", "2000", _PLATFORM_ACCESS),
    ("incorrect_blocks_per_day", "10", _PLATFORM_ACCESS),
    ("node_ban_time", "86400000", _PLATFORM_ACCESS),
    ("node_ban_time_local", "1800000", _PLATFORM_ACCESS),
    ("price_tx_size", "15", _PLATFORM_ACCESS),
    ("test", "false", "false"),
    ("price_tx_data", "10", _PLATFORM_ACCESS),
    ("private_blockchain", "1", "false"),
    ("pay_free_contract", "@1CallDelayedContract,@1CheckNodesBan,@1NewUser", _PLATFORM_ACCESS),
    ("local_node_ban_time", "60", _PLATFORM_ACCESS),
)


@dataclass(frozen=True)
class GenesisOptions:
    """What the first block records about the network."""

    timestamp: int
    test: bool = False
    private: bool = True


def first_block_tx(node: NodeIdentity, options: GenesisOptions) -> bytes:
    """The single type-1 transaction of block 1 (our own msgpack layout)."""
    body = {
        "KeyID": node.founder_key_id,
        "Time": options.timestamp,
        "PublicKey": node.founder_public,
        "NodePublicKey": node.node_public,
        "NetworkID": node.network_id,
        "Test": options.test,
        "PrivateBlockchain": options.private,
    }
    packed: bytes = msgpack.packb(body, use_bin_type=True)
    return bytes([FIRST_BLOCK_TX_TYPE]) + packed


def build_genesis_block(node: NodeIdentity, options: GenesisOptions) -> Block:
    """Seal block 1 over the first-block transaction (pure)."""
    crypto = node.crypto
    header = BlockHeader(
        block_id=1,
        timestamp=options.timestamp,
        key_id=node.node_key_id,
        network_id=node.network_id,
        rollbacks_hash=genesis_rollbacks_hash(crypto),
    )
    return seal_block(
        header,
        prev_hash=genesis_prev_hash(crypto),
        prev_rollbacks_hash=genesis_rollbacks_hash(crypto),
        txs=[first_block_tx(node, options)],
        node_private_key=node.node_private,
        crypto=crypto,
    )


def platform_parameter_rows(founder: int, options: GenesisOptions) -> list[ParamRow]:
    """The 28 platform parameters, with the values the first block sets."""
    values = {
        "taxes_wallet": json.dumps([["1", str(founder)]], separators=(",", ":")),
        "test": "true" if options.test else "false",
        "private_blockchain": "1" if options.private else "0",
    }
    return [
        ParamRow(i, name, values.get(name, value), conditions)
        for i, (name, value, conditions) in enumerate(PLATFORM_PARAMETERS, start=1)
    ]


async def create_genesis(
    conn: AsyncConnection,
    node: NodeIdentity,
    options: GenesisOptions,
    contracts: Sequence[ContractSeed] = (),
) -> Block:
    """Write block 1 and everything it creates, inside the caller's transaction.

    `contracts` are ecosystem 1's system contracts, in table-id order (their ids are what
    clients put in Header.ID), written in Needle by the contracts package.
    """
    crypto = node.crypto
    founder = node.founder_key_id
    block = build_genesis_block(node, options)
    tx_hash = crypto.double_hash(block.txs[0])
    await insert_node_config(
        conn,
        {
            "network_id": str(node.network_id),
            "cryptoer": crypto.cryptoer.value,
            "hasher": crypto.hasher.value,
            "founder_key_id": str(founder),
            "node_key_id": str(node.node_key_id),
        },
    )
    await insert_platform_parameters(conn, platform_parameter_rows(founder, options))
    # Ecosystem 1's own rows first: its application id (1) is the one the platform's
    # "System" application then gets.
    await insert_ecosystem_rows(
        conn,
        ecosystem=PLATFORM_ECOSYSTEM,
        founder_key_id=founder,
        guest_key_id=guest_account_id(crypto),
    )
    await insert_platform_rows(
        conn,
        founder_key_id=founder,
        digits=MONEY_DIGITS,
        token_symbol=TOKEN_SYMBOL,
        token_name=TOKEN_NAME,
    )
    await insert_contracts(conn, PLATFORM_ECOSYSTEM, contracts)
    await insert_key(conn, PLATFORM_ECOSYSTEM, founder, pub=node.founder_public)
    if node.node_key_id != founder:
        await insert_key(conn, PLATFORM_ECOSYSTEM, node.node_key_id, pub=node.node_public)
    supply = Output(
        output_tx_hash=tx_hash,
        output_index=0,
        output_key_id=founder,
        output_value=FOUNDER_AMOUNT,
        ecosystem=1,
        block_id=1,
        type=FIRST_BLOCK_TX_TYPE,
    )
    await insert_outputs(conn, [supply])
    await insert_log(
        conn,
        [
            LogRow(
                hash=tx_hash,
                block=1,
                timestamp=options.timestamp * 1000,
                contract_name="",
                address=founder,
                ecosystem_id=1,
                status=0,
            )
        ],
    )
    # The block row goes last, as in every block.
    await insert_block(conn, block_row(block))
    return block
