"""Custom tables `<ecosystem>_<name>` that contracts create, extend and drop at run time."""

# DDL runs on the caller's connection, inside its transaction, so a block that rolls back takes
# its tables and columns with it (PostgreSQL and SQLite both have transactional DDL).
#
# Column types follow the reference's typeToPSQL. On SQLite each IBAX type gets its own
# declared type, chosen so that SQLite's type affinity keeps the value exact and the IBAX type
# can be read back from the declared type alone:
#     json JSON_TEXT, varchar VARCHAR(102400), character CHARACTER(1), number BIGINT,
#     datetime TIMESTAMP_TEXT, double DOUBLE PRECISION, money MONEY_TEXT, text TEXT, bytea BLOB
# (TEXT affinity for json, datetime and money, whose digits are never turned into a float;
# INTEGER for number, REAL for double, BLOB for bytea.)

from __future__ import annotations

import hashlib
import operator
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from alembic.operations import Operations
from alembic.runtime.migration import MigrationContext
from sqlalchemy import (
    CHAR,
    BigInteger,
    Column,
    Connection,
    DateTime,
    Double,
    Index,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    column,
    func,
    inspect,
    literal,
    select,
    table,
    text,
)
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.schema import CreateIndex, CreateTable, DropIndex, DropTable
from sqlalchemy.types import TypeEngine, UserDefinedType

from chain.golang.ints import INT64_MAX
from chain.storage.schema import FIRST_ECOSYSTEM_TABLES, PLATFORM_TABLES
from chain.storage.types import Json, Money
from chain.storage.values import (
    IBAX_TYPES,
    VARCHAR_LENGTH,
    QueryError,
    show,
)

# Names the reference resolves to the shared 1_* tables, and the platform's tables: a custom
# table of such a name could never be reached.
RESERVED_TABLES = FIRST_ECOSYSTEM_TABLES | PLATFORM_TABLES
# id is every custom table's key; the others are SQLite's rowid aliases and PostgreSQL's
# system columns, which a table cannot have (or would shadow).
RESERVED_COLUMNS = frozenset(
    {"id", "rowid", "oid", "_rowid_", "tableoid", "xmin", "xmax", "cmin", "cmax", "ctid"}
)
MAX_IDENTIFIER = 63  # PostgreSQL silently truncates longer names, merging distinct ones
MAX_TABLE_NAME = MAX_IDENTIFIER - 20  # room for a 19-digit ecosystem and "_"

# The reference's IsLatin: latin letters, digits, `_` and `-` (a leading digit is refused apart).
_IDENT_RE = re.compile(r"[a-z0-9_-]+", re.ASCII)
_FULL_RE = re.compile(r"([1-9][0-9]{0,18})_([a-z_-][a-z0-9_-]*)", re.ASCII)
LATIN_ONLY = "Name {} must only contain latin, digit and '_', '-' characters"


@dataclass(frozen=True, slots=True)
class ColumnSpec:
    """A custom table column: lowercase name, IBAX type, whether it is indexed."""

    name: str
    type: str
    index: bool = False


class _Declared(UserDefinedType[Any]):
    """A SQLite column declared with exactly this type name (see the module docstring)."""

    cache_ok = True

    def __init__(self, declared: str) -> None:
        self.declared = declared

    def get_col_spec(self, **_kw: Any) -> str:
        return self.declared


# IBAX type -> (SQLAlchemy type, SQLite declared type, NOT NULL default or None)
_TYPES: dict[str, tuple[Callable[[], TypeEngine[Any]], str, str | None]] = {
    "json": (Json, "JSON_TEXT", None),
    "varchar": (lambda: String(VARCHAR_LENGTH), f"VARCHAR({VARCHAR_LENGTH})", None),
    "character": (lambda: CHAR(1), "CHARACTER(1)", "0"),
    "number": (BigInteger, "BIGINT", "0"),
    "datetime": (DateTime, "TIMESTAMP_TEXT", None),
    "double": (Double, "DOUBLE PRECISION", None),
    "money": (Money, "MONEY_TEXT", "0"),
    "text": (Text, "TEXT", None),
    "bytea": (LargeBinary, "BLOB", ""),
}
_FROM_SQLITE = {declared: kind for kind, (_, declared, _d) in _TYPES.items()}
_FROM_PG = {
    "jsonb": "json",
    "character varying": "varchar",
    "character": "character",
    "bigint": "number",
    "timestamp without time zone": "datetime",
    "double precision": "double",
    "numeric": "money",
    "text": "text",
    "bytea": "bytea",
}


