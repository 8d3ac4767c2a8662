"""Default rows of an ecosystem and of the platform (ecosystem 1), as the reference writes them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Table, bindparam, func, insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from chain.address import BLACK_HOLE_ID, WHITE_HOLE_ID, address_to_string
from chain.crypto import Crypto
from chain.storage.ecosystem_defaults import (
    DEFAULT_MENU,
    DEVELOPER,
    DEVELOPER_1,
    DEVELOPER_INDEX_PAGE,
    DEVELOPER_MENU,
    GUEST_PUBLIC,
    IMPORT_APP_PAGE,
    IMPORT_UPLOAD_PAGE,
    MAIN,
    MAIN_1,
    NOTIFICATIONS_PAGE,
    PAGER_HEADER_SNIPPET,
    PLATFORM_ECOSYSTEM,
    PLATFORM_ECOSYSTEM_NAME,
    ecosystem_parameters,
)
from chain.storage.repo.params import get_platform_parameter
from chain.storage.schema import (
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
from chain.storage.table_rights import (
    PLATFORM_TABLE_RIGHTS,
    SHARED_TABLE_RIGHTS,
    TableRights,
    contract_access,
)


def guest_account_id(crypto: Crypto) -> int:
    """The guest account's key id under this node's hasher."""
    return crypto.address(GUEST_PUBLIC)


async def next_id(conn: AsyncConnection, table: Table) -> int:
    """The next application-assigned id: ids run across all ecosystems of a shared table."""
    result = await conn.execute(select(func.coalesce(func.max(table.c.id), 0)))
    return int(result.scalar_one()) + 1


async def _insert_numbered(
    conn: AsyncConnection, table: Table, rows: Sequence[dict[str, Any]]
) -> None:
    """Insert rows with consecutive ids after the table's highest."""
    first = await next_id(conn, table)
    await conn.execute(insert(table), [{"id": first + i, **row} for i, row in enumerate(rows)])


async def insert_table_rights(
    conn: AsyncConnection, rights: Sequence[TableRights], *, ecosystem: int, app_id: int
) -> None:
    """Describe tables in `1_tables`: their permissions and each column's."""
    await _insert_numbered(
        conn,
        tables,
        [
            {
                "name": table.name,
                "permissions": table.permissions(),
                "columns": dict(table.columns),
                "conditions": MAIN_1,
                "app_id": app_id,
                "ecosystem": ecosystem,
            }
            for table in rights
        ],
    )


async def insert_ecosystem_rows(
    conn: AsyncConnection,
    *,
    ecosystem: int,
    founder_key_id: int,
    guest_key_id: int,
    app_id: int | None = None,
    describe_tables: bool = True,
) -> int:
    """Write what every new ecosystem starts with, except its contracts; return its app id.

    As the reference's ecosystem script: menu developer_menu, page developer_index, the 14
    parameters, the members founder/guest/black_hole/white_hole, sections Home and Developer,
    the guest, black-hole and white-hole keys (all blocked), and (`describe_tables`) the
    `1_tables` rows of the shared tables. `app_id` is the id the ecosystem's "System"
    application has or will get (default: the next id of 1_applications); the caller
    creates that application, its contracts and the founder's key.
    """
    if app_id is None:
        app_id = await next_id(conn, applications)
    await _insert_numbered(
        conn,
        menu,
        [
            {
                "name": "developer_menu",
                "title": "",
                "value": DEVELOPER_MENU,
                "conditions": contract_access("@1EditMenu"),
                "ecosystem": ecosystem,
            }
        ],
    )
    await _insert_numbered(
        conn,
        pages,
        [
            {
                "name": "developer_index",
                "value": DEVELOPER_INDEX_PAGE,
                "menu": "developer_menu",
                "conditions": DEVELOPER_1,
                "app_id": app_id,
                "ecosystem": ecosystem,
            }
        ],
    )
    await _insert_numbered(
        conn,
        parameters,
        [
            {"name": name, "value": value, "conditions": DEVELOPER, "ecosystem": ecosystem}
            for name, value in ecosystem_parameters(founder_key_id)
        ],
    )
    await _insert_numbered(
        conn,
        members,
        [
            {"account": address_to_string(key_id), "member_name": name, "ecosystem": ecosystem}
            for key_id, name in (
                (founder_key_id, "founder"),
                (guest_key_id, "guest"),
                (BLACK_HOLE_ID, "black_hole"),
                (WHITE_HOLE_ID, "white_hole"),
            )
        ],
    )
    await _insert_numbered(
        conn,
        sections,
        [
            {
                "title": "Home",
                "urlname": "home",
                "page": "default_page",
                "roles_access": [],
                "status": 2,
                "ecosystem": ecosystem,
            },
            {
                "title": "Developer",
                "urlname": "developer",
                "page": "developer_index",
                "roles_access": [],
                "status": 1,
                "ecosystem": ecosystem,
            },
        ],
    )
    await conn.execute(
        insert(keys),
        [
            {
                "id": key_id,
                "account": address_to_string(key_id),
                "pub": pub,
                "blocked": 1,
                "ecosystem": ecosystem,
            }
            for key_id, pub in (
                (guest_key_id, GUEST_PUBLIC),
                (BLACK_HOLE_ID, b""),
                (WHITE_HOLE_ID, b""),
            )
        ],
    )
    if describe_tables:
        await insert_table_rights(conn, SHARED_TABLE_RIGHTS, ecosystem=ecosystem, app_id=app_id)
    return app_id


