"""rollback_tx: an index on (table_name, table_id) for a row's history

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30 06:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_rollback_tx_row", "rollback_tx", ["table_name", "table_id"])


def downgrade() -> None:
    op.drop_index("ix_rollback_tx_row", table_name="rollback_tx")
