"""Bank settings: CLI/env/TOML precedence, validation, and what the endpoints make of them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from node.app import create_app
from node.config import ConfigError, build_config
from tests.api.bank.conftest import basic


def test_bank_settings_precedence_and_types(tmp_path: Path) -> None:
    toml = tmp_path / "node.toml"
    toml.write_text('bank-admin = "boss"\nbank_admin_password = "pw"\nbank_add_user_open = false\n')
    config = build_config({}, {"IBAX_BANK_MAX_LOG": "5"}, toml)
    assert (config.bank_admin, config.bank_add_user_open, config.bank_max_log) == ("boss", False, 5)
    assert config.bank_enabled
    config = build_config({"bank_add_user_open": "yes"}, {"IBAX_BANK_ADD_USER_OPEN": "0"}, toml)
    assert config.bank_add_user_open is True
    assert "pw" not in repr(config)
    assert not build_config({}, {}).bank_enabled


@pytest.mark.parametrize(
    "values",
    [
        {"bank_admin": "boss"},
        {"bank_admin": "Boss", "bank_admin_password": "x"},
        {"bank_admin": "boss", "bank_admin_password": "x", "bank_return_on_del": "a"},
        {"bank_add_user_open": "maybe"},
        {"bank_min_name": "5", "bank_max_name": "4"},
        {"bank_hash_cost": "30"},
    ],
)
def test_bad_bank_settings_are_refused(values: dict[str, str]) -> None:
    with pytest.raises(ConfigError):
        build_config(values, {})


async def test_closed_registration_no_logs_and_uppercase(
    aiohttp_client: Any, make_config: Any
) -> None:
    config = make_config(
        bank_admin="Admin",
        bank_admin_password="adminpw",
        bank_hash_cost=10,
        bank_add_user_open=False,
        bank_max_log=0,
        bank_name_uppercase=True,
        bank_max_name=32,
    )
    client = await aiohttp_client(create_app(config))
    props = await (await client.get("/api/properties")).json()
    assert props == {
        "version": 2,
        "min_version": 1,
        "max_log": 0,
        "add_user_open": False,
        "return_on_del": None,
        "min_name_size": 3,
        "max_name_size": 32,
    }
    resp = await client.post("/api/v1/user/register", json={"name": "Alice", "pass": "pw"})
    assert (resp.status, await resp.text()) == (404, '"AddUser is Disabled"')
    admin = basic("Admin", "adminpw")
    resp = await client.post(
        "/api/v1/admin/user/register",
        json={"name": "Alice", "amount": 1, "pass": "pw"},
        headers=admin,
    )
    assert resp.status == 204
    for path in ("/api/v1/user/log", "/api/v2/user/log"):
        resp = await client.get(path, headers=basic("Alice", "pw"))
        assert (resp.status, await resp.text()) == (404, '"Logs are Disabled"')
