"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-23 07:00:31.398535
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import chain.storage.types

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "1_ecosystems",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("info", chain.storage.types.Json(), nullable=True),
        sa.Column("fee_mode_info", chain.storage.types.Json(), nullable=True),
        sa.Column("is_valued", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("emission_amount", chain.storage.types.Json(), nullable=True),
        sa.Column("token_symbol", sa.String(length=255), server_default="", nullable=False),
        sa.Column("token_name", sa.String(length=255), server_default="", nullable=False),
        sa.Column("type_emission", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("type_withdraw", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("control_mode", sa.BigInteger(), server_default="1", nullable=False),
        sa.Column("digits", sa.BigInteger(), server_default="0", nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_1_ecosystems")),
    )
    op.create_table(
        "1_keys",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("pub", sa.LargeBinary(), server_default="", nullable=False),
        sa.Column("amount", chain.storage.types.Money(), server_default="0", nullable=False),
        sa.Column("maxpay", chain.storage.types.Money(), server_default="0", nullable=False),
        sa.Column("multi", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("deleted", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("blocked", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("ecosystem", sa.BigInteger(), server_default="1", nullable=False),
        sa.Column("account", sa.String(length=24), nullable=False),
        sa.PrimaryKeyConstraint("ecosystem", "id", name=op.f("pk_1_keys")),
        sa.UniqueConstraint("ecosystem", "account", name=op.f("uq_1_keys_ecosystem_account")),
    )
    op.create_table(
        "1_members",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("member_name", sa.String(length=255), server_default="", nullable=False),
        sa.Column("image_id", sa.BigInteger(), nullable=True),
        sa.Column("member_info", chain.storage.types.Json(), nullable=True),
        sa.Column("ecosystem", sa.BigInteger(), server_default="1", nullable=False),
        sa.Column("account", sa.String(length=24), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_1_members")),
        sa.UniqueConstraint("account", "ecosystem", name=op.f("uq_1_members_account_ecosystem")),
    )
    op.create_table(
        "1_parameters",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("value", sa.Text(), server_default="", nullable=False),
        sa.Column("conditions", sa.Text(), server_default="", nullable=False),
        sa.Column("permissions", chain.storage.types.Json(), nullable=True),
        sa.Column("ecosystem", sa.BigInteger(), server_default="1", nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_1_parameters")),
        sa.UniqueConstraint("ecosystem", "name", name=op.f("uq_1_parameters_ecosystem_name")),
    )
    op.create_table(
        "1_platform_parameters",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("value", sa.Text(), server_default="", nullable=False),
        sa.Column("conditions", sa.Text(), server_default="", nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_1_platform_parameters")),
        sa.UniqueConstraint("name", name=op.f("uq_1_platform_parameters_name")),
    )
    op.create_table(
        "1_roles",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("default_page", sa.String(length=255), server_default="", nullable=False),
        sa.Column("role_name", sa.String(length=255), nullable=False),
        sa.Column("deleted", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("role_type", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("creator", chain.storage.types.Json(), nullable=True),
        sa.Column("date_created", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("date_deleted", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("company_id", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("roles_access", chain.storage.types.Json(), nullable=True),
        sa.Column("image_id", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("ecosystem", sa.BigInteger(), server_default="1", nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_1_roles")),
    )
    op.create_table(
        "1_roles_participants",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("role", chain.storage.types.Json(), nullable=True),
        sa.Column("member", chain.storage.types.Json(), nullable=True),
        sa.Column("appointed", chain.storage.types.Json(), nullable=True),
        sa.Column("date_created", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("date_deleted", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("deleted", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("ecosystem", sa.BigInteger(), server_default="1", nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_1_roles_participants")),
    )
    op.create_table(
        "block_chain",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("hash", sa.LargeBinary(), nullable=False),
        sa.Column("rollbacks_hash", sa.LargeBinary(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("ecosystem_id", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("key_id", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("node_position", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("time", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("tx", sa.Integer(), server_default="0", nullable=False),
        sa.Column("consensus_mode", sa.Integer(), server_default="1", nullable=False),
        sa.Column("candidate_nodes", sa.LargeBinary(), server_default="", nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_block_chain")),
    )
    op.create_table(
        "info_block",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("hash", sa.LargeBinary(), nullable=False),
        sa.Column("rollbacks_hash", sa.LargeBinary(), nullable=False),
        sa.Column("block_id", sa.BigInteger(), nullable=False),
        sa.Column("node_position", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("key_id", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("time", sa.BigInteger(), nullable=False),
        sa.Column("current_version", sa.String(length=50), server_default="0.0.1", nullable=False),
        sa.Column("consensus_mode", sa.Integer(), server_default="1", nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_info_block")),
    )
    op.create_table(
        "log_transactions",
        sa.Column("hash", sa.LargeBinary(), nullable=False),
        sa.Column("block", sa.BigInteger(), nullable=False),
        sa.Column("timestamp", sa.BigInteger(), nullable=False),
        sa.Column("contract_name", sa.String(length=255), server_default="", nullable=False),
        sa.Column("address", sa.BigInteger(), nullable=False),
        sa.Column("ecosystem_id", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.Integer(), server_default="0", nullable=False),
        sa.PrimaryKeyConstraint("hash", name=op.f("pk_log_transactions")),
    )
    with op.batch_alter_table("log_transactions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_log_transactions_block"), ["block"], unique=False)

    op.create_table(
        "node_config",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_node_config")),
    )
    op.create_table(
        "queue_tx",
        sa.Column(
            "seq",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("hash", sa.LargeBinary(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("expedite", chain.storage.types.Money(), server_default="0", nullable=False),
        sa.Column("time", sa.BigInteger(), nullable=False),
        sa.Column("key_id", sa.BigInteger(), nullable=False),
        sa.Column("high_rate", sa.Integer(), server_default="0", nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_queue_tx")),
        sa.UniqueConstraint("hash", name=op.f("uq_queue_tx_hash")),
    )
    op.create_table(
        "rollback_tx",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("block_id", sa.BigInteger(), nullable=False),
        sa.Column("tx_hash", sa.LargeBinary(), nullable=False),
        sa.Column("table_name", sa.String(length=255), nullable=False),
        sa.Column("table_id", sa.String(length=255), nullable=False),
        sa.Column("data", sa.Text(), server_default="", nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rollback_tx")),
    )
    with op.batch_alter_table("rollback_tx", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_rollback_tx_block_id"), ["block_id"], unique=False)

    op.create_table(
        "spent_info",
        sa.Column("input_tx_hash", sa.LargeBinary(), nullable=True),
        sa.Column("input_index", sa.Integer(), server_default="0", nullable=False),
        sa.Column("output_tx_hash", sa.LargeBinary(), nullable=False),
        sa.Column("output_index", sa.Integer(), nullable=False),
        sa.Column("output_key_id", sa.BigInteger(), nullable=False),
        sa.Column("output_value", chain.storage.types.Money(), nullable=False),
        sa.Column("ecosystem", sa.BigInteger(), nullable=False),
        sa.Column("block_id", sa.BigInteger(), nullable=False),
        sa.Column("type", sa.Integer(), server_default="0", nullable=False),
        sa.PrimaryKeyConstraint("output_tx_hash", "output_index", name=op.f("pk_spent_info")),
    )
    with op.batch_alter_table("spent_info", schema=None) as batch_op:
        batch_op.create_index(
            "ix_spent_info_unspent", ["output_key_id", "ecosystem", "input_tx_hash"], unique=False
        )

    op.create_table(
        "transactions_status",
        sa.Column("hash", sa.LargeBinary(), nullable=False),
        sa.Column("time", sa.BigInteger(), nullable=False),
        sa.Column("type", sa.Integer(), nullable=False),
        sa.Column("ecosystem", sa.BigInteger(), server_default="1", nullable=False),
        sa.Column("wallet_id", sa.BigInteger(), nullable=False),
        sa.Column("block_id", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("error", sa.String(length=255), server_default="", nullable=False),
        sa.Column("penalty", sa.Integer(), server_default="0", nullable=False),
        sa.Column("result", sa.String(length=255), server_default="", nullable=False),
        sa.PrimaryKeyConstraint("hash", name=op.f("pk_transactions_status")),
    )


def downgrade() -> None:

    op.drop_table("transactions_status")
    with op.batch_alter_table("spent_info", schema=None) as batch_op:
        batch_op.drop_index("ix_spent_info_unspent")

    op.drop_table("spent_info")
    with op.batch_alter_table("rollback_tx", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rollback_tx_block_id"))

    op.drop_table("rollback_tx")
    op.drop_table("queue_tx")
    op.drop_table("node_config")
    with op.batch_alter_table("log_transactions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_log_transactions_block"))

    op.drop_table("log_transactions")
    op.drop_table("info_block")
    op.drop_table("block_chain")
    op.drop_table("1_roles_participants")
    op.drop_table("1_roles")
    op.drop_table("1_platform_parameters")
    op.drop_table("1_parameters")
    op.drop_table("1_members")
    op.drop_table("1_keys")
    op.drop_table("1_ecosystems")
