"""What many functions share: the behaviour registry, attributes from parameters, sources."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from chain.golang.strings import trim_space
from pages.renderer import Behaviour, CallContext, Source

REGISTRY: dict[str, Behaviour] = {}
_CALL_FORM = re.compile(r"(.*)\((.*)\)", re.DOTALL)


def behaviour(name: str) -> Callable[[Behaviour], Behaviour]:
    """Register a function under a behaviour name of the function table."""

    def register(fn: Behaviour) -> Behaviour:
        if name in REGISTRY:
            raise ValueError(f"behaviour {name} is registered twice")
        REGISTRY[name] = fn
        return fn

    return register


def _split_params(text: str) -> list[str]:
    """`a=1, b="x,y", c=Val(d, e)`: split on commas outside quotes and brackets."""
    items: list[str] = []
    current: list[str] = []
    stack: list[str] = []
    closing = {"(": ")", "{": "}", "[": "]"}
    for ch in text:
        if ch == '"':
            if stack and stack[-1] == '"':
                stack.pop()
            else:
                stack.append('"')
        elif ch in closing:
            stack.append(closing[ch])
        elif ch in ")}]":
            if stack and stack[-1] == ch:
                stack.pop()
        elif ch == "," and not stack:
            items.append("".join(current))
            current.clear()
            continue
        current.append(ch)
    if current:
        items.append("".join(current))
    return items


def parse_params(text: str) -> dict[str, Any]:
    """A Params/PageParams list as a map: `name=value` -> {"type": "text", "text": value},
    `name=Func(a, b)` -> {"type": "Func", "params": ["a", "b"]}, `name` -> text of itself."""
    result: dict[str, Any] = {}
    for item in _split_params(text):
        item = trim_space(item)
        if not item:
            continue
        eq = item.find("=")
        if eq == -1:
            result[item] = {"type": "text", "text": item}
            continue
        name = trim_space(item[:eq])
        value = trim_space(item[eq + 1 :])
        match = _CALL_FORM.search(value)
        if match is not None:
            args = [trim_space(a) for a in match.group(2).split(",")]
            result[name] = {"type": match.group(1), "params": args}
        else:
            result[name] = {"type": "text", "text": value}
    return result


async def set_all_attr(ctx: CallContext) -> None:
    """setAllAttr: every non-empty parameter becomes an attribute (lowercased name).

    Params and PageParams become maps; Body is never one; Data only in source mode; a
    parameter named `@X` has its X attribute rendered to text (the reference looks for the
    attribute without the `@`, which is never set: kept as is).
    """
    attr = ctx.node.attr
    full = ctx.r.full
    for key, value in ctx.pars.items():
        if key == "Params" or key == "PageParams":
            parsed = parse_params(value)
            if parsed:
                attr[key.lower()] = parsed
        elif key != "Body" and (key != "Data" or full) and value:
            attr[key.lower()] = value
    for key in ctx.pars:
        if not key.startswith("@"):
            continue
        name = key[1:].lower()
        current = attr.get(name)
        if isinstance(current, str):
            attr[name] = await ctx.r.text_of(current)


def set_attr(ctx: CallContext, name: str) -> None:
    """setAttr: one parameter as an attribute, when it is not empty."""
    value = ctx.pars.get(name, "")
    if value:
        ctx.node.attr[name.lower()] = value


def new_source(ctx: CallContext) -> None:
    """Remember the node's columns and rows under its `source` attribute."""
    name = ctx.node.attr.get("source")
    if isinstance(name, str):
        columns = ctx.node.attr.get("columns")
        data = ctx.node.attr.get("data")
        ctx.r.sources[name] = Source(
            columns if isinstance(columns, list) else [], data if isinstance(data, list) else []
        )


async def default_tag(ctx: CallContext) -> str:
    """The node with its parameters as attributes, added to its owner."""
    await set_all_attr(ctx)
    ctx.owner.children.append(ctx.node)
    return ""


async def default_tail_tag(ctx: CallContext) -> str:
    """default_tag, then the call's tails with the node as their owner."""
    await default_tag(ctx)
    await ctx.r.run_tails(ctx)
    return ""
