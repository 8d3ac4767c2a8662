"""The rules of `1_tables` permissions that writes and reads share (contracts/permissions.py)."""

from __future__ import annotations

import json

from contracts.permissions import column_condition, readable_columns


def test_column_conditions_read_one_way() -> None:
    # Plain text is an update condition (anybody reads the column); JSON holds both.
    assert column_condition("$key_id == 1", update=True) == "$key_id == 1"
    assert column_condition("$key_id == 1", update=False) == ""
    both = json.dumps({"update": "u", "read": "r"})
    assert (column_condition(both, True), column_condition(both, False)) == ("u", "r")
    assert column_condition('{"read": false}', False) == "false"  # a JSON value as its text
    assert column_condition("{not json", False) == ""

    perms = {"a": "true", "b": json.dumps({"update": "true", "read": "no"}), "c": ""}
    seen: list[str] = []

    def allows(condition: str) -> bool:
        seen.append(condition)
        return condition != "no"

    assert readable_columns(perms, ["*"], allows) == ["a", "c"]
    assert seen == ["no"]  # only conditions that exist are evaluated
    assert readable_columns(perms, ["A", "c->x"], allows) == ["a", "c->x"]
    assert readable_columns(perms, ["b->x"], allows) == []
    assert readable_columns({"a": "true"}, ["*"], allows) == ["*"]
    assert readable_columns({}, ["*"], allows) == []  # nothing listed, nothing to read
