"""Block 1: ecosystem 1, its keys and members, all parameters and the founder's initial supply."""

from __future__ import annotations

import json
from dataclasses import dataclass

import msgpack
from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from chain.address import BLACK_HOLE_ID, WHITE_HOLE_ID
from chain.block import Block, genesis_prev_hash, genesis_rollbacks_hash, seal_block
from chain.identity import NodeIdentity
from chain.storage.repo.blocks import block_row, insert_block
from chain.storage.repo.keys import insert_key, insert_member
from chain.storage.repo.meta import insert_node_config
from chain.storage.schema import (
    ecosystems,
    log_transactions,
    parameters,
    platform_parameters,
    spent_info,
)

MONEY_DIGITS = 12
FOUNDER_AMOUNT = 5_250_000 * 10**MONEY_DIGITS
FIRST_BLOCK_TX_TYPE = 1

# The reference's guest account key (consts.GuestPublic); its id follows the node's hasher.
GUEST_PUBLIC = bytes.fromhex(
    "ef0ab117793962b7b3ee8d2ae94b58bbd7db1aa856a7dc623fdb28ad530090b0"
    "bcf5cb81b4d6912a249f1ab30921f414ad88383208cd8ba26ae2a9c3eb543772"
)

_PLATFORM_ACCESS = 'ContractAccess("@1UpdatePlatformParam")'
_DEVELOPER = 'ContractConditions("DeveloperCondition")'

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

PRINT_STYLESHEET = (
    "body {\n  /* You can define your custom styles here or create custom CSS rules */\n}"
)


def ecosystem_parameters(founder_key_id: int) -> tuple[tuple[str, str], ...]:
    """The 14 default parameters of an ecosystem, in the reference's order."""
    return (
        ("founder_account", str(founder_key_id)),
        ("new_table", _DEVELOPER),
        ("changing_tables", _DEVELOPER),
        ("changing_language", _DEVELOPER),
        ("changing_page", _DEVELOPER),
        ("changing_menu", _DEVELOPER),
        ("changing_contracts", _DEVELOPER),
        ("changing_parameters", _DEVELOPER),
        ("changing_app_params", _DEVELOPER),
        ("changing_snippets", _DEVELOPER),
        ("max_sum", "1000000"),
        ("print_stylesheet", PRINT_STYLESHEET),
        ("min_page_validate_count", "1"),
        ("max_page_validate_count", "6"),
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
    return seal_block(
        block_id=1,
        timestamp=options.timestamp,
        key_id=node.node_key_id,
        network_id=node.network_id,
        prev_hash=genesis_prev_hash(crypto),
        prev_rollbacks_hash=genesis_rollbacks_hash(crypto),
        txs=[first_block_tx(node, options)],
        node_private_key=node.node_private,
        crypto=crypto,
        rollbacks_hash=genesis_rollbacks_hash(crypto),
    )


async def create_genesis(
    conn: AsyncConnection, node: NodeIdentity, options: GenesisOptions
) -> Block:
    """Write block 1 and everything it creates, inside the caller's transaction."""
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
    await conn.execute(
        insert(ecosystems).values(
            id=1,
            name="platform ecosystem",
            is_valued=1,
            digits=MONEY_DIGITS,
            token_symbol="IBXC",
            token_name="IBAX Coin",
        )
    )
    platform = [
        {"id": i, "name": name, "value": value, "conditions": cond}
        for i, (name, value, cond) in enumerate(PLATFORM_PARAMETERS, start=1)
    ]
    for row in platform:
        if row["name"] == "taxes_wallet":
            row["value"] = json.dumps([["1", str(founder)]], separators=(",", ":"))
        elif row["name"] == "test":
            row["value"] = "true" if options.test else "false"
        elif row["name"] == "private_blockchain":
            row["value"] = "1" if options.private else "0"
    await conn.execute(insert(platform_parameters), platform)
    await conn.execute(
        insert(parameters),
        [
            {"id": i, "name": name, "value": value, "conditions": _DEVELOPER, "ecosystem": 1}
            for i, (name, value) in enumerate(ecosystem_parameters(founder), start=1)
        ],
    )
    guest = crypto.address(GUEST_PUBLIC)
    await insert_key(conn, 1, founder, pub=node.founder_public)
    if node.node_key_id != founder:
        await insert_key(conn, 1, node.node_key_id, pub=node.node_public)
    await insert_key(conn, 1, guest, pub=GUEST_PUBLIC, blocked=True)
    await insert_key(conn, 1, BLACK_HOLE_ID, blocked=True)
    await insert_key(conn, 1, WHITE_HOLE_ID, blocked=True)
    for key_id, name in (
        (founder, "founder"),
        (guest, "guest"),
        (BLACK_HOLE_ID, "black_hole"),
        (WHITE_HOLE_ID, "white_hole"),
    ):
        await insert_member(conn, 1, key_id, name)
    await conn.execute(
        insert(spent_info).values(
            output_tx_hash=tx_hash,
            output_index=0,
            output_key_id=founder,
            output_value=FOUNDER_AMOUNT,
            ecosystem=1,
            block_id=1,
            type=FIRST_BLOCK_TX_TYPE,
        )
    )
    await conn.execute(
        insert(log_transactions).values(
            hash=tx_hash,
            block=1,
            timestamp=options.timestamp * 1000,
            contract_name="",
            address=founder,
            ecosystem_id=1,
            status=0,
        )
    )
    # The block row goes last, as in every block.
    await insert_block(conn, block_row(block))
    return block
