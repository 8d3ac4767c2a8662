"""Functions that make elements: tags, their tails, If/ElseIf/Else, Include and Button's tails."""

from __future__ import annotations

import json
from typing import Any, Final

from chain.golang.strings import trim_space
from chain.numbers import clamp_int64
from contracts.builtins.jsondecode import json_decode
from pages.functions.common import (
    behaviour,
    default_tag,
    default_tail_tag,
    set_all_attr,
    set_attr,
)
from pages.functions.values import if_value
from pages.lang import parse_name
from pages.output import Action, Composite, Element
from pages.renderer import CallContext, ErrRedirect

MAX_INCLUDE: Final = 5  # snippets included inside snippets (the reference's `_include` depth)


@behaviour("default")
async def _default(ctx: CallContext) -> str:
    return await default_tag(ctx)


@behaviour("tail")
async def _default_tail(ctx: CallContext) -> str:
    return await default_tail_tag(ctx)


@behaviour("tail_full")
async def _tail_full(ctx: CallContext) -> str:
    """A tail in source mode: kept as a node in its owner's tail list."""
    await set_all_attr(ctx)
    ctx.owner.tail.append(ctx.node)
    return ""


@behaviour("tail_attr")
async def _tail_attr(ctx: CallContext) -> str:
    """A tail that sets attributes of its owner (Style, DBFind's Columns/Where/...)."""
    await set_all_attr(ctx)
    for key, value in ctx.node.attr.items():
        ctx.owner.attr[key] = ctx.r.macro(value) if isinstance(value, str) else value
    return ""


@behaviour("button")
async def _button(ctx: CallContext) -> str:
    await default_tag(ctx)
    await ctx.r.run_tails(ctx)
    attr = ctx.node.attr
    names = attr.pop("composites", None)
    datas = attr.pop("compositedata", None)
    if isinstance(names, list) and isinstance(datas, list):
        composites = []
        for name, text in zip(names, datas, strict=False):
            data: Any = None
            if text:
                try:
                    data = json.loads(text, parse_int=float)
                except (ValueError, RecursionError):
                    return _json_error(text)
            composites.append(Composite(name, data))
        attr["composite"] = composites
    return ""


def _json_error(text: str) -> str:
    """encoding/json's error text for data that is not one JSON value."""
    try:
        json_decode(text)
    except ValueError as exc:
        return str(exc).removeprefix("unmarshalling json: ")
    except RecursionError:
        return "exceeded max depth"
    return "invalid character after top-level value"


@behaviour("popup")
async def _popup(ctx: CallContext) -> str:
    await set_all_attr(ctx)
    width = clamp_int64(ctx.param("Width"))
    if 1 <= width <= 100:
        ctx.owner.attr["popup"] = ctx.node.attr
    return ""


@behaviour("alert")
async def _alert(ctx: CallContext) -> str:
    await set_all_attr(ctx)
    ctx.owner.attr["alert"] = ctx.node.attr
    return ""


@behaviour("action")
async def _action(ctx: CallContext) -> str:
    await set_all_attr(ctx)
    name = ctx.param("Name")
    if not name:
        return ""
    params: dict[str, str] | None = None
    found = ctx.node.attr.get("params")
    if isinstance(found, dict):
        params = {}
        for key, value in found.items():
            # fmt.Sprint of the text: "<nil>" for a Func(...) parameter, which has none.
            text = value.get("text") if isinstance(value, dict) else value
            params[key] = ctx.r.macro(text if isinstance(text, str) else "<nil>")
    actions = ctx.owner.attr.setdefault("action", [])
    actions.append(Action(ctx.r.macro(name), params))
    return ""


@behaviour("composite")
async def _composite(ctx: CallContext) -> str:
    await set_all_attr(ctx)
    name = ctx.param("Name")
    if not name:
        return ""
    attr = ctx.owner.attr
    if "composites" not in attr:
        attr["composites"] = []
        attr["compositedata"] = []
    attr["composites"].append(ctx.r.macro(name))
    attr["compositedata"].append(ctx.r.macro(ctx.param("Data")))
    return ""


@behaviour("err_redirect")
async def _err_redirect(ctx: CallContext) -> str:
    await set_all_attr(ctx)
    error_id = ctx.param("ErrorID")
    if not error_id:
        return ""
    redirects = ctx.owner.attr.get("errredirect")
    if not isinstance(redirects, ErrRedirect):
        redirects = ErrRedirect()
        ctx.owner.attr["errredirect"] = redirects
    redirects[error_id] = ctx.node.attr
    return ""


async def _show_hide(ctx: CallContext, action: str) -> str:
    await set_all_attr(ctx)
    condition = ctx.node.attr.get("condition")
    if isinstance(condition, str):
        values: dict[str, str] = {}
        for item in condition.split(","):
            left, eq, right = trim_space(item).partition("=")
            values[trim_space(left)] = ctx.r.macro(trim_space(right)) if eq else ""
        ctx.owner.attr.setdefault(action, []).append(values)
    return ""


@behaviour("show")
async def _show(ctx: CallContext) -> str:
    return await _show_hide(ctx, "show")


@behaviour("hide")
async def _hide(ctx: CallContext) -> str:
    return await _show_hide(ctx, "hide")


