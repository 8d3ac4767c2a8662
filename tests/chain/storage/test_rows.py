"""Generic rows on both backends: typed reads, text form, paging, exact sums, coerced writes."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import Table
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from chain.storage import schema
from chain.storage.ddl import ColumnSpec, create_custom_table
from chain.storage.repo.rows import (
    count_rows,
    delete_rows,
    insert_row,
    next_id,
    row_to_text,
    select_rows,
    sum_column,
    update_rows,
)
from chain.storage.values import (
    QueryError,
    ibax_types,
)

SPECS = [
    ColumnSpec("name", "varchar"),
    ColumnSpec("note", "text"),
    ColumnSpec("flag", "character"),
    ColumnSpec("qty", "number"),
    ColumnSpec("price", "money"),
    ColumnSpec("ratio", "double"),
    ColumnSpec("born", "datetime"),
    ColumnSpec("doc", "json"),
    ColumnSpec("blob", "bytea"),
]


async def make_table(conn: AsyncConnection) -> Table:
    return await create_custom_table(conn, "1_things", SPECS)


async def test_values_are_typed_and_their_text_is_the_references(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        things = await make_table(conn)
        new_id = await insert_row(
            conn,
            things,
            {
                "name": "apple",
                "note": "ünïcode ✓",
                "flag": 1,
                "qty": "-5",
                "price": str(2**53 + 1),
                "ratio": "0.1",
                "born": "2020-01-02T03:04:05.678",
                "doc": {"tags": {"z": True, "color": "red"}, "n": 1, "kind": Decimal("2.50")},
                "blob": "00ff",
            },
        )
        assert new_id == 1
        assert await insert_row(conn, things, {"name": "empty"}) == 2
        full, empty = await select_rows(conn, things)
        assert full == {
            "id": 1,
            "name": "apple",
            "note": "ünïcode ✓",
            "flag": "1",
            "qty": -5,
            "price": 2**53 + 1,
            "ratio": 0.1,
            "born": datetime(2020, 1, 2, 3, 4, 5, 678000),
            "doc": {"n": 1, "kind": "2.5", "tags": {"z": True, "color": "red"}},
            "blob": b"\x00\xff",
        }
        assert list(full["doc"]) == ["n", "kind", "tags"]  # jsonb order on both backends
        types = ibax_types(things)
        assert row_to_text(full, types) == {
            "id": "1",
            "name": "apple",
            "note": "ünïcode ✓",
            "flag": "1",
            "qty": "-5",
            "price": "9007199254740993",
            "ratio": "0.1",
            "born": "2020-01-02 03:04:05",
            "doc": '{"n":1,"kind":"2.5","tags":{"z":true,"color":"red"}}',
            "blob": "00ff",
        }
        # Columns without a value: NULL, or the reference's NOT NULL defaults.
        assert empty == {
            "id": 2,
            "name": "empty",
            "note": None,
            "flag": "0",
            "qty": 0,
            "price": 0,
            "ratio": None,
            "born": None,
            "doc": None,
            "blob": b"",
        }
        assert row_to_text(empty, types) == {
            "id": "2",
            "name": "empty",
            "note": "",
            "flag": "0",
            "qty": "0",
            "price": "0",
            "ratio": "",
            "born": "",
            "doc": "",
            "blob": "",
        }


@pytest.mark.parametrize(
    ("value", "kind", "text"),
    [
        (None, "json", ""),
        ("abc", "json", '"abc"'),
        ([1, {"bb": 2, "a": "é"}], "json", '[1,{"a":"é","bb":2}]'),
        (b"\xde\xad", "bytea", "dead"),
        (10**29, "money", "100000000000000000000000000000"),
        (Decimal("12"), "money", "12"),
        (1.5e300, "double", "1.5e+300"),
        (2.0, "double", "2"),
        (datetime(2024, 2, 29, 23, 59, 59, 999999), "datetime", "2024-02-29 23:59:59"),
        ("x", None, "x"),
        (True, None, "true"),
        ({"b": 1}, None, '{"b":1}'),
    ],
)
def test_row_to_text_values(value: Any, kind: str | None, text: str) -> None:
    types = {"c": kind} if kind is not None else {}
    assert row_to_text({"c": value}, types) == {"c": text}


async def test_paging_bounds(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        things = await make_table(conn)
        for n in range(30):
            await insert_row(conn, things, {"qty": n})

        async def page(**kwargs: Any) -> list[int]:
            return [row["id"] for row in await select_rows(conn, things, columns="id", **kwargs)]

        assert await page() == list(range(1, 26))  # 25 by default
        assert await page(limit=None) == list(range(1, 31))
        assert await page(limit=None, offset=28) == [29, 30]
        assert await page(limit=10, offset=25) == list(range(26, 31))
        assert await page(limit=5, offset=30) == []
        assert await page(limit=0) == []
        assert await page(limit=1, order="id desc") == [30]
        pages = [await page(limit=7, offset=k) for k in range(0, 30, 7)]
        assert sum(pages, []) == list(range(1, 31))
        paging_errors: list[tuple[dict[str, Any], str]] = [
            ({"limit": -1}, "invalid limit -1"),
            ({"limit": True}, "invalid limit True"),
            ({"limit": "5"}, "invalid limit 5"),
            ({"offset": -1}, "invalid offset -1"),
            ({"offset": 1.5}, "invalid offset 1.5"),
        ]
        for kwargs, message in paging_errors:
            with pytest.raises(QueryError) as caught:
                await page(**kwargs)
            assert str(caught.value) == message


async def test_count_and_exact_sums(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        things = await make_table(conn)
        rows = [
            {"name": "a", "qty": 2**62, "price": 2**63, "ratio": 0.5},
            {"name": "a", "qty": 2**62, "price": 2**63 + 1, "ratio": 0.25},
            {"name": "b", "qty": 2**62, "price": 10**29, "ratio": None},
            {"name": "b", "qty": -1, "price": -5, "ratio": 1.0},
        ]
        for row in rows:
            await insert_row(conn, things, row)
        assert await count_rows(conn, things) == 4
        assert await count_rows(conn, things, where={"name": "a"}) == 2
        assert await count_rows(conn, things, where={"price": {"$gt": 2**63}}) == 2
        assert await count_rows(conn, things, extra=things.c.qty < 0) == 1
        # Past 2^63 for number, past 2^53 and 2^63 for money: exact on both backends.
        assert await sum_column(conn, things, "qty") == 3 * 2**62 - 1
        assert await sum_column(conn, things, "price") == 2**64 + 1 + 10**29 - 5
        assert await sum_column(conn, things, "PRICE", where={"name": "a"}) == 2**64 + 1
        money = await sum_column(conn, things, "price", where={"name": "b"}, extra=things.c.qty > 0)
        assert money == 10**29
        ratio = await sum_column(conn, things, "ratio")
        assert ratio == 1.75 and isinstance(ratio, float)
        assert await sum_column(conn, things, "price", where={"name": "none"}) is None
        assert await sum_column(conn, things, "ratio", where={"name": "none"}) is None
        for column, message in [
            ("name", "column name is not numeric"),
            ("doc", "column doc is not numeric"),
            ("nope", "column nope does not exist"),
            ("price) FROM x --", "column price) FROM x -- does not exist"),
        ]:
            with pytest.raises(QueryError) as caught:
                await sum_column(conn, things, column)
            assert str(caught.value) == message


async def test_static_table_with_the_callers_condition(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        await conn.run_sync(lambda sync: schema.metadata.create_all(sync, tables=[schema.keys]))
        keys = schema.keys
        supply = 5_250_000 * 10**12
        for eco, key_id, amount in [(1, 7, supply), (2, 7, 1), (2, -3, supply + 1), (1, 9, 0)]:
            account = f"{key_id:024d}"[-24:]
            values = {"id": key_id, "ecosystem": eco, "account": account, "amount": str(amount)}
            assert await insert_row(conn, keys, values) == key_id
        eco2 = keys.c.ecosystem == 2
        rows = await select_rows(conn, keys, columns="id,amount", extra=eco2)
        assert rows == [{"id": -3, "amount": supply + 1}, {"id": 7, "amount": 1}]
        all_rows = await select_rows(conn, keys, columns="ecosystem,id")
        assert [(r["ecosystem"], r["id"]) for r in all_rows] == [(1, 7), (1, 9), (2, -3), (2, 7)]
        assert await sum_column(conn, keys, "amount", extra=eco2) == supply + 2
        changed = await update_rows(conn, keys, {"id": 7}, {"amount": "42"}, extra=eco2)
        assert changed == 1
        assert await select_rows(conn, keys, columns="amount", where={"id": 7}) == [
            {"amount": supply},
            {"amount": 42},
        ]
        assert await next_id(conn, keys) == 10


async def test_insert_coerces_values_and_refuses_bad_ones(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        things = await make_table(conn)
        assert await next_id(conn, things) == 1
        assert await insert_row(conn, things, {"id": 10, "qty": 1}) == 10
        assert await next_id(conn, things) == 11
        assert await insert_row(conn, things, {"QTY": "2", "flag": "a  "}) == 11
        hostile = 'x\'); DROP TABLE "1_things"; --'
        assert await insert_row(conn, things, {"name": hostile, "doc->a": 5, "doc->b": "x"}) == 12
        rows = await select_rows(conn, things, columns="id,qty,flag,name,doc", order="id")
        assert rows == [
            {"id": 10, "qty": 1, "flag": "0", "name": None, "doc": None},
            {"id": 11, "qty": 2, "flag": "a", "name": None, "doc": None},
            {"id": 12, "qty": 0, "flag": "0", "name": hostile, "doc": {"a": "5", "b": "x"}},
        ]
        insert_errors: list[tuple[Any, str]] = [
            ({}, "values are undefined"),
            ([("qty", 1)], "values are undefined"),
            ({"nope": 1}, "column nope does not exist"),
            ({"+qty": 1}, "column +qty does not exist"),
            ({"qty) VALUES (1); --": 1}, "column qty) VALUES (1); -- does not exist"),
            (
                {"qty": "1; DROP TABLE x"},
                "value 1; DROP TABLE x is not a valid number for column qty",
            ),
            ({"price": 1.5}, "value 1.5 is not a valid money for column price"),
            ({"qty": None}, "column qty cannot be NULL"),
            ({"flag": "ab"}, "value for column flag is longer than 1 characters"),
            ({"name": "x" * 102_401}, "value for column name is longer than 102400 characters"),
            ({"doc->a->b": 1}, "only top-level json fields can be set, not doc->a->b"),
            ({"doc->a": [1]}, "value [1] for doc->a is not text"),
            ({"doc": {}, "doc->a": 1}, "column doc is set twice"),
            ({"Name": "x", "name": "y"}, "column name is set twice"),
            ({"name->a": 1}, "column name is not json, it has no field name->a"),
        ]
        for values, message in insert_errors:
            with pytest.raises(QueryError) as caught:
                await insert_row(conn, things, values)
            assert str(caught.value) == message
        # A duplicate key fails in the database: on PostgreSQL that aborts the savepoint.
        with pytest.raises(QueryError, match="conflicts with a row of 1_things"):
            async with conn.begin_nested():
                await insert_row(conn, things, {"id": 10})
        assert await count_rows(conn, things) == 3
        assert await insert_row(conn, things, {"name": "x" * 102_400}) == 13


async def test_update_rows(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        things = await make_table(conn)
        for n in range(4):
            await insert_row(conn, things, {"qty": n, "doc": {"keep": n, "z": "old"}})
        assert await update_rows(conn, things, {"id": 2}, {"qty": "9", "doc->z": 1}) == 1
        assert await update_rows(conn, things, {"qty": {"$lt": 9}}, {"name": "low"}) == 3
        assert await update_rows(conn, things, {"id": 99}, {"name": "none"}) == 0
        assert await update_rows(conn, things, {}, {"note": "x"}, extra=things.c.id > 3) == 1
        rows = await select_rows(conn, things, columns="id,qty,name,note,doc")
        assert rows == [
            {"id": 1, "qty": 0, "name": "low", "note": None, "doc": {"z": "old", "keep": 0}},
            {"id": 2, "qty": 9, "name": None, "note": None, "doc": {"z": "1", "keep": 1}},
            {"id": 3, "qty": 2, "name": "low", "note": None, "doc": {"z": "old", "keep": 2}},
            {"id": 4, "qty": 3, "name": "low", "note": "x", "doc": {"z": "old", "keep": 3}},
        ]
        await update_rows(conn, things, {"id": 1}, {"doc": None})
        await update_rows(conn, things, {"id": 1}, {"doc->new": "v", "doc->b": True})
        assert await select_rows(conn, things, columns="doc", where={"id": 1}) == [
            {"doc": {"b": "true", "new": "v"}}
        ]
        before = await select_rows(conn, things, limit=None)
        update_errors: list[tuple[dict[str, Any], dict[str, Any], str]] = [
            ({}, {"qty": 1}, "update needs a where"),
            ({"id": 1}, {}, "values are undefined"),
            ({"id": "1 OR 1=1"}, {"qty": 1}, "value 1 OR 1=1 is not a valid number for column id"),
            ({"id": 1}, {"qty = 0 --": 1}, "column qty = 0 -- does not exist"),
            ({"id": 1}, {"doc->x'": 1}, "invalid json path doc->x'"),
        ]
        for where, values, message in update_errors:
            with pytest.raises(QueryError) as caught:
                await update_rows(conn, things, where, values)
            assert str(caught.value) == message
        assert await select_rows(conn, things, limit=None) == before


async def test_delete_rows(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        things = await make_table(conn)
        for n in range(3):
            await insert_row(conn, things, {"qty": n})
        assert await delete_rows(conn, things, {"id": 2}) == 1
        assert await delete_rows(conn, things, {"id": 2}) == 0
        for key in ({}, {"id": {"$gt": 0}}, {"id": [1, 3]}):
            with pytest.raises(QueryError, match="delete needs column values"):
                await delete_rows(conn, things, key)
        with pytest.raises(QueryError, match="column 1=1 does not exist"):
            await delete_rows(conn, things, {"1=1": 1})
        assert [r["id"] for r in await select_rows(conn, things, columns="id")] == [1, 3]


async def test_update_increments_are_exact(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        things = await make_table(conn)
        await insert_row(conn, things, {"qty": 2**62, "price": 2**63, "ratio": 0.5, "name": "a"})
        await insert_row(conn, things, {"qty": -1, "price": 10**29, "ratio": 1.0, "name": "a"})
        await insert_row(conn, things, {"qty": 7, "price": 0, "ratio": None, "name": "b"})
        changed = await update_rows(
            conn, things, {"name": "a"}, {"+qty": "1", "+price": 2**53 + 1, "note": "upd"}
        )
        assert changed == 2
        assert await update_rows(conn, things, {"name": "b"}, {"+ratio": 1, "+price": -5}) == 1
        assert await update_rows(conn, things, {"id": 1}, {"+ratio": "0.25"}) == 1
        rows = await select_rows(conn, things, columns="id,qty,price,ratio,note")
        assert rows == [
            {"id": 1, "qty": 2**62 + 1, "price": 2**63 + 2**53 + 1, "ratio": 0.75, "note": "upd"},
            {"id": 2, "qty": 0, "price": 10**29 + 2**53 + 1, "ratio": 1.0, "note": "upd"},
            {"id": 3, "qty": 7, "price": -5, "ratio": None, "note": None},
        ]
        before = await select_rows(conn, things, limit=None)
        increment_errors: list[tuple[dict[str, Any], dict[str, Any], str]] = [
            ({"id": 1}, {"+name": 1}, "column name is not numeric"),
            ({"id": 1}, {"+qty": "x"}, "value x is not a valid number for column qty"),
            ({"id": 1}, {"+qty": 1, "qty": 2}, "column qty is set twice"),
            ({"id": 1}, {"+nope": 1}, "column nope does not exist"),
        ]
        for where, values, message in increment_errors:
            with pytest.raises(QueryError) as caught:
                await update_rows(conn, things, where, values)
            assert str(caught.value) == message
        # Past the column's range: PostgreSQL refuses it, and so does SQLite (in Python).
        for values in ({"+qty": 2**62}, {"+price": 10**30 - 1}):
            with pytest.raises(QueryError, match="a value does not fit its column in 1_things"):
                async with conn.begin_nested():
                    await update_rows(conn, things, {"id": 1}, values)
        assert await select_rows(conn, things, limit=None) == before
        with pytest.raises(QueryError, match="column \\+qty does not exist"):
            await insert_row(conn, things, {"+qty": 1})
