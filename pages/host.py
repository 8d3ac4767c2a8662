"""What the renderer asks of the chain, as a protocol the API layer implements.

Everything a page reads goes through a PageHost: rows (with the data API's read
permissions), parameters, snippets, language resources, column types, history, binaries
and key conversions. `pages` itself never touches storage.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from pages.lang import Resources


class PageDataError(Exception):
    """A read the page asked for failed; a page shows the message as text, as the reference."""


@dataclass(frozen=True, slots=True)
class RowQuery:
    """DBFind's question: `table` as written (`@N` selects ecosystem N), seen by `key_id` of
    `ecosystem`. `columns` None means every column; `where`, `order` are DBFind's objects."""

    table: str
    ecosystem: int
    key_id: int
    role_id: int = 0
    columns: list[str] | None = None
    where: dict[str, Any] | None = None
    order: Any = None
    limit: int = 25
    offset: int = 0


@dataclass(frozen=True, slots=True)
class RowResult:
    """The rows DBFind shows: every value text (SQL NULL as "NULL", bytea as hex).

    `columns` are the names read, in order (json paths as `col.key`); `kinds` their column
    types (`varchar`, `bytea`, ...); `count` how many rows match the where; `table` the
    physical table name used in links to long values.
    """

    table: str
    columns: list[str]
    kinds: dict[str, str]
    rows: list[dict[str, str]]
    count: int


@dataclass(frozen=True, slots=True)
class HistoryResult:
    """GetHistory's rows: the table's columns in order and each past version's values."""

    columns: list[str]
    rows: list[dict[str, str]] = field(default_factory=list)


class PageHost(Protocol):
    """The chain as one render sees it (a render is one request: reads may be remembered)."""

    async def ecosystem_digits(self, ecosystem: int) -> int:
        """The token digits of an ecosystem (0 when there is no such ecosystem)."""
        ...

    async def ecosystem_name(self, ecosystem: int) -> str | None:
        """An ecosystem's name, or None when there is none."""
        ...

    async def ecosystem_parameter(self, ecosystem: int, name: str) -> str:
        """An ecosystem parameter's value ("" when there is none)."""
        ...

    async def app_parameter(self, ecosystem: int, app_id: int, name: str) -> str:
        """An application parameter's value ("" when there is none)."""
        ...

    async def platform_parameter(self, name: str) -> str:
        """A platform parameter's value ("" when there is none)."""
        ...

    async def language_resources(self, ecosystem: int) -> Resources:
        """Every language resource of an ecosystem (see pages.lang.resources_from_rows)."""
        ...

    async def snippet(self, ecosystem: int, name: str) -> str | None:
        """A snippet's template, or None when there is none."""
        ...

    async def find_rows(self, query: RowQuery) -> RowResult:
        """Rows of a table as DBFind reads them; PageDataError for a bad query or no right."""
        ...

    async def column_type(self, ecosystem: int, table: str, column: str) -> str:
        """A column's type (`varchar`, `number`, ...); PageDataError when there is none."""
        ...

    async def history(
        self, ecosystem: int, key_id: int, table: str, row_id: int, rollback_id: int
    ) -> HistoryResult:
        """Past versions of a row, newest first, as `key_id` may read them; PageDataError for
        an unknown table or row."""
        ...

    async def binary_link(
        self, ecosystem: int, *, binary_id: int = 0, app_id: int = 0, account: str = "",
        name: str = "",
    ) -> str:
        """The `/data/...` link of a stored file, by id or by (app, account, name); "" if none."""
        ...

    def pub_to_id(self, public_key_hex: str) -> int | None:
        """The key id of a hex public key with the node's hasher, None if it is not one."""
        ...
