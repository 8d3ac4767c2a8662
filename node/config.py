"""Node configuration: CLI flags over IBAX_* environment over a TOML file over defaults, frozen."""

from __future__ import annotations

import dataclasses
import math
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from chain.bank.rules import valid_name
from chain.crypto import Crypto, Cryptoer, Hasher

ENV_PREFIX = "IBAX_"
MAX_WORKERS = 64
CENSORED = "***"


class ConfigError(Exception):
    """A configuration value or file is wrong; the message is shown to the user as is."""


@dataclass(frozen=True)
class Config:
    """Everything the node needs to start; built once at the edge."""

    data_dir: Path = Path("./ibax-data")
    db: str = ""  # empty: an SQLite file inside data_dir
    host: str = "127.0.0.1"
    port: int = 7079
    network_id: int = 1
    cryptoer: Cryptoer = Cryptoer.SECP256K1
    hasher: Hasher = Hasher.KECCAK256
    block_window_ms: int = 20
    # Txs the node acknowledged and no block has settled: sendTx waits for room past it.
    max_backlog: int = 1000
    backlog_wait: float = 10.0  # seconds sendTx waits for room before answering 503
    max_body_size: int = 1 << 20
    max_connections: int = 1000
    idle_timeout: int = 30
    body_timeout: int = 60
    token_expire: int = 28800
    max_token_expire: int = 7_776_000  # 90 days: what Weaver asks for
    jwt_secret: str = field(default="", repr=False)
    bank_admin: str = ""
    bank_admin_password: str = field(default="", repr=False)
    bank_admin_password_file: Path | None = None
    bank_max_log: int = 100
    bank_add_user_open: bool = True
    bank_return_on_del: str = ""
    bank_min_name: int = 3
    bank_max_name: int = 16
    bank_name_uppercase: bool = False
    bank_hash_cost: int = 17  # OWASP's scrypt minimum (N=2^17, r=8, p=1)
    bank_auth_ttl: int = 60
    bank_help_url: str = "https://github.com/EntireTwix/CCash/blob/main/README.md"
    log_level: str = "INFO"
    log_format: str = "text"  # or "json": one object a line, with the request id
    access_log: bool = False  # one log line per answered request
    ready_max_head_age: int = 0  # seconds; /readyz fails past it (0: not checked)
    events: bool = True  # the live-events WebSocket (/connection/websocket)
    events_max_clients: int = 500  # its open connections at once
    explorer: bool = True  # the block explorer pages (/explorer)
    # A new chain's genesis: private_blockchain 1 makes contract calls free (transfers pay).
    private_blockchain: bool = True
    ban_bad_tx: int = 5  # a key with this many bad txs ...
    ban_bad_time: int = 5  # ... within these minutes ...
    ban_time: int = 15  # ... is banned from sendTx for these minutes (go-ibax's BanKey)
    workers: int = 0  # API worker processes on the one port; 0: one per core (1 with the bank)

    @property
    def crypto(self) -> Crypto:
        """The crypto pair every chain operation uses."""
        return Crypto(self.cryptoer, self.hasher)

    @property
    def bank_enabled(self) -> bool:
        """The CCash bank API is served when an admin account is configured."""
        return bool(self.bank_admin)

    @property
    def worker_count(self) -> int:
        """How many API processes serve the port (the bank keeps the node to one)."""
        if self.workers:
            return self.workers
        return 1 if self.bank_enabled else usable_cores()

    @property
    def db_url(self) -> str:
        """The SQLAlchemy URL, defaulting to the embedded SQLite file."""
        if self.db:
            return self.db
        return f"sqlite+aiosqlite:///{(self.data_dir / 'node.db').resolve()}"

    def __repr__(self) -> str:
        parts = []
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name in ("jwt_secret", "bank_admin_password") and value:
                value = CENSORED
            elif f.name == "db" and value:
                value = censor_url(value)  # the startup log prints this
            parts.append(f"{f.name}={value!r}")
        return f"Config({', '.join(parts)})"

    def censored_db_url(self) -> str:
        """The database URL with any password replaced, for logs."""
        return censor_url(self.db_url)


