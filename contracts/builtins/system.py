"""Built-ins for contracts, tables, ecosystems, languages and blocks (system contracts use them)."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Any

from chain.errors import CryptoError
from chain.storage.ddl import (
    ColumnSpec,
    add_column,
    create_custom_table,
    is_latin,
    valid_column_name,
    valid_table_name,
)
from chain.storage.repo.txs import count_logged
from chain.tables import DDL_COLUMN, DDL_TABLE, NEW_ECOSYSTEM, split_name
from contracts.builtins.access import (
    access_rights,
    full_contract_name,
    restricted,
    sys_param_int,
    sys_param_string,
)
from contracts.builtins.data import QUERY_FUEL, host_of
from contracts.builtins.registry import REGISTRY
from contracts.errors import HostError
from contracts.host import TxHost
from contracts.vm import Machine

COLUMN_TYPES = frozenset(
    {"json", "varchar", "character", "number", "datetime", "double", "money", "text", "bytea"}
)
PERMISSION_KEYS = ("insert", "update", "new_column", "read", "filter")
# The reference's access_exec_* parameters: which system contracts may call a built-in.
_CONTRACT_NAME = re.compile(r"^\s*contract\s+([\w]+)\s*\{", re.DOTALL)


# ---- contracts -----------------------------------------------------------------------------


@REGISTRY.builtin("ContractName", fuel=50, machine=True)
def contract_name(m: Machine, source: Any) -> str:
    """ContractName(source): the name of the first contract the source defines ("" if none)."""
    names = host_of(m).runtime.contract_names(str(source))
    return names[0] if names else ""


@REGISTRY.builtin("ValidateEditContractNewValue", fuel=50, machine=True)
def validate_edit_contract(m: Machine, new: Any, old: Any) -> None:
    """ValidateEditContractNewValue(new, old): the new source defines the same contracts."""
    runtime = host_of(m).runtime
    fresh, current = runtime.contract_names(str(new)), runtime.contract_names(str(old))
    if len(fresh) != len(current):
        raise HostError("contract cannot be removed or inserted")
    if set(fresh) != set(current):
        raise HostError("contracts or functions names cannot be changed")


@REGISTRY.builtin("CreateContract", fuel=QUERY_FUEL * 5, machine=True)
def create_contract(
    m: Machine, name: str, source: str, conditions: str, token: Any, app_id: Any
) -> int:
    """CreateContract(name, source, conditions, tokenEcosystem, appId): the new contract's id."""
    host = restricted(m, "CreateContract")
    full = f"@{host.ecosystem}{name}"
    if host.runtime.find_contract(m, full) is not None:
        raise HostError(f"contract {full} already exists")
    host.runtime.check_source(str(source), host.ecosystem)
    # As the reference, the ecosystem's contracts table must let the sender insert
    # (ContractConditions("DeveloperCondition") by default).
    new_id = host.insert(
        m,
        "contracts",
        {
            "name": name,
            "value": source,
            "conditions": conditions,
            "wallet_id": 0,
            "token_id": int(token or 1),
            "app_id": int(app_id or 0),
        },
    )
    host.runtime.contracts_changed()
    return new_id


@REGISTRY.builtin("UpdateContract", fuel=QUERY_FUEL * 5, machine=True)
def update_contract(
    m: Machine, row_id: Any, source: Any, conditions: Any, wallet: Any, token: Any
) -> None:
    """UpdateContract(id, source, conditions, wallet, token): new source and/or conditions."""
    host = restricted(m, "UpdateContract")
    changes: dict[str, Any] = {}
    if source:
        host.runtime.check_source(str(source), host.ecosystem)
        changes["value"] = str(source)
    if conditions:
        changes["conditions"] = str(conditions)
    if not changes:
        return
    host.update(m, "contracts", {"id": int(row_id)}, changes)  # checked as the reference
    host.runtime.contracts_changed()


@REGISTRY.builtin("GetContractByName", fuel=QUERY_FUEL, machine=True)
def get_contract_by_name(m: Machine, name: str) -> int:
    """GetContractByName(name): its table id, 0 if there is none."""
    host = host_of(m)
    contract = host.runtime.find_contract(m, full_contract_name(str(name), host.ecosystem))
    return host.runtime.contract_id(contract) if contract is not None else 0


