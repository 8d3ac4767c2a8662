"""SQLAlchemy Core tables of the ledger, shaped as the reference node's (section 8)."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from chain.storage.types import Json, Money

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

# SQLite only auto-increments an INTEGER PRIMARY KEY, PostgreSQL wants BIGINT for large logs.
AutoId = BigInteger().with_variant(Integer(), "sqlite")

node_config = Table(
    "node_config",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)

block_chain = Table(
    "block_chain",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=False),
    Column("hash", LargeBinary, nullable=False),
    Column("rollbacks_hash", LargeBinary, nullable=False),
    Column("data", LargeBinary, nullable=False),
    Column("ecosystem_id", BigInteger, nullable=False, server_default="0"),
    Column("key_id", BigInteger, nullable=False, server_default="0"),
    Column("node_position", BigInteger, nullable=False, server_default="0"),
    Column("time", BigInteger, nullable=False, server_default="0"),
    Column("tx", Integer, nullable=False, server_default="0"),
    Column("consensus_mode", Integer, nullable=False, server_default="1"),
    Column("candidate_nodes", LargeBinary, nullable=False, server_default=""),
)

info_block = Table(
    "info_block",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),  # always 1: the chain head
    Column("hash", LargeBinary, nullable=False),
    Column("rollbacks_hash", LargeBinary, nullable=False),
    Column("block_id", BigInteger, nullable=False),
    Column("node_position", BigInteger, nullable=False, server_default="0"),
    Column("key_id", BigInteger, nullable=False, server_default="0"),
    Column("time", BigInteger, nullable=False),
    Column("current_version", String(50), nullable=False, server_default="0.0.1"),
    Column("consensus_mode", Integer, nullable=False, server_default="1"),
)

queue_tx = Table(
    "queue_tx",
    metadata,
    Column("seq", AutoId, primary_key=True, autoincrement=True),
    Column("hash", LargeBinary, nullable=False, unique=True),
    Column("data", LargeBinary, nullable=False),
    Column("expedite", Money, nullable=False, server_default="0"),
    Column("time", BigInteger, nullable=False),  # unix ms when accepted
    Column("key_id", BigInteger, nullable=False),
    Column("high_rate", Integer, nullable=False, server_default="0"),
)

transactions_status = Table(
    "transactions_status",
    metadata,
    Column("hash", LargeBinary, primary_key=True),
    Column("time", BigInteger, nullable=False),
    Column("type", Integer, nullable=False),
    Column("ecosystem", BigInteger, nullable=False, server_default="1"),
    Column("wallet_id", BigInteger, nullable=False),
    Column("block_id", BigInteger, nullable=False, server_default="0"),
    Column("error", String(255), nullable=False, server_default=""),
    Column("penalty", Integer, nullable=False, server_default="0"),
    Column("result", String(255), nullable=False, server_default=""),
)

log_transactions = Table(
    "log_transactions",
    metadata,
    Column("hash", LargeBinary, primary_key=True),
    Column("block", BigInteger, nullable=False, index=True),
    Column("timestamp", BigInteger, nullable=False),  # unix ms
    Column("contract_name", String(255), nullable=False, server_default=""),
    Column("address", BigInteger, nullable=False),
    Column("ecosystem_id", BigInteger, nullable=False),
    Column("status", Integer, nullable=False, server_default="0"),
)

rollback_tx = Table(
    "rollback_tx",
    metadata,
    Column("id", AutoId, primary_key=True, autoincrement=True),
    Column("block_id", BigInteger, nullable=False, index=True),
    Column("tx_hash", LargeBinary, nullable=False),
    Column("table_name", String(255), nullable=False),
    Column("table_id", String(255), nullable=False),
    Column("data", Text, nullable=False, server_default=""),
)

spent_info = Table(
    "spent_info",
    metadata,
    Column("input_tx_hash", LargeBinary, nullable=True),
    Column("input_index", Integer, nullable=False, server_default="0"),
    Column("output_tx_hash", LargeBinary, nullable=False),
    Column("output_index", Integer, nullable=False),
    Column("output_key_id", BigInteger, nullable=False),
    Column("output_value", Money, nullable=False),
    Column("ecosystem", BigInteger, nullable=False),
    Column("block_id", BigInteger, nullable=False),
    Column("type", Integer, nullable=False, server_default="0"),
    PrimaryKeyConstraint("output_tx_hash", "output_index"),
    Index("ix_spent_info_unspent", "output_key_id", "ecosystem", "input_tx_hash"),
)

keys = Table(
    "1_keys",
    metadata,
    Column("id", BigInteger, nullable=False, autoincrement=False),
    Column("pub", LargeBinary, nullable=False, server_default=""),
    Column("amount", Money, nullable=False, server_default="0"),
    Column("maxpay", Money, nullable=False, server_default="0"),
    Column("multi", BigInteger, nullable=False, server_default="0"),
    Column("deleted", BigInteger, nullable=False, server_default="0"),
    Column("blocked", BigInteger, nullable=False, server_default="0"),
    Column("ecosystem", BigInteger, nullable=False, server_default="1"),
    Column("account", String(24), nullable=False),
    PrimaryKeyConstraint("ecosystem", "id"),
    UniqueConstraint("ecosystem", "account"),
)

ecosystems = Table(
    "1_ecosystems",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=False),
    Column("name", String(255), nullable=False),
    Column("info", Json()),
    Column("fee_mode_info", Json()),
    Column("is_valued", BigInteger, nullable=False, server_default="0"),
    Column("emission_amount", Json()),
    Column("token_symbol", String(255), nullable=False, server_default=""),
    Column("token_name", String(255), nullable=False, server_default=""),
    Column("type_emission", BigInteger, nullable=False, server_default="0"),
    Column("type_withdraw", BigInteger, nullable=False, server_default="0"),
    Column("control_mode", BigInteger, nullable=False, server_default="1"),
    Column("digits", BigInteger, nullable=False, server_default="0"),
)

platform_parameters = Table(
    "1_platform_parameters",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=False),
    Column("name", String(255), nullable=False, unique=True),
    Column("value", Text, nullable=False, server_default=""),
    Column("conditions", Text, nullable=False, server_default=""),
)

parameters = Table(
    "1_parameters",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=False),
    Column("name", String(255), nullable=False),
    Column("value", Text, nullable=False, server_default=""),
    Column("conditions", Text, nullable=False, server_default=""),
    Column("permissions", Json()),
    Column("ecosystem", BigInteger, nullable=False, server_default="1"),
    UniqueConstraint("ecosystem", "name"),
)

members = Table(
    "1_members",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=False),
    Column("member_name", String(255), nullable=False, server_default=""),
    Column("image_id", BigInteger),
    Column("member_info", Json()),
    Column("ecosystem", BigInteger, nullable=False, server_default="1"),
    Column("account", String(24), nullable=False),
    UniqueConstraint("account", "ecosystem"),
)

roles = Table(
    "1_roles",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=False),
    Column("default_page", String(255), nullable=False, server_default=""),
    Column("role_name", String(255), nullable=False),
    Column("deleted", BigInteger, nullable=False, server_default="0"),
    Column("role_type", BigInteger, nullable=False, server_default="0"),
    Column("creator", Json()),
    Column("date_created", BigInteger, nullable=False, server_default="0"),
    Column("date_deleted", BigInteger, nullable=False, server_default="0"),
    Column("company_id", BigInteger, nullable=False, server_default="0"),
    Column("roles_access", Json()),
    Column("image_id", BigInteger, nullable=False, server_default="0"),
    Column("ecosystem", BigInteger, nullable=False, server_default="1"),
)

roles_participants = Table(
    "1_roles_participants",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=False),
    Column("role", Json()),
    Column("member", Json()),
    Column("appointed", Json()),
    Column("date_created", BigInteger, nullable=False, server_default="0"),
    Column("date_deleted", BigInteger, nullable=False, server_default="0"),
    Column("deleted", BigInteger, nullable=False, server_default="0"),
    Column("ecosystem", BigInteger, nullable=False, server_default="1"),
)

contracts = Table(
    "1_contracts",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=False),
    Column("name", Text, nullable=False),
    Column("value", Text, nullable=False, server_default=""),
    Column("wallet_id", BigInteger, nullable=False, server_default="0"),
    Column("token_id", BigInteger, nullable=False, server_default="1"),
    Column("conditions", Text, nullable=False, server_default=""),
    Column("permissions", Json()),
    Column("app_id", BigInteger, nullable=False, server_default="1"),
    Column("ecosystem", BigInteger, nullable=False, server_default="1"),
    UniqueConstraint("ecosystem", "name"),
)
