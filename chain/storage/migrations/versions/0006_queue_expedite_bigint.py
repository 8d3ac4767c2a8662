"""queue_tx.expedite: bigint smallest units, so SQLite orders the queue by it numerically

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07 10:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import chain.storage.types

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# A copy, not chain.golang.ints.INT64_MAX: a released revision must not change with the code.
_INT64_MAX = (1 << 63) - 1


def upgrade() -> None:
    # Money is a decimal string on SQLite, so ORDER BY expedite compared text ("9" > "10").
    # sendTx now keeps Expedite within an int64 of smallest units; older queued values past
    # it keep the highest priority there is.
    if op.get_bind().dialect.name == "postgresql":
        op.alter_column(
            "queue_tx",
            "expedite",
            type_=sa.BigInteger(),
            server_default="0",
            postgresql_using=f"LEAST(expedite, {_INT64_MAX})::bigint",
        )
        return
    # SQLite's CAST of a decimal string past int64 gives the largest int64, as above.
    with op.batch_alter_table("queue_tx", schema=None) as batch_op:
        batch_op.alter_column(
            "expedite",
            existing_type=chain.storage.types.Money(),
            type_=sa.BigInteger(),
            existing_server_default="0",
            server_default="0",
            existing_nullable=False,
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.alter_column(
            "queue_tx",
            "expedite",
            type_=sa.Numeric(30, 0),
            server_default="0",
            postgresql_using="expedite::numeric(30, 0)",
        )
        return
    with op.batch_alter_table("queue_tx", schema=None) as batch_op:
        batch_op.alter_column(
            "expedite",
            existing_type=sa.BigInteger(),
            type_=chain.storage.types.Money(),
            existing_server_default="0",
            server_default="0",
            existing_nullable=False,
        )
