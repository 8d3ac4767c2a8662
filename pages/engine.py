"""The page engine facade: parse (cached), render, and the reference's JSON of a page."""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from typing import Final

from pages.functions import BEHAVIOURS
from pages.host import PageHost
from pages.nodes import Template
from pages.output import Element, tree_json
from pages.parser import Parser
from pages.renderer import Limits, Renderer

CACHE_SIZE: Final = 2048  # parsed templates kept (pages, menus, snippets, bodies made at run time)
THREAD_PARSE: Final = 64 * 1024  # longer sources are parsed off the event loop's thread


class PageEngine:
    """Parses and renders Logicor templates; one per application, shared by its requests."""

    def __init__(self, limits: Limits | None = None, cache_size: int = CACHE_SIZE) -> None:
        self.limits = limits or Limits()
        self._cache: OrderedDict[str, Template] = OrderedDict()
        self._cache_size = cache_size

    def parse(self, source: str) -> Template:
        """The tree of a template (TemplateSyntaxError past the limits), remembered."""
        template = self._cache.get(source)
        if template is not None:
            self._cache.move_to_end(source)
            return template
        template = Parser(source).parse()
        self._remember(source, template)
        return template

    async def parse_async(self, source: str) -> Template:
        """parse(), in a worker thread for long sources so other requests are served."""
        template = self._cache.get(source)
        if template is not None:
            self._cache.move_to_end(source)
            return template
        if len(source) < THREAD_PARSE:
            return self.parse(source)
        template = await asyncio.to_thread(Parser(source).parse)
        self._remember(source, template)
        return template

    def _remember(self, source: str, template: Template) -> None:
        self._cache[source] = template
        if len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)

    async def render(
        self,
        source: str,
        variables: dict[str, str],
        host: PageHost,
        limits: Limits | None = None,
    ) -> list[Element]:
        """The output nodes of a template rendered with the page variables.

        Raises PageLimitError or TemplateSyntaxError (both PageError) past a limit.
        """
        template = await self.parse_async(source)
        renderer = Renderer(self, host, variables, limits or self.limits, BEHAVIOURS)
        return await renderer.render(template)

    async def render_json(
        self,
        source: str,
        variables: dict[str, str],
        host: PageHost,
        limits: Limits | None = None,
    ) -> bytes:
        """The page as the reference's Template2JSON writes it."""
        return tree_json(await self.render(source, variables, host, limits))


async def render_page(
    source: str, variables: dict[str, str], host: PageHost, engine: PageEngine | None = None
) -> list[Element]:
    """Render one template (a fresh engine unless one is given)."""
    return await (engine or PageEngine()).render(source, variables, host)
