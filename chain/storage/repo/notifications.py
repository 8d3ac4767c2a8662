"""Unread notifications (1_notifications) counted as keyinfo reports them."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import String, func, literal, or_, select
from sqlalchemy.ext.asyncio import AsyncConnection

from chain.storage.query import json_text
from chain.storage.schema import notifications

# notification->>'type': one addressed to an account, or to everyone holding a role.
SINGLE = "1"
ROLE = "2"


async def count_account_notifications(conn: AsyncConnection, ecosystem: int, account: str) -> int:
    """Open notifications of an ecosystem addressed to one account (`recipient.account`)."""
    n = notifications.c
    result = await conn.execute(
        select(func.count())
        .select_from(notifications)
        .where(
            n.ecosystem == ecosystem,
            n.closed == 0,
            json_text(n.notification, "type") == literal(SINGLE, String),
            json_text(n.recipient, "account") == literal(account, String),
        )
    )
    return int(result.scalar_one())


async def count_role_notifications(
    conn: AsyncConnection, ecosystem: int, account: str, role_ids: Sequence[int]
) -> dict[int, int]:
    """Open notifications of an ecosystem per role id (`recipient.role_id`), among `role_ids`.

    A role's notification that another account has started processing is theirs, not counted.
    """
    if not role_ids:
        return {}
    n = notifications.c
    role = json_text(n.recipient, "role_id")
    result = await conn.execute(
        select(role, func.count())
        .where(
            n.ecosystem == ecosystem,
            n.closed == 0,
            json_text(n.notification, "type") == literal(ROLE, String),
            role.in_([str(role_id) for role_id in role_ids]),
            or_(
                n.date_start_processing == 0,
                json_text(n.processing_info, "account") == literal(account, String),
            ),
        )
        .group_by(role)
    )
    return {int(role_id): int(count) for role_id, count in result}
