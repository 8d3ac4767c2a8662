"""Functions that read the chain's tables: DBFind (with its tails) and GetHistory."""

from __future__ import annotations

import hashlib
from typing import Any, Final

from chain.golang.json import marshal
from chain.golang.strings import trim_space
from chain.numbers import clamp_int64
from pages.functions.common import behaviour, new_source, set_all_attr
from pages.functions.sources import custom_cell
from pages.host import PageDataError, RowQuery
from pages.macros import Var
from pages.objparse import ERR_WHERE, ObjectSyntaxError, parse_object
from pages.renderer import CallContext

DBFIND_LIMIT: Final = 10_000  # consts.DBFindLimit
DEFAULT_LIMIT: Final = 25
CUTOFF_LENGTH: Final = 32  # characters of a long text DBFind shows before its link
NULL: Final = "NULL"


def _sanitize(name: str, allowed: str) -> str:
    """converter.Sanitize: letters, digits, `_`, non-ASCII and the allowed characters."""
    return "".join(
        ch for ch in name if ord(ch) > 127 or ch.isascii() and (ch.isalnum() or ch == "_")
        or ch in allowed
    )


def _columns(value: Any) -> list[str]:
    """qb.GetColumns: "a,b" or ["a", "b"], lowercased and sanitized; ["*"] for all."""
    names: list[str] = []
    if isinstance(value, str):
        if value:
            names = value.split(",")
    elif isinstance(value, list):
        names = [v for v in value if isinstance(v, str)]
    if not names:
        names = ["*"]
    return [_sanitize(n.lower(), "*->") for n in names]


def _link(table: str, row_id: str, column: str, digest: str, title: str) -> tuple[str, str]:
    """(the value DBFind shows, the link) of a long value: {"link": ..., "title": ...}."""
    link = f"/data/{table}/{row_id}/{column}/{digest}" if digest else ""
    shown = marshal({"title": title, "link": link}).decode("utf-8")
    return shown, link


def _blob_digest(value: str) -> str:
    """md5 of a bytea value given as hex (what the reference selects), "" for NULL."""
    if value == NULL or value == "":
        return "" if value == NULL else hashlib.md5(b"").hexdigest()
    try:
        return hashlib.md5(bytes.fromhex(value)).hexdigest()
    except ValueError:
        return hashlib.md5(value.encode("utf-8", "surrogatepass")).hexdigest()


def _cut(value: str) -> tuple[str, str]:
    """(title, md5) of a long text: its first 32 characters, the md5 when it is longer."""
    if value == NULL:
        return "", ""
    digest = ""
    if len(value) > CUTOFF_LENGTH:
        digest = hashlib.md5(value.encode("utf-8", "surrogatepass")).hexdigest()
    return value[:CUTOFF_LENGTH], digest


@behaviour("db_find")
async def _db_find(ctx: CallContext) -> str:
    """Rows of a table as a data source (its tails set what to read), as the reference's."""
    r = ctx.r
    if not ctx.param("Name"):
        return ""
    await r.run_tails(ctx)
    attr = ctx.node.attr
    try:
        query, columns, cutoff = _query(ctx)
    except ObjectSyntaxError as exc:
        return str(exc)
    try:
        result = await r.host.find_rows(query)
    except PageDataError as exc:
        return str(exc)
    r.count_rows(len(result.rows))
    if columns is None:
        names = list(result.columns)
    else:
        names = [trim_space(c.replace("->", ".")) for c in columns]
    kinds: dict[str, str] = {}
    for name in names:
        column_kind = result.kinds.get(name, "")
        if column_kind == "bytea":
            kinds[name] = "blob"
        elif column_kind in ("text", "varchar") and name in cutoff:
            kinds[name] = "long_text"
    prefix = attr.get("prefix")
    customs = attr.get("customs")
    bodies = attr.get("custombody")
    defined = len(names)
    types: list[str] = []
    if result.rows:
        types = [kinds.get(name, "text") for name in names]
        if isinstance(customs, list) and isinstance(bodies, list):
            names.extend(customs)
            types.extend("tags" for _ in customs)
    rows: list[list[str]] = []
    for found in result.rows:
        await r.tick()
        item = dict(found)
        row: list[str] = []
        for index, name in enumerate(names):
            if index < defined:
                value = item.get(name, "")
                kind = kinds.get(name)
                if kind == "blob":
                    digest = _blob_digest(value)
                    value, item[name] = _link(
                        result.table, item.get("id", ""), name, digest, digest
                    )
                elif kind == "long_text":
                    title, digest = _cut(value)
                    value, _ = _link(result.table, item.get("id", ""), name, digest, title)
                elif value == NULL:
                    value = ""
            else:
                assert isinstance(bodies, list)
                cells = {k: Var("" if v == NULL else v) for k, v in item.items()}
                value = await custom_cell(r, bodies[index - defined], cells)
            if isinstance(prefix, str):
                r.set_var(prefix + "_" + name.replace(".", "_"), value)
            row.append(value)
        rows.append(row)
    count_var = attr.pop("countvar", None)
    if isinstance(count_var, str):
        attr["count"] = str(result.count)
        r.set_var(count_var, str(result.count))
    await set_all_attr(ctx)
    for name in ("customs", "custombody", "prefix", "countvar"):
        attr.pop(name, None)
    attr["columns"] = names
    attr["types"] = types
    attr["data"] = rows
    new_source(ctx)
    ctx.owner.children.append(ctx.node)
    return ""