def usable_cores() -> int:
    """The cores this process may run on (its CPU affinity, e.g. a container's cpuset)."""
    if hasattr(os, "sched_getaffinity"):
        return max(len(os.sched_getaffinity(0)), 1)
    return max(os.cpu_count() or 1, 1)


def censor_url(url: str) -> str:
    """Hide the password part of a database URL."""
    scheme, sep, rest = url.partition("://")
    if not sep or "@" not in rest:
        return url
    creds, _, host = rest.rpartition("@")
    user = creds.split(":", 1)[0]
    return f"{scheme}://{user}:{CENSORED}@{host}" if ":" in creds else url


FIELD_NAMES = tuple(f.name for f in fields(Config))


def _coerce(name: str, raw: Any) -> Any:
    """Turn a string (env/CLI) or TOML value into the field's type, with a clear error."""
    default = getattr(Config(), name)
    try:
        if isinstance(default, bool):
            value: Any = _boolean(raw)
        elif isinstance(default, int):
            if isinstance(raw, bool):
                raise ValueError(raw)
            value = int(raw)
        elif isinstance(default, float):
            if isinstance(raw, bool):
                raise ValueError(raw)
            value = float(raw)
            if not math.isfinite(value):
                raise ValueError(raw)
        elif isinstance(default, Path) or name.endswith("_file"):
            value = Path(str(raw))
        elif isinstance(default, Cryptoer):
            value = Cryptoer(str(raw))
        elif isinstance(default, Hasher):
            value = Hasher(str(raw))
        else:
            if not isinstance(raw, str):
                raise ValueError(raw)
            value = raw
    except ValueError as exc:
        allowed = ""
        if isinstance(default, (Cryptoer, Hasher)):
            allowed = " (one of " + ", ".join(m.value for m in type(default)) + ")"
        raise ConfigError(f"invalid value {raw!r} for {name}{allowed}") from exc
    return value


_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"0", "false", "no", "off"})


def _boolean(raw: Any) -> bool:
    """A TOML bool, or true/false, yes/no, on/off, 1/0 from the command line or environment."""
    if isinstance(raw, bool):
        return raw
    text = str(raw).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError(raw)


def load_toml(path: Path) -> dict[str, Any]:
    """Read a TOML config file; unknown keys are refused."""
    try:
        data = tomllib.loads(path.read_text())
    except OSError as exc:
        raise ConfigError(f"cannot read config file {path}: {exc.strerror}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config file {path} is not valid TOML: {exc}") from exc
    normalised = {key.replace("-", "_"): value for key, value in data.items()}
    unknown = sorted(set(normalised) - set(FIELD_NAMES))
    if unknown:
        raise ConfigError(
            f"unknown key(s) in config file {path}: {', '.join(unknown)}; "
            f"known keys: {', '.join(FIELD_NAMES)}"
        )
    return normalised


def env_values(environ: Mapping[str, str]) -> dict[str, str]:
    """The IBAX_<FIELD> variables that are set."""
    found = {}
    for name in FIELD_NAMES:
        key = ENV_PREFIX + name.upper()
        if key in environ:
            found[name] = environ[key]
    return found


def build_config(
    cli: Mapping[str, Any],
    environ: Mapping[str, str],
    config_file: Path | None = None,
) -> Config:
    """Merge the sources with precedence CLI > environment > file > defaults."""
    if config_file is None and environ.get(ENV_PREFIX + "CONFIG"):
        config_file = Path(environ[ENV_PREFIX + "CONFIG"])
    merged: dict[str, Any] = {}
    if config_file is not None:
        merged.update(load_toml(config_file))
    merged.update(env_values(environ))
    merged.update({k: v for k, v in cli.items() if v is not None and k in FIELD_NAMES})
    values = {name: _coerce(name, raw) for name, raw in merged.items()}
    config = dataclasses.replace(Config(), **values)
    config = _read_secret_files(config)
    validate(config)
    return config


