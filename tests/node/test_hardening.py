"""Start-up hardening: private files, a usable JWT secret, secrets kept out of `ps`."""

from __future__ import annotations

import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from chain.errors import ConfigMismatchError
from node.app import create_app
from node.config import Config, ConfigError, build_config
from node.datadir import JWT_FILE


async def _start_and_stop(app: web.Application) -> None:
    runner = web.AppRunner(app)
    try:
        await runner.setup()
    finally:
        await runner.cleanup()


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


async def test_data_dir_and_database_are_private(
    aiohttp_client: Any, make_config: Any, tmp_path: Path
) -> None:
    config = make_config(db="")  # the default: node.db inside the data dir
    await aiohttp_client(create_app(config))
    assert _mode(config.data_dir) == 0o700
    assert _mode(config.data_dir / "node.db") == 0o600
    for extra in ("node.db-wal", "node.db-shm"):
        if (config.data_dir / extra).exists():
            assert _mode(config.data_dir / extra) & 0o077 == 0, extra


async def test_a_data_dir_open_to_others_is_closed(aiohttp_client: Any, config: Config) -> None:
    config.data_dir.mkdir(mode=0o755)
    config.data_dir.chmod(0o755)
    await aiohttp_client(create_app(config))
    assert _mode(config.data_dir) == 0o700


@pytest.mark.parametrize("content", ["", "\n", "short-secret"])
async def test_empty_or_short_jwt_secret_file_is_refused_at_start(
    config: Config, content: str
) -> None:
    config.data_dir.mkdir(mode=0o700)
    (config.data_dir / JWT_FILE).write_text(content)
    with pytest.raises(ConfigMismatchError, match="at least 32 are needed"):
        await _start_and_stop(create_app(config))


def test_cli_names_the_bad_jwt_secret(tmp_path: Path) -> None:
    data = tmp_path / "d"
    data.mkdir(mode=0o700)
    (data / JWT_FILE).write_text("x")
    done = subprocess.run(
        [sys.executable, "-m", "node", "run", "--data-dir", str(data), "--port", "1"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2, done.stderr
    assert "JWT secret" in done.stderr and "jwt-secret" in done.stderr


def test_bank_admin_password_from_a_file_or_the_environment(tmp_path: Path) -> None:
    secret = tmp_path / "admin.pw"
    secret.write_text("s3cret pass\nignored\n")
    config = build_config({"bank_admin": "admin", "bank_admin_password_file": str(secret)}, {})
    assert config.bank_admin_password == "s3cret pass"
    assert "s3cret" not in repr(config)
    env = {"IBAX_BANK_ADMIN": "admin", "IBAX_BANK_ADMIN_PASSWORD_FILE": str(secret)}
    assert build_config({}, env).bank_admin_password == "s3cret pass"
    env = {"IBAX_BANK_ADMIN": "admin", "IBAX_BANK_ADMIN_PASSWORD": "from-env"}
    assert build_config({}, env).bank_admin_password == "from-env"
    both = {"bank_admin": "admin", "bank_admin_password": "x", "bank_admin_password_file": secret}
    with pytest.raises(ConfigError, match="not both"):
        build_config({k: str(v) for k, v in both.items()}, {})
    (tmp_path / "empty").write_text("")
    with pytest.raises(ConfigError, match="is empty"):
        build_config(
            {"bank_admin": "admin", "bank_admin_password_file": str(tmp_path / "empty")}, {}
        )
    with pytest.raises(ConfigError, match="cannot read"):
        build_config({"bank_admin": "admin", "bank_admin_password_file": str(tmp_path / "no")}, {})


@pytest.mark.parametrize(
    ("cli", "message"),
    [
        ({"max_token_expire": "100"}, "max_token_expire must be at least token_expire"),
        ({"max_connections": "0"}, "max_connections must be positive"),
        ({"idle_timeout": "0"}, "must be positive"),
        ({"body_timeout": "-1"}, "must be positive"),
    ],
)
def test_bad_limits(cli: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        build_config(cli, {})
