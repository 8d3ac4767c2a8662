"""The Logicor function table: each function's tag, parameters, behaviours and tails.

Pure data, read by the parser (which parameters a call has, whether it takes a body, which
tails follow it) and by the renderer (which behaviour runs, normally and in source mode).
The list, tags and parameter lists are go-ibax's `packages/template/funcs.go` `init`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Final


@dataclass(frozen=True)
class FuncSpec:
    """One function or tail.

    `params` in declaration order (positional arguments fill them in turn); `star` for the
    functions that take any `Name: value` list (`*` in the reference). `run` names what it
    does when a page is rendered, `full` in source mode (`_full`). `last` ends a tail chain.
    """

    name: str
    tag: str
    params: tuple[str, ...]
    run: str
    full: str
    last: bool = False
    star: bool = False
    params_text: str = field(init=False, repr=False)

    def __post_init__(self) -> None:
        # The reference tests parameter names against the comma-joined list as a substring.
        object.__setattr__(self, "params_text", "*" if self.star else ",".join(self.params))

    @property
    def takes_body(self) -> bool:
        """Whether `{...}` after the call is its Body (or Data) parameter."""
        return "Body" in self.params_text or "Data" in self.params_text

    @property
    def body_param(self) -> str:
        return "Body" if "Body" in self.params_text else "Data"


def _f(name: str, tag: str, params: str, run: str = "default", full: str = "default") -> FuncSpec:
    if params == "*":
        return FuncSpec(name, tag, (), run, full, star=True)
    return FuncSpec(name, tag, tuple(params.split(",")), run, full)


def _t(name: str, tag: str, params: str, run: str, full: str, last: bool = False) -> FuncSpec:
    if params == "*":
        return FuncSpec(name, tag, (), run, full, last=last, star=True)
    return FuncSpec(name, tag, tuple(params.split(",")), run, full, last=last)


_SELECT_PARAMS = "Name,Source,NameColumn,ValueColumn,Value,Class"

_FUNCS = (
    _f("Lower", "lower", "Text", "lower"),
    _f("AddToolButton", "addtoolbutton", "Title,Icon,Page,PageParams", "tail", "tail"),
    _f("Address", "address", "Wallet", "address"),
    _f("PubToID", "pubtoid", "Pub", "pub_to_id"),
    _f("AddressToId", "addresstoid", "Wallet", "address_to_id"),
    _f("AppParam", "apppar", "Name,App,Index,Source,Ecosystem", "app_param"),
    _f("Calculate", "calculate", "Exp,Type,Prec", "calculate"),
    _f("CmpTime", "cmptime", "Time1,Time2", "cmp_time"),
    _f("Code", "code", "Text"),
    _f("CodeAsIs", "code", "#Text"),
    _f("DateTime", "datetime", "DateTime,Format,Location", "date_time"),
    _f("EcosysParam", "ecosyspar", "Name,Index,Source,Ecosystem", "ecosys_param"),
    _f("Em", "em", "Body,Class"),
    _f("GetVar", "getvar", "Name", "get_var"),
    _f("GetHistory", "gethistory", "Source,Name,Id,RollbackId", "get_history"),
    _f("Hint", "hint", "Icon,Title,Text"),
    _f("ImageInput", "imageinput", "Name,Width,Ratio,Format"),
    _f("InputErr", "inputerr", "*"),
    _f("JsonToSource", "jsontosource", "Source,Data,Prefix", "json_to_source"),
    _f("ArrayToSource", "arraytosource", "Source,Data,Prefix", "array_to_source"),
    _f("LangRes", "langres", "Name,Lang", "lang_res"),
    _f("MenuGroup", "menugroup", "Title,Body,Icon", "menu_group"),
    _f("MenuItem", "menuitem", "Title,Page,PageParams,Icon,Clb"),
    _f("Money", "money", "Exp,Digit", "money"),
    _f("Range", "range", "Source,From,To,Step", "range"),
    _f("SetTitle", "settitle", "Title"),
    _f("SetVar", "setvar", "Name,Value", "set_var"),
    _f("Strong", "strong", "Body,Class"),
    _f("SysParam", "syspar", "Name", "sys_param"),
    _f("Button", "button", "Body,Page,Class,Contract,Params,PageParams", "button", "button"),
    _f("Div", "div", "Class,Body", "tail", "tail"),
    _f("ForList", "forlist", "Source,Data,Index", "for_list"),
    _f("Form", "form", "Class,Body", "tail", "tail"),
    _f("If", "if", "Condition,Body", "if", "if_full"),
    _f("Image", "image", "Src,Alt,Class", "image", "tail"),
    _f("Include", "include", "Name", "include"),
    _f("Input", "input", "Name,Class,Placeholder,Type,Value,Disabled", "tail", "tail"),
    _f("Label", "label", "Body,Class,For", "tail", "tail"),
    _f("LinkPage", "linkpage", "Body,Page,Class,PageParams", "tail", "tail"),
    _f("Data", "data", "Source,Columns,Data", "data", "tail"),
    _f("DBFind", "dbfind", "Name,Source", "db_find", "tail"),
    _f("And", "and", "*", "and"),
    _f("Or", "or", "*", "or"),
    _f("P", "p", "Body,Class", "tail", "tail"),
    _f("RadioGroup", "radiogroup", _SELECT_PARAMS, "tail", "tail"),
    _f("Span", "span", "Body,Class", "tail", "tail"),
    _f("QRcode", "qrcode", "Text"),
    _f("Table", "table", "Source,Columns", "table", "tail"),
    _f("Select", "select", _SELECT_PARAMS, "tail", "tail"),
    _f("Chart", "chart", "Type,Source,FieldLabel,FieldValue,Colors", "chart", "tail"),
    _f("InputMap", "inputMap", "Name,@Value,Type,MapType", "tail", "tail"),
    _f("Map", "map", "@Value,MapType,Hmap"),
    _f("Binary", "binary", "AppID,Name,Account", "binary"),
    _f("GetColumnType", "columntype", "Table,Column", "column_type"),
    _f("VarAsIs", "varasis", "Name,Value", "var_as_is"),
)

FUNCS: Final = MappingProxyType({f.name: f for f in _FUNCS})

_STYLE = _t("Style", "style", "Style", "tail_attr", "tail_full")
_VALIDATE = _t("Validate", "validate", "*", "validate", "validate_full")
_POPUP = _t("Popup", "popup", "Width,Header", "popup", "tail_full", last=True)

# Tails by the tag of the function they follow.
TAILS: Final = MappingProxyType(
    {
        tag: MappingProxyType({t.name: t for t in tails})
        for tag, tails in {
            "addtoolbutton": (_POPUP,),
            "button": (
                _t("Action", "action", "Name,Params", "action", "tail_full"),
                _t("Alert", "alert", "Text,ConfirmButton,CancelButton,Icon", "alert", "tail_full",
                   last=True),
                _POPUP,
                _STYLE,
                _t("CompositeContract", "composite", "Name,Data", "composite", "tail_full"),
                _t("ErrorRedirect", "errorredirect", "ErrorID,PageName,PageParams", "err_redirect",
                   "tail_full"),
            ),
            "div": (
                _STYLE,
                _t("Show", "show", "Condition", "show", "tail_full"),
                _t("Hide", "hide", "Condition", "hide", "tail_full"),
            ),
            "form": (_STYLE,),
            "if": (
                _t("Else", "else", "Body", "else", "else_full", last=True),
                _t("ElseIf", "elseif", "Condition,Body", "else_if", "else_if_full"),
            ),
            "image": (_STYLE,),
            "input": (_VALIDATE, _STYLE),
            "label": (_STYLE,),
            "linkpage": (_STYLE,),
            "data": (_t("Custom", "custom", "Column,Body", "custom", "custom_full"),),
            "dbfind": (
                _t("Columns", "columns", "Columns", "tail_attr", "tail_full"),
                _t("Count", "count", "CountVar", "tail_attr", "tail_full"),
                _t("Where", "where", "Where", "tail_attr", "tail_full"),
                _t("WhereId", "whereid", "WhereId", "tail_attr", "tail_full"),
                _t("Order", "order", "Order", "tail_attr", "tail_full"),
                _t("Limit", "limit", "Limit", "tail_attr", "tail_full"),
                _t("Offset", "offset", "Offset", "tail_attr", "tail_full"),
                _t("Custom", "custom", "Column,Body", "custom", "custom_full"),
                _t("Vars", "vars", "Prefix", "tail_attr", "tail_full"),
                _t("Cutoff", "cutoff", "Cutoff", "tail_attr", "tail_full"),
            ),
            "p": (_STYLE,),
            "radiogroup": (_VALIDATE, _STYLE),
            "span": (_STYLE,),
            "table": (_STYLE,),
            "select": (_VALIDATE, _STYLE),
            "inputMap": (_VALIDATE,),
            "binary": (
                _t("ById", "id", "id", "tail_attr", "tail_full"),
                _t("Ecosystem", "ecosystem", "ecosystem", "tail_attr", "tail_full"),
            ),
        }.items()
    }
)
