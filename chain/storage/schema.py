"""SQLAlchemy Core tables of the ledger, shaped as the reference node's (section 8)."""

# The revisions in migrations/versions/ spell these tables out again, as each revision made
# them, on purpose: a released revision is frozen and must not follow later edits here.
# tests/chain/storage/test_migrations.py checks that the head revision matches this module.

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    DateTime,
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
    # Smallest units of the Expedite fee, an int64 so both backends order it as a number.
    Column("expedite", BigInteger, nullable=False, server_default="0"),
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
    # history/{name}/{id} reads a row's records; without it, a scan of the whole chain's.
    Index("ix_rollback_tx_row", "table_name", "table_id"),
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
    # Every block reads its own outputs (the rollback hash) and a rollback deletes them: without
    # it, each block scanned every output the chain ever made.
    Index("ix_spent_info_block", "block_id"),
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
    Column("account", String(24), nullable=False, index=True),
    PrimaryKeyConstraint("ecosystem", "id"),
    UniqueConstraint("ecosystem", "account"),
    # On SQLite Money is text: '-...' sorts below '0', so the same check holds there.
    CheckConstraint("amount >= 0", name="amount_nonnegative"),
    CheckConstraint("maxpay >= 0", name="maxpay_nonnegative"),
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
    Column("image_id", BigInteger, nullable=False, server_default="0"),
    Column("member_info", Json()),
    Column("ecosystem", BigInteger, nullable=False, server_default="1", index=True),
    Column("account", String(24), nullable=False),
    UniqueConstraint("account", "ecosystem"),
)

roles = Table(
    "1_roles",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=False),
    Column("default_page", String(255), nullable=False, server_default=""),
    Column("role_name", String(255), nullable=False, server_default=""),
    Column("deleted", BigInteger, nullable=False, server_default="0"),
    Column("role_type", BigInteger, nullable=False, server_default="0"),
    Column("creator", Json(), nullable=False, server_default="{}"),
    Column("date_created", BigInteger, nullable=False, server_default="0"),
    Column("date_deleted", BigInteger, nullable=False, server_default="0"),
    Column("company_id", BigInteger, nullable=False, server_default="0"),
    Column("roles_access", Json()),
    Column("image_id", BigInteger, nullable=False, server_default="0"),
    Column("ecosystem", BigInteger, nullable=False, server_default="1"),
    Index("ix_1_roles_ecosystem_deleted", "ecosystem", "deleted"),
    Index("ix_1_roles_ecosystem_role_type", "ecosystem", "role_type"),
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
    Column("ecosystem", BigInteger, nullable=False, server_default="1", index=True),
)

contracts = Table(
    "1_contracts",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=False),
    Column("name", Text, nullable=False, server_default=""),
    Column("value", Text, nullable=False, server_default=""),
    Column("wallet_id", BigInteger, nullable=False, server_default="0"),
    Column("token_id", BigInteger, nullable=False, server_default="1"),
    Column("conditions", Text, nullable=False, server_default=""),
    Column("permissions", Json()),
    Column("app_id", BigInteger, nullable=False, server_default="1"),
    Column("ecosystem", BigInteger, nullable=False, server_default="1"),
    UniqueConstraint("ecosystem", "name"),
)

# Tables shared by every ecosystem (rows carry their `ecosystem`), created with ecosystem 1
# as the reference's first_ecosystem_schema.go does.

menu = Table(
    "1_menu",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=False),
    Column("name", String(255), nullable=False, server_default=""),
    Column("title", String(255), nullable=False, server_default=""),
    Column("value", Text, nullable=False, server_default=""),
    Column("conditions", Text, nullable=False, server_default=""),
    Column("permissions", Json()),
    Column("ecosystem", BigInteger, nullable=False, server_default="1"),
    UniqueConstraint("ecosystem", "name"),
)

pages = Table(
    "1_pages",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=False),
    Column("name", String(255), nullable=False, server_default=""),
    Column("value", Text, nullable=False, server_default=""),
    Column("menu", String(255), nullable=False, server_default=""),
    Column("validate_count", BigInteger, nullable=False, server_default="1"),
    Column("conditions", Text, nullable=False, server_default=""),
    Column("permissions", Json()),
    Column("app_id", BigInteger, nullable=False, server_default="1"),
    Column("validate_mode", String(1), nullable=False, server_default="0"),
    Column("ecosystem", BigInteger, nullable=False, server_default="1"),
    UniqueConstraint("ecosystem", "name"),
)

