"""Interface rows of an ecosystem: interface/page|menu|snippet/{name} and sections."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping

from aiohttp import web

from api.appkeys import ENGINE
from api.errors import ApiError, E
from api.jsonenc import Struct
from api.request import client_of, form_values, page_of
from api.responses import json_response
from chain.storage.engine import read_connection
from chain.storage.repo.interface import (
    get_menu,
    get_page,
    get_role_default_page,
    get_snippet,
    list_language_resources,
    list_sections,
)

SECTIONS_LIMIT = 100  # the reference's default page of sections
STATUS_MAIN_PAGE = "2"  # a section whose page is the role's default page
DEFAULT_LANG = "en"
MAX_RESOURCE_NAME = 64
_LANG_RE = re.compile(r"[a-z]{2}")
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
    return not access or role_id in {int(str(r)) for r in access if str(r).lstrip("-").isdigit()}


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
    """The `$name$` language resources the titles mention."""
    names: set[str] = set()
    for title in titles:
        parts = title.split("$")
        names.update(p for p in parts[1:-1:2] if p and len(p) <= MAX_RESOURCE_NAME)
    return sorted(names)


def _pick(res_text: str, accept: str) -> str | None:
    """The text of one language resource for an Accept-Language list, as LangText picks it."""
    try:
        res = json.loads(res_text)
    except ValueError:
        return None
    if not isinstance(res, dict) or not res:
        return None
    lang = DEFAULT_LANG
    for item in accept.split(","):
        code = item.strip().lower()
        if len(code) < 2:
            break
        if not _LANG_RE.fullmatch(code[:2]):
            continue
        if len(code) >= 5 and code[2] == "-" and code[:5] in res:
            lang = code[:5]
            break
        if code[:2] in res:
            lang = code[:2]
            break
    value = res.get(lang)
    if not value:
        value = next(iter(res.values()))
    return str(value)


def lang_macro(text: str, resources: Mapping[str, str], accept: str) -> str:
    """Replace every `$name$` in `text` with its language resource; unknown names stay as is."""
    if "$" not in text:
        return text
    out: list[str] = []
    parts = text.split("$")
    out.append(parts[0])
    i = 1
    while i < len(parts):
        name = parts[i]
        closed = i + 1 < len(parts)
        found = resources.get(name) if closed and " " not in name else None
        value = _pick(found, accept) if found is not None else None
        if value is not None:
            out.append(value)
            out.append(parts[i + 1])
            i += 2
        else:
            out.append("$" + name)
            i += 1
    return "".join(out)


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
    items = []
    for row in visible:
        item = dict(row.values)
        if item.get("status") == STATUS_MAIN_PAGE and default_page:
            item["default_page"] = default_page
        item["title"] = lang_macro(item.get("title", ""), resources, accept)
        items.append(item)
    return json_response(Struct(count=total, list=items or None))