@REGISTRY.builtin("GetContractById", fuel=QUERY_FUEL, machine=True)
def get_contract_by_id(m: Machine, row_id: Any) -> str:
    """GetContractById(id): the name of the contract in that row ("" if there is none)."""
    host = host_of(m)
    with host.writing_for_system():
        rows = host.select(m, "@1contracts", columns=["value"], row_id=int(row_id))
    found = _CONTRACT_NAME.match(rows[0]["value"]) if rows else None
    return found.group(1) if found else ""


@REGISTRY.builtin("BndWallet", fuel=QUERY_FUEL, machine=True)
def bind_wallet(m: Machine, row_id: Any, ecosystem: Any, name: str = "BndWallet") -> None:
    """BndWallet(id, ecosystem): the sender's wallet pays for the contract."""
    host = restricted(m, name)
    wallet = host.key_id if name == "BndWallet" else 0
    with host.writing_for_system():
        host.update_rows(host.table("@1contracts"), {"id": int(row_id)}, {"wallet_id": wallet})
    host.runtime.contracts_changed()


@REGISTRY.builtin("UnbndWallet", fuel=QUERY_FUEL, machine=True)
def unbind_wallet(m: Machine, row_id: Any, ecosystem: Any) -> None:
    """UnbndWallet(id, ecosystem): nobody pays for the contract any more."""
    bind_wallet(m, row_id, ecosystem, "UnbndWallet")


@REGISTRY.builtin("IsObject", fuel=QUERY_FUEL, machine=True)
def is_object(m: Machine, name: str, ecosystem: Any) -> bool:
    """IsObject(name, ecosystem): is there a contract of that name?"""
    host = host_of(m)
    full = full_contract_name(str(name), int(ecosystem or host.ecosystem))
    return host.runtime.find_contract(m, full) is not None


# ---- tables --------------------------------------------------------------------------------


def _permissions(text: Any, editing: bool) -> dict[str, str]:
    try:
        value = json.loads(text) if isinstance(text, str) else text
    except ValueError as exc:
        raise HostError(f"permissions to json: {exc}") from exc
    if not isinstance(value, dict):
        raise HostError("permissions to json: an object is expected")
    perms = {k: str(value.get(k, "") or "") for k in PERMISSION_KEYS}
    for key in ("insert", "update", "new_column"):
        if not perms[key]:
            raise HostError(f"{_go_name(key)} condition is empty")
    return {k: v for k, v in perms.items() if v or k in ("insert", "update", "new_column")}


def _go_name(key: str) -> str:
    return "".join(part.capitalize() for part in key.split("_"))


def _check_column_name(name: str) -> None:
    """The reference's checkColumnName: not empty, no leading digit, latin only."""
    if not name:
        raise HostError("column name is empty")
    if name[0].isdigit():
        raise HostError("column name cannot begin with digit")
    if not valid_column_name(name):
        raise HostError(f"Name {name} must only contain latin, digit and '_', '-' characters")


def _columns(text: Any) -> list[tuple[ColumnSpec, str]]:
    try:
        value = json.loads(text) if isinstance(text, str) else text
    except ValueError as exc:
        raise HostError(f"columns from json: {exc}") from exc
    if not isinstance(value, list) or not value:
        raise HostError("columns are undefined")
    found: list[tuple[ColumnSpec, str]] = []
    for item in value:
        if isinstance(item, str):
            try:
                item = json.loads(item)
            except ValueError as exc:
                raise HostError(f"columns from json: {exc}") from exc
        if not isinstance(item, dict) or "name" not in item or "type" not in item:
            raise HostError("column name cannot begin with digit")
        name, kind = str(item["name"]).lower(), str(item["type"])
        if kind not in COLUMN_TYPES:
            raise HostError("incorrect type")
        _check_column_name(name)
        conditions = item.get("conditions", "")
        condition = conditions if isinstance(conditions, str) else json.dumps(conditions)
        if not condition:
            raise HostError("conditions is empty")
        index = str(item.get("index", "0")) in ("1", "true", "True")
        found.append((ColumnSpec(name, kind, index), condition))
    names = [spec.name for spec, _ in found]
    if len(set(names)) != len(names):
        raise HostError("there are the same columns")
    return found


