"""Data sources made in the page: Data, JsonToSource, ArrayToSource, Range; and ForList."""

from __future__ import annotations

import json
from typing import Any

from chain.golang.strings import trim_space
from chain.numbers import clamp_int64
from contracts.builtins.format import go_text
from contracts.builtins.printf import sprintf
from pages.errors import PageLimitError
from pages.functions.common import behaviour, new_source, set_all_attr
from pages.gocsv import CsvError, read_all
from pages.macros import Var, Vars, replace
from pages.output import TEXT_TAG, Element, children_json
from pages.renderer import CallContext, Renderer


async def custom_cell(r: Renderer, body: str, row: Vars) -> str:
    """A computed column's value: its body rendered with the row's values as variables, as
    JSON, whose remaining `#name#` take the row's values (the reference's order of work)."""
    root = Element("")
    r.vars.update(row)
    try:
        await r.process(await r.compile(body), root)
    finally:
        for key in row:
            r.vars.pop(key, None)
    return replace(children_json(root.children), row, [], r.budget)


@behaviour("data")
async def _data(ctx: CallContext) -> str:
    r = ctx.r
    await set_all_attr(ctx)
    await r.run_tails(ctx)
    attr = ctx.node.attr
    columns = ctx.param("Columns").split(",")
    types = ["text"] * len(columns)
    try:
        records = read_all(ctx.param("Data"))
    except CsvError as exc:
        # The reference then tries to drop the bad lines, but its test of the message never
        # matches: the data stays empty and the error is shown.
        attr["error"] = str(exc)
        records = []
    r.count_rows(len(records))
    customs = attr.get("customs")
    bodies = attr.get("custombody")
    rows: list[list[str]] = []
    defined = len(columns)
    if records and isinstance(customs, list) and isinstance(bodies, list):
        columns.extend(customs)
        types.extend("tags" for _ in customs)
    for record in records:
        await r.tick()
        row: list[str] = []
        values: Vars = {}
        for index, name in enumerate(columns):
            if index < defined:
                value = trim_space(record[index]) if index < len(record) else ""
                values[name] = Var(value)
            else:
                assert isinstance(bodies, list)
                value = await custom_cell(r, bodies[index - defined], values)
            row.append(value)
        rows.append(row)
    await set_all_attr(ctx)
    attr.pop("customs", None)
    attr.pop("custombody", None)
    attr["columns"] = columns
    attr["types"] = types
    attr["data"] = rows
    new_source(ctx)
    ctx.owner.children.append(ctx.node)
    return ""


def _json_object(text: str) -> dict[str, Any] | None:
    """json.Unmarshal into a map: None unless the text is one JSON object."""
    try:
        value = json.loads(text, parse_int=float)
    except (ValueError, RecursionError):
        return None
    return value if isinstance(value, dict) else None


def _sorted(value: Any) -> Any:
    """JSON values as Go holds them after Unmarshal: maps print with their keys sorted."""
    if isinstance(value, dict):
        return {k: _sorted(value[k]) for k in sorted(value)}
    if isinstance(value, list):
        return [_sorted(v) for v in value]
    return value


def _prefixed(ctx: CallContext) -> str:
    prefix = ctx.node.attr.get("prefix")
    return prefix + "_" if isinstance(prefix, str) else ""


async def _pairs_node(ctx: CallContext, prefix: str, rows: list[list[str]]) -> str:
    ctx.r.count_rows(len(rows))
    await set_all_attr(ctx)
    attr = ctx.node.attr
    attr["columns"] = [prefix + "key", prefix + "value"]
    attr["types"] = ["text", "text"]
    attr["data"] = rows
    new_source(ctx)
    ctx.owner.children.append(ctx.node)
    return ""


@behaviour("json_to_source")
async def _json_to_source(ctx: CallContext) -> str:
    await set_all_attr(ctx)
    prefix = _prefixed(ctx)
    rows: list[list[str]] = []
    text = ctx.param_macros("Data")
    found = _json_object(text) if text else None
    for key, item in (found or {}).items():
        item = _sorted(item)
        if item is None:
            value = ""
        elif isinstance(item, dict):
            parts = [sprintf("%q:%q", k, v) for k, v in item.items()]
            value = "{" + ",\r\n".join(parts) + "}"
        else:
            value = go_text(item)
        rows.append([key, value])
    rows.sort(key=lambda row: row[0].encode("utf-8", "surrogatepass"))
    return await _pairs_node(ctx, prefix, rows)


