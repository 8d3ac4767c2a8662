"""An account's open notifications per ecosystem and role (keyinfo, live events)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncConnection

from chain.address import address_to_string
from chain.storage.repo.chainview import list_key_ecosystems
from chain.storage.repo.keys import list_member_roles
from chain.storage.repo.notifications import (
    count_account_notifications,
    count_role_notifications,
)


@dataclass(frozen=True, slots=True)
class EcosystemNotices:
    """One ecosystem of an account: its active roles and its open notifications' counts."""

    ecosystem: int
    roles: list[tuple[int, str]]  # (role id, name), as 1_roles_participants lists them
    # (role id, count): role 0 (addressed to the account) first, then one per role it holds.
    counts: list[tuple[int, int]]


async def account_notices(conn: AsyncConnection, key_id: int) -> list[EcosystemNotices]:
    """Every ecosystem the account exists in, by id, with its roles and notification counts."""
    account = address_to_string(key_id)
    found = []
    for eco in await list_key_ecosystems(conn, key_id):
        roles = await list_member_roles(conn, eco, key_id)
        role_ids = list(dict.fromkeys(rid for rid, _ in roles))
        own = await count_account_notifications(conn, eco, account)
        by_role = await count_role_notifications(conn, eco, account, role_ids)
        counts = [(0, own)] + [(rid, by_role.get(rid, 0)) for rid in role_ids]
        found.append(EcosystemNotices(eco, roles, counts))
    return found
