"""Accounts (1_keys), members and roles."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, bindparam, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from chain.address import address_to_string
from chain.storage.schema import keys, members, roles_participants


@dataclass(frozen=True, slots=True)
class KeyRow:
    """One account in one ecosystem."""

    id: int
    ecosystem: int
    pub: bytes
    amount: int
    deleted: bool
    blocked: bool
    account: str


def _key_row(row: Any) -> KeyRow:
    return KeyRow(
        id=row.id,
        ecosystem=row.ecosystem,
        pub=bytes(row.pub or b""),
        amount=row.amount,
        deleted=bool(row.deleted),
        blocked=bool(row.blocked),
        account=row.account,
    )


async def get_key(conn: AsyncConnection, ecosystem: int, key_id: int) -> KeyRow | None:
    """The account row, or None."""
    result = await conn.execute(
        select(keys).where(and_(keys.c.ecosystem == ecosystem, keys.c.id == key_id))
    )
    row = result.first()
    return _key_row(row) if row is not None else None


async def insert_key(
    conn: AsyncConnection,
    ecosystem: int,
    key_id: int,
    pub: bytes = b"",
    amount: int = 0,
    blocked: bool = False,
) -> None:
    """Create an account row."""
    await conn.execute(
        insert(keys).values(
            id=key_id,
            ecosystem=ecosystem,
            pub=pub,
            amount=amount,
            blocked=int(blocked),
            account=address_to_string(key_id),
        )
    )


async def insert_keys(conn: AsyncConnection, accounts: Sequence[tuple[int, int]]) -> None:
    """Create empty account rows for (ecosystem, key_id) pairs."""
    if accounts:
        await conn.execute(
            insert(keys),
            [
                {"id": key, "ecosystem": eco, "account": address_to_string(key)}
                for eco, key in accounts
            ],
        )


# A key registered in several ecosystems has one public key; the oldest row is the one to trust.
_FIRST_PUB = (
    select(keys.c.pub).where(keys.c.id == bindparam("key_id")).order_by(keys.c.ecosystem).limit(1)
)


async def get_first_pub(conn: AsyncConnection, key_id: int) -> bytes:
    """The key's public key from its lowest-numbered ecosystem's row; b"" when it has none."""
    result = await conn.execute(_FIRST_PUB, {"key_id": key_id})
    return bytes(result.scalar_one_or_none() or b"")


async def set_key_pub(conn: AsyncConnection, ecosystem: int, key_id: int, pub: bytes) -> None:
    """Give an existing account its public key."""
    await conn.execute(
        update(keys).where(keys.c.ecosystem == ecosystem, keys.c.id == key_id).values(pub=pub)
    )


async def count_keys(conn: AsyncConnection, ecosystem: int) -> int:
    """Number of accounts in an ecosystem."""
    result = await conn.execute(
        select(func.count()).select_from(keys).where(keys.c.ecosystem == ecosystem)
    )
    return int(result.scalar_one())


async def next_member_id(conn: AsyncConnection) -> int:
    """Next application-assigned id of 1_members (ids are shared by all ecosystems)."""
    result = await conn.execute(select(func.coalesce(func.max(members.c.id), 0)))
    return int(result.scalar_one()) + 1


async def insert_member(conn: AsyncConnection, ecosystem: int, key_id: int, name: str) -> None:
    """Add an account as a member of an ecosystem."""
    await conn.execute(
        insert(members).values(
            id=await next_member_id(conn),
            ecosystem=ecosystem,
            account=address_to_string(key_id),
            member_name=name,
        )
    )


async def list_member_roles(
    conn: AsyncConnection, ecosystem: int, key_id: int
) -> list[tuple[int, str]]:
    """Active roles (id, name) of an account, from 1_roles_participants."""
    account = address_to_string(key_id)
    result = await conn.execute(
        select(roles_participants.c.role, roles_participants.c.member)
        .where(roles_participants.c.ecosystem == ecosystem, roles_participants.c.deleted == 0)
        .order_by(roles_participants.c.id)
    )
    found = []
    for role, member in result:
        if not isinstance(role, dict) or not isinstance(member, dict):
            continue
        if member.get("account") != account:
            continue
        try:
            found.append((int(role.get("id", 0)), str(role.get("name", ""))))
        except (TypeError, ValueError):
            continue
    return found
