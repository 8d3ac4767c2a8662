"""The page engine's view of the chain (pages.PageHost) for one API request.

Kept small on purpose: each method is one repository call, and DBFind's and GetHistory's
read permissions are the data API's own (contracts/reads.py), evaluated for the key and
ecosystem of the page's variables, as the reference evaluates them.
"""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable
from typing import Any, Final, TypeVar

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncConnection

from api.appkeys import ENGINE, HEAD_WATCH, INTERFACE_ROWS, NODE, READS
from chain.errors import ReadDenied, TableNotFound
from chain.freshness import Head
from chain.storage.engine import read_connection
from chain.storage.repo.interface import (
    MenuRow,
    PageRow,
    get_menu,
    get_page,
    get_snippet,
    list_all_language_resources,
)
from chain.storage.repo.members import find_binary_ref, get_binary_ref
from chain.storage.repo.param_rows import get_app_param
from chain.storage.repo.params import get_ecosystem, get_parameter, get_platform_parameter
from chain.storage.repo.tabledata import get_row, list_row_rollbacks
from chain.storage.values import QueryError
from chain.tables import TableRef
from contracts.reads import HISTORY_ROWS, Caller, row_versions
from pages import HistoryResult, PageDataError, RowQuery, RowResult
from pages.lang import Resources, resources_from_rows

ACCESS_DENIED: Final = "Access denied"
BINARIES: Final = "1_binaries"
MAX_CACHED_ROWS: Final = 10_000  # per head; past it the cache starts again
T = TypeVar("T")