snippets = Table(
    "1_snippets",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=False),
    Column("name", String(255), nullable=False, server_default=""),
    Column("value", Text, nullable=False, server_default=""),
    Column("conditions", Text, nullable=False, server_default=""),
    Column("permissions", Json()),
    Column("app_id", BigInteger, nullable=False, server_default="1"),
    Column("ecosystem", BigInteger, nullable=False, server_default="1"),
    UniqueConstraint("ecosystem", "name"),
)

languages = Table(
    "1_languages",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=False),
    Column("name", String(100), nullable=False, server_default=""),
    Column("res", Text, nullable=False, server_default=""),  # JSON text {"en": "...", ...}
    Column("conditions", Text, nullable=False, server_default=""),
    Column("permissions", Json()),
    Column("ecosystem", BigInteger, nullable=False, server_default="1"),
    # Not unique in the reference either: NewLang checks for a duplicate itself.
    Index("ix_1_languages_ecosystem_name", "ecosystem", "name"),
)

tables = Table(
    "1_tables",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=False),
    Column("name", String(100), nullable=False, server_default=""),
    Column("permissions", Json()),  # {"insert", "update", "new_column"[, "read", "filter"]}
    Column("columns", Json()),  # {column: permission}
    Column("conditions", Text, nullable=False, server_default=""),
    Column("app_id", BigInteger, nullable=False, server_default="1"),
    Column("ecosystem", BigInteger, nullable=False, server_default="1"),
    UniqueConstraint("ecosystem", "name"),
)

views = Table(
    "1_views",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=False),
    Column("name", String(100), nullable=False, server_default=""),
    Column("columns", Json()),
    Column("wheres", Json()),
    Column("permissions", Json()),
    Column("conditions", Text, nullable=False, server_default=""),
    Column("app_id", BigInteger, nullable=False, server_default="1"),
    Column("ecosystem", BigInteger, nullable=False, server_default="1"),
    UniqueConstraint("ecosystem", "name"),
)

history = Table(
    "1_history",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=False),
    Column("sender_id", BigInteger, nullable=False, server_default="0"),
    Column("recipient_id", BigInteger, nullable=False, server_default="0"),
    Column("sender_balance", Money, nullable=False, server_default="0"),
    Column("recipient_balance", Money, nullable=False, server_default="0"),
    Column("amount", Money, nullable=False, server_default="0"),
    Column("value_detail", Json()),
    Column("comment", Text, nullable=False, server_default=""),
    Column("status", BigInteger, nullable=False, server_default="0"),
    Column("block_id", BigInteger, nullable=False, server_default="0"),
    Column("txhash", LargeBinary, nullable=False, server_default=""),
    Column("created_at", BigInteger, nullable=False, server_default="0"),
    Column("ecosystem", BigInteger, nullable=False, server_default="1"),
    Column("type", BigInteger, nullable=False, server_default="1"),
    Index("ix_1_history_ecosystem_sender_id", "ecosystem", "sender_id"),
    Index("ix_1_history_ecosystem_recipient_id", "ecosystem", "recipient_id"),
    Index("ix_1_history_block_id_txhash", "block_id", "txhash"),
)

sections = Table(
    "1_sections",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=False),
    Column("title", String(255), nullable=False, server_default=""),
    Column("urlname", String(255), nullable=False, server_default=""),
    Column("page", String(255), nullable=False, server_default=""),
    Column("roles_access", Json()),
    Column("status", BigInteger, nullable=False, server_default="0"),
    Column("ecosystem", BigInteger, nullable=False, server_default="1", index=True),
)

notifications = Table(
    "1_notifications",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=False),
    Column("recipient", Json()),
    Column("sender", Json()),
    Column("notification", Json()),
    Column("page_params", Json()),
    Column("processing_info", Json()),
    Column("page_name", String(255), nullable=False, server_default=""),
    Column("date_created", BigInteger, nullable=False, server_default="0"),
    Column("date_start_processing", BigInteger, nullable=False, server_default="0"),
    Column("date_closed", BigInteger, nullable=False, server_default="0"),
    Column("closed", BigInteger, nullable=False, server_default="0"),
    Column("ecosystem", BigInteger, nullable=False, server_default="1", index=True),
)

applications = Table(
    "1_applications",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=False),
    Column("name", String(255), nullable=False, server_default=""),
    # PostgreSQL uuid in the reference; kept as its 36-character text on both backends.
    Column(
        "uuid", String(36), nullable=False, server_default="00000000-0000-0000-0000-000000000000"
    ),
    Column("conditions", Text, nullable=False, server_default=""),
    Column("deleted", BigInteger, nullable=False, server_default="0"),
    Column("ecosystem", BigInteger, nullable=False, server_default="1", index=True),
)

