"""What the data endpoints share: paging, column lists, a table by name, and read permission."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from aiohttp import web
from multidict import MultiDict
from sqlalchemy.ext.asyncio import AsyncConnection

from api.appkeys import CONTRACTS, ENGINE, NODE
from api.errors import ApiError, E, server_error
from api.request import client_of, int_field
from chain.storage.repo.tabledata import RowPage, TableRights, get_table_rights
from chain.storage.values import (
    QueryError,
)
from chain.tables import TableRef, split_name
from contracts.book import ReadDenied

DEFAULT_LIMIT = 25
MAX_LIMIT = 1000
ACCESS_DENIED = "Access denied"
_OPEN = ("", "true")  # conditions that let everybody read


def page_of(values: MultiDict[str], default: int = DEFAULT_LIMIT) -> tuple[int, int]:
    """(limit, offset) as the reference's paginator: limit <= 0 is the default, at most 1000."""
    limit = int_field(values, "limit")
    if limit <= 0:
        limit = default
    offset = int_field(values, "offset")
    if offset < 0:
        raise server_error("offset must not be negative")
    return min(limit, MAX_LIMIT), offset


def column_list(text: str) -> list[str]:
    """`a, B,c` -> ["a", "b", "c"]; empty parts are dropped ([] means every column).

    Lowercased here, as the query builder lowercases names: a permission is looked up by the
    name the query will really read.
    """
    names = [part.strip().lower() for part in text.split(",") if part.strip()]
    return [] if "*" in names else names  # "*" anywhere: every column, as the reference


def full_name(request: web.Request, text: str) -> str:
    """The physical name `text` means for the caller (`@2t` -> 2_t, `t` -> <eco>_t)."""
    ecosystem, name = split_name(text, client_of(request).ecosystem_id)
    return f"{ecosystem}_{name}"


def shared_ecosystem(ref: TableRef) -> int | None:
    """The ecosystem whose rows a shared table shows (None: every row is the table's own)."""
    return ref.ecosystem if ref.shared else None


async def find_table(request: web.Request, conn: AsyncConnection, text: str) -> TableRef | None:
    """The table `text` names for the caller (`@N` selects ecosystem N), or None."""
    catalog = request.app[CONTRACTS].read_catalog
    return await catalog.resolve(conn, client_of(request).ecosystem_id, text)


async def open_table(request: web.Request, conn: AsyncConnection, text: str) -> TableRef:
    """The table `text` names, or the reference's 404 naming `<ecosystem>_<name>`."""
    ref = await find_table(request, conn, text)
    if ref is None:
        raise ApiError(E.TABLENOTFOUND, full_name(request, text))
    return ref


@asynccontextmanager
async def reading(request: web.Request) -> AsyncIterator[AsyncConnection]:
    """A connection for the data endpoints, which only read."""
    async with request.app[ENGINE].connect() as conn:
        if conn.dialect.name == "postgresql":
            # Each read stands alone, as the reference's do: no BEGIN and ROLLBACK round trips.
            # (asyncpg only flags the connection; SQLite's driver setting is left alone, as
            # resetting it would hand the pool a connection in pysqlite's implicit mode.)
            await conn.execution_options(isolation_level="AUTOCOMMIT")
        yield conn


def _read_condition(text: str) -> str | None:
    """A column's read condition: JSON {"read": ...}, else none (plain text is for updates)."""
    if not text.startswith("{"):
        return ""
    try:
        perms = json.loads(text)
    except ValueError:
        return None
    read = perms.get("read", "") if isinstance(perms, dict) else None
    return read if isinstance(read, str) else None


def _open_to_all(rights: TableRights | None, columns: list[str]) -> bool:
    """True when the table and the asked columns have no read condition (or just "true")."""
    if rights is None:
        return True  # a table 1_tables does not describe has no read conditions
    if rights.permissions.get("read", "").strip() not in _OPEN:
        return False
    names = [c.split("->", 1)[0] for c in columns] if columns else list(rights.columns)
    conditions = [_read_condition(rights.columns.get(name, "")) for name in names]
    return all(c is not None and c.strip() in _OPEN for c in conditions)


def rights_key(ref: TableRef) -> tuple[int, str]:
    """Where 1_tables describes a table: (ecosystem, name); platform tables in ecosystem 1."""
    return (1 if ref.platform else ref.ecosystem, ref.name)


def _stale(ref: TableRef, rights: TableRights | None) -> bool:
    """Whether 1_tables describes a custom table otherwise than this process remembers it."""
    return rights is None or any(c not in ref.table.c for c in rights.columns)


async def _reload(request: web.Request, conn: AsyncConnection, ref: TableRef) -> TableRef:
    """A custom table read anew from the database (another process or block changed it)."""
    catalog = request.app[CONTRACTS].read_catalog
    catalog.forget(ref.full_name)
    fresh = await catalog.resolve(conn, ref.ecosystem, f"@{ref.ecosystem}{ref.name}")
    if fresh is None:
        raise ApiError(E.TABLENOTFOUND, ref.full_name)
    return fresh


async def readable(
    request: web.Request,
    conn: AsyncConnection,
    ref: TableRef,
    columns: list[str],
    page: RowPage | None = None,
) -> tuple[TableRef, list[str] | None]:
    """The table again (read anew if its shape changed) and the columns the caller may read:
    None for all, else `id` and those it may.

    The rights come with `page` when it has rows, else from 1_tables. The table's read
    permission and each column's read condition are evaluated as a contract would, with the
    caller's key and ecosystem; a denied table (or every asked column denied) is the
    reference's 400 "Access denied", other denied columns are left out.
    """
    if page is not None and page.rights_known:
        rights = page.rights
    else:
        rights = await get_table_rights(conn, *rights_key(ref))
    if ref.custom and _stale(ref, rights):
        ref = await _reload(request, conn, ref)
    if _open_to_all(rights, columns):
        # Nothing to evaluate: skip the contract machine (most tables are read this way).
        return ref, (["id", *columns] if columns else None)
    client = client_of(request)
    try:
        allowed = await request.app[CONTRACTS].readable_columns(
            conn,
            request.app[NODE],
            ecosystem=client.ecosystem_id,
            key_id=client.key_id,
            table=ref,
            columns=columns or ["*"],
        )
    except ReadDenied as exc:
        raise server_error(ACCESS_DENIED) from exc
    return ref, (None if allowed == ["*"] else ["id", *allowed])


Fetch = Callable[[TableRef], Awaitable[RowPage]]


async def read_rows(
    request: web.Request, conn: AsyncConnection, text: str, columns: list[str], fetch: Fetch
) -> RowPage:
    """Rows of the table `text` names, read by `fetch`, with only what the caller may read.

    The rows and the table's rights come in one statement; read permission is checked before
    anything is answered, and unreadable columns are dropped.
    """
    ref = await open_table(request, conn, text)
    try:
        page = await fetch(ref)
    except QueryError:
        # A column this process has not seen yet may have been added meanwhile; only then is
        # the table read anew (bad input costs one indexed lookup, not a catalog scan).
        if not ref.custom or not _stale(ref, await get_table_rights(conn, *rights_key(ref))):
            raise
        ref = await _reload(request, conn, ref)
        page = await fetch(ref)
    fresh, selected = await readable(request, conn, ref, columns, page)
    if fresh is not ref:
        page = await fetch(fresh)
    if selected is None:
        return page
    keep = {name.replace("->", ".") for name in selected}  # json paths come back as a.b
    rows = [{k: v for k, v in row.items() if k in keep} for row in page.rows]
    return RowPage(page.count, rows)
