"""Default rows of ecosystem 1 (genesis) and of further ecosystems, on both backends."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import Table, Text, cast, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from chain.address import address_to_string
from chain.crypto import Crypto
from chain.genesis import GenesisOptions, build_genesis_block, create_genesis
from chain.identity import NodeIdentity
from chain.storage.ecosystem_defaults import GUEST_PUBLIC, ecosystem_parameters
from chain.storage.engine import make_engine
from chain.storage.migrate import upgrade
from chain.storage.repo.ecosystem import (
    guest_account_id,
    insert_ecosystem_rows,
    insert_new_ecosystem,
)
from chain.storage.repo.params import get_platform_parameter
from chain.storage.schema import (
    FIRST_ECOSYSTEM_TABLES,
    PLATFORM_TABLES,
    STATIC_TABLES,
    applications,
    delayed_contracts,
    ecosystems,
    keys,
    members,
    menu,
    pages,
    parameters,
    sections,
    snippets,
    tables,
)
from chain.storage.table_rights import PLATFORM_TABLE_RIGHTS, SHARED_TABLE_RIGHTS
from node.config import Config

CRYPTO = Crypto()
FOUNDER_PRIVATE = bytes.fromhex("11" * 32)
NODE_PRIVATE = bytes.fromhex("22" * 32)
TIMESTAMP = 1_700_000_000
# Block 1 for the keys and time above, as computed before the ecosystem rows were added.
GENESIS_HASH = "e6622b0d8d1022a65695db758cf3383a5e1ab682b720d8b95074a6c4e9381dc9"

NODE = NodeIdentity(
    network_id=1,
    crypto=CRYPTO,
    founder_public=CRYPTO.public_key(FOUNDER_PRIVATE),
    node_public=CRYPTO.public_key(NODE_PRIVATE),
    node_private=NODE_PRIVATE,
)
FOUNDER = NODE.founder_key_id
GUEST = guest_account_id(CRYPTO)


@pytest.fixture
async def engine(db_url: str) -> AsyncIterator[AsyncEngine]:
    """A migrated database holding block 1."""
    eng = make_engine(db_url)
    try:
        await upgrade(eng)
        async with eng.begin() as conn:
            await create_genesis(conn, NODE, GenesisOptions(timestamp=TIMESTAMP))
        yield eng
    finally:
        await eng.dispose()


async def rows(conn: AsyncConnection, table: Table, *columns: str, **where: Any) -> list[Any]:
    """(columns...) of the rows matching `where`, by id."""
    query = select(*(table.c[c] for c in columns)).order_by(table.c.id)
    for name, value in where.items():
        query = query.where(table.c[name] == value)
    return [tuple(r) for r in await conn.execute(query)]


def test_genesis_block_is_unchanged() -> None:
    block = build_genesis_block(NODE, GenesisOptions(timestamp=TIMESTAMP))
    assert block.header.block_hash.hex() == GENESIS_HASH


async def test_genesis_writes_ecosystem_one(engine: AsyncEngine) -> None:
    async with engine.connect() as conn:
        eco = (await conn.execute(select(ecosystems))).one()
        assert (eco.id, eco.name, eco.is_valued, eco.digits) == (1, "platform ecosystem", 1, 12)
        assert (eco.token_symbol, eco.token_name) == ("IBXC", "IBAX Coin")
        assert await rows(conn, applications, "id", "name", "ecosystem") == [(1, "System", 1)]
        assert await rows(conn, menu, "id", "name", "title", "ecosystem") == [
            (1, "developer_menu", "", 1),
            (2, "default_menu", "default", 1),
        ]
        assert await rows(conn, pages, "id", "name", "menu", "app_id", "ecosystem") == [
            (1, "developer_index", "developer_menu", 1, 1),
            (2, "notifications", "default_menu", 1, 1),
            (3, "import_app", "developer_menu", 1, 1),
            (4, "import_upload", "developer_menu", 1, 1),
            (5, "default_page", "default_menu", 1, 1),
        ]
        default_page = await get_platform_parameter(conn, "default_ecosystem_page")
        assert await rows(conn, pages, "value", name="default_page") == [(default_page,)]
        assert await rows(conn, snippets, "id", "name", "ecosystem") == [(1, "pager_header", 1)]
        assert await rows(conn, parameters, "id", "name", "value") == [
            (i, name, value) for i, (name, value) in enumerate(ecosystem_parameters(FOUNDER), 1)
        ]
        assert await rows(conn, members, "id", "member_name", "account", "image_id") == [
            (1, "founder", address_to_string(FOUNDER), 0),
            (2, "guest", address_to_string(GUEST), 0),
            (3, "black_hole", "0000-0000-0000-0000-0000", 0),
            (4, "white_hole", "0000-0000-0000-0000-5555", 0),
        ]
        assert await rows(conn, sections, "id", "title", "page", "roles_access", "status") == [
            (1, "Home", "default_page", [], 2),
            (2, "Developer", "developer_index", [], 1),
        ]
        assert await rows(
            conn, delayed_contracts, "id", "contract", "key_id", "block_id", "every_block"
        ) == [(1, "@1CheckNodesBan", FOUNDER, 10, 10)]
        found = {r[0]: r[1:] for r in await rows(conn, keys, "id", "pub", "blocked", ecosystem=1)}
        assert found == {
            FOUNDER: (NODE.founder_public, 0),
            NODE.node_key_id: (NODE.node_public, 0),
            GUEST: (GUEST_PUBLIC, 1),
            0: (b"", 1),
            5555: (b"", 1),
        }


async def test_genesis_describes_every_static_table(engine: AsyncEngine) -> None:
    async with engine.connect() as conn:
        described = await rows(conn, tables, "id", "name", "ecosystem", "app_id")
    assert [r[0] for r in described] == list(range(1, 25))
    assert {r[1] for r in described} == (FIRST_ECOSYSTEM_TABLES - {"tables"}) | PLATFORM_TABLES
    assert {(r[2], r[3]) for r in described} == {(1, 1)}


async def test_table_permissions_are_json_objects(engine: AsyncEngine) -> None:
    async with engine.connect() as conn:
        result = await conn.execute(
            select(tables.c.name, cast(tables.c.permissions, Text), cast(tables.c.columns, Text))
        )
        stored = {name: (json.loads(perm), json.loads(cols)) for name, perm, cols in result}
    assert len(stored) == 24
    for name, (permissions, columns) in stored.items():
        assert set(permissions) == {"insert", "update", "new_column"}, name
        assert all(isinstance(v, str) and v for v in permissions.values()), name
        assert set(columns) == set(STATIC_TABLES[name].c.keys()) - {"id"}, name
        assert all(isinstance(v, str) and v for v in columns.values()), name
    keys_perm, keys_cols = stored["keys"]
    for rule in (keys_perm["update"], keys_cols["amount"], stored["history"][0]["insert"]):
        assert '"@1TokensTransfer"' in rule and '"@1TokensSend"' in rule, rule
    assert stored["contracts"][0]["new_column"] == 'ContractConditions("@1MainCondition")'
    assert stored["time_zones"][0] == {"insert": "false", "update": "false", "new_column": "false"}


async def test_second_ecosystem_continues_ids(engine: AsyncEngine) -> None:
    founder2 = CRYPTO.address(CRYPTO.public_key(bytes.fromhex("33" * 32)))
    async with engine.begin() as conn:
        app_id = await insert_ecosystem_rows(
            conn, ecosystem=2, founder_key_id=founder2, guest_key_id=GUEST
        )
        assert app_id == 2  # the next id of 1_applications, for eco 2's "System"
        assert await rows(conn, menu, "id", "name", ecosystem=2) == [(3, "developer_menu")]
        assert await rows(conn, pages, "id", "name", "app_id", ecosystem=2) == [
            (6, "developer_index", 2)
        ]
        assert await rows(conn, parameters, "id", "name", "value", ecosystem=2) == [
            (14 + i, name, value)
            for i, (name, value) in enumerate(ecosystem_parameters(founder2), 1)
        ]
        assert await rows(conn, members, "id", "member_name", "account", ecosystem=2) == [
            (5, "founder", address_to_string(founder2)),
            (6, "guest", address_to_string(GUEST)),
            (7, "black_hole", "0000-0000-0000-0000-0000"),
            (8, "white_hole", "0000-0000-0000-0000-5555"),
        ]
        assert await rows(conn, sections, "id", "title", ecosystem=2) == [
            (3, "Home"),
            (4, "Developer"),
        ]
        assert {r[0]: r[1] for r in await rows(conn, keys, "id", "blocked", ecosystem=2)} == {
            GUEST: 1,
            0: 1,
            5555: 1,
        }
        described = await rows(conn, tables, "id", "name", "app_id", ecosystem=2)
        assert [r[0] for r in described] == list(range(25, 25 + len(SHARED_TABLE_RIGHTS)))
        assert {r[1] for r in described} == FIRST_ECOSYSTEM_TABLES - {"tables"}
        assert {r[2] for r in described} == {2}
        # Ecosystem 1 is untouched.
        assert len(await rows(conn, parameters, "id", ecosystem=1)) == 14
        assert len(await rows(conn, tables, "id", ecosystem=1)) == 24


async def test_insert_ecosystem_rows_can_skip_table_rows(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        await insert_ecosystem_rows(
            conn, ecosystem=2, founder_key_id=FOUNDER, guest_key_id=GUEST, describe_tables=False
        )
        assert await rows(conn, tables, "id", ecosystem=2) == []
        assert len(await rows(conn, parameters, "id", ecosystem=2)) == 14


async def test_new_ecosystem_as_create_ecosystem(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        eco = await insert_new_ecosystem(
            conn,
            name="second",
            founder_key_id=FOUNDER,
            founder_pub=NODE.founder_public,
            guest_key_id=GUEST,
        )
        assert eco == 2
        assert (await conn.execute(select(ecosystems.c.name).where(ecosystems.c.id == 2))).one()[
            0
        ] == "second"
        assert await rows(conn, applications, "id", "name", ecosystem=2) == [(2, "System")]
        assert await rows(conn, menu, "name", "title", ecosystem=2) == [
            ("developer_menu", ""),
            ("default_menu", "default"),
        ]
        assert await rows(conn, pages, "name", "app_id", ecosystem=2) == [
            ("developer_index", 2),
            ("default_page", 2),
        ]
        names = [r[0] for r in await rows(conn, parameters, "name", ecosystem=2)]
        assert names == [n for n, _ in ecosystem_parameters(FOUNDER)] + ["ecosystem_wallet"]
        found = await rows(conn, keys, "pub", ecosystem=2, id=FOUNDER)
        assert found == [(NODE.founder_public,)]


async def test_keys_amount_cannot_go_negative(engine: AsyncEngine) -> None:
    for column in ("amount", "maxpay"):
        with pytest.raises(IntegrityError):
            async with engine.begin() as conn:
                await conn.execute(
                    insert(keys).values(id=77, ecosystem=1, account="x" * 24, **{column: -1})
                )
    async with engine.begin() as conn:
        await conn.execute(
            insert(keys).values(id=77, ecosystem=1, account="x" * 24, amount=10**20, maxpay=0)
        )


def test_table_rights_match_the_schema() -> None:
    assert {t.name for t in SHARED_TABLE_RIGHTS} == FIRST_ECOSYSTEM_TABLES - {"tables"}
    assert {t.name for t in PLATFORM_TABLE_RIGHTS} == PLATFORM_TABLES
    for rights in SHARED_TABLE_RIGHTS + PLATFORM_TABLE_RIGHTS:
        names = [c for c, _ in rights.columns]
        assert len(names) == len(set(names)), rights.name
        assert set(names) == set(STATIC_TABLES[rights.name].c.keys()) - {"id"}, rights.name


def test_static_tables() -> None:
    assert len(FIRST_ECOSYSTEM_TABLES) == 19 and len(PLATFORM_TABLES) == 6
    assert set(STATIC_TABLES) == FIRST_ECOSYSTEM_TABLES | PLATFORM_TABLES
    for name, table in STATIC_TABLES.items():
        assert table.name == f"1_{name}"
        assert ("ecosystem" in table.c) == (name in FIRST_ECOSYSTEM_TABLES), name


async def test_started_node_has_ecosystem_one(client: Any, config: Config) -> None:
    eng = make_engine(config.db_url)
    try:
        async with eng.connect() as conn:
            for table, count in (
                (menu, 2),
                (pages, 5),
                (snippets, 1),
                (parameters, 14),
                (members, 4),
                (sections, 2),
                (applications, 1),
                (delayed_contracts, 1),
                (tables, 24),
            ):
                assert len(await rows(conn, table, "id")) == count, table.name
    finally:
        await eng.dispose()
