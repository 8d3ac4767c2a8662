"""Custom tables on both backends: every type round trips, DDL rolls back, names are checked."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from sqlalchemy import Connection, func, inspect, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from chain.storage.ddl import (
    ColumnSpec,
    add_column,
    check_column_name,
    check_full_name,
    check_table_name,
    create_custom_table,
    drop_column,
    drop_custom_table,
    index_name,
    load_custom_table,
    valid_column_name,
    valid_table_name,
)
from chain.storage.repo.rows import insert_row, row_to_text, select_rows
from chain.storage.values import (
    IBAX_TYPES,
    QueryError,
    ibax_types,
)

EVERY_TYPE = [
    ColumnSpec(f"c_{kind}", kind, index=kind in ("number", "money")) for kind in IBAX_TYPES
]
VALUES: dict[str, Any] = {
    "c_json": {"list": [1, "two", None], "a": {"b": 1.5}},
    "c_varchar": "v" * 1000,
    "c_character": "x",
    "c_number": -(2**63),
    "c_datetime": datetime(1999, 12, 31, 23, 59, 58, 123456),
    "c_double": -1.25e-300,
    "c_money": -(10**29) - 7,
    "c_text": "line\nnext 'quoted' \"double\" ✓",
    "c_bytea": bytes(range(256)),
}
DEFAULTS = {
    "c_json": None,
    "c_varchar": None,
    "c_character": "0",
    "c_number": 0,
    "c_datetime": None,
    "c_double": None,
    "c_money": 0,
    "c_text": None,
    "c_bytea": b"",
}


def _tables(sync: Connection) -> set[str]:
    return set(inspect(sync).get_table_names())


def _indexes(sync: Connection, name: str) -> dict[str, list[str | None]]:
    return {ix["name"] or "": ix["column_names"] for ix in inspect(sync).get_indexes(name)}


async def table_names(conn: AsyncConnection) -> set[str]:
    return await conn.run_sync(_tables)


async def test_every_type_round_trips(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        created = await create_custom_table(conn, "12_every", EVERY_TYPE)
        expected_kinds = {"id": "number", **{spec.name: spec.type for spec in EVERY_TYPE}}
        assert ibax_types(created) == expected_kinds
        loaded = await load_custom_table(conn, "12_every")
        assert loaded is not None
        table, kinds = loaded
        assert kinds == expected_kinds
        assert list(kinds) == list(expected_kinds)  # column order kept
        assert ibax_types(table) == kinds
        assert [c.name for c in table.primary_key.columns] == ["id"]
        assert await conn.run_sync(_indexes, "12_every") == {
            index_name("12_every", "c_number"): ["c_number"],
            index_name("12_every", "c_money"): ["c_money"],
        }
        await insert_row(conn, table, VALUES)
        await insert_row(conn, created, {"id": 5})
        rows = await select_rows(conn, created)
        assert rows == [
            {"id": 1, **VALUES, "c_json": {"a": {"b": 1.5}, "list": [1, "two", None]}},
            {"id": 5, **DEFAULTS},
        ]
        assert row_to_text(rows[0], kinds)["c_money"] == "-100000000000000000000000000007"
        assert row_to_text(rows[0], kinds)["c_bytea"] == bytes(range(256)).hex()
        assert await select_rows(conn, table, columns="id", where={"c_money": -(10**29) - 7}) == [
            {"id": 1}
        ]
        if conn.dialect.name == "sqlite":
            # TEXT affinity keeps money digits (NUMERIC would make a float); number stays int.
            kinds_stored = await conn.execute(
                select(func.typeof(table.c.c_money), func.typeof(table.c.c_number)).where(
                    table.c.id == 1
                )
            )
            assert kinds_stored.one() == ("text", "integer")


async def test_add_column_of_every_type_to_a_filled_table(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        table = await create_custom_table(conn, "1_grow", [ColumnSpec("name", "varchar")])
        await insert_row(conn, table, {"name": "old"})
        for spec in EVERY_TYPE:
            table = await add_column(conn, "1_grow", spec)
        loaded = await load_custom_table(conn, "1_grow")
        assert loaded is not None
        assert loaded[1] == {
            "id": "number",
            "name": "varchar",
            **{s.name: s.type for s in EVERY_TYPE},
        }
        assert ibax_types(table) == loaded[1]
        indexes = await conn.run_sync(_indexes, "1_grow")
        assert set(indexes) == {index_name("1_grow", "c_number"), index_name("1_grow", "c_money")}
        await insert_row(conn, table, VALUES)
        rows = await select_rows(conn, table, order="id")
        assert rows[0] == {"id": 1, "name": "old", **DEFAULTS}
        assert rows[1]["c_money"] == -(10**29) - 7
        for full_name, spec, message in [
            ("1_grow", ColumnSpec("name", "text"), "column name exists"),
            ("1_grow", ColumnSpec("ID", "text"), "column id exists"),
            ("1_grow", ColumnSpec("x", "int"), "Type 'int' of columns is not supported"),
            ("1_nope", ColumnSpec("x", "text"), "table 1_nope has not been found"),
        ]:
            with pytest.raises(QueryError) as caught:
                await add_column(conn, full_name, spec)
            assert str(caught.value) == message


async def test_drop_column_and_table(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        await create_custom_table(conn, "1_shrink", EVERY_TYPE)
        table = await drop_column(conn, "1_shrink", "c_money")  # indexed: SQLite needs care
        table = await drop_column(conn, "1_shrink", "C_TEXT")
        assert "c_money" not in table.c and "c_text" not in table.c
        loaded = await load_custom_table(conn, "1_shrink")
        assert loaded is not None and ibax_types(table) == loaded[1]
        assert set(await conn.run_sync(_indexes, "1_shrink")) == {
            index_name("1_shrink", "c_number")
        }
        with pytest.raises(QueryError, match="column c_money doesn't exist"):
            await drop_column(conn, "1_shrink", "c_money")
        await drop_custom_table(conn, "1_shrink")
        assert await load_custom_table(conn, "1_shrink") is None
        assert "1_shrink" not in await table_names(conn)
        with pytest.raises(QueryError, match="table 1_shrink has not been found"):
            await drop_custom_table(conn, "1_shrink")
        with pytest.raises(QueryError, match="table 1_shrink has not been found"):
            await drop_column(conn, "1_shrink", "c_number")


async def test_ddl_rolls_back_with_the_transaction(engine: AsyncEngine) -> None:
    # A created table and its rows vanish with a rolled-back transaction.
    async with engine.connect() as conn:
        async with conn.begin() as tx:
            table = await create_custom_table(conn, "1_temp", EVERY_TYPE)
            await insert_row(conn, table, VALUES)
            await tx.rollback()
    async with engine.connect() as conn:
        assert await load_custom_table(conn, "1_temp") is None

    async with engine.begin() as conn:
        table = await create_custom_table(conn, "1_kept", [ColumnSpec("name", "varchar")])
        await insert_row(conn, table, {"name": "row"})

    # Added and dropped columns come back as they were, with the data.
    async with engine.connect() as conn:
        async with conn.begin() as tx:
            await add_column(conn, "1_kept", ColumnSpec("extra", "money", index=True))
            changed = await drop_column(conn, "1_kept", "name")
            await insert_row(conn, changed, {"extra": 1})
            await tx.rollback()
    async with engine.connect() as conn:
        loaded = await load_custom_table(conn, "1_kept")
        assert loaded is not None and loaded[1] == {"id": "number", "name": "varchar"}
        assert await select_rows(conn, loaded[0]) == [{"id": 1, "name": "row"}]
        assert await conn.run_sync(_indexes, "1_kept") == {}

    # A savepoint (one transaction of a block) takes its DDL with it; the block goes on.
    async with engine.begin() as conn:
        with pytest.raises(RuntimeError):
            async with conn.begin_nested():
                await create_custom_table(conn, "1_inner", [ColumnSpec("n", "number")])
                await drop_custom_table(conn, "1_kept")
                raise RuntimeError("the transaction failed")
        assert await load_custom_table(conn, "1_inner") is None
        loaded = await load_custom_table(conn, "1_kept")
        assert loaded is not None
        assert await select_rows(conn, loaded[0]) == [{"id": 1, "name": "row"}]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Goods", "goods"),
        ("my_table2", "my_table2"),
        ("_x", "_x"),
        ("my-table", "my-table"),  # the reference's IsLatin takes '-'
        ("a" * 43, "a" * 43),
    ],
)
def test_valid_table_names(name: str, expected: str) -> None:
    assert check_table_name(name) == expected
    assert valid_table_name(name) is True


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", "the table name cannot be empty"),
        ("1goods", "the name of the table cannot begin with @ or a digit"),
        ("@1goods", "the name of the table cannot begin with @ or a digit"),
        ("tâble", "Name tâble must only contain latin, digit and '_', '-' characters"),
        (
            'x"; DROP TABLE y; --',
            "Name x\"; DROP TABLE y; -- must only contain latin, digit and '_', '-' characters",
        ),
        ("a b", "Name a b must only contain latin, digit and '_', '-' characters"),
        ("a" * 44, f"the table name {'a' * 44} is longer than 43 characters"),
        ("keys", "table keys exists"),
        ("Platform_Parameters", "table platform_parameters exists"),
    ],
)
def test_invalid_table_names(name: str, message: str) -> None:
    with pytest.raises(QueryError) as caught:
        check_table_name(name)
    assert str(caught.value) == message
    assert valid_table_name(name) is False


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", "column name is empty"),
        ("9lives", "column name cannot begin with digit"),
        ("a) ; --", "Name a) ; -- must only contain latin, digit and '_', '-' characters"),
        ("ID", "column id exists"),
        ("ctid", "column ctid exists"),
        ("rowid", "column rowid exists"),
        ("c" * 64, f"column name {'c' * 64} is longer than 63 characters"),
    ],
)
def test_invalid_column_names(name: str, message: str) -> None:
    with pytest.raises(QueryError) as caught:
        check_column_name(name)
    assert str(caught.value) == message
    assert valid_column_name(name) is False


def test_valid_column_names() -> None:
    assert check_column_name("Amount_2") == "amount_2"
    assert valid_column_name("_x") is True
    assert check_column_name("The-Text") == "the-text"


def test_full_names() -> None:
    assert check_full_name("1_goods") == "1_goods"
    assert check_full_name(f"{2**63 - 1}_goods") == f"{2**63 - 1}_goods"
    for bad in ["goods", "0_goods", "01_goods", "1_Goods", "1_", "-1_goods", f"{2**63}_goods",
                "1_goods; DROP TABLE x", '1_goods"', "1_" + "a" * 62, "1_keys"]:  # fmt: skip
        with pytest.raises(QueryError):
            check_full_name(bad)


async def test_hostile_names_run_nothing(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        table = await create_custom_table(conn, "1_safe", [ColumnSpec("name", "varchar")])
        await insert_row(conn, table, {"name": "kept"})
        before = await table_names(conn)
        hostile_tables = [
            '1_x" (id int); DROP TABLE "1_safe"; --',
            "1_safe; DROP TABLE 1_safe",
            '1_x\'); DROP TABLE "1_safe"; --',
            "sqlite_master",
            "1_keys",
        ]
        for full_name in hostile_tables:
            with pytest.raises(QueryError):
                await create_custom_table(conn, full_name, [ColumnSpec("n", "number")])
            with pytest.raises(QueryError):
                await load_custom_table(conn, full_name)
            with pytest.raises(QueryError):
                await drop_custom_table(conn, full_name)
            with pytest.raises(QueryError):
                await add_column(conn, full_name, ColumnSpec("n", "number"))
        hostile_columns = [
            ColumnSpec('n" bigint); DROP TABLE "1_safe"; --', "number"),
            ColumnSpec("n", "bigint); DROP TABLE x; --"),
            ColumnSpec("n", "number DEFAULT 5"),
        ]
        for spec in hostile_columns:
            with pytest.raises(QueryError):
                await create_custom_table(conn, "1_new", [spec])
            with pytest.raises(QueryError):
                await add_column(conn, "1_safe", spec)
        with pytest.raises(QueryError):
            await drop_column(conn, "1_safe", 'name"; DROP TABLE "1_safe"; --')
        assert await table_names(conn) == before
        loaded = await load_custom_table(conn, "1_safe")
        assert loaded is not None and loaded[1] == {"id": "number", "name": "varchar"}
        assert await select_rows(conn, loaded[0]) == [{"id": 1, "name": "kept"}]


async def test_create_refusals(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        await create_custom_table(conn, "1_once", [ColumnSpec("n", "number")])
        for full_name, specs, message in [
            ("1_once", [ColumnSpec("n", "number")], "table 1_once exists"),
            (
                "1_twice",
                [ColumnSpec("n", "number"), ColumnSpec("N", "text")],
                "there are the same columns",
            ),
            ("1_typed", [ColumnSpec("n", "integer")], "Type 'integer' of columns is not supported"),
            ("1_ided", [ColumnSpec("id", "number")], "column id exists"),
            ("1_keys", [ColumnSpec("n", "number")], "table keys exists"),
        ]:
            with pytest.raises(QueryError) as caught:
                await create_custom_table(conn, full_name, specs)
            assert str(caught.value) == message
        empty = await create_custom_table(conn, "2_bare", [])
        assert [c.name for c in empty.columns] == ["id"]
        assert await load_custom_table(conn, "2_bare") is not None
