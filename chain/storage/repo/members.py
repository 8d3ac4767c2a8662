"""Members of an ecosystem and stored binaries (avatars, files), as the API reads them."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from chain.storage.repo.rows import text_of
from chain.storage.schema import binaries, members


@dataclass(frozen=True, slots=True)
class MemberRow:
    """A `1_members` row; `image_id` 0 means no image, `member_info` is JSON text or ""."""

    id: int
    member_name: str
    image_id: int
    member_info: str


async def get_member(conn: AsyncConnection, ecosystem: int, account: str) -> MemberRow | None:
    """The member of an ecosystem with this account (XXXX-... form), or None."""
    result = await conn.execute(
        select(members).where(members.c.ecosystem == ecosystem, members.c.account == account)
    )
    row = result.first()
    if row is None:
        return None
    return MemberRow(row.id, row.member_name, row.image_id, text_of(row.member_info, "json"))


@dataclass(frozen=True, slots=True)
class BinaryRow:
    """A `1_binaries` row: a named file and its MIME type."""

    id: int
    name: str
    data: bytes
    mime_type: str
    ecosystem: int


async def get_binary(
    conn: AsyncConnection, binary_id: int, ecosystem: int | None = None
) -> BinaryRow | None:
    """A stored binary by id (ids are unique across ecosystems), optionally of one ecosystem."""
    condition = binaries.c.id == binary_id
    if ecosystem is not None:
        condition = condition & (binaries.c.ecosystem == ecosystem)
    result = await conn.execute(
        select(
            binaries.c.id,
            binaries.c.name,
            binaries.c.data,
            binaries.c.mime_type,
            binaries.c.ecosystem,
        ).where(condition)
    )
    row = result.first()
    if row is None:
        return None
    return BinaryRow(row.id, row.name, bytes(row.data), row.mime_type, row.ecosystem)


@dataclass(frozen=True, slots=True)
class BinaryRef:
    """Where a stored binary is found: its id and its hash (the last part of its link)."""

    id: int
    hash: str


async def get_binary_ref(conn: AsyncConnection, binary_id: int) -> BinaryRef | None:
    """A binary by id (any ecosystem, as the page language's `.ById` looks it up)."""
    result = await conn.execute(
        select(binaries.c.id, binaries.c.hash).where(binaries.c.id == binary_id)
    )
    row = result.first()
    return BinaryRef(row.id, row.hash) if row is not None else None


async def find_binary_ref(
    conn: AsyncConnection, ecosystem: int, app_id: int, account: str, name: str
) -> BinaryRef | None:
    """A binary of an ecosystem by application, member account and name."""
    result = await conn.execute(
        select(binaries.c.id, binaries.c.hash).where(
            binaries.c.ecosystem == ecosystem,
            binaries.c.app_id == app_id,
            binaries.c.account == account,
            binaries.c.name == name,
        )
    )
    row = result.first()
    return BinaryRef(row.id, row.hash) if row is not None else None
