"""The shared ecosystem tables and the platform-only ones; existing 1_* tables aligned

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30 03:42:14
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

import chain.storage.types

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "1_app_params",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("app_id", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("name", sa.String(length=255), server_default="", nullable=False),
        sa.Column("value", sa.Text(), server_default="", nullable=False),
        sa.Column("conditions", sa.Text(), server_default="", nullable=False),
        sa.Column("permissions", chain.storage.types.Json(), nullable=True),
        sa.Column("ecosystem", sa.BigInteger(), server_default="1", nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_1_app_params")),
        sa.UniqueConstraint(
            "ecosystem", "app_id", "name", name=op.f("uq_1_app_params_ecosystem_app_id_name")
        ),
    )
    op.create_table(
        "1_applications",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("name", sa.String(length=255), server_default="", nullable=False),
        sa.Column(
            "uuid",
            sa.String(length=36),
            server_default="00000000-0000-0000-0000-000000000000",
            nullable=False,
        ),
        sa.Column("conditions", sa.Text(), server_default="", nullable=False),
        sa.Column("deleted", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("ecosystem", sa.BigInteger(), server_default="1", nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_1_applications")),
    )
    with op.batch_alter_table("1_applications", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_1_applications_ecosystem"), ["ecosystem"], unique=False
        )

    op.create_table(
        "1_bad_blocks",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("producer_node_id", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("block_id", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("consumer_node_id", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("block_time", sa.DateTime(), nullable=False),
        sa.Column("reason", sa.Text(), server_default="", nullable=False),
        sa.Column("deleted", sa.BigInteger(), server_default="0", nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_1_bad_blocks")),
    )
    op.create_table(
        "1_binaries",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("app_id", sa.BigInteger(), server_default="1", nullable=False),
        sa.Column("name", sa.String(length=255), server_default="", nullable=False),
        sa.Column("data", sa.LargeBinary(), server_default="", nullable=False),
        sa.Column("hash", sa.String(length=64), server_default="", nullable=False),
        sa.Column("mime_type", sa.String(length=255), server_default="", nullable=False),
        sa.Column("ecosystem", sa.BigInteger(), server_default="1", nullable=False),
        sa.Column("account", sa.String(length=24), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_1_binaries")),
        sa.UniqueConstraint(
            "account",
            "ecosystem",
            "app_id",
            "name",
            name=op.f("uq_1_binaries_account_ecosystem_app_id_name"),
        ),
    )
    op.create_table(
        "1_buffer_data",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("key", sa.String(length=255), server_default="", nullable=False),
        sa.Column("value", chain.storage.types.Json(), nullable=True),
        sa.Column("ecosystem", sa.BigInteger(), server_default="1", nullable=False),
        sa.Column("account", sa.String(length=24), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_1_buffer_data")),
    )
    with op.batch_alter_table("1_buffer_data", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_1_buffer_data_ecosystem"), ["ecosystem"], unique=False)

    op.create_table(
        "1_delayed_contracts",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("contract", sa.String(length=255), server_default="", nullable=False),
        sa.Column("key_id", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("block_id", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("every_block", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("counter", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("high_rate", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("limit", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("deleted", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("conditions", sa.Text(), server_default="", nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_1_delayed_contracts")),
    )
    with op.batch_alter_table("1_delayed_contracts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_1_delayed_contracts_block_id"), ["block_id"], unique=False
        )

    op.create_table(
        "1_history",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("sender_id", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("recipient_id", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column(
            "sender_balance", chain.storage.types.Money(), server_default="0", nullable=False
        ),
        sa.Column(
            "recipient_balance", chain.storage.types.Money(), server_default="0", nullable=False
        ),
        sa.Column("amount", chain.storage.types.Money(), server_default="0", nullable=False),
        sa.Column("value_detail", chain.storage.types.Json(), nullable=True),
        sa.Column("comment", sa.Text(), server_default="", nullable=False),
        sa.Column("status", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("block_id", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("txhash", sa.LargeBinary(), server_default="", nullable=False),
        sa.Column("created_at", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("ecosystem", sa.BigInteger(), server_default="1", nullable=False),
        sa.Column("type", sa.BigInteger(), server_default="1", nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_1_history")),
    )
    with op.batch_alter_table("1_history", schema=None) as batch_op:
        batch_op.create_index("ix_1_history_block_id_txhash", ["block_id", "txhash"], unique=False)
        batch_op.create_index(
            "ix_1_history_ecosystem_recipient_id", ["ecosystem", "recipient_id"], unique=False
        )
        batch_op.create_index(
            "ix_1_history_ecosystem_sender_id", ["ecosystem", "sender_id"], unique=False
        )

    op.create_table(
        "1_languages",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("name", sa.String(length=100), server_default="", nullable=False),
        sa.Column("res", sa.Text(), server_default="", nullable=False),
        sa.Column("conditions", sa.Text(), server_default="", nullable=False),
        sa.Column("permissions", chain.storage.types.Json(), nullable=True),
        sa.Column("ecosystem", sa.BigInteger(), server_default="1", nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_1_languages")),
    )
    with op.batch_alter_table("1_languages", schema=None) as batch_op:
        batch_op.create_index("ix_1_languages_ecosystem_name", ["ecosystem", "name"], unique=False)

    op.create_table(
        "1_menu",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("name", sa.String(length=255), server_default="", nullable=False),
        sa.Column("title", sa.String(length=255), server_default="", nullable=False),
        sa.Column("value", sa.Text(), server_default="", nullable=False),
        sa.Column("conditions", sa.Text(), server_default="", nullable=False),
        sa.Column("permissions", chain.storage.types.Json(), nullable=True),
        sa.Column("ecosystem", sa.BigInteger(), server_default="1", nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_1_menu")),
        sa.UniqueConstraint("ecosystem", "name", name=op.f("uq_1_menu_ecosystem_name")),
    )
    op.create_table(
        "1_node_ban_logs",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("node_id", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("banned_at", sa.DateTime(), nullable=False),
        sa.Column("ban_time", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("reason", sa.Text(), server_default="", nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_1_node_ban_logs")),
    )
    op.create_table(
        "1_notifications",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("recipient", chain.storage.types.Json(), nullable=True),
        sa.Column("sender", chain.storage.types.Json(), nullable=True),
        sa.Column("notification", chain.storage.types.Json(), nullable=True),
        sa.Column("page_params", chain.storage.types.Json(), nullable=True),
        sa.Column("processing_info", chain.storage.types.Json(), nullable=True),
        sa.Column("page_name", sa.String(length=255), server_default="", nullable=False),
        sa.Column("date_created", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("date_start_processing", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("date_closed", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("closed", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("ecosystem", sa.BigInteger(), server_default="1", nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_1_notifications")),
    )
    with op.batch_alter_table("1_notifications", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_1_notifications_ecosystem"), ["ecosystem"], unique=False
        )

    op.create_table(
        "1_pages",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("name", sa.String(length=255), server_default="", nullable=False),
        sa.Column("value", sa.Text(), server_default="", nullable=False),
        sa.Column("menu", sa.String(length=255), server_default="", nullable=False),
        sa.Column("validate_count", sa.BigInteger(), server_default="1", nullable=False),
        sa.Column("conditions", sa.Text(), server_default="", nullable=False),
        sa.Column("permissions", chain.storage.types.Json(), nullable=True),
        sa.Column("app_id", sa.BigInteger(), server_default="1", nullable=False),
        sa.Column("validate_mode", sa.String(length=1), server_default="0", nullable=False),
        sa.Column("ecosystem", sa.BigInteger(), server_default="1", nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_1_pages")),
        sa.UniqueConstraint("ecosystem", "name", name=op.f("uq_1_pages_ecosystem_name")),
    )
    op.create_table(
        "1_sections",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("title", sa.String(length=255), server_default="", nullable=False),
        sa.Column("urlname", sa.String(length=255), server_default="", nullable=False),
        sa.Column("page", sa.String(length=255), server_default="", nullable=False),
        sa.Column("roles_access", chain.storage.types.Json(), nullable=True),
        sa.Column("status", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("ecosystem", sa.BigInteger(), server_default="1", nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_1_sections")),
    )
    with op.batch_alter_table("1_sections", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_1_sections_ecosystem"), ["ecosystem"], unique=False)

    op.create_table(
        "1_snippets",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("name", sa.String(length=255), server_default="", nullable=False),
        sa.Column("value", sa.Text(), server_default="", nullable=False),
        sa.Column("conditions", sa.Text(), server_default="", nullable=False),
        sa.Column("permissions", chain.storage.types.Json(), nullable=True),
        sa.Column("app_id", sa.BigInteger(), server_default="1", nullable=False),
        sa.Column("ecosystem", sa.BigInteger(), server_default="1", nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_1_snippets")),
        sa.UniqueConstraint("ecosystem", "name", name=op.f("uq_1_snippets_ecosystem_name")),
    )
    op.create_table(
        "1_tables",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("name", sa.String(length=100), server_default="", nullable=False),
        sa.Column("permissions", chain.storage.types.Json(), nullable=True),
        sa.Column("columns", chain.storage.types.Json(), nullable=True),
        sa.Column("conditions", sa.Text(), server_default="", nullable=False),
        sa.Column("app_id", sa.BigInteger(), server_default="1", nullable=False),
        sa.Column("ecosystem", sa.BigInteger(), server_default="1", nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_1_tables")),
        sa.UniqueConstraint("ecosystem", "name", name=op.f("uq_1_tables_ecosystem_name")),
    )
    op.create_table(
        "1_time_zones",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("name", sa.String(length=255), server_default="", nullable=False),
        sa.Column("offset", sa.String(length=6), server_default="", nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_1_time_zones")),
        sa.UniqueConstraint("name", name=op.f("uq_1_time_zones_name")),
    )
    op.create_table(
        "1_views",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("name", sa.String(length=100), server_default="", nullable=False),
        sa.Column("columns", chain.storage.types.Json(), nullable=True),
        sa.Column("wheres", chain.storage.types.Json(), nullable=True),
        sa.Column("permissions", chain.storage.types.Json(), nullable=True),
        sa.Column("conditions", sa.Text(), server_default="", nullable=False),
        sa.Column("app_id", sa.BigInteger(), server_default="1", nullable=False),
        sa.Column("ecosystem", sa.BigInteger(), server_default="1", nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_1_views")),
        sa.UniqueConstraint("ecosystem", "name", name=op.f("uq_1_views_ecosystem_name")),
    )
    _align_existing_tables()


def downgrade() -> None:
    _restore_existing_tables()
    op.drop_table("1_views")
    op.drop_table("1_time_zones")
    op.drop_table("1_tables")
    op.drop_table("1_snippets")
    with op.batch_alter_table("1_sections", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_1_sections_ecosystem"))

    op.drop_table("1_sections")
    op.drop_table("1_pages")
    with op.batch_alter_table("1_notifications", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_1_notifications_ecosystem"))

    op.drop_table("1_notifications")
    op.drop_table("1_node_ban_logs")
    op.drop_table("1_menu")
    with op.batch_alter_table("1_languages", schema=None) as batch_op:
        batch_op.drop_index("ix_1_languages_ecosystem_name")

    op.drop_table("1_languages")
    with op.batch_alter_table("1_history", schema=None) as batch_op:
        batch_op.drop_index("ix_1_history_ecosystem_sender_id")
        batch_op.drop_index("ix_1_history_ecosystem_recipient_id")
        batch_op.drop_index("ix_1_history_block_id_txhash")

    op.drop_table("1_history")
    with op.batch_alter_table("1_delayed_contracts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_1_delayed_contracts_block_id"))

    op.drop_table("1_delayed_contracts")
    with op.batch_alter_table("1_buffer_data", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_1_buffer_data_ecosystem"))

    op.drop_table("1_buffer_data")
    op.drop_table("1_binaries")
    op.drop_table("1_bad_blocks")
    with op.batch_alter_table("1_applications", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_1_applications_ecosystem"))

    op.drop_table("1_applications")
    op.drop_table("1_app_params")


def _fill_nulls(table: str, column: str, value: object, type_: sa.types.TypeEngine[Any]) -> None:
    """Give rows written before this revision the default a NOT NULL column now requires."""
    t = sa.table(table, sa.column(column, type_))
    op.execute(t.update().where(t.c[column].is_(None)).values({column: value}))


def _align_existing_tables() -> None:
    """Bring the tables of 0001/0002 to the reference's defaults, checks and indexes."""
    with op.batch_alter_table("1_keys", schema=None) as batch_op:
        batch_op.create_check_constraint(op.f("ck_1_keys_amount_nonnegative"), "amount >= 0")
        batch_op.create_check_constraint(op.f("ck_1_keys_maxpay_nonnegative"), "maxpay >= 0")
        batch_op.create_index(batch_op.f("ix_1_keys_account"), ["account"], unique=False)

    _fill_nulls("1_members", "image_id", 0, sa.BigInteger())
    with op.batch_alter_table("1_members", schema=None) as batch_op:
        batch_op.alter_column(
            "image_id", existing_type=sa.BigInteger(), nullable=False, server_default="0"
        )
        batch_op.create_index(batch_op.f("ix_1_members_ecosystem"), ["ecosystem"], unique=False)

    _fill_nulls("1_roles", "creator", {}, chain.storage.types.Json())
    with op.batch_alter_table("1_roles", schema=None) as batch_op:
        batch_op.alter_column(
            "role_name",
            existing_type=sa.String(length=255),
            existing_nullable=False,
            server_default="",
        )
        batch_op.alter_column(
            "creator",
            existing_type=chain.storage.types.Json(),
            nullable=False,
            server_default="{}",
        )
        batch_op.create_index(
            "ix_1_roles_ecosystem_deleted", ["ecosystem", "deleted"], unique=False
        )
        batch_op.create_index(
            "ix_1_roles_ecosystem_role_type", ["ecosystem", "role_type"], unique=False
        )

    with op.batch_alter_table("1_roles_participants", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_1_roles_participants_ecosystem"), ["ecosystem"], unique=False
        )

    with op.batch_alter_table("1_contracts", schema=None) as batch_op:
        batch_op.alter_column(
            "name", existing_type=sa.Text(), existing_nullable=False, server_default=""
        )


