"""Small repository reads on both backends: a key's public key, an application's id."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import NoResultFound
from sqlalchemy.ext.asyncio import AsyncEngine

from chain.storage.repo.ecosystem import get_application_id
from chain.storage.repo.keys import get_first_pub, insert_key
from chain.storage.schema import applications

ALICE, BOB = 1001, 1002


async def test_first_pub_is_the_lowest_ecosystems(migrated_engine: AsyncEngine) -> None:
    async with migrated_engine.begin() as conn:
        await insert_key(conn, 3, ALICE, pub=b"\x03" * 64)
        await insert_key(conn, 2, ALICE, pub=b"\x02" * 64)
        await insert_key(conn, 5, BOB, pub=b"\x05" * 64)
        assert await get_first_pub(conn, ALICE) == b"\x02" * 64
        assert await get_first_pub(conn, BOB) == b"\x05" * 64
        assert await get_first_pub(conn, 7777) == b""


async def test_application_id_by_ecosystem_and_name(migrated_engine: AsyncEngine) -> None:
    async with migrated_engine.begin() as conn:
        await conn.execute(
            applications.insert(),
            [
                {"id": 41, "name": "System", "ecosystem": 2},
                {"id": 42, "name": "Other", "ecosystem": 3},
                {"id": 43, "name": "System", "ecosystem": 3},
            ],
        )
        assert await get_application_id(conn, 2, "System") == 41
        assert await get_application_id(conn, 3, "System") == 43
        assert await get_application_id(conn, 3, "Other") == 42
        with pytest.raises(NoResultFound):
            await get_application_id(conn, 4, "System")