class ApiPageHost:
    """Reads for one render; opens a read connection at the first read, closed by `close`."""

    def __init__(self, request: web.Request) -> None:
        self._request = request
        self._stack = contextlib.AsyncExitStack()
        self._conn: AsyncConnection | None = None
        self._head: Head | None = None

    async def connection(self) -> AsyncConnection:
        """The request's read connection (opened now if it is not yet)."""
        if self._conn is None:
            self._conn = await self._stack.enter_async_context(
                read_connection(self._request.app[ENGINE])
            )
        return self._conn

    async def close(self) -> None:
        await self._stack.aclose()
        self._conn = None

    async def _cached(
        self, key: tuple[Any, ...], read: Callable[[AsyncConnection], Awaitable[T]]
    ) -> T:
        # Interface rows change only in blocks: one head read per render (shared by concurrent
        # renders) replaces a query per row, which was most of a small page's cost, and a page
        # whose rows are all cached needs no connection at all. Cached values are frozen rows
        # or plain values, each read after the head it is kept under.
        if self._head is None:
            self._head = await self._request.app[HEAD_WATCH].now()
        rows = self._request.app[INTERFACE_ROWS].at(self._head)
        if key in rows:
            found: T = rows[key]
            return found
        value = await read(await self.connection())
        if len(rows) >= MAX_CACHED_ROWS:
            rows.clear()
        rows[key] = value
        return value

    async def page(self, ecosystem: int, name: str) -> PageRow | None:
        """A page's row, as of the head."""
        return await self._cached(("page", ecosystem, name), lambda c: get_page(c, ecosystem, name))

    async def menu(self, ecosystem: int, name: str) -> MenuRow | None:
        """A menu's row, as of the head."""
        return await self._cached(("menu", ecosystem, name), lambda c: get_menu(c, ecosystem, name))

    # ---- values ------------------------------------------------------------------------------

    async def ecosystem_digits(self, ecosystem: int) -> int:
        found = await self._cached(("eco", ecosystem), lambda c: get_ecosystem(c, ecosystem))
        return found.digits if found is not None else 0

    async def ecosystem_name(self, ecosystem: int) -> str | None:
        found = await self._cached(("eco", ecosystem), lambda c: get_ecosystem(c, ecosystem))
        return found.name if found is not None else None

    async def ecosystem_parameter(self, ecosystem: int, name: str) -> str:
        value = await self._cached(
            ("param", ecosystem, name), lambda c: get_parameter(c, ecosystem, name)
        )
        return value or ""

    async def app_parameter(self, ecosystem: int, app_id: int, name: str) -> str:
        row = await get_app_param(await self.connection(), ecosystem, app_id, name)
        return row.value if row is not None else ""

    async def platform_parameter(self, name: str) -> str:
        value = await self._cached(("platform", name), lambda c: get_platform_parameter(c, name))
        return value or ""

    async def language_resources(self, ecosystem: int) -> Resources:
        rows = await list_all_language_resources(await self.connection(), ecosystem)
        return resources_from_rows(rows)

    async def snippet(self, ecosystem: int, name: str) -> str | None:
        row = await self._cached(
            ("snippet", ecosystem, name), lambda c: get_snippet(c, ecosystem, name)
        )
        return row.value if row is not None else None

    def pub_to_id(self, public_key_hex: str) -> int | None:
        try:
            public = bytes.fromhex(public_key_hex)
        except ValueError:
            return None
        if len(public) == 65 and public[0] == 4:
            public = public[1:]
        if len(public) != 64:
            return None
        return self._request.app[NODE].crypto.address(public)

    async def binary_link(
        self,
        ecosystem: int,
        *,
        binary_id: int = 0,
        app_id: int = 0,
        account: str = "",
        name: str = "",
    ) -> str:
        conn = await self.connection()
        if binary_id:
            ref = await get_binary_ref(conn, binary_id)
        else:
            ref = await find_binary_ref(conn, ecosystem, app_id, account, name)
        return f"/data/{BINARIES}/{ref.id}/data/{ref.hash}" if ref is not None else ""

    # ---- tables ------------------------------------------------------------------------------

    async def _table(self, ecosystem: int, name: str) -> TableRef | None:
        return await self._request.app[READS].table(await self.connection(), ecosystem, name)

    async def column_type(self, ecosystem: int, table: str, column: str) -> str:
        ref = await self._table(ecosystem, table)
        return ref.types.get(column.lower(), "") if ref is not None else ""

    async def find_rows(self, query: RowQuery) -> RowResult:
        reads = self._request.app[READS]
        conn = await self.connection()
        ref = await reads.table(conn, query.ecosystem, query.table)
        if ref is None:
            raise PageDataError(ACCESS_DENIED)  # the reference's permission check fails first
        try:
            page = await reads.list_rows(
                conn,
                Caller(query.ecosystem, query.key_id),
                query.table,
                columns=query.columns or [],
                where=query.where,
                order=query.order,
                limit=query.limit,
                offset=query.offset,
                apply_filter=True,
            )
        except (ReadDenied, TableNotFound) as exc:
            raise PageDataError(ACCESS_DENIED) from exc
        except QueryError as exc:
            raise PageDataError(str(exc)) from exc
        names = [c.name for c in ref.table.columns]
        return RowResult(ref.full_name, names, dict(ref.types), page.rows, page.count)

    async def history(
        self, ecosystem: int, key_id: int, table: str, row_id: int, rollback_id: int
    ) -> HistoryResult:
        conn = await self.connection()
        try:
            ref, allowed = await self._request.app[READS].readable(
                conn, Caller(ecosystem, key_id), table
            )
        except TableNotFound as exc:
            raise PageDataError(f"Table {ecosystem}_{table.lower()} has not been found") from exc
        except ReadDenied as exc:
            raise PageDataError(ACCESS_DENIED) from exc
        found = await get_row(
            conn,
            ref.table,
            "id",
            str(row_id),
            ecosystem=ref.ecosystem if ref.shared else None,
            rights_of=ref.rights_key,
        )
        if not found.rows:
            raise PageDataError("record has not been found")
        key = f"{row_id},{ref.ecosystem}" if ref.name == "keys" else str(row_id)
        records = await list_row_rollbacks(conn, ref.full_name, key, limit=HISTORY_ROWS)
        names = [c.name for c in ref.table.columns]
        versions = row_versions(found.rows[0], records, rollback_id)
        if allowed is not None:  # columns this key may not read are left empty
            versions = [{k: v for k, v in row.items() if k in allowed} for row in versions]
        return HistoryResult(names, versions)
