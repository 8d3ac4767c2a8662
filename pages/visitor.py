"""NodeVisitor: dispatch on a tree node's class to `visit_<ClassName>` (async).

A subclass whose `visit_*` method names no node class is refused when it is defined, so a
typo cannot silently leave a node kind unhandled.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from pages import nodes

_NODE_NAMES = frozenset(
    name
    for name, value in vars(nodes).items()
    if isinstance(value, type) and issubclass(value, nodes.Node)
)


class NodeVisitor:
    """Base of the tree's visitors."""

    _dispatch: dict[type, str] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        for name in vars(cls):
            if name.startswith("visit_") and name[len("visit_") :] not in _NODE_NAMES:
                raise TypeError(f"{cls.__name__}.{name} names no node class")
        cls._dispatch = {
            getattr(nodes, name[len("visit_") :]): name
            for name in dir(cls)
            if name.startswith("visit_")
        }

    def visit(self, node: nodes.Node, *args: Any) -> Awaitable[Any]:
        """Call the node's visit method."""
        method: Callable[..., Awaitable[Any]] = getattr(self, self._dispatch[type(node)])
        return method(node, *args)