def _read_secret_files(config: Config) -> Config:
    """The bank admin's password from its file (first line), kept out of `ps` and shell history."""
    path = config.bank_admin_password_file
    if path is None:
        return config
    if config.bank_admin_password:
        raise ConfigError("give bank_admin_password or bank_admin_password_file, not both")
    try:
        lines = path.read_text().splitlines()
    except OSError as exc:
        raise ConfigError(f"cannot read bank_admin_password_file {path}: {exc.strerror}") from exc
    except UnicodeDecodeError as exc:
        raise ConfigError(f"bank_admin_password_file {path} is not UTF-8 text") from exc
    password = lines[0] if lines else ""
    if not password:
        raise ConfigError(f"bank_admin_password_file {path} is empty")
    return dataclasses.replace(config, bank_admin_password=password)


def validate(config: Config) -> None:
    """Reject combinations that cannot work, before anything touches disk."""
    if not 0 < config.port < 65536:
        raise ConfigError(f"invalid port {config.port}")
    if config.network_id <= 0:
        raise ConfigError("network_id must be positive")
    if config.block_window_ms < 0:
        raise ConfigError("block_window_ms must not be negative")
    if config.max_backlog < 0 or config.backlog_wait <= 0:
        raise ConfigError("max_backlog must not be negative, backlog_wait must be positive")
    if config.max_body_size < 1024:
        raise ConfigError("max_body_size must be at least 1024 bytes")
    if config.token_expire <= 0:
        raise ConfigError("token_expire must be positive")
    if config.max_token_expire < config.token_expire:
        raise ConfigError("max_token_expire must be at least token_expire")
    if config.max_connections < 1:
        raise ConfigError("max_connections must be positive")
    if config.idle_timeout <= 0 or config.body_timeout <= 0:
        raise ConfigError("idle_timeout and body_timeout must be positive")
    if config.db and not config.db.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
        raise ConfigError("db must be a sqlite+aiosqlite:// or postgresql+asyncpg:// URL")
    if config.jwt_secret and len(config.jwt_secret) < 32:
        raise ConfigError("jwt_secret must be at least 32 characters (HS256 needs a 256-bit key)")
    if config.log_format not in ("text", "json"):
        raise ConfigError(f"log_format must be text or json, not {config.log_format!r}")
    if config.ready_max_head_age < 0:
        raise ConfigError("ready_max_head_age must not be negative")
    if not 1 <= config.events_max_clients <= config.max_connections:
        raise ConfigError("events_max_clients must be within 1..max_connections")
    if config.ban_bad_tx < 1 or config.ban_bad_time < 0 or config.ban_time < 0:
        raise ConfigError("ban_bad_tx must be positive, ban_bad_time and ban_time not negative")
    if not 0 <= config.workers <= MAX_WORKERS:
        raise ConfigError(f"workers must be within 0..{MAX_WORKERS} (0: one per core)")
    if config.bank_enabled and config.workers > 1:
        # The bank's writes and its in-memory view live in the producer's process.
        raise ConfigError("the bank runs in one process: use workers 1 (or 0) with bank_admin")
    if bool(config.bank_admin) != bool(config.bank_admin_password):
        raise ConfigError("bank_admin and bank_admin_password go together")
    _validate_bank(config)


def _validate_bank(config: Config) -> None:
    if not 1 <= config.bank_min_name <= config.bank_max_name <= 64:
        raise ConfigError("bank name sizes need 1 <= bank_min_name <= bank_max_name <= 64")
    if config.bank_max_log < 0:
        raise ConfigError("bank_max_log must not be negative")
    if not 10 <= config.bank_hash_cost <= 20:
        raise ConfigError("bank_hash_cost (log2 of scrypt's N) must be within 10..20")
    if config.bank_auth_ttl < 0:
        raise ConfigError("bank_auth_ttl must not be negative")
    for role in ("bank_admin", "bank_return_on_del"):
        name = getattr(config, role)
        if name and not valid_name(
            name, config.bank_min_name, config.bank_max_name, config.bank_name_uppercase
        ):
            raise ConfigError(f"{role} {name!r} is not a valid bank user name")