def check_table_name(name: str) -> str:
    """The lowercased custom table name (without `<ecosystem>_`), or a QueryError why not.

    As the reference's checkTableNameRule: latin letters, digits, `_` and `-`, not beginning
    with a digit or `@` (SQL statements quote such names).
    """
    if not isinstance(name, str) or not name:
        raise QueryError("the table name cannot be empty")
    lowered = name.lower()
    if lowered[0].isdigit() or lowered[0] == "@":
        raise QueryError("the name of the table cannot begin with @ or a digit")
    if not _IDENT_RE.fullmatch(lowered):
        raise QueryError(LATIN_ONLY.format(show(name)))
    if len(lowered) > MAX_TABLE_NAME:
        raise QueryError(f"the table name {lowered} is longer than {MAX_TABLE_NAME} characters")
    if lowered in RESERVED_TABLES:
        raise QueryError(f"table {lowered} exists")
    return lowered


def check_column_name(name: str) -> str:
    """The lowercased column name, or a QueryError (the reference's checkColumnName, stricter)."""
    if not isinstance(name, str) or not name:
        raise QueryError("column name is empty")
    lowered = name.lower()
    if lowered[0].isdigit():
        raise QueryError("column name cannot begin with digit")
    if not _IDENT_RE.fullmatch(lowered):
        raise QueryError(LATIN_ONLY.format(show(name)))
    if len(lowered) > MAX_IDENTIFIER:
        raise QueryError(f"column name {lowered} is longer than {MAX_IDENTIFIER} characters")
    if lowered in RESERVED_COLUMNS:
        raise QueryError(f"column {lowered} exists")
    return lowered


def is_latin(name: str) -> bool:
    """Only latin letters, digits, `_` and `-` (the reference's IsLatin)?"""
    return _IDENT_RE.fullmatch(name.lower()) is not None


def valid_table_name(name: str) -> bool:
    """Could `name` (any case, without `<ecosystem>_`) be a custom table's name?"""
    return _is_valid(check_table_name, name)


def valid_column_name(name: str) -> bool:
    """Could `name` (any case) be a custom table's column name?"""
    return _is_valid(check_column_name, name)


def _is_valid(check: Callable[[str], str], name: str) -> bool:
    try:
        check(name)
    except QueryError:
        return False
    return True


def check_full_name(full_name: str) -> str:
    """A custom table's full name `<ecosystem>_<name>`, checked, or a QueryError."""
    match = _FULL_RE.fullmatch(full_name) if isinstance(full_name, str) else None
    if match is None or len(full_name) > MAX_IDENTIFIER or int(match[1]) > INT64_MAX:
        raise QueryError(f"invalid table name {show(full_name)}")
    check_table_name(match[2])
    return full_name


def _valid_spec(spec: ColumnSpec) -> ColumnSpec:
    if spec.type not in IBAX_TYPES:
        raise QueryError(f"Type '{show(spec.type)}' of columns is not supported")
    return ColumnSpec(check_column_name(spec.name), spec.type, bool(spec.index))


def index_name(full_name: str, column_name: str) -> str:
    """The name of a column's index: a hash, as `<table>_<column>` can be ambiguous or long."""
    digest = hashlib.sha256(f"{full_name}\0{column_name}".encode()).hexdigest()
    return f"ix_{digest[:32]}"


def _column(name: str, kind: str, dialect: str | None) -> Column[Any]:
    """A column of the query Table (`dialect` None) or of the DDL for `dialect`."""
    make, declared, default = _TYPES[kind]
    sa_type = make()
    if dialect is None:
        # The default is never sent (the database has its own); the block state reads it to
        # fill in the columns an insert leaves out, as the database would.
        return Column(name, sa_type, nullable=default is None, server_default=default)
    if dialect == "sqlite":
        sa_type = sa_type.with_variant(_Declared(declared), "sqlite")
    server_default: Any = None
    if default is not None:
        # SQLite has no bytea literal '' (that would be text); X'' is the empty blob.
        server_default = text("X''") if kind == "bytea" and dialect == "sqlite" else default
    return Column(name, sa_type, nullable=default is None, server_default=server_default)


