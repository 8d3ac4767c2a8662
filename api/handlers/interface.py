"""Interface rows of an ecosystem: interface/page|menu|snippet/{name} and sections."""

from __future__ import annotations

import re
from contextlib import suppress

from aiohttp import web

from api.appkeys import ENGINE
from api.errors import ApiError, E
from api.jsonenc import Struct
from api.request import client_of, form_values, page_of
from api.responses import json_response
from chain.numbers import NumberError, parse_int
from chain.storage.engine import read_connection
from chain.storage.repo.interface import (
    get_menu,
    get_page,
    get_role_default_page,
    get_snippet,
    list_language_resources,
    list_sections,
)
from pages.lang import MAX_NAME, Resources, lang_macro, resources_from_rows

SECTIONS_LIMIT = 100  # the reference's default page of sections
STATUS_MAIN_PAGE = "2"  # a section whose page is the role's default page
_PREFIXED = re.compile(r"^@(\d{1,18})(.+)$", re.DOTALL)


def omit_empty(**fields: object) -> Struct:
    """A Go struct whose fields are all `omitempty`: zero numbers and empty strings dropped."""
    return Struct({k: v for k, v in fields.items() if v not in (0, "", None)})


def _name(request: web.Request) -> tuple[int, str]:
    """(ecosystem, name): `@N` selects another ecosystem, as wherever a name is given."""
    text = request.match_info["name"]
    match = _PREFIXED.match(text)
    if match is None:
        return client_of(request).ecosystem_id, text
    return int(match.group(1)), match.group(2)


def section_visible(access: list[object], role_id: int) -> bool:
    """A section limited to roles (`roles_access`) is shown to those roles only."""
    return not access or role_id in _role_ids(access)


def _role_ids(access: list[object]) -> set[int]:
    # The list is whatever a contract stored: an entry that is not an int64 names no role.
    ids = set()
    for entry in access:
        with suppress(NumberError):
            ids.add(parse_int(str(entry)))
    return ids


async def fetch_page(request: web.Request) -> web.Response:
    """GET /interface/page/{name}: the page row (numbers as numbers, empty fields left out)."""
    ecosystem, name = _name(request)
    async with read_connection(request.app[ENGINE]) as conn:
        page = await get_page(conn, ecosystem, name)
    if page is None:
        raise ApiError(E.NOTFOUND)
    return json_response(
        omit_empty(
            id=page.id,
            name=page.name,
            value=page.value,
            menu=page.menu,
            nodesCount=page.validate_count,
            app_id=page.app_id,
            conditions=page.conditions,
        )
    )


async def fetch_menu(request: web.Request) -> web.Response:
    """GET /interface/menu/{name}: the menu row (every field, even empty)."""
    ecosystem, name = _name(request)
    async with read_connection(request.app[ENGINE]) as conn:
        menu = await get_menu(conn, ecosystem, name)
    if menu is None:
        raise ApiError(E.NOTFOUND)
    return json_response(
        Struct(
            id=menu.id,
            name=menu.name,
            title=menu.title,
            value=menu.value,
            conditions=menu.conditions,
        )
    )


async def fetch_snippet(request: web.Request) -> web.Response:
    """GET /interface/snippet/{name} (and the older interface/block/{name}): the snippet row."""
    ecosystem, name = _name(request)
    async with read_connection(request.app[ENGINE]) as conn:
        snippet = await get_snippet(conn, ecosystem, name)
    if snippet is None:
        raise ApiError(E.NOTFOUND)
    return json_response(
        omit_empty(
            id=snippet.id, name=snippet.name, value=snippet.value, conditions=snippet.conditions
        )
    )


def _resource_names(titles: list[str]) -> list[str]:
    """Every name a `$name$` of the titles may look up.

    Each text between two `$` is a candidate: an unknown name's closing `$` opens the next.
    """
    names: set[str] = set()
    for title in titles:
        parts = title.split("$")
        names.update(p for p in parts[1:-1] if p and len(p) <= MAX_NAME and " " not in p)
    return sorted(names)


async def list_sections_page(request: web.Request) -> web.Response:
    """GET /sections?limit=&offset=&lang=: the ecosystem's active sections the role may see."""
    values = await form_values(request)
    limit, offset = page_of(values, default=SECTIONS_LIMIT)
    accept = values.get("lang", "") or request.headers.get("Accept-Language", "")
    client = client_of(request)
    async with read_connection(request.app[ENGINE]) as conn:
        total, rows = await list_sections(conn, client.ecosystem_id, limit=limit, offset=offset)
        # Sections limited to roles the caller lacks are left out (the count is not adjusted).
        visible = [r for r in rows if section_visible(r.roles_access, client.role_id)]
        default_page = (
            await get_role_default_page(conn, client.role_id)
            if any(r.values.get("status") == STATUS_MAIN_PAGE for r in visible)
            else ""
        )
        titles = [r.values.get("title", "") for r in visible]
        resources = await list_language_resources(
            conn, client.ecosystem_id, _resource_names(titles)
        )
    texts = resources_from_rows(list(resources.items()))

    def lookup(ecosystem: int) -> Resources:
        # Titles name their own ecosystem's resources; `$@N...$` of another finds none here.
        return texts if ecosystem == client.ecosystem_id else {}

    items = []
    for row in visible:
        item = dict(row.values)
        if item.get("status") == STATUS_MAIN_PAGE and default_page:
            item["default_page"] = default_page
        item["title"] = lang_macro(item.get("title", ""), client.ecosystem_id, accept, lookup)
        items.append(item)
    return json_response(Struct(count=total, list=items or None))
