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