def _table(full_name: str, kinds: dict[str, str], dialect: str | None) -> Table:
    columns = [_column(name, kind, dialect) for name, kind in kinds.items() if name != "id"]
    id_column = Column("id", BigInteger, primary_key=True, autoincrement=False)
    return Table(full_name, MetaData(), id_column, *columns)


def custom_table(full_name: str, kinds: dict[str, str]) -> Table:
    """The Table to query a custom table with, from its column -> IBAX type map."""
    return _table(full_name, kinds, None)


async def _column_kinds(conn: AsyncConnection, full_name: str) -> dict[str, str]:
    """Column -> IBAX type read from the database catalog ({} when there is no such table)."""
    if conn.dialect.name == "sqlite":
        info = func.pragma_table_info(literal(full_name)).table_valued("cid", "name", "type")
        result = await conn.execute(select(info.c.name, info.c.type).order_by(info.c.cid))
        found = {name: _FROM_SQLITE.get(" ".join(str(declared).upper().split()))
                 for name, declared in result}  # fmt: skip
    else:
        catalog = table(
            "columns",
            column("table_schema"),
            column("table_name"),
            column("column_name"),
            column("data_type"),
            column("ordinal_position"),
            schema="information_schema",
        )
        result = await conn.execute(
            select(catalog.c.column_name, catalog.c.data_type)
            .where(
                catalog.c.table_schema == func.current_schema(),
                catalog.c.table_name == full_name,
            )
            .order_by(catalog.c.ordinal_position)
        )
        found = {name: _FROM_PG.get(data_type) for name, data_type in result}
    unknown = [name for name, kind in found.items() if kind is None]
    if unknown:
        raise QueryError(f"table {full_name} has columns of unknown type: {', '.join(unknown)}")
    return {name: kind for name, kind in found.items() if kind is not None}


async def load_custom_table(
    conn: AsyncConnection, full_name: str
) -> tuple[Table, dict[str, str]] | None:
    """A custom table's Table and column -> IBAX type, read from the database; None if absent."""
    kinds = await _column_kinds(conn, check_full_name(full_name))
    if not kinds:
        return None
    return custom_table(full_name, kinds), kinds


async def _existing(conn: AsyncConnection, full_name: str) -> dict[str, str]:
    kinds = await _column_kinds(conn, check_full_name(full_name))
    if not kinds:
        raise QueryError(f"table {full_name} has not been found")
    return kinds


async def create_custom_table(
    conn: AsyncConnection, full_name: str, columns: Sequence[ColumnSpec]
) -> Table:
    """CREATE TABLE `full_name` (id bigint primary key, then `columns`) and its indexes."""
    check_full_name(full_name)
    specs = [_valid_spec(spec) for spec in columns]
    names = [spec.name for spec in specs]
    if len(set(names)) != len(names):
        raise QueryError("there are the same columns")
    if await _column_kinds(conn, full_name):
        raise QueryError(f"table {full_name} exists")
    kinds = {"id": "number", **{spec.name: spec.type for spec in specs}}
    ddl = _table(full_name, kinds, conn.dialect.name)
    await conn.execute(CreateTable(ddl))
    for spec in specs:
        if spec.index:
            index = Index(index_name(full_name, spec.name), ddl.c[spec.name])
            await conn.execute(CreateIndex(index))
    return custom_table(full_name, kinds)


def _operations(sync_conn: Connection) -> Operations:
    return Operations(MigrationContext.configure(sync_conn))


async def add_column(conn: AsyncConnection, full_name: str, spec: ColumnSpec) -> Table:
    """ALTER TABLE ADD COLUMN (and its index); the table's new Table."""
    kinds = await _existing(conn, full_name)
    spec = _valid_spec(spec)
    if spec.name in kinds:
        raise QueryError(f"column {spec.name} exists")
    new_column = _column(spec.name, spec.type, conn.dialect.name)
    await conn.run_sync(lambda sync: _operations(sync).add_column(full_name, new_column))
    kinds[spec.name] = spec.type
    if spec.index:
        ddl = _table(full_name, kinds, conn.dialect.name)
        await conn.execute(CreateIndex(Index(index_name(full_name, spec.name), ddl.c[spec.name])))
    return custom_table(full_name, kinds)