def _check_column_condition(m: Machine, condition: str) -> None:
    runtime = host_of(m).runtime
    if condition.startswith("{"):
        try:
            perms = json.loads(condition)
        except ValueError as exc:
            raise HostError(f"on perm columns: {exc}") from exc
        update, read = str(perms.get("update", "")), str(perms.get("read", ""))
    else:
        update, read = condition, ""
    if not update:
        raise HostError("conditions is empty")
    runtime.check_condition(update)
    if read:
        runtime.check_condition(read)


@REGISTRY.builtin("TableConditions", fuel=QUERY_FUEL, machine=True)
def table_conditions(m: Machine, name: str, columns: Any, permissions: Any) -> None:
    """TableConditions(name, columns, permissions): validate a new table (or, with no
    columns, an edit of an existing one's permissions) before CreateTable / PermTable."""
    host = restricted(m, "TableConditions")
    name = str(name).lower()
    editing = not columns
    exists = host.permissions_row(name) is not None
    if editing and not exists:
        raise HostError(f"table {name} has not been found")
    if not editing and exists:
        raise HostError(f"table {name} exists")
    if not is_latin(name):  # the rest of the name's rules are CreateTable's, as the reference's
        raise HostError(f"Name {name} must only contain latin, digit and '_', '-' characters")
    perms = _permissions(permissions, editing)
    for condition in perms.values():
        if condition:
            host.runtime.check_condition(condition)
    if editing:
        try:
            host.check_table(m, host.table(name), "update")
        except HostError:
            access_rights(m, "changing_tables")
        return
    specs = _columns(columns)
    limit = sys_param_int(m, "max_columns") or 50
    if len(specs) > limit:
        raise HostError(f"Too many columns. Limit is {limit}")
    for _, condition in specs:
        _check_column_condition(m, condition)
    access_rights(m, "new_table")


@REGISTRY.builtin("CreateTable", fuel=QUERY_FUEL * 10, machine=True)
def create_table(m: Machine, name: str, columns: Any, permissions: Any, app_id: Any) -> None:
    """CreateTable(name, columns, permissions, appId): a custom table and its 1_tables row."""
    host = restricted(m, "CreateTable")
    name = str(name).lower()
    if not name:
        raise HostError("the table name cannot be empty")
    if not is_latin(name):  # `@` included: the reference checks the letters first
        raise HostError(f"Name {name} must only contain latin, digit and '_', '-' characters")
    if name[0].isdigit():
        raise HostError("the name of the table cannot begin with @")
    if not valid_table_name(name):
        raise HostError(f"Name {name} must only contain latin, digit and '_', '-' characters")
    full_name = f"{host.ecosystem}_{name}"
    if host.permissions_row(name) is not None or host.table_exists(name):
        raise HostError(f"table {name} exists")
    specs = _columns(columns)
    perms = _permissions(permissions, False)
    host.direct()  # DDL must sit in the tx's savepoint, after the block's pending writes
    host.wait(create_custom_table(host.conn, full_name, [spec for spec, _ in specs]))
    host.did_ddl = True
    host.catalog.forget(full_name)
    host.ctx.record_rollback(DDL_TABLE, full_name, None)
    with host.writing_for_system():
        host.insert(
            m,
            "tables",
            {
                "name": name,
                "columns": json.dumps(
                    {spec.name: cond for spec, cond in specs}, separators=(",", ":")
                ),
                "permissions": json.dumps(perms, separators=(",", ":")),
                "conditions": 'ContractAccess("@1EditTable")',
                "app_id": int(app_id or 0),
                "ecosystem": host.ecosystem,
            },
        )


@REGISTRY.builtin("PermTable", fuel=QUERY_FUEL * 2, machine=True)
def perm_table(m: Machine, name: str, permissions: Any) -> None:
    """PermTable(name, permissions): replace a table's permissions."""
    host = restricted(m, "PermTable")
    name = str(name).lower()
    row = host.permissions_row(name)
    if row is None:
        raise HostError(f"table {name} has not been found")
    perms = _permissions(permissions, True)
    with host.writing_for_system():
        host.update_rows(
            host.table("tables"),
            {"id": row},
            {"permissions": json.dumps(perms, separators=(",", ":"))},
        )


