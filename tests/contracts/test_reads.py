"""The read use case (contracts/reads.py) on a real node's database, without HTTP.

A table `notes` made by @1NewTable carries every kind of read permission: a table read
condition, a filter over the rows read, a column nobody may read, one only the founder may
read, and one whose condition fails to run for one key. Contracts write the rows; the reads
are called as the data API and the page engine call them.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from api.appkeys import ENGINE, READS
from chain.errors import ReadDenied, TableNotFound
from chain.storage.engine import read_connection
from contracts.permissions import column_condition, readable_columns
from contracts.reads import Caller, TableReads, column_names
from tests.api.test_data_tables import call_in
from tests.helpers import Wallet

Client = TestClient[Any, Any]

ADD_NOTE = """contract AddNote {
    data {
        Title string
        Body string
        Mine string
        N int
    }
    action {
        $result = DBInsert("notes", {title: $Title, body: $Body, mine: $Mine, odd: "o", n: $N})
    }
}"""

EDIT_NOTE = """contract EditNote {
    data {
        Id int
        Title string
        Body string
    }
    action {
        DBUpdate("notes", $Id, {title: $Title, body: $Body})
    }
}"""


ODD = '$key_id != 777 || Int("x") == 1'


def notes_columns(founder: int) -> str:
    readable_by = {"update": "true", "read": f"$key_id == {founder}"}
    return json.dumps(
        [
            {"name": "title", "type": "varchar", "index": "1", "conditions": "true"},
            {"name": "body", "type": "text", "conditions": {"update": "true", "read": "false"}},
            {"name": "mine", "type": "text", "conditions": readable_by},
            # Fails when evaluated for key 777 (Int("x") is an error): denies the whole read.
            {"name": "odd", "type": "text", "conditions": {"update": "true", "read": ODD}},
            {"name": "n", "type": "number", "conditions": "true"},
        ]
    )


NOTES_PERMISSIONS = json.dumps(
    {
        "insert": "true",
        "update": "true",
        "new_column": "true",
        "read": "$ecosystem_id == 1",
        "filter": "Len($data) < 3",  # at most two rows a read, when the filter applies
    }
)


async def make_notes(client: Client, founder: Wallet) -> None:
    """The table `notes` of ecosystem 1 with rows a, b, c (n 1, 2, 3); row 1 edited once."""
    table = {
        "ApplicationId": 1,
        "Name": "notes",
        "Columns": notes_columns(founder.key_id),
        "Permissions": NOTES_PERMISSIONS,
    }
    await call_in(client, founder, "@1NewTable", table)
    for source in (ADD_NOTE, EDIT_NOTE):
        await call_in(
            client,
            founder,
            "@1NewContract",
            {"ApplicationId": 1, "Value": source, "Conditions": "true"},
        )
    for n, title in enumerate("abc", start=1):
        params = {"Title": title, "Body": f"body {title}", "Mine": f"mine {title}", "N": n}
        await call_in(client, founder, "AddNote", params)
    await call_in(client, founder, "EditNote", {"Id": 1, "Title": "A", "Body": "new body"})


def rows(*fields: str, titles: str = "Abc") -> list[dict[str, str]]:
    """The expected rows of `notes`, with `id` and the given fields."""
    values = {
        "title": list(titles),
        "mine": [f"mine {t}" for t in "abc"],
        "odd": ["o"] * 3,
        "n": ["1", "2", "3"],
    }
    return [{"id": str(i + 1), **{f: values[f][i] for f in fields}} for i in range(len(titles))]


async def test_reads_check_table_columns_and_filter(client: Client, founder: Wallet) -> None:
    await make_notes(client, founder)
    reads: TableReads = client.app[READS]
    owner = Caller(1, founder.key_id)
    stranger = Caller(1, 12345, role_id=3)
    outsider = Caller(2, founder.key_id)  # the table's read condition wants ecosystem 1

    async with read_connection(client.app[ENGINE]) as conn:

        async def listed(caller: Caller, **kw: Any) -> tuple[int, list[dict[str, str]]]:
            kw.setdefault("limit", 25)
            kw.setdefault("offset", 0)
            page = await reads.list_rows(conn, caller, "notes", **kw)
            return page.count, page.rows

        # Every column: the unreadable one (body) and, for a stranger, the founder's own
        # column (mine) are left out; `id` always comes.
        assert await listed(owner) == (3, rows("title", "mine", "odd", "n"))
        assert await listed(stranger) == (3, rows("title", "odd", "n"))
        assert await listed(owner, columns=["*"]) == (3, rows("title", "mine", "odd", "n"))
        # Asked columns: case and spaces do not matter; denied ones are dropped.
        assert await listed(stranger, columns=[" Title", "BODY", "mine"]) == (3, rows("title"))
        assert await listed(owner, columns=["n"], where={"n": {"$gt": 1}}, order={"n": -1}) == (
            2,
            [{"id": "3", "n": "3"}, {"id": "2", "n": "2"}],
        )
        # Nothing readable among the asked columns, or a table read denied: ReadDenied.
        for caller, columns in ((owner, ["body"]), (owner, ["BODY"]), (stranger, ["mine"])):
            with pytest.raises(ReadDenied) as denied:
                await listed(caller, columns=columns)
            assert str(denied.value) == "Access denied"
        # A condition that fails to run denies the read, as a false one does; conditions
        # the asked columns do not need are not run.
        failing = Caller(1, 777)
        with pytest.raises(ReadDenied) as denied:
            await listed(failing)
        assert denied.value.reason.startswith("x is not a valid integer : invalid syntax [Int ")
        assert await listed(failing, columns=["title"]) == (3, rows("title"))
        # The table's read condition: a caller of ecosystem 2 may not read it.
        with pytest.raises(ReadDenied) as denied:
            await reads.list_rows(conn, outsider, "@1notes", limit=25, offset=0)
        assert denied.value.reason == "read: $ecosystem_id == 1"
        with pytest.raises(TableNotFound) as missing:
            await listed(outsider)  # in ecosystem 2 `notes` is 2_notes, which does not exist
        assert str(missing.value) == "Table 2_notes has not been found"

        # The filter sees the page ($data) when asked to (pages' DBFind), not otherwise.
        assert await listed(owner, limit=2, apply_filter=True) == (
            3,
            rows("title", "mine", "odd", "n")[:2],
        )
        with pytest.raises(ReadDenied) as denied:
            await listed(owner, apply_filter=True)
        assert denied.value.reason == "filter: Len($data) < 3"
        with pytest.raises(ReadDenied):  # even when the columns alone are open to all
            await listed(owner, columns=["title"], apply_filter=True)
        assert await listed(owner, columns=["title"]) == (3, rows("title"))

        # One row: the same columns; none is None, but a denied read does not tell.
        assert await reads.get_row(conn, stranger, "notes", "2") == rows("title", "odd", "n")[1]
        assert await reads.get_row(conn, owner, "notes", "b", column="title", columns=["mine"]) == {
            "id": "2",
            "mine": "mine b",
        }
        assert await reads.get_row(conn, owner, "notes", "99") is None
        with pytest.raises(ReadDenied):
            await reads.get_row(conn, outsider, "@1notes", "99")

        # Sums: of a readable column; an unreadable one is denied.
        assert await reads.sum_rows(conn, stranger, "notes", " N ") == "6"
        assert await reads.sum_rows(conn, stranger, "notes", "n", where={"n": 9}) == ""
        with pytest.raises(ReadDenied):
            await reads.sum_rows(conn, stranger, "notes", "body")

        # History: previous values, without the columns the caller may not read.
        assert await reads.row_history(conn, owner, "notes", 1) == [{"title": "a"}]
        assert await reads.row_history(conn, owner, "notes", 2) == []
        assert await reads.row_history(conn, owner, "nosuch", 1) == []
        with pytest.raises(ReadDenied):
            await reads.row_history(conn, outsider, "@1notes", 1)

        # The table's own description, for any caller of its ecosystem.
        total, counted = await reads.list_tables(conn, 1, limit=1000, offset=0)
        assert ("notes", 3) in counted and total == len(counted)
        entry, types = await reads.describe_table(conn, 1, "Notes")
        assert entry.permissions["filter"] == "Len($data) < 3"
        assert dict(types) == {
            "id": "number",
            "title": "varchar",
            "body": "text",
            "mine": "text",
            "odd": "text",
            "n": "number",
        }
        with pytest.raises(TableNotFound) as missing:
            await reads.describe_table(conn, 1, "@1nosuch")
        assert missing.value.name == "@1nosuch"


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
    assert column_names(["A ", "", " b"]) == ["a", "b"]
    assert column_names(["a", "*"]) == []
