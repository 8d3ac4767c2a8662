"""The renderer: walks a parsed template and builds the output tree, as go-ibax's callFunc.

One Renderer is one render (one request): it holds the page variables, the data sources
made so far, the language resources it loaded, and the limits. What each function does is
in pages/functions/; this module is the order of work around them, which decides what
macros and language resources mean (the reference's callFunc):

1. arguments are taken as bound (named arguments of `*` functions take macros now);
2. every argument takes `$resource$` language resources (not in source mode);
3. a non-empty Body is rendered into the new node (If/ElseIf do it themselves);
4. the function runs (its source-mode variant under `_full`);
5. the node's string attributes, its params maps, its text and its children's texts take
   macros; its output text joins the text before it.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from chain.golang.strings import trim_space
from chain.numbers import clamp_int64
from pages.errors import PageLimitError
from pages.host import PageHost
from pages.lang import Resources, lang_macro, lang_text
from pages.macros import Budget, Var, Vars, macro, macro_replace
from pages.nodes import Call, Param, Tail, Template, Text
from pages.output import TEXT_TAG, Element
from pages.spec import FuncSpec
from pages.visitor import NodeVisitor

if TYPE_CHECKING:
    from pages.engine import PageEngine

_ECOSYSTEM_REF = re.compile(r"\$@([0-9]+)")


@dataclass(frozen=True)
class Limits:
    """Bounds of one render; going past any of them is a PageLimitError (E_HEAVYPAGE)."""

    seconds: float = 3.0  # the reference's default max page generation time (--mpgt)
    max_nesting: int = 50  # templates rendered inside templates (bodies, Include, ForList...)
    max_nodes: int = 200_000  # output nodes
    max_text: int = 16 << 20  # characters of text and macro values produced
    max_rows: int = 200_000  # rows of data sources (Range, Data, DBFind, ...) made
    yield_every: int = 100  # calls between giving the event loop to other requests


@dataclass(slots=True)
class Source:
    """A data source (DBFind, Data, Range, ...): column names and rows, shared with its node."""

    columns: list[str]
    data: list[list[str]]


class ErrRedirect(dict[str, dict[str, Any]]):
    """The errredirect attribute, a map of maps the final macro pass leaves alone (as in Go)."""


class CallContext:
    """What a function sees of its call (the reference's parFunc)."""

    __slots__ = ("r", "owner", "node", "pars", "raw_pars", "tails")

    def __init__(
        self,
        renderer: Renderer,
        owner: Element,
        node: Element,
        pars: dict[str, str],
        raw_pars: dict[str, str] | None,
        tails: tuple[Tail, ...],
    ) -> None:
        self.r = renderer
        self.owner = owner
        self.node = node
        self.pars = pars
        self.raw_pars = raw_pars
        self.tails = tails

    def param(self, name: str) -> str:
        return self.pars.get(name, "")

    def param_macros(self, name: str) -> str:
        return self.r.macro(self.pars.get(name, ""))


Behaviour = Callable[[CallContext], Awaitable[str]]


class Renderer(NodeVisitor):
    """Renders templates for one page request."""

    def __init__(
        self,
        engine: PageEngine,
        host: PageHost,
        variables: dict[str, str],
        limits: Limits,
        behaviours: dict[str, Behaviour],
    ) -> None:
        self.engine = engine
        self.host = host
        self.limits = limits
        self.vars: Vars = {k: Var(v) for k, v in variables.items()}
        self.sources: dict[str, Source] = {}
        self.budget = Budget(limits.max_text)
        self._behaviours = behaviours
        self._deadline = time.monotonic() + limits.seconds
        self._calls = 0
        self._depth = 0
        self._nodes = 0
        self._rows = 0
        self._lang: dict[int, Resources] = {}

    # ---- variables and text ------------------------------------------------------------------

    def get_var(self, name: str) -> str:
        var = self.vars.get(name)
        return "" if var is None else var.value

    def set_var(self, name: str, value: str) -> None:
        self.vars[name] = Var(value)

    @property
    def full(self) -> bool:
        """Source mode: the unexecuted structure (content/source, `source` of POST content)."""
        var = self.vars.get("_full")
        return var is not None and var.value == "1"

    def macro(self, text: str) -> str:
        return macro(text, self.vars, self.budget)

    def macro_replace(self, text: str) -> str:
        return macro_replace(text, self.vars, self.budget)

    @property
    def ecosystem(self) -> int:
        return clamp_int64(self.get_var("ecosystem_id"))

    async def lang_macro(self, text: str) -> str:
        """`$name$` resources of the page's ecosystem (and `$@N...$` of others)."""
        ecosystem = self.ecosystem
        if ecosystem == 0:
            return text
        await self._load_lang(ecosystem)
        for match in _ECOSYSTEM_REF.finditer(text):
            await self._load_lang(clamp_int64(match.group(1)))
        return lang_macro(text, ecosystem, self.get_var("lang"), self._resources)

    async def lang_text(self, name: str, ecosystem: int, accept: str) -> str:
        """LangText: a resource's text in the best language, else `name` as given."""
        if ecosystem == 0 or " " in name:
            return name
        await self._load_lang(ecosystem)
        if name.startswith("@"):
            match = _ECOSYSTEM_REF.match("$" + name)
            if match is not None:
                await self._load_lang(clamp_int64(match.group(1)))
        return lang_text(name, ecosystem, accept, self._resources)[0]

    async def _load_lang(self, ecosystem: int) -> None:
        if ecosystem not in self._lang:
            self._lang[ecosystem] = await self.host.language_resources(ecosystem)

    def _resources(self, ecosystem: int) -> Resources:
        return self._lang.get(ecosystem, {})

    # ---- limits ------------------------------------------------------------------------------

    async def tick(self) -> None:
        """Check the time bound; now and then let the event loop serve other requests."""
        if time.monotonic() > self._deadline:
            raise PageLimitError("the page took longer than its time limit")
        self._calls += 1
        if self._calls % self.limits.yield_every == 0:
            await asyncio.sleep(0)

    def count_rows(self, rows: int) -> None:
        """Count rows a data source makes against the render's bound."""
        self._rows += rows
        if self._rows > self.limits.max_rows:
            raise PageLimitError("the page's data sources have too many rows")

    def new_element(self, tag: str, **fields: Any) -> Element:
        self._nodes += 1
        if self._nodes > self.limits.max_nodes:
            raise PageLimitError("the page has too many nodes")
        return Element(tag, **fields)

    def append_text(self, owner: Element, text: str) -> None:
        """appendText: text that is not only blanks becomes a text node."""
        if not trim_space(text):
            return
        self.budget.spend(len(text))
        owner.children.append(self.new_element(TEXT_TAG, text=text))

    # ---- templates ---------------------------------------------------------------------------

    async def render(self, template: Template) -> list[Element]:
        """A whole page: its top-level nodes, texts taking the variables as they end up."""
        root = Element("")
        await self.process(template, root)
        for child in root.children:
            if child.tag == TEXT_TAG:
                child.text = self.macro(child.text)
        return root.children

    async def process(self, template: Template, owner: Element) -> None:
        """Render `template` into `owner`'s children (the reference's process)."""
        self._depth += 1
        try:
            if self._depth > self.limits.max_nesting:
                raise PageLimitError("templates nest too deeply")
            nodes = template.nodes
            last = len(nodes) - 1
            for index, node in enumerate(nodes):
                await self.visit(node, owner, index == last)
        finally:
            self._depth -= 1

    async def visit_Text(self, node: Text, owner: Element, last: bool) -> None:
        # Text before a call takes macros now; text that ends a template takes them later.
        self.append_text(owner, node.value if last else self.macro(node.value))

    async def visit_Call(self, node: Call, owner: Element, last: bool) -> None:
        await self.call(node.spec, node.params, node.body, node.tails, owner)

    async def compile(self, text: str) -> Template:
        """A template made at render time (a snippet, a condition, a custom column's body)."""
        return await self.engine.parse_async(text)

    async def text_of(self, text: str) -> str:
        """processToText: render `text` and keep only its top-level texts."""
        root = Element("")
        await self.process(await self.compile(text), root)
        return "".join(c.text for c in root.children if c.tag == TEXT_TAG)

    async def parse_arg(self, text: str) -> str:
        """parseArg: text with calls in it rendered to text."""
        if "(" not in text:
            return text
        return await self.text_of(text)

    # ---- calls -------------------------------------------------------------------------------

    async def call(
        self,
        spec: FuncSpec,
        params: tuple[Param, ...],
        body: Template | None,
        tails: tuple[Tail, ...],
        owner: Element,
    ) -> None:
        """One function call, in the reference's order of work (see the module docstring)."""
        await self.tick()
        pars = {p.name: (self.macro(p.value) if p.named else p.value) for p in params}
        full = self.full
        raw_pars: dict[str, str] | None = None
        if not full:
            for key, value in pars.items():
                if "$" in value:
                    changed = await self.lang_macro(value)
                    if changed != value:
                        if raw_pars is None:
                            raw_pars = {}
                        raw_pars[key] = value
                        pars[key] = changed
        node = self.new_element(spec.tag)
        body_text = pars.get("Body", "")
        if body_text and spec.tag != "custom" and (full or spec.tag not in ("if", "elseif")):
            template = body
            if template is None or (raw_pars is not None and "Body" in raw_pars):
                template = await self.compile(body_text)
            await self.process(template, node)
        ctx = CallContext(self, owner, node, pars, raw_pars, tails)
        out = await self._behaviours[spec.full if full else spec.run](ctx)
        self._finish(node)
        if out:
            children = owner.children
            if children and children[-1].tag == TEXT_TAG:
                self.budget.spend(len(out))
                children[-1].text += out
            else:
                self.append_text(owner, out)

    def _finish(self, node: Element) -> None:
        """Macros in what the function left on its node (callFunc's closing passes)."""
        attr = node.attr
        renamed = []
        for key, value in attr.items():
            if type(value) is str:
                if key.startswith("#"):
                    renamed.append(key)
                else:
                    attr[key] = self.macro(value)
            elif type(value) is dict:
                for inner in value.values():
                    if type(inner) is dict:
                        for name, item in inner.items():
                            if type(item) is str:
                                inner[name] = self.macro(item)
                            elif type(item) is list:
                                item[:] = [self.macro(v) if type(v) is str else v for v in item]
        for key in renamed:
            attr[key[1:]] = attr.pop(key)
        node.text = self.macro(node.text)
        for child in node.children:
            child.text = self.macro(child.text)

    async def run_tails(self, ctx: CallContext, owner: Element | None = None) -> None:
        """defaultTail: each tail runs with the call's node as its owner."""
        for tail in ctx.tails:
            await self.call(tail.spec, tail.params, tail.body, (), owner or ctx.node)

    async def run_tail(self, tail: Tail, owner: Element) -> None:
        """One tail with `owner` as its owner (If's Else/ElseIf write into the If's owner)."""
        await self.call(tail.spec, tail.params, tail.body, (), owner)