def _restore_existing_tables() -> None:
    """Undo _align_existing_tables."""
    with op.batch_alter_table("1_contracts", schema=None) as batch_op:
        batch_op.alter_column(
            "name", existing_type=sa.Text(), existing_nullable=False, server_default=None
        )

    with op.batch_alter_table("1_roles_participants", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_1_roles_participants_ecosystem"))

    with op.batch_alter_table("1_roles", schema=None) as batch_op:
        batch_op.drop_index("ix_1_roles_ecosystem_role_type")
        batch_op.drop_index("ix_1_roles_ecosystem_deleted")
        batch_op.alter_column(
            "creator", existing_type=chain.storage.types.Json(), nullable=True, server_default=None
        )
        batch_op.alter_column(
            "role_name",
            existing_type=sa.String(length=255),
            existing_nullable=False,
            server_default=None,
        )

    with op.batch_alter_table("1_members", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_1_members_ecosystem"))
        batch_op.alter_column(
            "image_id", existing_type=sa.BigInteger(), nullable=True, server_default=None
        )

    with op.batch_alter_table("1_keys", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_1_keys_account"))
        batch_op.drop_constraint(op.f("ck_1_keys_maxpay_nonnegative"), type_="check")
        batch_op.drop_constraint(op.f("ck_1_keys_amount_nonnegative"), type_="check")
