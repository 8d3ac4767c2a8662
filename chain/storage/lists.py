"""Membership in a list of values (`column IN values`), written as each backend runs it fastest."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, any_, bindparam
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncConnection


def one_of(conn: AsyncConnection, column: ColumnElement[Any], values: Sequence[Any]) -> Any:
    """`column IN values`; on PostgreSQL `column = ANY(:array)`, one parameter.

    SQLAlchemy renders IN as one parameter per value at each execution (with a type cast each
    on PostgreSQL), and asyncpg prepares a new statement for every list length: for the tens to
    hundreds of hashes sendTx, txstatus and the producer ask about, the array costs a third of
    the CPU and half the time (500 hashes: 0.7 against 2.2 ms of CPU). SQLite has no arrays.
    """
    if conn.dialect.name == "postgresql":
        return column == any_(bindparam(None, list(values), type_=ARRAY(column.type)))
    return column.in_(values)