async def drop_column(conn: AsyncConnection, full_name: str, name: str) -> Table:
    """ALTER TABLE DROP COLUMN (and its index); the table's new Table. Undoes add_column."""
    kinds = await _existing(conn, full_name)
    name = check_column_name(name)
    if name not in kinds:
        raise QueryError(f"column {name} doesn't exist")
    ddl = _table(full_name, kinds, conn.dialect.name)
    # SQLite refuses to drop an indexed column; PostgreSQL would drop the index itself.
    index = Index(index_name(full_name, name), ddl.c[name])
    await conn.execute(DropIndex(index, if_exists=True))
    await conn.run_sync(lambda sync: _operations(sync).drop_column(full_name, name))
    del kinds[name]
    return custom_table(full_name, kinds)


async def drop_custom_table(conn: AsyncConnection, full_name: str) -> None:
    """DROP TABLE `full_name` with its indexes. Undoes create_custom_table."""
    kinds = await _existing(conn, full_name)
    await conn.execute(DropTable(_table(full_name, kinds, conn.dialect.name)))


async def column_kinds(conn: AsyncConnection, full_name: str) -> dict[str, str]:
    """A custom table's column -> IBAX type (id included), or a QueryError if it is absent."""
    return await _existing(conn, full_name)


async def indexed_columns(conn: AsyncConnection, full_name: str) -> list[str]:
    """The columns of a custom table that have their index (`index_name`)."""
    kinds = await _existing(conn, full_name)

    def read(sync_conn: Connection) -> set[str]:
        return {str(ix["name"]) for ix in inspect(sync_conn).get_indexes(full_name)}

    names = await conn.run_sync(read)
    return [name for name in kinds if index_name(full_name, name) in names]


@dataclass(frozen=True, slots=True)
class ViewColumn:
    """A column a view shows: `table`.`column`, under `alias` ("" keeps its name)."""

    table: str
    column: str
    alias: str = ""


@dataclass(frozen=True, slots=True)
class ViewJoin:
    """A view's condition joining two tables' columns: `table1`.`column1` compare `table2`..."""

    table1: str
    column1: str
    compare: str
    table2: str
    column2: str


VIEW_COMPARES: dict[str, Callable[[Any, Any], Any]] = {
    "=": operator.eq,
    "!=": operator.ne,
    "<>": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}


def _view_select(columns: Sequence[ViewColumn], joins: Sequence[ViewJoin]) -> Any:
    names: dict[str, set[str]] = {}
    for item in columns:
        names.setdefault(item.table, set()).add(item.column)
    for join in joins:
        names.setdefault(join.table1, set()).add(join.column1)
        names.setdefault(join.table2, set()).add(join.column2)
    tables = {name: table(name, *(column(c) for c in sorted(cols))) for name, cols in names.items()}
    shown = [tables[item.table].c[item.column].label(item.alias or item.column) for item in columns]
    conditions = [
        VIEW_COMPARES[j.compare](tables[j.table1].c[j.column1], tables[j.table2].c[j.column2])
        for j in joins
    ]
    return select(*shown).select_from(*tables.values()).where(*conditions)


async def create_view(
    conn: AsyncConnection,
    full_name: str,
    columns: Sequence[ViewColumn],
    joins: Sequence[ViewJoin],
) -> None:
    """CREATE VIEW `full_name` of the columns of tables joined by `joins` (names checked by
    the caller: every table exists, every name is a plain identifier, compares are known)."""
    check_full_name(full_name)
    if await _column_kinds(conn, full_name):
        raise QueryError(f"table {full_name} exists")
    if not columns:
        raise QueryError("columns is empty")
    for join in joins:
        if join.compare not in VIEW_COMPARES:
            raise QueryError(f"unknown compare operator {show(join.compare)}")
    query = _view_select(columns, joins).compile(
        dialect=conn.dialect, compile_kwargs={"literal_binds": True}
    )
    quoted = conn.dialect.identifier_preparer.quote(full_name)
    await conn.execute(text(f"CREATE VIEW {quoted} AS {query}"))


async def drop_view(conn: AsyncConnection, full_name: str) -> None:
    """DROP VIEW `full_name`. Undoes create_view."""
    check_full_name(full_name)
    quoted = conn.dialect.identifier_preparer.quote(full_name)
    await conn.execute(text(f"DROP VIEW {quoted}"))
