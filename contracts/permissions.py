"""How `1_tables` permissions read: the rules a tx's writes (host.py) and every read share."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any

ACCESS_DENIED = "Access denied"
# Tables whose writes only the ecosystem's founder may make (the reference's special case);
# everybody may read them, whatever `1_tables` says.
FOUNDER_TABLES = frozenset({"parameters", "app_params"})
_OPEN = ("", "true")  # conditions that let everybody through


def permission_map(stored: Any) -> dict[str, str]:
    """A JSON object of strings (a table's permissions, its columns'), stored parsed or as text.

    Anything else reads as no permissions at all.
    """
    if not stored:
        return {}
    try:
        value = json.loads(stored) if isinstance(stored, str) else stored
    except ValueError:
        return {}
    if not isinstance(value, dict):
        return {}
    return {str(k): v if isinstance(v, str) else json.dumps(v) for k, v in value.items()}


def column_condition(permission: str, update: bool) -> str:
    """A column's update or read condition.

    A column permission is plain text (its update condition; anybody reads it) or JSON
    `{"update": .., "read": ..}`; JSON that does not parse holds no condition.
    """
    if permission.startswith("{"):
        return permission_map(permission).get("update" if update else "read", "")
    return permission if update else ""


def is_open(condition: str) -> bool:
    """Whether a condition lets everybody through without being evaluated ("" or "true")."""
    return condition.strip() in _OPEN


def base_column(name: str) -> str:
    """The column a name reads or writes: `doc->key` is `doc`, `+amount` (adds to) `amount`."""
    return name.split("->", 1)[0].lstrip("+")


def readable_columns(
    column_permissions: Mapping[str, str],
    columns: Sequence[str],
    allows: Callable[[str], bool],
) -> list[str]:
    """Of the asked columns (["*"]: every column `1_tables` lists), those whose read
    condition `allows` (evaluated in column order); ["*"] when that is every one of them.

    [] means none may be read, and the read is denied. Names are lowercased, as the queries
    that read them lowercase them.
    """
    every = list(columns) == ["*"]
    names = list(column_permissions) if every else [c.lower() for c in columns]
    allowed: list[str] = []
    for name in names:
        condition = column_condition(column_permissions.get(base_column(name), ""), False)
        if condition and not allows(condition):
            continue
        allowed.append(name)
    if every and allowed and len(allowed) == len(names):
        return ["*"]
    return allowed