@REGISTRY.builtin("ColumnCondition", fuel=QUERY_FUEL, machine=True)
def column_condition(m: Machine, table: str, name: str, kind: Any, permissions: Any) -> None:
    """ColumnCondition(table, column, type, permissions): validate a new or edited column."""
    host = restricted(m, "ColumnCondition")
    table, name = str(table).lower(), str(name).lower()
    editing = bool(m.stack) and m.stack[-1] == "@1EditColumn"
    columns = host.column_permissions(table)
    if columns is None:
        raise HostError(f"table {table} has not been found")
    if editing and name not in columns:
        raise HostError(f"column {name} doesn't exist")
    if not editing and name in columns:
        raise HostError(f"column {name} exists")
    _check_column_name(name)
    if not permissions:
        raise HostError("permissions are empty")
    _check_column_condition(m, str(permissions))
    if editing:
        return
    limit = sys_param_int(m, "max_columns") or 50
    if len(columns) >= limit:
        raise HostError(f"Too many columns. Limit is {limit}")
    if str(kind) not in COLUMN_TYPES:
        raise HostError("incorrect type")
    host.check_table(m, host.table(table), "new_column")


@REGISTRY.builtin("CreateColumn", fuel=QUERY_FUEL * 10, machine=True)
def create_column(m: Machine, table: str, name: str, kind: Any, permissions: Any) -> None:
    """CreateColumn(table, column, type, permissions): add a column to a custom table."""
    host = restricted(m, "CreateColumn")
    table, name = str(table).lower(), str(name).lower()
    if not name:
        raise HostError("column name is empty")
    if name[0].isdigit():
        raise HostError("column name cannot begin with digit")
    if str(kind) not in COLUMN_TYPES:
        raise HostError(f"Type '{kind}' of columns is not supported")
    ref = host.table(table)
    if not ref.custom:
        raise HostError(f"{ref.full_name} is not a custom table")
    host.direct()
    host.wait(add_column(host.conn, ref.full_name, ColumnSpec(name, str(kind), False)))
    host.did_ddl = True
    host.catalog.forget(ref.full_name)
    if host.state is not None:
        host.state.forget(ref.full_name)  # its rows in memory lack the new column
    host.ctx.record_rollback(DDL_COLUMN, f"{ref.full_name}.{name}", None)
    _set_column_permission(m, host, table, name, str(permissions))


@REGISTRY.builtin("PermColumn", fuel=QUERY_FUEL * 2, machine=True)
def perm_column(m: Machine, table: str, name: str, permissions: Any) -> None:
    """PermColumn(table, column, permissions): replace a column's permissions."""
    host = restricted(m, "PermColumn")
    _set_column_permission(m, host, str(table).lower(), str(name).lower(), str(permissions))


def _set_column_permission(m: Machine, host: TxHost, table: str, name: str, perm: str) -> None:
    row = host.permissions_row(table)
    columns = host.column_permissions(table)
    if row is None or columns is None:
        raise HostError(f"table {table} has not been found")
    columns[name] = perm
    with host.writing_for_system():
        host.update_rows(
            host.table("tables"),
            {"id": row},
            {"columns": json.dumps(columns, separators=(",", ":"))},
        )


# ---- ecosystems and languages ----------------------------------------------------------------


@REGISTRY.builtin("CreateEcosystem", fuel=QUERY_FUEL * 20, machine=True)
def create_ecosystem(m: Machine, wallet: Any, name: Any) -> int:
    """CreateEcosystem(wallet, name): a new ecosystem with its default rows; its id."""
    host = restricted(m, "CreateEcosystem")
    host.direct()
    ecosystem = host.runtime.create_ecosystem(m, int(wallet), str(name))
    if host.state is not None:
        host.state.forget_all()  # its default rows were written past the block state
    host.ctx.record_rollback(NEW_ECOSYSTEM, str(ecosystem), None)
    return ecosystem