def _query(ctx: CallContext) -> tuple[RowQuery, list[str] | None, set[str]]:
    """The RowQuery of a DBFind, the columns it names (None: all) and its Cutoff columns."""
    r = ctx.r
    attr = ctx.node.attr
    wanted: Any = None
    fields = attr.get("columns")
    if isinstance(fields, str):
        wanted = parse_object(fields) if fields.startswith("[") else fields
    columns = _columns(wanted)
    where: dict[str, Any] | None = None
    where_attr = attr.get("where")
    if isinstance(where_attr, str):
        text = r.macro(where_attr)
        if text.startswith("{"):
            parsed = parse_object(text)
            if isinstance(parsed, dict):
                where = parsed
            elif parsed != "":
                raise ObjectSyntaxError(ERR_WHERE)
        elif text:
            raise ObjectSyntaxError(ERR_WHERE)
    where_id = attr.get("whereid")
    if isinstance(where_id, str):
        where = {"id": str(clamp_int64(r.macro(where_id)))}
    limit_attr = attr.get("limit")
    limit = clamp_int64(limit_attr) if isinstance(limit_attr, str) else DEFAULT_LIMIT
    offset_attr = attr.get("offset")
    offset = clamp_int64(offset_attr) if isinstance(offset_attr, str) else 0
    if isinstance(attr.get("prefix"), str):
        limit = 1
    # The reference reads every row for a limit of 0 or less; we read at most DBFindLimit.
    if limit <= 0 or limit > DBFIND_LIMIT:
        limit = DBFIND_LIMIT
    cutoff_attr = attr.get("cutoff")
    cutoff = set(cutoff_attr.split(",")) if isinstance(cutoff_attr, str) else set()
    order: Any = None
    order_attr = attr.get("order")
    if isinstance(order_attr, str):
        text = r.macro(order_attr)
        order = parse_object(text) if text.startswith(("[", "{")) else text
        order = _order(order)
    selected: list[str] | None = None
    if "*" not in columns:
        selected = list(columns)
        if "id" not in selected:
            selected.append("id")
    table = r.macro(ctx.param("Name")).strip('"')
    query = RowQuery(
        table=table,
        ecosystem=r.ecosystem,
        key_id=clamp_int64(r.get_var("key_id")),
        role_id=clamp_int64(r.get_var("role_id")),
        columns=selected,
        where=where,
        order=order,
        limit=limit,
        offset=max(offset, 0),
    )
    return query, selected, cutoff


def _order(order: Any) -> Any:
    """Order as the query builder takes it: names sanitized as the reference does, "" none."""
    if order == "" or order is None:
        return None
    if isinstance(order, str):
        return _sanitize(order.lower(), " ,") or None
    return order


@behaviour("get_history")
async def _get_history(ctx: CallContext) -> str:
    r = ctx.r
    await set_all_attr(ctx)
    rollback_id = clamp_int64(ctx.param_macros("RollbackId")) if ctx.param("RollbackId") else 0
    if not ctx.param("Name"):
        return ""
    try:
        result = await r.host.history(
            r.ecosystem,
            clamp_int64(r.get_var("key_id")),
            ctx.param_macros("Name"),
            clamp_int64(ctx.param_macros("Id")),
            rollback_id,
        )
    except PageDataError as exc:
        return str(exc)
    r.count_rows(len(result.rows))
    rows = [
        ["" if (v := row.get(c, "")) == NULL else v for c in result.columns] for row in result.rows
    ]
    attr = ctx.node.attr
    attr["columns"] = list(result.columns)
    attr["types"] = ["text"] * len(result.columns)
    attr["data"] = rows
    new_source(ctx)
    ctx.owner.children.append(ctx.node)
    return ""