def split_array(text: str) -> list[str]:
    """splitArray: the items of `[a, "b", {...}]` (brackets optional), quotes dropped."""
    items: list[str] = []
    if not text:
        return items
    if text[0] == "[" and text[-1] == "]":
        text = text[1:-1]
    quote = ""
    trim = ""
    start = 0
    braces: list[str] = []

    def add(end: int) -> None:
        item = trim_space(text[start:end])
        if item and item[-1] == trim:
            item = item[:-1]
        items.append(item)

    for index, ch in enumerate(text):
        if ch == "[":
            braces.append("]")
        if ch == "{":
            braces.append("}")
        if braces:
            if ch == braces[-1]:
                braces.pop()
            continue
        if quote:
            if ch == quote:
                quote = ""
            continue
        if ch == " " and start == index:
            start += 1
            continue
        if ch in "\"`'":
            quote = ch
            if start == index:
                trim = ch
                start += 1
        if ch == ",":
            add(index)
            start = index + 1
            trim = ""
    if start < len(text):
        add(len(text))
    return items


@behaviour("array_to_source")
async def _array_to_source(ctx: CallContext) -> str:
    await set_all_attr(ctx)
    prefix = _prefixed(ctx)
    items = split_array(ctx.param_macros("Data"))
    return await _pairs_node(ctx, prefix, [[str(i), item] for i, item in enumerate(items)])


@behaviour("range")
async def _range(ctx: CallContext) -> str:
    r = ctx.r
    await set_all_attr(ctx)
    start = clamp_int64(ctx.param_macros("From"))
    stop = clamp_int64(ctx.param_macros("To"))
    step = clamp_int64(ctx.param_macros("Step")) if ctx.param("Step") else 1
    if (step > 0 and start < stop) or (step < 0 and start > stop):
        count = -(-(stop - start) // step)
        if count > r.limits.max_rows:
            raise PageLimitError("Range makes too many rows")
        r.count_rows(count)
        rows = [[str(i)] for i in range(start, stop, step)]
    else:
        rows = []
    attr = ctx.node.attr
    for name in ("from", "to", "step"):
        attr.pop(name, None)
    attr["columns"] = ["id"]
    attr["data"] = rows
    new_source(ctx)
    ctx.owner.children.append(ctx.node)
    return ""


@behaviour("for_list")
async def _for_list(ctx: CallContext) -> str:
    """The body once per row of a source, the row's columns and its number as variables."""
    r = ctx.r
    await set_all_attr(ctx)
    attr = ctx.node.attr
    name = attr.get("source", "") if ctx.param("Source") else ""
    index_name = attr.get("index", "") if ctx.param("Index") else f"{name}_index"
    if not isinstance(name, str) or not name or name not in r.sources:
        return ""
    source = r.sources[name]
    template = await r.compile(ctx.param("Data"))
    root = Element("")
    before = set(r.vars)
    pending: list[Element] = []  # text nodes that may still hold a #name#
    for number, item in enumerate(source.data, start=1):
        await r.tick()
        values = {str(index_name): str(number)}
        for i, column in enumerate(source.columns):
            values[column] = item[i] if i < len(item) else ""
        if number > 1:
            # What the last row's body set is dropped before the next row.
            for key in [k for k in r.vars if k not in before]:
                del r.vars[key]
        for key, value in values.items():
            r.set_var(key, value)
        done = len(root.children)
        await r.process(template, root)
        pending.extend(c for c in root.children[done:] if c.tag == TEXT_TAG)
        still = []
        for child in pending:
            if "#" in child.text:
                child.text = r.macro_replace(child.text)
                if "#" in child.text:
                    still.append(child)
        pending = still
        for key in values:
            r.vars.pop(key, None)
    ctx.node.children = root.children
    ctx.owner.children.append(ctx.node)
    return ""

