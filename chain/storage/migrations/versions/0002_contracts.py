"""1_contracts: contracts written in Needle

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 08:25:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import chain.storage.types

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "1_contracts",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("value", sa.Text(), server_default="", nullable=False),
        sa.Column("wallet_id", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("token_id", sa.BigInteger(), server_default="1", nullable=False),
        sa.Column("conditions", sa.Text(), server_default="", nullable=False),
        sa.Column("permissions", chain.storage.types.Json(), nullable=True),
        sa.Column("app_id", sa.BigInteger(), server_default="1", nullable=False),
        sa.Column("ecosystem", sa.BigInteger(), server_default="1", nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_1_contracts")),
        sa.UniqueConstraint("ecosystem", "name", name=op.f("uq_1_contracts_ecosystem_name")),
    )


def downgrade() -> None:
    op.drop_table("1_contracts")
