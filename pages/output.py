"""What a render produces: the reference's node tree, and its Go JSON encoding.

An Element is go-ibax's template `node` {tag, attr, text, children, tail}. Attribute values
are strings, lists of strings (columns, types, colors), lists of rows (data), maps (params,
popup, alert, validate, errredirect), lists of maps (table columns, show, hide) and the
reference's Action and Composite structs. `to_go` turns a tree into plain values whose dict
order is the JSON order (struct fields as declared, map keys sorted as Go sorts them), which
the one Go encoder then writes with `sort_keys=False`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from chain.golang.json import marshal

TEXT_TAG = "text"


@dataclass(slots=True, eq=False)
class Element:
    """One output node; children and tail are shared by reference, as the reference shares them."""

    tag: str
    attr: dict[str, Any] = field(default_factory=dict)
    text: str = ""
    children: list[Element] = field(default_factory=list)
    tail: list[Element] = field(default_factory=list)


@dataclass(slots=True)
class Action:
    """A Button's `.Action(Name, Params)`: {name, params omitempty}."""

    name: str
    params: dict[str, str] | None


@dataclass(slots=True)
class Composite:
    """A Button's `.CompositeContract(Name, Data)`: {name, data omitempty}."""

    name: str
    data: Any


def _key(text: str) -> bytes:
    return text.encode("utf-8", "surrogatepass")


def go_value(value: Any) -> Any:
    """A value as plain data in Go's JSON order: maps sorted by key bytes, structs in order."""
    if isinstance(value, str):
        return value
    if isinstance(value, Element):
        return element_value(value)
    if isinstance(value, Mapping):
        return {str(k): go_value(value[k]) for k in sorted(value, key=lambda k: _key(str(k)))}
    if isinstance(value, Action):
        out: dict[str, Any] = {"name": value.name}
        if value.params:
            out["params"] = go_value(value.params)
        return out
    if isinstance(value, Composite):
        item: dict[str, Any] = {"name": value.name}
        if value.data is not None:
            item["data"] = go_value(value.data)
        return item
    if isinstance(value, Sequence) and not isinstance(value, (bytes, bytearray)):
        return [go_value(v) for v in value]
    return value


def element_value(node: Element) -> dict[str, Any]:
    """One node as the reference's struct marshals it (every field but tag is omitempty)."""
    out: dict[str, Any] = {"tag": node.tag}
    if node.attr:
        out["attr"] = go_value(node.attr)
    if node.text:
        out["text"] = node.text
    if node.children:
        out["children"] = [element_value(c) for c in node.children]
    if node.tail:
        out["tail"] = [element_value(c) for c in node.tail]
    return out


def tree_value(nodes: Sequence[Element]) -> list[dict[str, Any]]:
    """A rendered page as plain data in Go's JSON order."""
    return [element_value(n) for n in nodes]


def tree_json(nodes: Sequence[Element]) -> bytes:
    """A rendered page as the reference's Template2JSON writes it (`[]` when empty)."""
    return marshal(tree_value(nodes), sort_keys=False)


def children_json(nodes: Sequence[Element]) -> str:
    """json.Marshal of a list of child nodes, `null` when there is none (a nil Go slice)."""
    if not nodes:
        return "null"
    return marshal(tree_value(nodes), sort_keys=False).decode("utf-8")
