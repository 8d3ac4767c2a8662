"""Configuration precedence, validation and the TOML file's unknown-key check."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from chain.crypto import Cryptoer, Hasher
from node.config import Config, ConfigError, build_config, censor_url


def test_defaults() -> None:
    config = build_config({}, {})
    assert config.port == 7079 and config.host == "127.0.0.1"
    assert config.network_id == 1
    assert config.cryptoer is Cryptoer.SECP256K1 and config.hasher is Hasher.KECCAK256
    assert config.db_url.startswith("sqlite+aiosqlite:///") and config.db_url.endswith("node.db")


def test_precedence_cli_over_env_over_file(tmp_path: Path) -> None:
    file = tmp_path / "node.toml"
    file.write_text('port = 9000\nnetwork_id = 5\nhost = "0.0.0.0"\n')
    env = {"IBAX_PORT": "9001", "IBAX_NETWORK_ID": "6"}
    config = build_config({"port": "9002"}, env, file)
    assert config.port == 9002
    assert config.network_id == 6
    assert config.host == "0.0.0.0"


def test_backlog_settings_take_seconds_with_a_fraction(tmp_path: Path) -> None:
    file = tmp_path / "node.toml"
    file.write_text("max-backlog = 50\nbacklog-wait = 2.5\n")
    config = build_config({}, {}, file)
    assert (config.max_backlog, config.backlog_wait) == (50, 2.5)
    assert build_config({"backlog_wait": "0.25"}, {}).backlog_wait == 0.25


def test_config_file_from_env(tmp_path: Path) -> None:
    file = tmp_path / "node.toml"
    file.write_text('block-window-ms = 7\ncryptoer = "ECC_P256"\nhasher = "SHA256"\n')
    config = build_config({}, {"IBAX_CONFIG": str(file)})
    assert config.block_window_ms == 7 and config.cryptoer is Cryptoer.P256


def test_unknown_key_is_refused(tmp_path: Path) -> None:
    file = tmp_path / "node.toml"
    file.write_text("prot = 1\n")
    with pytest.raises(ConfigError, match="unknown key\\(s\\) in config file .*: prot"):
        build_config({}, {}, file)


@pytest.mark.parametrize(
    ("cli", "message"),
    [
        ({"port": "x"}, "invalid value 'x' for port"),
        ({"port": "70000"}, "invalid port"),
        ({"cryptoer": "RSA"}, "one of ECC_Secp256k1, ECC_P256"),
        ({"db": "mysql://x"}, "db must be"),
        ({"bank_admin": "root"}, "go together"),
        ({"network_id": "0"}, "network_id must be positive"),
        ({"jwt_secret": "short"}, "at least 32 characters"),
        ({"backlog_wait": "soon"}, "invalid value 'soon' for backlog_wait"),
        ({"backlog_wait": "nan"}, "invalid value 'nan' for backlog_wait"),
        ({"backlog_wait": "0"}, "backlog_wait must be positive"),
        ({"max_backlog": "-1"}, "max_backlog must not be negative"),
        ({"workers": "-1"}, "workers must be within 0..64"),
        ({"workers": "65"}, "workers must be within 0..64"),
        (
            {"workers": "2", "bank_admin": "root", "bank_admin_password": "pw"},
            "the bank runs in one process",
        ),
    ],
)
def test_bad_values(cli: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        build_config(cli, {})


def test_workers_default_to_one_per_core_and_one_with_the_bank() -> None:
    assert build_config({}, {}).worker_count == len(os.sched_getaffinity(0))
    assert build_config({"workers": "1"}, {}).worker_count == 1
    assert build_config({}, {"IBAX_WORKERS": "3"}).worker_count == 3
    bank = build_config({"bank_admin": "root", "bank_admin_password": "pw"}, {})
    assert bank.worker_count == 1


def test_bad_toml(tmp_path: Path) -> None:
    file = tmp_path / "node.toml"
    file.write_text("port = \n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        build_config({}, {}, file)
    with pytest.raises(ConfigError, match="cannot read config file"):
        build_config({}, {}, tmp_path / "missing.toml")


def test_secrets_are_censored() -> None:
    config = Config(
        jwt_secret="topsecret" * 4,
        bank_admin="a",
        bank_admin_password="hunter2",
        db="postgresql+asyncpg://u:dbpass@h:5432/db",
    )
    assert "topsecret" not in repr(config) and "hunter2" not in repr(config)
    assert "dbpass" not in repr(config) and "u:***@h" in repr(config)
    assert (
        censor_url("postgresql+asyncpg://u:pw@h:5432/db") == "postgresql+asyncpg://u:***@h:5432/db"
    )
    assert censor_url("sqlite+aiosqlite:///x.db") == "sqlite+aiosqlite:///x.db"
