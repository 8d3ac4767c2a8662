"""Functions that write text: variables, conditions, money, time, keys and parameters."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from chain.address import address_to_id, address_to_string
from chain.golang.decimal import parse_decimal
from chain.golang.ints import wrap_int32
from chain.golang.strings import trim_space
from chain.golang.time import (
    format_time,
    load_location,
    offset_at,
    parse_date_time,
    wall_seconds,
)
from chain.numbers import clamp_int64
from contracts.builtins.math import format_money
from pages.calculate import calculate
from pages.functions.common import behaviour, new_source
from pages.host import PageDataError
from pages.macros import Var
from pages.renderer import CallContext, Renderer

T_LAYOUT = "2006-01-02T15:04:05"  # time.Parse's layout in the reference's DateTime
_DEFAULT_TIME = b"1970-01-01T00:00:00"
_TIME_CODES = (
    ("YYYY", "2006"),
    ("YY", "06"),
    ("MM", "01"),
    ("DD", "02"),
    ("HH", "15"),
    ("MI", "04"),
    ("SS", "05"),
)


def _decimal_or_zero(text: str) -> Decimal:
    try:
        return parse_decimal(text)
    except ValueError:
        return Decimal(0)


async def if_value(text: str, r: Renderer) -> bool:
    """ifValue: a condition (`a == b`, `a != b`, `<`, `<=`, `>`, `>=` on decimals, or a value
    that is not "", "0" or "false"); calls in it are rendered first, then macros."""
    value = await r.parse_arg(text)
    sep = ""
    if ";base64" not in value:
        for item in ("==", "!=", "<=", ">=", "<", ">"):
            if item in value:
                sep = item
                break
    if not sep:
        value = r.macro(value)
        return bool(value) and value != "0" and value != "false"
    left, right = value.split(sep, 1)
    left = trim_space(r.macro(trim_space(left).strip('"')))
    right = trim_space(r.macro(trim_space(right).strip('"')))
    if sep == "==":
        return left == right
    if sep == "!=":
        return left != right
    a, b = _decimal_or_zero(left), _decimal_or_zero(right)
    if sep in (">", "<="):
        result = a > b
    else:
        result = a < b
    return not result if sep in ("<=", ">=") else result


def _positional(ctx: CallContext) -> list[str]:
    """`*` arguments by position: "0", "1", ... up to how many there are ("" when missing)."""
    return [ctx.pars.get(str(i), "") for i in range(len(ctx.pars))]


@behaviour("and")
async def _and(ctx: CallContext) -> str:
    for item in _positional(ctx):
        if not await if_value(item, ctx.r):
            return "0"
    return "1"


@behaviour("or")
async def _or(ctx: CallContext) -> str:
    for item in _positional(ctx):
        if await if_value(item, ctx.r):
            return "1"
    return "0"


# ---- variables ---------------------------------------------------------------------------------


@behaviour("set_var")
async def _set_var(ctx: CallContext) -> str:
    name = ctx.param("Name")
    if name:
        value = ctx.param("Value")
        if "(" in value or "{" in value:
            value = await ctx.r.text_of(value)
        ctx.r.set_var(name, ctx.r.macro_replace(value))
    return ""


@behaviour("get_var")
async def _get_var(ctx: CallContext) -> str:
    name = ctx.param("Name")
    return ctx.r.macro(ctx.r.get_var(name)) if name else ""


@behaviour("var_as_is")
async def _var_as_is(ctx: CallContext) -> str:
    key = ctx.param("Name")
    if key:
        value = ctx.param("Value")
        found = ctx.r.vars.get(value.strip("#") if value.startswith("#") else value)
        if found is not None:
            value = found.value
        ctx.r.vars[key] = Var(value, as_is=True)
    return ""


# ---- text ------------------------------------------------------------------------------------


@behaviour("lower")
async def _lower(ctx: CallContext) -> str:
    return ctx.r.macro(ctx.param("Text")).lower()


@behaviour("calculate")
async def _calculate(ctx: CallContext) -> str:
    return calculate(ctx.param_macros("Exp"), ctx.param("Type"), ctx.param_macros("Prec"))


@behaviour("money")
async def _money(ctx: CallContext) -> str:
    digit = ctx.param("Digit")
    if digit:
        places = clamp_int64(ctx.r.macro(digit))
    else:
        places = await ctx.r.host.ecosystem_digits(ctx.r.ecosystem)
    places = wrap_int32(places)  # the reference passes an int32
    try:
        # ecosystem_digits=0: a digit of 0 means no shift here (not the ecosystem's digits).
        return format_money(ctx.param_macros("Exp"), places, 0)
    except ValueError:
        return "0"


@behaviour("cmp_time")
async def _cmp_time(ctx: CallContext) -> str:
    def prepare(name: str) -> bytes:
        data = ctx.r.macro(ctx.param(name)).replace("T", " ").encode("utf-8", "surrogatepass")
        return data[:19]

    left, right = prepare("Time1"), prepare("Time2")
    if left == right:
        return "0"
    return "-1" if left < right else "1"


@behaviour("date_time")
async def _date_time(ctx: CallContext) -> str:
    text = ctx.param_macros("DateTime")
    if not text or not "0" <= text[0] <= "9":
        return ""
    data = text.encode("utf-8", "surrogatepass")
    if len(data) < len(_DEFAULT_TIME):
        data += _DEFAULT_TIME[len(data) :]
    # As the reference: the first 19 bytes, a space read as the layout's "T".
    head = data[:19].replace(b" ", b"T").decode("utf-8", "surrogateescape")
    try:
        unix = wall_seconds(parse_date_time(head, T_LAYOUT))
    except ValueError as exc:
        unix = clamp_int64(text)
        if unix <= 0:
            return str(exc)
    layout = ctx.param_macros("Format")
    if not layout:
        layout = await ctx.r.lang_text("timeformat", ctx.r.ecosystem, ctx.r.get_var("lang"))
        if layout == "timeformat":
            layout = "2006-01-02 15:04:05"
    else:
        layout = ctx.r.macro(layout)
    for code, go_code in _TIME_CODES:
        layout = layout.replace(code, go_code)
    offset, zone_name = 0, "UTC"
    location = ctx.param_macros("Location")
    if location:
        try:
            zone = load_location(location)
        except ValueError as exc:
            return str(exc).removeprefix("Load location: ")
        offset = offset_at(zone, unix)
        if zone is not None:
            try:
                zone_name = datetime.fromtimestamp(unix, UTC).astimezone(zone).tzname() or ""
            except (OverflowError, OSError, ValueError):
                zone_name = ""
    return format_time(layout, unix, offset, zone_name)


# ---- keys --------------------------------------------------------------------------------------


@behaviour("address")
async def _address(ctx: CallContext) -> str:
    wallet = ctx.param("Wallet") or ctx.r.get_var("key_id")
    # strconv.ParseInt, its error ignored: a number out of range is the nearest int64.
    key_id = clamp_int64(await ctx.r.text_of(ctx.r.macro(wallet)))
    return address_to_string(key_id) if key_id else "unknown address"


@behaviour("address_to_id")
async def _address_to_id(ctx: CallContext) -> str:
    wallet = ctx.param("Wallet")
    if not wallet:
        return ctx.r.get_var("key_id")
    key_id = address_to_id(await ctx.r.text_of(ctx.r.macro(wallet)))
    return str(key_id) if key_id else "0"


@behaviour("pub_to_id")
async def _pub_to_id(ctx: CallContext) -> str:
    pub = ctx.param("Pub")
    if not pub:
        return "0"
    key_id = ctx.r.host.pub_to_id(await ctx.r.text_of(ctx.r.macro(pub)))
    return "0" if key_id is None else str(key_id)


# ---- parameters and resources ------------------------------------------------------------------


@behaviour("lang_res")
async def _lang_res(ctx: CallContext) -> str:
    lang = ctx.param("Lang") or ctx.r.get_var("lang")
    return await ctx.r.lang_text(ctx.param("Name"), ctx.r.ecosystem, lang)


@behaviour("sys_param")
async def _sys_param(ctx: CallContext) -> str:
    name = ctx.param("Name")
    return await ctx.r.host.platform_parameter(ctx.r.macro(name)) if name else ""


async def _param_value(ctx: CallContext, value: str) -> str:
    """A parameter's value, or one item of it (Index), or a data source of it (Source)."""
    if ctx.param("Source"):
        return await _param_source(ctx, value)
    if ctx.param("Index"):
        index = clamp_int64(ctx.param_macros("Index"))
        items = value.split(",")
        if 0 < index <= len(items):
            return await ctx.r.lang_text(items[index - 1], ctx.r.ecosystem, ctx.r.get_var("lang"))
        return ""
    return value


