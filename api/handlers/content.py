"""Logicor pages: content, content/page|menu|source|hash/{name}, page/validators_count/{name}.

Each handler reads its page or menu row, builds the page variables the reference gives a
template (content.go initVars) and renders through the app's PageEngine with an
ApiPageHost; answers are written once as Go JSON, which content/hash hashes.
"""

from __future__ import annotations

import re
import time
from typing import Any

from aiohttp import web
from multidict import MultiDict

from api.appkeys import NODE, PAGES
from api.errors import ApiError, E, server_error
from api.pagehost import ApiPageHost
from api.request import client_of, form_values
from api.responses import raw_json_response
from chain.address import BLACK_HOLE_ID, WHITE_HOLE_ID, address_to_string
from chain.golang.json import marshal
from chain.numbers import clamp_int64
from chain.storage.repo.ecosystem import guest_account_id
from chain.storage.repo.interface import MenuRow, PageRow
from pages import Element, tree_value

_PREFIXED = re.compile(r"@([0-9]+)([A-Za-z0-9_][A-Za-z0-9_]*)", re.ASCII)
_TRUE = frozenset({"1", "t", "T", "TRUE", "true", "True", "on"})
_FALSE = frozenset({"", "0", "f", "F", "FALSE", "false", "False"})


async def _variables(
    request: web.Request, form: MultiDict[str], host: ApiPageHost
) -> dict[str, str]:
    """initVars: the form's values and what the reference adds for every template."""
    client = client_of(request)
    variables = {key: form[key] for key in form}
    guest = guest_account_id(request.app[NODE].crypto)
    variables.update(
        _full="0",
        current_time=str(int(time.time())),
        guest_key=str(guest),
        guest_account=address_to_string(guest),
        black_hole_key=str(BLACK_HOLE_ID),
        black_hole_account=address_to_string(BLACK_HOLE_ID),
        white_hole_key=str(WHITE_HOLE_ID),
        white_hole_account=address_to_string(WHITE_HOLE_ID),
    )
    if client.authenticated:
        variables.update(
            ecosystem_id=str(client.ecosystem_id),
            key_id=str(client.key_id),
            account_id=client.account_id,
            role_id=str(client.role_id),
            ecosystem_name=await host.ecosystem_name(client.ecosystem_id) or "",
        )
    else:
        # Anonymous calls (content, content/hash) say whose page it is in the form.
        variables["ecosystem_id"] = variables.pop("ecosystem", "")
        key = variables.get("keyID", "")
        variables["key_id"] = key or "0"
        variables["account_id"] = address_to_string(clamp_int64(key)) if key else ""
        variables["role_id"] = variables.get("roleID", "") or "0"
        if variables["ecosystem_id"]:
            name = await host.ecosystem_name(clamp_int64(variables["ecosystem_id"]))
            if name is not None:
                variables["ecosystem_name"] = name
    if "lang" not in variables:
        variables["lang"] = request.headers.get("Accept-Language", "")
    return variables


def _name(request: web.Request, name: str) -> tuple[int, str]:
    """(ecosystem, name) of a page or menu: `@N` selects ecosystem N; 404 for `@` alone."""
    if name.startswith("@"):
        match = _PREFIXED.fullmatch(name)
        if match is None:
            raise ApiError(E.NOTFOUND)
        return clamp_int64(match.group(1)), match.group(2)
    return client_of(request).ecosystem_id, name


async def _page_row(request: web.Request, name: str, host: ApiPageHost) -> PageRow:
    ecosystem, page_name = _name(request, name)
    page = await host.page(ecosystem, page_name)
    if page is None:
        raise ApiError(E.NOTFOUND)
    return page


def _answer(**fields: Any) -> web.Response:
    """The reference's contentResult: menu, menutree, title, tree, nodesCount (omitempty)."""
    return raw_json_response(_result_json(**fields))


def _result_json(**fields: Any) -> bytes:
    out: dict[str, Any] = {}
    for key in ("menu", "menutree", "title", "tree", "nodesCount"):
        value = fields.get(key)
        if key == "tree" or value not in (None, "", 0):
            out[key] = value
    return marshal(out, sort_keys=False)