@REGISTRY.builtin("EditEcosysName", fuel=QUERY_FUEL * 2, machine=True)
def edit_ecosys_name(m: Machine, ecosystem: Any, name: Any) -> None:
    """EditEcosysName(id, name)."""
    host = restricted(m, "EditEcosysName")
    with host.writing_for_system():
        host.update_rows(host.table("@1ecosystems"), {"id": int(ecosystem)}, {"name": str(name)})


@REGISTRY.builtin("LangRes", fuel=QUERY_FUEL, machine=True)
def lang_res(m: Machine, name: Any, *_lang: Any) -> str:
    """LangRes(name): a language resource in the sender's language, else English, else name."""
    host = host_of(m)
    eco, key = split_name(str(name), host.ecosystem)
    rows = host.select(
        m, f"@{eco}languages", columns=["res"], where={"name": key, "ecosystem": eco}, limit=1
    )
    if not rows:
        return key
    try:
        res = json.loads(rows[0]["res"] or "{}")
    except ValueError:
        return key
    lang = host.ctx.lang or "en"
    value = res.get(lang) or res.get("en") if isinstance(res, dict) else None
    return str(value) if value else key


@REGISTRY.builtin("CreateLanguage", fuel=QUERY_FUEL * 2, machine=True)
def create_language(m: Machine, name: Any, trans: Any) -> int:
    """CreateLanguage(name, translations JSON): a new language resource; its id."""
    host = restricted(m, "CreateLanguage")
    _check_translations(trans)
    return host.insert(m, "languages", {"name": str(name), "res": str(trans)})


@REGISTRY.builtin("EditLanguage", fuel=QUERY_FUEL * 2, machine=True)
def edit_language(m: Machine, row_id: Any, name: Any, trans: Any) -> None:
    """EditLanguage(id, name, translations JSON)."""
    host = restricted(m, "EditLanguage")
    _check_translations(trans)
    host.update(m, "languages", {"id": int(row_id)}, {"name": str(name), "res": str(trans)})


def _check_translations(trans: Any) -> None:
    try:
        value = json.loads(str(trans))
    except ValueError as exc:
        raise HostError(f"Trans: {exc}") from exc
    if not isinstance(value, dict):
        raise HostError("Trans: an object of language: text is expected")


# ---- blocks --------------------------------------------------------------------------------


@REGISTRY.builtin("BlockTime", fuel=5, machine=True)
def block_time(m: Machine) -> str:
    """BlockTime(): the block's time as "YYYY-MM-DD HH:MM:SS" (UTC)."""
    seconds = host_of(m).ctx.block_time
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%d %H:%M:%S")


@REGISTRY.builtin("IsHonorNodeKey", fuel=QUERY_FUEL, machine=True)
def is_honor_node_key(m: Machine, key_id: Any) -> bool:
    """IsHonorNodeKey(id): this node's key, or a key of a node listed in `honor_nodes`."""
    host = host_of(m)
    wanted = int(key_id)
    if wanted == host.ctx.node.node_key_id:
        return True
    try:
        nodes = json.loads(sys_param_string(m, "honor_nodes") or "[]")
    except ValueError:
        return False
    crypto = host.ctx.node.crypto
    for node in nodes if isinstance(nodes, list) else []:
        text = node.get("public_key", "") if isinstance(node, dict) else ""
        try:
            if crypto.address(bytes.fromhex(str(text))) == wanted:
                return True
        except (ValueError, CryptoError):
            continue
    return False


@REGISTRY.builtin("CurrentKeyFromAccount", fuel=QUERY_FUEL, machine=True)
def current_key_from_account(m: Machine, account: Any) -> int:
    """CurrentKeyFromAccount(account): the key id of a live account of this ecosystem, or 0."""
    rows = host_of(m).select(
        m, "keys", columns=["id"], where={"account": str(account), "deleted": 0}, limit=1
    )
    return int(rows[0]["id"]) if rows else 0


@REGISTRY.builtin("GetLogTxCount", fuel=QUERY_FUEL, machine=True)
def get_log_tx_count(m: Machine, ecosystem: Any) -> int:
    """GetLogTxCount(ecosystem): how many of the ecosystem's txs are in blocks."""
    host = host_of(m)
    return host.wait(count_logged(host.conn, int(ecosystem)))
