"""DBFind where/order/columns translation: pure rules, then every form against a real database.

(Over 600 lines: the where, order and column case tables of chain/storage/query.py, run
as one table each against both backends, and their error tables.)
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import Column, MetaData, String, Table
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from chain.errors import ChainError
from chain.storage import schema
from chain.storage.ddl import ColumnSpec, create_custom_table
from chain.storage.query import (
    MAX_COLUMN_NAMES,
    MAX_JSON_PATH,
    MAX_LIKE_PATTERN,
    MAX_ORDER_ITEMS,
    MAX_WHERE_KEYS,
    MAX_WHERE_VALUES,
    build_columns,
    build_order,
    build_where,
    like_to_glob,
    money_sort_key,
    page_limit,
)
from chain.storage.repo.rows import count_rows, insert_row, select_rows
from chain.storage.types import Json
from chain.storage.values import (
    QueryError,
    coerce,
    ibax_types,
)

# ---------------------------------------------------------------------------------------------
# Pure rules


def test_query_error_is_a_chain_error() -> None:
    assert issubclass(QueryError, ChainError)


def test_ibax_types_of_the_static_tables() -> None:
    assert ibax_types(schema.keys) == {
        "id": "number",
        "pub": "bytea",
        "amount": "money",
        "maxpay": "money",
        "multi": "number",
        "deleted": "number",
        "blocked": "number",
        "ecosystem": "number",
        "account": "varchar",
    }
    assert ibax_types(schema.ecosystems)["info"] == "json"
    assert ibax_types(schema.contracts)["value"] == "text"
    assert ibax_types(schema.rollback_tx)["id"] == "number"  # BigInteger with a SQLite variant


@pytest.mark.parametrize(
    ("kind", "value", "expected"),
    [
        ("number", "5", 5),
        ("number", " -12 ", -12),
        ("number", 7, 7),
        ("number", Decimal("8"), 8),
        ("number", 9.0, 9),
        ("number", str(2**63 - 1), 2**63 - 1),
        ("money", "1", 1),
        ("money", 2**80, 2**80),
        ("money", Decimal("1.000"), 1),
        ("money", "1e3", 1000),
        ("money", str(10**30 - 1), 10**30 - 1),
        ("money", -5, -5),
        ("double", "1.5", 1.5),
        ("double", 2, 2.0),
        ("double", Decimal("0.25"), 0.25),
        ("varchar", 12, "12"),
        ("varchar", True, "true"),
        ("text", Decimal("2.50"), "2.5"),
        ("text", 1e6, "1e+06"),
        ("character", "x", "x"),
        ("datetime", "2024-01-02 03:04:05", datetime(2024, 1, 2, 3, 4, 5)),
        ("datetime", "2024-01-02T03:04:05+02:00", datetime(2024, 1, 2, 1, 4, 5)),
        ("datetime", "2024-01-02", datetime(2024, 1, 2)),
        ("datetime", 0, datetime(1970, 1, 1)),
        ("bytea", "0a0B", b"\n\x0b"),
        ("bytea", "xyz", b"xyz"),
        ("bytea", b"\x00", b"\x00"),
        ("json", {"bb": 1, "a": [Decimal(5), b"\x01"]}, {"a": ["5", "AQ=="], "bb": 1}),
        ("json", '{"x": 1}', {"x": 1}),
        ("json", "3", 3),
    ],
)
def test_coerce_valid(kind: str, value: Any, expected: Any) -> None:
    result = coerce(kind, "c", value)
    assert result == expected
    assert type(result) is type(expected)


def test_coerce_json_orders_keys_as_jsonb() -> None:
    result = coerce("json", "c", {"ccc": 1, "b": {"zz": 1, "y": 2}, "aa": 3})
    assert list(result) == ["b", "aa", "ccc"]
    assert list(result["b"]) == ["y", "zz"]


@pytest.mark.parametrize(
    ("kind", "value"),
    [
        ("number", "five"),
        ("number", "1_000"),
        ("number", "٣"),  # a non-ASCII digit int() would accept
        ("number", 1.5),
        ("number", True),
        ("number", 2**63),
        ("number", [1]),
        ("number", Decimal("1e999999999")),
        ("text", Decimal("1e999999999")),
        ("double", Decimal("1e999999999")),
        ("datetime", Decimal("1e999999999")),
        ("money", "1.5"),
        ("money", "1e40"),
        ("money", "1e999999999"),
        ("money", 10**30),
        ("money", "abc"),
        ("money", float("inf")),
        ("money", Decimal("NaN")),
        ("double", "nan"),
        ("double", "inf"),
        ("double", "1_0"),
        ("double", False),
        ("varchar", [1, 2]),
        ("varchar", {"a": 1}),
        ("text", b"x"),
        ("datetime", "yesterday"),
        ("datetime", True),
        ("bytea", 5),
        ("json", "{bad json"),
        ("json", float("nan")),
        ("json", {1: "a"}),
    ],
)
def test_coerce_invalid(kind: str, value: Any) -> None:
    with pytest.raises(QueryError, match=f"is not a valid {kind} for column c$"):
        coerce(kind, "c", value)


@given(st.integers(-(10**30) + 1, 10**30 - 1), st.integers(-(10**30) + 1, 10**30 - 1))
def test_money_sort_key_orders_like_the_integers(a: int, b: int) -> None:
    assert (money_sort_key(a) < money_sort_key(b)) == (a < b)
    assert (money_sort_key(a) == money_sort_key(b)) == (a == b)


@pytest.mark.parametrize(
    ("like", "glob"),
    [
        ("%a_b%", "*a?b*"),
        ("50\\%", "50%"),
        ("a\\_b", "a_b"),
        ("x*y?[z]", "x[*]y[?][[]z]"),
        ("\\\\", "\\"),
    ],
)
def test_like_to_glob(like: str, glob: str) -> None:
    assert like_to_glob(like) == glob


def test_page_limit_follows_dbfind() -> None:
    assert page_limit(0) == 25
    assert page_limit("10") == 10
    assert page_limit(-1) == 10_000
    assert page_limit(10_001) == 10_000
    assert page_limit(2000, maximum=1000) == 1000
    with pytest.raises(QueryError, match="invalid limit abc"):
        page_limit("abc")


# ---------------------------------------------------------------------------------------------
# Against a real database

SPECS = [
    ColumnSpec("name", "varchar"),
    ColumnSpec("title", "text"),
    ColumnSpec("flag", "character"),
    ColumnSpec("qty", "number", index=True),
    ColumnSpec("price", "money", index=True),
    ColumnSpec("ratio", "double"),
    ColumnSpec("born", "datetime"),
    ColumnSpec("doc", "json"),
    ColumnSpec("blob", "bytea"),
]
B53 = 2**53
ROWS: list[dict[str, Any]] = [
    {
        "name": "apple",
        "title": "Red Apple",
        "flag": "1",
        "qty": 5,
        "price": B53 + 1,
        "ratio": 0.5,
        "born": "2020-01-01 00:00:00",
        "doc": {"kind": "fruit", "n": 1, "tags": {"color": "red"}},
        "blob": b"\x01",
    },
    {
        "name": "banana",
        "title": "yellow BANANA",
        "flag": "0",
        "qty": -3,
        "price": B53,
        "ratio": 1.25,
        "born": "2021-06-15 12:30:00",
        "doc": {"kind": "fruit", "n": 2, "ok": True},
        "blob": b"\x02",
    },
    {
        "name": "Cherry",
        "title": "dark cherry",
        "flag": "1",
        "qty": 0,
        "price": 10**29,
        "ratio": -2.0,
        "born": None,
        "doc": {"kind": "berry", "n": 10},
        "blob": b"",
    },
    {
        "name": "date_%x",
        "title": "50% off",
        "flag": "0",
        "qty": 100,
        "price": -(2**60),
        "ratio": None,
        "born": "2019-12-31 23:59:59",
        "doc": None,
        "blob": b"\xff",
    },
    {
        "name": "élan",
        "title": None,
        "flag": "0",
        "qty": 7,
        "price": 0,
        "ratio": 3.0,
        "born": "2022-01-01 00:00:00",
        "doc": {"kind": "nut", "tags": {"color": "brown"}},
        "blob": b"\x00\x01",
    },
    {
        "name": "a'b\"c",
        "title": "quote",
        "flag": "1",
        "qty": 5,
        "price": B53 + 2,
        "ratio": 0.5,
        "born": "2020-01-01 00:00:01",
        "doc": {"kind": "fruit", "n": "1"},
        "blob": b"\x01\x02",
    },
]
ALL = [1, 2, 3, 4, 5, 6]


async def make_items(conn: AsyncConnection) -> Table:
    items = await create_custom_table(conn, "1_items", SPECS)
    for row in ROWS:
        await insert_row(conn, items, row)
    return items


async def ids(
    conn: AsyncConnection, items: Table, where: Any = None, order: Any = None
) -> list[int]:
    rows = await select_rows(conn, items, columns="id", where=where, order=order, limit=None)
    return [row["id"] for row in rows]


WHERE_CASES: list[tuple[Any, list[int]]] = [
    (None, ALL),
    ({}, ALL),
    ({"name": "apple"}, [1]),
    ({"NAME": "apple"}, [1]),
    ({"name": "Apple"}, []),
    ({"qty": 5}, [1, 6]),
    ({"qty": "5"}, [1, 6]),
    ({"qty": Decimal(5)}, [1, 6]),
    ({"qty": 5.0}, [1, 6]),
    ({"qty": {"$eq": 5}}, [1, 6]),
    ({"qty": {"$neq": 5}}, [2, 3, 4, 5]),
    ({"qty": {"$gt": 0}}, [1, 4, 5, 6]),
    ({"qty": {"$gte": 0}}, [1, 3, 4, 5, 6]),
    ({"qty": {"$lt": 0}}, [2]),
    ({"qty": {"$lte": "0"}}, [2, 3]),
    ({"qty": {"$GT": 4, "$lt": 7}}, [1, 6]),
    ({"qty": [{"$gt": 0}, {"$lt": 7}]}, [1, 6]),
    ({"qty": [5, {"$lt": 100}]}, [1, 6]),
    ({"qty": {"$in": [5, "7"]}}, [1, 5, 6]),
    ({"qty": {"$nin": [5, 7]}}, [2, 3, 4]),
    ({"qty": {"$in": []}}, []),
    ({"qty": {"$nin": []}}, ALL),
    ({"name": {"$in": "apple"}}, [1]),
    ({"qty": None}, []),
    ({"flag": 1}, [1, 3, 6]),
    ({"flag": {"$neq": "1"}}, [2, 4, 5]),
    # money, exact past 2^53 on both backends
    ({"price": B53}, [2]),
    ({"price": str(B53 + 1)}, [1]),
    ({"price": Decimal(B53 + 2)}, [6]),
    ({"price": "0"}, [5]),
    ({"price": "1"}, []),
    ({"price": {"$neq": B53}}, [1, 3, 4, 5, 6]),
    ({"price": {"$gt": B53}}, [1, 3, 6]),
    ({"price": {"$gte": str(B53)}}, [1, 2, 3, 6]),
    ({"price": {"$gt": B53 + 1}}, [3, 6]),
    ({"price": {"$lt": B53 + 2, "$gt": B53}}, [1]),
    ({"price": {"$lt": 0}}, [4]),
    ({"price": {"$lt": -(2**60) + 1}}, [4]),
    ({"price": {"$lt": -(2**60)}}, []),
    ({"price": {"$lte": -(2**60)}}, [4]),
    ({"price": {"$gt": -(2**61)}}, ALL),
    ({"price": {"$gte": 10**29}}, [3]),
    ({"price": {"$in": [B53, str(B53 + 2)]}}, [2, 6]),
    # double
    ({"ratio": {"$gt": 0.5}}, [2, 5]),
    ({"ratio": "1.25"}, [2]),
    ({"ratio": {"$lte": 0}}, [3]),
    ({"ratio": "$isnull"}, [4]),
    ({"ratio": None}, [4]),
    ({"ratio": {"$neq": None}}, [1, 2, 3, 5, 6]),
    # datetime
    ({"born": "2020-01-01 00:00:00"}, [1]),
    ({"born": {"$gt": "2020-01-01"}}, [2, 5, 6]),
    ({"born": {"$gte": "2020-01-01T00:00:00"}}, [1, 2, 5, 6]),
    ({"born": {"$lt": datetime(2020, 1, 1)}}, [4]),
    ({"born": {"$isnull": True}}, [3]),
    ({"born": {"$isnull": False}}, [1, 2, 4, 5, 6]),
    # text compares bytewise on both backends
    ({"name": {"$gt": "b"}}, [2, 4, 5]),
    ({"name": {"$lte": "apple"}}, [1, 3, 6]),
    ({"title": "$isnull"}, [5]),
    # like family: case-sensitive except the i-forms, % and _ are wildcards, \ escapes
    ({"title": {"$like": "apple"}}, []),
    ({"title": {"$like": "Apple"}}, [1]),
    ({"title": {"$ilike": "apple"}}, [1]),
    ({"title": {"$ilike": "banana"}}, [2]),
    ({"name": {"$begin": "ba"}}, [2]),
    ({"name": {"$begin": "Ba"}}, []),
    ({"name": {"$end": "rry"}}, [3]),
    ({"name": {"$ibegin": "CH"}}, [3]),
    ({"name": {"$iend": "RRY"}}, [3]),
    ({"title": {"$like": "%"}}, [1, 2, 3, 4, 6]),
    ({"title": {"$like": "0\\% o"}}, [4]),
    ({"name": {"$like": "e_%"}}, [3, 4]),
    ({"name": {"$like": "e\\_"}}, [4]),
    ({"name": {"$like": "*"}}, []),
    ({"name": {"$like": "[a]"}}, []),
    ({"name": {"$like": "'b\""}}, [6]),
    ({"name": {"$like": "élan"}}, [5]),
    ({"qty": {"$like": "10"}}, [4]),
    ({"price": {"$begin": str(B53 + 1)}}, [1]),
    ({"price": {"$begin": "-"}}, [4]),
    ({"ratio": {"$like": "1.25"}}, [2]),
    ({"born": {"$begin": "2020-01-01 00:00:0"}}, [1, 6]),
    # json paths read text
    ({"doc->kind": "fruit"}, [1, 2, 6]),
    ({"doc->n": 1}, [1, 6]),
    ({"doc->n": {"$gt": "1"}}, [2, 3]),
    ({"doc->tags->color": "red"}, [1]),
    ({"DOC->Tags->Color": "red"}, [1]),
    ({"doc->tags->color": {"$neq": "red"}}, [5]),
    ({"doc->ok": True}, [2]),
    ({"doc->ok": "true"}, [2]),
    ({"doc->kind": {"$in": ["nut", "berry"]}}, [3, 5]),
    ({"doc->kind": {"$like": "ui"}}, [1, 2, 6]),
    ({"doc->missing": "$isnull"}, ALL),
    ({"doc->tags": "$isnull"}, [2, 3, 4, 6]),
    # a whole json column: equal by value, or NULL
    ({"doc": {"$eq": {"n": 10, "kind": "berry"}}}, [3]),
    ({"doc": '{"kind": "berry", "n": 10}'}, [3]),
    ({"doc": {"$neq": {"kind": "berry", "n": 10}}}, [1, 2, 5, 6]),
    ({"doc": "$isnull"}, [4]),
    # bytea
    ({"blob": b"\x01"}, [1]),
    ({"blob": "0102"}, [6]),
    ({"blob": {"$gt": b"\x01"}}, [2, 4, 6]),
    ({"blob": b""}, [3]),
    # $and / $or
    ({"$or": [{"name": "apple"}, {"qty": {"$lt": 0}}]}, [1, 2]),
    ({"$and": [{"qty": 5}, {"flag": "1"}]}, [1, 6]),
    ({"$OR": [{"$and": [{"qty": 5}, {"name": {"$begin": "a"}}]}, {"doc->kind": "nut"}]}, [1, 5, 6]),
    ({"$or": []}, []),
    ({"$and": []}, ALL),
    ({"qty": 5, "$or": [{"name": "apple"}, {"name": "banana"}]}, [1]),
    # SQL in values is only data
    ({"name": "x' OR '1'='1"}, []),
    ({"name": {"$like": "%' OR 1=1 --"}}, []),
]


async def test_every_where_form(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        items = await make_items(conn)
        failures = []
        for where, expected in WHERE_CASES:
            got = await ids(conn, items, where)
            if got != expected:
                failures.append(f"{where!r}: expected {expected}, got {got}")
        assert not failures, "\n".join(failures)


WHERE_ERRORS: list[tuple[Any, str]] = [
    ("name = 1", "where must be an object"),
    ([{"name": 1}], "where must be an object"),
    ({1: 2}, "where keys must be strings"),
    ({"nope": 1}, "column nope does not exist"),
    ({"name; DROP TABLE x": 1}, "column name; DROP TABLE x does not exist"),
    ({'name" OR 1=1 --': 1}, 'column name" OR 1=1 -- does not exist'),
    ({"qty": "five"}, "value five is not a valid number for column qty"),
    ({"qty": "1; DROP TABLE x"}, "value 1; DROP TABLE x is not a valid number for column qty"),
    ({"qty": 1.5}, "value 1.5 is not a valid number for column qty"),
    ({"price": "1.5"}, "value 1.5 is not a valid money for column price"),
    ({"ratio": "nan"}, "value nan is not a valid double for column ratio"),
    ({"born": "yesterday"}, "value yesterday is not a valid datetime for column born"),
    ({"doc": "{bad"}, "value {bad is not a valid json for column doc"),
    ({"qty": {"$regex": 1}}, "unknown operator $regex"),
    ({"qty": {"$gt; drop": 1}}, "unknown operator $gt; drop"),
    ({"$gt": 1}, "operator $gt must be inside a column's object"),
    ({"$or": {"name": 1}}, "$or must be an array of objects"),
    ({"$and": [1]}, "$and must be an array of objects"),
    ({"qty": {}}, "empty operator object for column qty"),
    ({"qty": []}, "empty array for column qty"),
    ({"qty": {"$in": 5}}, "$in needs an array of values"),
    ({"qty": {"$nin": [1, None]}}, "$nin cannot hold null"),
    ({"qty": {"$gt": None}}, "$gt cannot compare column qty with null"),
    ({"doc": {"$gt": {}}}, "$gt cannot compare json column doc"),
    ({"doc": {"$in": [{}]}}, "$in cannot compare json column doc"),
    ({"name->x": 1}, "column name is not json, it has no field name->x"),
    ({"doc->a'b": 1}, "invalid json path doc->a'b"),
    ({"doc->": 1}, "invalid json path doc->"),
    ({"blob": {"$like": "a"}}, "$like cannot match bytea column blob"),
    ({"doc": {"$like": "a"}}, "$like cannot match json column doc"),
    ({"name": {"$like": ["a"]}}, "$like needs a text value, got ['a']"),
    ({"name": {"$end": "a\\"}}, "like pattern must not end with an escape character"),
    ({"qty": {"$isnull": "maybe"}}, "$isnull needs true or false, got maybe"),
]


def nested(depth: int) -> dict[str, Any]:
    where: dict[str, Any] = {"qty": 1}
    for _ in range(depth):
        where = {"$and": [where]}
    return where


async def test_where_errors_execute_nothing(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        items = await make_items(conn)
        before = await select_rows(conn, items, limit=None)
        for where, message in [*WHERE_ERRORS, (nested(40), "where is nested too deeply")]:
            with pytest.raises(QueryError) as caught:
                await count_rows(conn, items, where=where)
            assert str(caught.value) == message, where
        assert await select_rows(conn, items, limit=None) == before
        assert await ids(conn, items, nested(30)) == []


ORDER_CASES: list[tuple[Any, list[int]]] = [
    (None, ALL),
    ("", ALL),
    ("qty", [2, 3, 1, 6, 5, 4]),
    ("QTY", [2, 3, 1, 6, 5, 4]),
    ("qty asc", [2, 3, 1, 6, 5, 4]),
    ("qty desc", [4, 5, 1, 6, 3, 2]),
    ("qty DESC, id desc", [4, 5, 6, 1, 3, 2]),
    ({"qty": -1, "id": -1}, [4, 5, 6, 1, 3, 2]),
    ({"qty": "desc"}, [4, 5, 1, 6, 3, 2]),
    ({"qty": 1}, [2, 3, 1, 6, 5, 4]),
    ({"qty": "-1"}, [4, 5, 1, 6, 3, 2]),
    (["qty desc", {"id": -1}], [4, 5, 6, 1, 3, 2]),
    ([{"flag": 1}, "qty"], [2, 5, 4, 3, 1, 6]),
    ("price", [4, 5, 2, 1, 6, 3]),
    ("price desc", [3, 6, 1, 2, 5, 4]),
    ("name", [3, 6, 1, 2, 4, 5]),
    ("name desc", [5, 4, 2, 1, 6, 3]),
    ("ratio", [3, 1, 6, 2, 5, 4]),
    ("ratio desc", [4, 5, 2, 1, 6, 3]),
    ("born", [4, 1, 6, 2, 5, 3]),
    ("blob", [3, 5, 1, 6, 2, 4]),
]


async def test_every_order_form(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        items = await make_items(conn)
        failures = []
        for order, expected in ORDER_CASES:
            got = await ids(conn, items, order=order)
            if got != expected:
                failures.append(f"{order!r}: expected {expected}, got {got}")
        assert not failures, "\n".join(failures)


ORDER_ERRORS: list[tuple[Any, str]] = [
    ("nope", "column nope does not exist"),
    ("qty sideways", "invalid order direction sideways"),
    ("qty desc extra", "invalid order qty desc extra"),
    ("id; DROP TABLE x", "invalid order id; DROP TABLE x"),
    ("id;DROP", "column id;DROP does not exist"),
    ('"id"', 'column "id" does not exist'),
    ({"qty": 2}, "invalid order direction 2"),
    ({"qty": True}, "invalid order direction True"),
    (5, "order must be a string, an object or an array of them"),
    ([["qty"]], "order must be a string, an object or an array of them"),
    ("doc", "cannot order by json column doc"),
]


async def test_order_errors_execute_nothing(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        items = await make_items(conn)
        for order, message in ORDER_ERRORS:
            with pytest.raises(QueryError) as caught:
                await select_rows(conn, items, order=order)
            assert str(caught.value) == message, order
        assert await count_rows(conn, items) == 6


def test_query_sizes_are_bounded() -> None:
    items = Table("1_bare", MetaData(), Column("id", String), Column("name", String))
    at_most = [
        ({"name": {"$like": "x" * MAX_LIKE_PATTERN}}, None),
        ({"name": {"$like": "x" * (MAX_LIKE_PATTERN + 1)}}, "longer than 1000 characters"),
        ({"name": {"$iend": "%" * (MAX_LIKE_PATTERN + 1)}}, "longer than 1000 characters"),
        ({"$or": [{"id": str(i)} for i in range(MAX_WHERE_KEYS - 1)]}, None),
        ({"$or": [{"id": str(i)} for i in range(MAX_WHERE_KEYS)]}, "more than 1000 keys"),
        ({"id": {"$in": [str(i) for i in range(MAX_WHERE_VALUES)]}}, None),
        ({"id": {"$in": [str(i) for i in range(MAX_WHERE_VALUES + 1)]}}, "more than 10000 values"),
    ]
    for where, message in at_most:
        if message is None:
            build_where(items, where)
        else:
            with pytest.raises(QueryError, match=message):
                build_where(items, where)
    build_order(items, ",".join(["name"] * MAX_ORDER_ITEMS))
    with pytest.raises(QueryError, match="more than 100 items"):
        build_order(items, ",".join(["name"] * (MAX_ORDER_ITEMS + 1)))
    with pytest.raises(QueryError, match="more than 100 items"):
        build_order(items, [{"name": 1}] * (MAX_ORDER_ITEMS + 1))
    doc = Table("1_doc", MetaData(), Column("id", String), Column("doc", Json()))
    build_where(doc, {"doc->" + "->".join(["a"] * MAX_JSON_PATH): 1})
    for deep in ("doc->" + "->".join(["a"] * (MAX_JSON_PATH + 1)), "doc" + "->a" * 20_000):
        with pytest.raises(QueryError, match="deeper than 32 keys"):
            build_where(doc, {deep: 1})
        with pytest.raises(QueryError, match="deeper than 32 keys"):
            build_columns(doc, [deep])
    build_columns(items, ["name"] * MAX_COLUMN_NAMES)
    with pytest.raises(QueryError, match="too many columns"):
        build_columns(items, ",".join(["name"] * (MAX_COLUMN_NAMES + 1)))


def test_build_functions_refuse_bad_names_without_a_database() -> None:
    items = Table("1_bare", MetaData(), Column("name", String))
    with pytest.raises(QueryError, match="column id does not exist"):
        build_where(items, {"id": 1})
    with pytest.raises(QueryError, match="column id does not exist"):
        build_order(items, "id")
    with pytest.raises(QueryError, match="column id does not exist"):
        build_columns(items, "id")


async def test_columns_forms(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        items = await make_items(conn)
        first = {"id": 1}
        rows = await select_rows(conn, items, where=first)
        assert list(rows[0]) == ["id", *[spec.name for spec in SPECS]]
        for columns in ("*", "", None, ["*"], " * "):
            rows = await select_rows(conn, items, columns=columns, where=first)
            assert len(rows[0]) == 10
        rows = await select_rows(conn, items, columns="qty, NAME,qty", where=first)
        assert rows == [{"qty": 5, "name": "apple"}]
        rows = await select_rows(conn, items, columns=["name", "Doc->Tags->color"], where=first)
        assert rows == [{"name": "apple", "doc.tags.color": "red"}]
        rows = await select_rows(conn, items, columns="doc->n,doc->kind", order="id", limit=3)
        assert rows == [
            {"doc.n": "1", "doc.kind": "fruit"},
            {"doc.n": "2", "doc.kind": "fruit"},
            {"doc.n": "10", "doc.kind": "berry"},
        ]
        column_errors: list[tuple[Any, str]] = [
            ("nope", "column nope does not exist"),
            ("name,(SELECT 1)", "column (SELECT 1) does not exist"),
            ("name->x", "column name is not json, it has no field name->x"),
            (5, "columns must be a string or an array of names"),
            ([1], "columns must be names"),
        ]
        for columns, message in column_errors:
            with pytest.raises(QueryError) as caught:
                await select_rows(conn, items, columns=columns)
            assert str(caught.value) == message