def _tree(nodes: list[Element]) -> list[Any]:
    return tree_value(nodes)


async def _render(
    request: web.Request, source: str, variables: dict[str, str], host: ApiPageHost
) -> list[Any]:
    return _tree(await request.app[PAGES].render(source, dict(variables), host))


async def _page_result(request: web.Request, name: str, form: MultiDict[str]) -> bytes:
    """The rendered page and its menu (getPage of the reference) as Go JSON."""
    host = ApiPageHost(request)
    try:
        page = await _page_row(request, name, host)
        variables = await _variables(request, form, host)
        variables["app_id"] = str(page.app_id)
        # The reference takes the menu from the caller's ecosystem; an anonymous caller's is
        # the one its form names, so content/hash matches a logged-in call of that ecosystem.
        menu_ecosystem = clamp_int64(variables.get("ecosystem_id", "")) or 1
        menu = await host.menu(menu_ecosystem, page.menu)
        tree = await _render(request, page.value, variables, host)
        menu_tree = await _render(request, menu.value if menu else "", variables, host)
    finally:
        await host.close()
    return _result_json(
        tree=tree, menu=page.menu, menutree=menu_tree, nodesCount=page.validate_count
    )


async def fetch_page_content(request: web.Request) -> web.Response:
    """POST content/page/{name} (login): {"menu", "menutree", "tree", "nodesCount"}."""
    form = await form_values(request, body_first=True)
    return raw_json_response(await _page_result(request, request.match_info["name"], form))


async def fetch_page_hash(request: web.Request) -> web.Response:
    """POST content/hash/{name}: the node hash (hex) of what content/page answers."""
    form = await form_values(request, body_first=True)
    name = request.match_info["name"]
    ecosystem = form.get("ecosystem", "")
    if ecosystem and not name.startswith("@"):
        name = f"@{ecosystem}{name}"
    body = await _page_result(request, name, form)
    digest = request.app[NODE].crypto.hash(body).hex()
    return raw_json_response(marshal({"hash": digest}))


async def fetch_menu_content(request: web.Request) -> web.Response:
    """POST content/menu/{name} (login): {"title", "tree"}."""
    form = await form_values(request, body_first=True)
    host = ApiPageHost(request)
    try:
        ecosystem, name = _name(request, request.match_info["name"])
        menu: MenuRow | None = await host.menu(ecosystem, name)
        if menu is None:
            raise ApiError(E.NOTFOUND)
        variables = await _variables(request, form, host)
        tree = await _render(request, menu.value, variables, host)
    finally:
        await host.close()
    return _answer(tree=tree, title=menu.title)


async def fetch_page_source(request: web.Request) -> web.Response:
    """POST content/source/{name} (login): the page's unexecuted tree ({"tree"})."""
    form = await form_values(request, body_first=True)
    host = ApiPageHost(request)
    try:
        page = await _page_row(request, request.match_info["name"], host)
        variables = await _variables(request, form, host)
        variables["_full"] = "1"
        tree = await _render(request, page.value, variables, host)
    finally:
        await host.close()
    return _answer(tree=tree)


async def render_template(request: web.Request) -> web.Response:
    """POST content: form `template` (and `source` for the unexecuted tree), any variables."""
    form = await form_values(request, body_first=True)
    source = form.get("source", "")
    if source not in _TRUE and source not in _FALSE:
        raise server_error('schema: error converting value for "source"')
    template = form.get("template", "")
    if not template:
        raise server_error("Empty template")
    host = ApiPageHost(request)
    try:
        variables = await _variables(request, form, host)
        if source in _TRUE:
            variables["_full"] = "1"
        tree = await _render(request, template, variables, host)
    finally:
        await host.close()
    return _answer(tree=tree)


async def count_page_validators(request: web.Request) -> web.Response:
    """GET page/validators_count/{name}: {"validate_count": n}."""
    host = ApiPageHost(request)
    try:
        page = await _page_row(request, request.match_info["name"], host)
    finally:
        await host.close()
    return raw_json_response(marshal({"validate_count": page.validate_count}))
