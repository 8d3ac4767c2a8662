"""What the data endpoints share: paging, column lists, a table by name, and read permission."""

from __future__ import annotations

from aiohttp import web
from multidict import MultiDict
from sqlalchemy.ext.asyncio import AsyncConnection

from api.appkeys import CONTRACTS, NODE
from api.errors import ApiError, E, server_error
from api.request import client_of, int_field
from chain.tables import TableRef, split_name
from contracts.book import ReadDenied

DEFAULT_LIMIT = 25
MAX_LIMIT = 1000
ACCESS_DENIED = "Access denied"


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
    """`a, b,c` -> ["a", "b", "c"]; empty parts are dropped ([] means every column)."""
    return [part.strip() for part in text.split(",") if part.strip()]


def full_name(request: web.Request, text: str) -> str:
    """The physical name `text` means for the caller (`@2t` -> 2_t, `t` -> <eco>_t)."""
    ecosystem, name = split_name(text, client_of(request).ecosystem_id)
    return f"{ecosystem}_{name}"


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


async def readable(
    request: web.Request, conn: AsyncConnection, ref: TableRef, columns: list[str]
) -> list[str] | None:
    """The columns to select for the caller: None for all, else `id` and those it may read.

    The table's read permission and each column's read condition are evaluated as a contract
    would, with the caller's key and ecosystem; a denied table (or every column denied) is the
    reference's 400 "Access denied", other denied columns are left out.
    """
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
    if allowed == ["*"]:
        return None
    return ["id", *allowed]