@behaviour("validate")
async def _validate(ctx: CallContext) -> str:
    await set_all_attr(ctx)
    ctx.owner.attr["validate"] = ctx.node.attr
    return ""


@behaviour("validate_full")
async def _validate_full(ctx: CallContext) -> str:
    return await _tail_full(ctx)


@behaviour("custom")
async def _custom(ctx: CallContext) -> str:
    """A computed column of Data/DBFind: remembered on the owner, rendered per row."""
    await set_all_attr(ctx)
    body = ctx.param("Body")
    column = ctx.node.attr.get("column")
    if not ctx.param("Column") or not body or not isinstance(column, str):
        return ""
    attr = ctx.owner.attr
    if "customs" not in attr:
        attr["customs"] = []
        attr["custombody"] = []
    attr["customs"].append(column)
    attr["custombody"].append(body)
    return ""


@behaviour("custom_full")
async def _custom_full(ctx: CallContext) -> str:
    await set_all_attr(ctx)
    await ctx.r.process(await ctx.r.compile(ctx.param("Body")), ctx.node)
    ctx.owner.tail.append(ctx.node)
    return ""


# ---- If / ElseIf / Else ------------------------------------------------------------------------


async def _adopt_body(ctx: CallContext, owner: Element) -> None:
    """Render the Body into the node and give its children to `owner` (the If's owner)."""
    await ctx.r.process(await ctx.r.compile(ctx.param("Body")), ctx.node)
    owner.children.extend(ctx.node.children)


@behaviour("if")
async def _if(ctx: CallContext) -> str:
    condition = await if_value(ctx.param("Condition"), ctx.r)
    if condition:
        await _adopt_body(ctx, ctx.owner)
    elif ctx.tails:
        for tail in ctx.tails:
            await ctx.r.run_tail(tail, ctx.owner)
            if ctx.r.get_var("_cond") == "1":
                ctx.r.set_var("_cond", "0")
                break
    return ""


@behaviour("if_full")
async def _if_full(ctx: CallContext) -> str:
    set_attr(ctx, "Condition")
    ctx.owner.children.append(ctx.node)
    for tail in ctx.tails:
        await ctx.r.run_tail(tail, ctx.node)
    return ""


@behaviour("else_if")
async def _else_if(ctx: CallContext) -> str:
    if await if_value(ctx.param("Condition"), ctx.r):
        await _adopt_body(ctx, ctx.owner)
        ctx.r.set_var("_cond", "1")
    return ""


@behaviour("else_if_full")
async def _else_if_full(ctx: CallContext) -> str:
    set_attr(ctx, "Condition")
    ctx.owner.tail.append(ctx.node)
    return ""


@behaviour("else")
async def _else(ctx: CallContext) -> str:
    ctx.owner.children.extend(ctx.node.children)
    return ""


@behaviour("else_full")
async def _else_full(ctx: CallContext) -> str:
    ctx.owner.tail.append(ctx.node)
    return ""


# ---- other tags --------------------------------------------------------------------------------


@behaviour("menu_group")
async def _menu_group(ctx: CallContext) -> str:
    await set_all_attr(ctx)
    name = ctx.param("Title")
    if ctx.raw_pars is not None and "Title" in ctx.raw_pars:
        name = ctx.raw_pars["Title"]
    ctx.node.attr["name"] = name
    ctx.owner.children.append(ctx.node)
    return ""


@behaviour("table")
async def _table(ctx: CallContext) -> str:
    await default_tag(ctx)
    await ctx.r.run_tails(ctx)
    columns = ctx.param("Columns")
    if columns:
        items: list[dict[str, str]] = []
        for part in columns.split(","):
            item = ctx.r.macro(trim_space(part))
            title, eq, name = item.partition("=")
            if eq:
                items.append({"Title": trim_space(title), "Name": trim_space(name)})
            else:
                items.append({"Title": item, "Name": item})
        ctx.node.attr["columns"] = items
    return ""


@behaviour("chart")
async def _chart(ctx: CallContext) -> str:
    await default_tag(ctx)
    await ctx.r.run_tails(ctx)
    colors = ctx.param("Colors")
    if colors:
        ctx.node.attr["colors"] = [trim_space(c) for c in ctx.r.macro(colors).split(",")]
    return ""


@behaviour("image")
async def _image(ctx: CallContext) -> str:
    ctx.pars["Src"] = await ctx.r.parse_arg(ctx.param("Src"))
    await default_tag(ctx)
    await ctx.r.run_tails(ctx)
    return ""


@behaviour("include")
async def _include(ctx: CallContext) -> str:
    """A snippet rendered in place (at most 5 deep, as the reference)."""
    r = ctx.r
    depth = r.get_var("_include")
    if len(depth) >= MAX_INCLUDE:
        return ""
    name = r.macro(ctx.param("Name"))
    ecosystem = r.ecosystem
    eco, plain = parse_name(name)
    if eco != 0:
        ecosystem, name = eco, plain
    value = await r.host.snippet(ecosystem, name)
    if value is None:
        return f"Inlcude {ctx.param('Name')} has not been found"  # sic: the reference's text
    if value:
        root = Element("")
        r.set_var("_include", depth + "1")
        await r.process(await r.compile(value), root)
        include = r.get_var("_include")
        r.set_var("_include", include[:-1])
        ctx.owner.children.extend(root.children)
    return ""
