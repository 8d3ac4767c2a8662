"""Column types that keep money exact on both PostgreSQL and SQLite."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Dialect, Numeric, String, TypeDecorator
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.types import TypeEngine


class Money(TypeDecorator[int]):
    """An exact integer amount: decimal(30,0) on PostgreSQL, a decimal string on SQLite.

    SQLite's NUMERIC affinity would turn values past 2^53 into floats, and the founder's supply
    alone is 5.25e18, so SQLite stores the digits as text; sums over it are done in Python.
    """

    impl = Numeric(30, 0)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(String(40))
        return dialect.type_descriptor(Numeric(30, 0))

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, (int, Decimal, str)):
            raise TypeError(f"money must be an integer, got {type(value).__name__}")
        amount = int(Decimal(value))
        if Decimal(value) != amount:
            raise ValueError(f"money must be whole smallest units, got {value}")
        return str(amount) if dialect.name == "sqlite" else Decimal(amount)

    def process_result_value(self, value: Any, dialect: Dialect) -> int | None:
        if value is None:
            return None
        return int(Decimal(value))


def Json() -> TypeEngine[Any]:  # noqa: N802 - reads like the type it builds
    """JSON on SQLite, JSONB on PostgreSQL; None is SQL NULL, never the JSON text null.

    Rows written in bulk (the block state's executemany) cannot say null() per value, and a
    JSON null would read back as None all the same, so a rollback could not tell the two apart.
    """
    return JSON(none_as_null=True).with_variant(JSONB(none_as_null=True), "postgresql")