async def _default_menu_value(conn: AsyncConnection) -> str:
    return await get_platform_parameter(conn, "default_ecosystem_menu") or DEFAULT_MENU


async def insert_platform_rows(
    conn: AsyncConnection,
    *,
    founder_key_id: int,
    digits: int,
    token_symbol: str,
    token_name: str,
) -> None:
    """Write what only ecosystem 1 has, after its insert_ecosystem_rows and platform parameters.

    The `1_ecosystems` row, its "System" application, the delayed contract @1CheckNodesBan
    (every 10 blocks), pages notifications/import_upload/import_app, snippet pager_header,
    the default page and menu, and the `1_tables` rows of the platform tables.
    """
    eco = PLATFORM_ECOSYSTEM
    await conn.execute(
        insert(ecosystems).values(
            id=eco,
            name=PLATFORM_ECOSYSTEM_NAME,
            is_valued=1,
            digits=digits,
            token_symbol=token_symbol,
            token_name=token_name,
        )
    )
    app_id = await next_id(conn, applications)
    await conn.execute(
        insert(applications).values(id=app_id, name="System", conditions=MAIN, ecosystem=eco)
    )
    await _insert_numbered(
        conn,
        delayed_contracts,
        [
            {
                "contract": "@1CheckNodesBan",
                "key_id": founder_key_id,
                "block_id": 10,
                "every_block": 10,
                "high_rate": 4,
                "conditions": MAIN_1,
            }
        ],
    )
    default_page = await get_platform_parameter(conn, "default_ecosystem_page") or ""
    await _insert_numbered(
        conn,
        pages,
        [
            {
                "name": name,
                "value": value,
                "menu": page_menu,
                "conditions": DEVELOPER_1,
                "app_id": app_id,
                "ecosystem": eco,
            }
            for name, value, page_menu in (
                ("notifications", NOTIFICATIONS_PAGE, "default_menu"),
                ("import_app", IMPORT_APP_PAGE, "developer_menu"),
                ("import_upload", IMPORT_UPLOAD_PAGE, "developer_menu"),
                ("default_page", default_page, "default_menu"),
            )
        ],
    )
    await _insert_numbered(
        conn,
        snippets,
        [
            {
                "name": "pager_header",
                "value": PAGER_HEADER_SNIPPET,
                "conditions": DEVELOPER_1,
                "app_id": app_id,
                "ecosystem": eco,
            }
        ],
    )
    await _insert_numbered(
        conn,
        menu,
        [
            {
                "name": "default_menu",
                "title": "default",
                "value": await _default_menu_value(conn),
                "conditions": contract_access("@1EditMenu"),
                "ecosystem": eco,
            }
        ],
    )
    await insert_table_rights(conn, PLATFORM_TABLE_RIGHTS, ecosystem=eco, app_id=app_id)


async def insert_new_ecosystem(
    conn: AsyncConnection, *, name: str, founder_key_id: int, founder_pub: bytes, guest_key_id: int
) -> int:
    """Create ecosystem N as the reference's CreateEcosystem does, except its contracts.

    Its default rows (insert_ecosystem_rows), parameter ecosystem_wallet, the "System"
    application, the default page and menu, the founder's key and the `1_ecosystems` row.
    Returns the new ecosystem id; the caller installs DeveloperCondition and MainCondition.
    """
    ecosystem = await next_id(conn, ecosystems)
    app_id = await insert_ecosystem_rows(
        conn, ecosystem=ecosystem, founder_key_id=founder_key_id, guest_key_id=guest_key_id
    )
    await _insert_numbered(
        conn,
        parameters,
        [
            {
                "name": "ecosystem_wallet",
                "value": "0",
                "conditions": DEVELOPER,
                "ecosystem": ecosystem,
            }
        ],
    )
    await conn.execute(
        insert(applications).values(id=app_id, name="System", conditions=MAIN, ecosystem=ecosystem)
    )
    await _insert_numbered(
        conn,
        pages,
        [
            {
                "name": "default_page",
                "value": await get_platform_parameter(conn, "default_ecosystem_page") or "",
                "menu": "default_menu",
                "conditions": DEVELOPER,
                "app_id": app_id,
                "ecosystem": ecosystem,
            }
        ],
    )
    await _insert_numbered(
        conn,
        menu,
        [
            {
                "name": "default_menu",
                "title": "default",
                "value": await _default_menu_value(conn),
                "conditions": DEVELOPER,
                "ecosystem": ecosystem,
            }
        ],
    )
    await conn.execute(
        insert(keys).values(
            id=founder_key_id,
            account=address_to_string(founder_key_id),
            pub=founder_pub,
            ecosystem=ecosystem,
        )
    )
    await conn.execute(insert(ecosystems).values(id=ecosystem, name=name))
    return ecosystem


_APPLICATION_ID = select(applications.c.id).where(
    applications.c.ecosystem == bindparam("ecosystem"), applications.c.name == bindparam("name")
)


async def get_application_id(conn: AsyncConnection, ecosystem: int, name: str) -> int:
    """The id of an ecosystem's application by name; it must exist (NoResultFound if not)."""
    result = await conn.execute(_APPLICATION_ID, {"ecosystem": ecosystem, "name": name})
    return int(result.scalar_one())
