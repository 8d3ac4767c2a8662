"""spent_info: an index on block_id for a block's outputs

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07 23:15:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_spent_info_block", "spent_info", ["block_id"])


def downgrade() -> None:
    op.drop_index("ix_spent_info_block", table_name="spent_info")