async def _param_source(ctx: CallContext, value: str) -> str:
    rows = []
    for number, item in enumerate(value.split(","), start=1):
        text = await ctx.r.lang_text(item, ctx.r.ecosystem, ctx.r.get_var("lang"))
        rows.append([str(number), text])
    ctx.r.count_rows(len(rows))
    node = ctx.r.new_element(
        "data",
        attr={
            "columns": ["id", "name"],
            "types": ["text", "text"],
            "data": rows,
            "source": ctx.param("Source"),
        },
    )
    ctx.owner.children.append(node)
    saved = ctx.node
    ctx.node = node
    new_source(ctx)
    ctx.node = saved
    return ""


def _ecosystem_of(ctx: CallContext) -> int:
    if ctx.param("Ecosystem"):
        return clamp_int64(ctx.param_macros("Ecosystem"))
    return ctx.r.ecosystem


@behaviour("ecosys_param")
async def _ecosys_param(ctx: CallContext) -> str:
    if not ctx.param("Name"):
        return ""
    value = await ctx.r.host.ecosystem_parameter(_ecosystem_of(ctx), ctx.param_macros("Name"))
    return await _param_value(ctx, value)


@behaviour("app_param")
async def _app_param(ctx: CallContext) -> str:
    if not ctx.param("Name") or not ctx.param("App"):
        return ""
    app_id = clamp_int64(ctx.param_macros("App"))
    value = await ctx.r.host.app_parameter(_ecosystem_of(ctx), app_id, ctx.param_macros("Name"))
    return await _param_value(ctx, value)


@behaviour("column_type")
async def _column_type(ctx: CallContext) -> str:
    if not ctx.param("Table") or not ctx.param("Column"):
        return ""
    try:
        return await ctx.r.host.column_type(
            ctx.r.ecosystem, ctx.param_macros("Table"), ctx.param_macros("Column")
        )
    except PageDataError as exc:
        return str(exc)


@behaviour("binary")
async def _binary(ctx: CallContext) -> str:
    await ctx.r.run_tails(ctx)
    attr = ctx.node.attr
    eco_attr = attr.get("ecosystem")
    ecosystem = clamp_int64(eco_attr) if isinstance(eco_attr, str) else ctx.r.ecosystem
    host = ctx.r.host
    try:
        by_id = attr.get("id")
        if isinstance(by_id, str):
            return await host.binary_link(ecosystem, binary_id=clamp_int64(ctx.r.macro(by_id)))
        return await host.binary_link(
            ecosystem,
            app_id=clamp_int64(ctx.param_macros("AppID")),
            account=ctx.param_macros("Account"),
            name=ctx.param_macros("Name"),
        )
    except PageDataError as exc:
        return str(exc)

