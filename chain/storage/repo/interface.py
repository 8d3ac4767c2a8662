"""Pages, menus, snippets, sections and language resources, as the API reads them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Table, func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from chain.storage.repo.tabledata import api_text
from chain.storage.schema import contracts, languages, menu, pages, roles, sections, snippets
from chain.storage.values import (
    ibax_types,
)


@dataclass(frozen=True, slots=True)
class PageRow:
    """A `1_pages` row as `interface/page` answers it."""

    id: int
    name: str
    value: str
    menu: str
    validate_count: int
    app_id: int
    conditions: str


@dataclass(frozen=True, slots=True)
class MenuRow:
    """A `1_menu` row as `interface/menu` answers it."""

    id: int
    name: str
    title: str
    value: str
    conditions: str


@dataclass(frozen=True, slots=True)
class SnippetRow:
    """A `1_snippets` row as `interface/snippet` answers it."""

    id: int
    name: str
    value: str
    conditions: str


async def _one_by_name(conn: AsyncConnection, table: Table, ecosystem: int, name: str) -> Any:
    result = await conn.execute(
        select(table).where(table.c.ecosystem == ecosystem, table.c.name == name).limit(1)
    )
    return result.first()


async def get_page(conn: AsyncConnection, ecosystem: int, name: str) -> PageRow | None:
    """A page of an ecosystem by name."""
    r = await _one_by_name(conn, pages, ecosystem, name)
    if r is None:
        return None
    return PageRow(r.id, r.name, r.value, r.menu, r.validate_count, r.app_id, r.conditions)


async def get_menu(conn: AsyncConnection, ecosystem: int, name: str) -> MenuRow | None:
    """A menu of an ecosystem by name."""
    r = await _one_by_name(conn, menu, ecosystem, name)
    return MenuRow(r.id, r.name, r.title, r.value, r.conditions) if r is not None else None


async def get_snippet(conn: AsyncConnection, ecosystem: int, name: str) -> SnippetRow | None:
    """A snippet of an ecosystem by name."""
    r = await _one_by_name(conn, snippets, ecosystem, name)
    return SnippetRow(r.id, r.name, r.value, r.conditions) if r is not None else None


@dataclass(frozen=True, slots=True)
class AppContent:
    """(id, name) of an application's snippets, pages and contracts, each by id."""

    snippets: list[tuple[int, str]]
    pages: list[tuple[int, str]]
    contracts: list[tuple[int, str]]


async def _app_items(
    conn: AsyncConnection, table: Table, ecosystem: int, app_id: int
) -> list[tuple[int, str]]:
    result = await conn.execute(
        select(table.c.id, table.c.name)
        .where(table.c.ecosystem == ecosystem, table.c.app_id == app_id)
        .order_by(table.c.id)
    )
    return [(row.id, row.name) for row in result]


async def get_app_content(conn: AsyncConnection, ecosystem: int, app_id: int) -> AppContent:
    """What an application of an ecosystem consists of."""
    return AppContent(
        await _app_items(conn, snippets, ecosystem, app_id),
        await _app_items(conn, pages, ecosystem, app_id),
        await _app_items(conn, contracts, ecosystem, app_id),
    )


@dataclass(frozen=True, slots=True)
class SectionRow:
    """A `1_sections` row: every column as text (as the list endpoint), and who may see it."""

    values: dict[str, str]
    roles_access: list[Any]


async def list_sections(
    conn: AsyncConnection, ecosystem: int, *, limit: int, offset: int
) -> tuple[int, list[SectionRow]]:
    """(how many active sections an ecosystem has, one page of them by id)."""
    scope = (sections.c.ecosystem == ecosystem) & (sections.c.status > 0)
    total = await conn.execute(select(func.count()).select_from(sections).where(scope))
    result = await conn.execute(
        select(sections).where(scope).order_by(sections.c.id).limit(limit).offset(offset)
    )
    types = ibax_types(sections)
    rows = []
    for row in result:
        access = row.roles_access
        rows.append(
            SectionRow(
                api_text(dict(row._mapping), types), access if isinstance(access, list) else []
            )
        )
    return int(total.scalar_one()), rows


async def get_role_default_page(conn: AsyncConnection, role_id: int) -> str:
    """The default page of a role ("" for none or an unknown role)."""
    result = await conn.execute(select(roles.c.default_page).where(roles.c.id == role_id))
    return result.scalar_one_or_none() or ""


async def list_language_resources(
    conn: AsyncConnection, ecosystem: int, names: Sequence[str]
) -> dict[str, str]:
    """The `res` JSON text of the named language resources of an ecosystem, by name."""
    if not names:
        return {}
    result = await conn.execute(
        select(languages.c.name, languages.c.res)
        .where(languages.c.ecosystem == ecosystem, languages.c.name.in_(list(names)))
        .order_by(languages.c.id)
    )
    found: dict[str, str] = {}
    for name, res in result:
        found.setdefault(name, res)
    return found


async def list_all_language_resources(
    conn: AsyncConnection, ecosystem: int
) -> list[tuple[str, str]]:
    """(name, `res` JSON text) of every language resource of an ecosystem, by id."""
    result = await conn.execute(
        select(languages.c.name, languages.c.res)
        .where(languages.c.ecosystem == ecosystem)
        .order_by(languages.c.id)
    )
    return [(name, res) for name, res in result]