binaries = Table(
    "1_binaries",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=False),
    Column("app_id", BigInteger, nullable=False, server_default="1"),
    Column("name", String(255), nullable=False, server_default=""),
    Column("data", LargeBinary, nullable=False, server_default=""),
    Column("hash", String(64), nullable=False, server_default=""),
    Column("mime_type", String(255), nullable=False, server_default=""),
    Column("ecosystem", BigInteger, nullable=False, server_default="1"),
    Column("account", String(24), nullable=False),
    UniqueConstraint("account", "ecosystem", "app_id", "name"),
)

app_params = Table(
    "1_app_params",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=False),
    Column("app_id", BigInteger, nullable=False, server_default="0"),
    Column("name", String(255), nullable=False, server_default=""),
    Column("value", Text, nullable=False, server_default=""),
    Column("conditions", Text, nullable=False, server_default=""),
    Column("permissions", Json()),
    Column("ecosystem", BigInteger, nullable=False, server_default="1"),
    UniqueConstraint("ecosystem", "app_id", "name"),
)

buffer_data = Table(
    "1_buffer_data",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=False),
    Column("key", String(255), nullable=False, server_default=""),
    Column("value", Json()),
    Column("ecosystem", BigInteger, nullable=False, server_default="1", index=True),
    Column("account", String(24), nullable=False),
)

# Platform-only tables: they belong to ecosystem 1 and have no `ecosystem` column.

delayed_contracts = Table(
    "1_delayed_contracts",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=False),
    Column("contract", String(255), nullable=False, server_default=""),
    Column("key_id", BigInteger, nullable=False, server_default="0"),
    Column("block_id", BigInteger, nullable=False, server_default="0", index=True),
    Column("every_block", BigInteger, nullable=False, server_default="0"),
    Column("counter", BigInteger, nullable=False, server_default="0"),
    Column("high_rate", BigInteger, nullable=False, server_default="0"),
    Column("limit", BigInteger, nullable=False, server_default="0"),
    Column("deleted", BigInteger, nullable=False, server_default="0"),
    Column("conditions", Text, nullable=False, server_default=""),
)

bad_blocks = Table(
    "1_bad_blocks",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=False),
    Column("producer_node_id", BigInteger, nullable=False, server_default="0"),
    Column("block_id", BigInteger, nullable=False, server_default="0"),
    Column("consumer_node_id", BigInteger, nullable=False, server_default="0"),
    Column("block_time", DateTime, nullable=False),
    Column("reason", Text, nullable=False, server_default=""),
    Column("deleted", BigInteger, nullable=False, server_default="0"),
)

node_ban_logs = Table(
    "1_node_ban_logs",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=False),
    Column("node_id", BigInteger, nullable=False, server_default="0"),
    Column("banned_at", DateTime, nullable=False),
    Column("ban_time", BigInteger, nullable=False, server_default="0"),
    Column("reason", Text, nullable=False, server_default=""),
)

time_zones = Table(
    "1_time_zones",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=False),
    Column("name", String(255), nullable=False, server_default="", unique=True),
    Column("offset", String(6), nullable=False, server_default=""),
)

# The reference's converter.FirstEcosystemTables: a name in this set always means the shared
# table `1_<name>` filtered by `ecosystem`; any other table name is per ecosystem (`<eco>_<name>`).
FIRST_ECOSYSTEM_TABLES: frozenset[str] = frozenset(
    {
        "keys",
        "menu",
        "pages",
        "snippets",
        "languages",
        "contracts",
        "tables",
        "parameters",
        "history",
        "sections",
        "members",
        "roles",
        "roles_participants",
        "notifications",
        "applications",
        "binaries",
        "buffer_data",
        "app_params",
        "views",
    }
)

# Tables only ecosystem 1 has (no `ecosystem` column); contracts reach them as `@1<name>`.
PLATFORM_TABLES: frozenset[str] = frozenset(
    {
        "ecosystems",
        "platform_parameters",
        "delayed_contracts",
        "bad_blocks",
        "node_ban_logs",
        "time_zones",
    }
)

# Short name ("pages") -> Table, for every table of the two sets above.
STATIC_TABLES: dict[str, Table] = {
    name: metadata.tables[f"1_{name}"] for name in sorted(FIRST_ECOSYSTEM_TABLES | PLATFORM_TABLES)
}

# Node-local, never on chain: the CCash bank's password hashes ("scrypt$..." or an imported
# "xxh3$..." that is upgraded on first use). The accounts and money live in 1_keys/1_history.
bank_credentials = Table(
    "bank_credentials",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("key_id", BigInteger, nullable=False),
    Column("hash", Text, nullable=False),
    Column("updated_at", BigInteger, nullable=False, server_default="0"),
)
