"""Node configuration: CLI flags over IBAX_* environment over a TOML file over defaults, frozen."""

from __future__ import annotations

import dataclasses
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from chain.crypto import Crypto, Cryptoer, Hasher

ENV_PREFIX = "IBAX_"
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
    max_body_size: int = 1 << 20
    token_expire: int = 28800
    jwt_secret: str = field(default="", repr=False)
    bank_admin: str = ""
    bank_admin_password: str = field(default="", repr=False)
    log_level: str = "INFO"

    @property
    def crypto(self) -> Crypto:
        """The crypto pair every chain operation uses."""
        return Crypto(self.cryptoer, self.hasher)

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
            parts.append(f"{f.name}={value!r}")
        return f"Config({', '.join(parts)})"

    def censored_db_url(self) -> str:
        """The database URL with any password replaced, for logs."""
        return censor_url(self.db_url)


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
            raise TypeError
        if isinstance(default, int):
            if isinstance(raw, bool):
                raise ValueError(raw)
            value: Any = int(raw)
        elif isinstance(default, Path):
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
    validate(config)
    return config


def validate(config: Config) -> None:
    """Reject combinations that cannot work, before anything touches disk."""
    if not 0 < config.port < 65536:
        raise ConfigError(f"invalid port {config.port}")
    if config.network_id <= 0:
        raise ConfigError("network_id must be positive")
    if config.block_window_ms < 0:
        raise ConfigError("block_window_ms must not be negative")
    if config.max_body_size < 1024:
        raise ConfigError("max_body_size must be at least 1024 bytes")
    if config.token_expire <= 0:
        raise ConfigError("token_expire must be positive")
    if config.db and not config.db.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
        raise ConfigError("db must be a sqlite+aiosqlite:// or postgresql+asyncpg:// URL")
    if config.jwt_secret and len(config.jwt_secret) < 32:
        raise ConfigError("jwt_secret must be at least 32 characters (HS256 needs a 256-bit key)")
    if bool(config.bank_admin) != bool(config.bank_admin_password):
        raise ConfigError("bank_admin and bank_admin_password go together")
