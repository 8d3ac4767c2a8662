"""A PageHost of a chain with nothing in it: every read finds nothing.

For the language's golden cases, which read nothing; what reads the chain is tested on real
databases (tests/pages/test_dbcases.py, tests/api/test_content.py).
"""

from __future__ import annotations

from pages import HistoryResult, PageDataError, RowQuery, RowResult
from pages.lang import Resources


class EmptyChain:
    """pages.PageHost with no ecosystems, parameters, tables, snippets or files."""

    async def ecosystem_digits(self, ecosystem: int) -> int:
        return 0

    async def ecosystem_name(self, ecosystem: int) -> str | None:
        return None

    async def ecosystem_parameter(self, ecosystem: int, name: str) -> str:
        return ""

    async def app_parameter(self, ecosystem: int, app_id: int, name: str) -> str:
        return ""

    async def platform_parameter(self, name: str) -> str:
        return ""

    async def language_resources(self, ecosystem: int) -> Resources:
        return {}

    async def snippet(self, ecosystem: int, name: str) -> str | None:
        return None

    async def find_rows(self, query: RowQuery) -> RowResult:
        raise PageDataError("Access denied")

    async def column_type(self, ecosystem: int, table: str, column: str) -> str:
        return ""

    async def history(
        self, ecosystem: int, key_id: int, table: str, row_id: int, rollback_id: int
    ) -> HistoryResult:
        raise PageDataError(f"Table {ecosystem}_{table} has not been found")

    async def binary_link(
        self,
        ecosystem: int,
        *,
        binary_id: int = 0,
        app_id: int = 0,
        account: str = "",
        name: str = "",
    ) -> str:
        return ""

    def pub_to_id(self, public_key_hex: str) -> int | None:
        return None
