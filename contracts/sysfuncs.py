"""Built-ins for access checks, parameters, contracts, tables, ecosystems and languages."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from chain.errors import CryptoError
from chain.storage.ddl import (
    ColumnSpec,
    add_column,
    create_custom_table,
    valid_column_name,
    valid_table_name,
)
from chain.storage.repo.keys import list_member_roles
from chain.storage.repo.params import get_parameter, get_platform_parameter
from chain.storage.repo.txs import count_logged
from chain.tables import DDL_COLUMN, DDL_TABLE, NEW_ECOSYSTEM, split_name
from contracts.compiler import Builtin
from contracts.dbfuncs import QUERY_FUEL, host_of
from contracts.errors import HostError
from contracts.host import ACCESS_DENIED, TxHost
from contracts.stdlib import random_stdlib
from contracts.vm import Machine, to_str

COLUMN_TYPES = frozenset(
    {"json", "varchar", "character", "number", "datetime", "double", "money", "text", "bytea"}
)
PERMISSION_KEYS = ("insert", "update", "new_column", "read", "filter")
# The reference's access_exec_* parameters: which system contracts may call a built-in.
RESTRICTED: dict[str, tuple[str, ...]] = {
    "CreateContract": ("@1NewContract", "@1Import"),
    "UpdateContract": ("@1EditContract", "@1Import"),
    "CreateTable": ("@1NewTable", "@1NewTableJoint", "@1Import"),
    "TableConditions": ("@1NewTable", "@1Import", "@1NewTableJoint", "@1EditTable"),
    "PermTable": ("@1EditTable",),
    "ColumnCondition": ("@1NewColumn", "@1EditColumn"),
    "CreateColumn": ("@1NewColumn",),
    "PermColumn": ("@1EditColumn",),
    "CreateLanguage": ("@1NewLang", "@1NewLangJoint", "@1Import"),
    "EditLanguage": ("@1EditLang", "@1EditLangJoint", "@1Import"),
    "CreateEcosystem": ("@1NewEcosystem",),
    "EditEcosysName": ("@1EditEcosystemName",),
    "BndWallet": ("@1BindWallet",),
    "UnbndWallet": ("@1UnbindWallet",),
    "DBUpdatePlatformParam": ("@1UpdatePlatformParam",),
}
# A table's row conditions may be overridden by these ecosystem parameters (AllowChangeCondition).
TABLE_PARAM_CONDITIONS = {
    "pages": "changing_page",
    "menu": "changing_menu",
    "contracts": "changing_contracts",
    "snippets": "changing_snippets",
    "languages": "changing_language",
    "tables": "changing_tables",
    "parameters": "changing_parameters",
    "app_params": "changing_app_params",
}
_CONTRACT_NAME = re.compile(r"^\s*contract\s+([\w]+)\s*\{", re.DOTALL)


def restricted(m: Machine, name: str) -> TxHost:
    """The host, if the running contract may call built-in `name` (else an error)."""
    allowed = RESTRICTED[name]
    current = m.stack[-1] if m.stack else ""
    if current not in allowed:
        condition = "ContractAccess(" + ", ".join(f'"{c}"' for c in allowed) + ")"
        raise HostError(f"{name} can only be called with condition: {condition}")
    return host_of(m)


def _full(name: str, ecosystem: int) -> str:
    return name if name.startswith("@") else f"@{ecosystem}{name}"


# ---- access ------------------------------------------------------------------------------


def contract_access(m: Machine, *names: Any) -> bool:
    """ContractAccess("@1A", "B"): is the running contract one of them?"""
    host = host_of(m)
    current = m.stack[-1] if m.stack else ""
    return any(isinstance(n, str) and n and _full(n, host.ecosystem) == current for n in names)


def contract_conditions(m: Machine, *names: Any) -> bool:
    """ContractConditions("A", ...): run each one's conditions; their errors are the caller's."""
    host = host_of(m)
    for name in names:
        if not isinstance(name, str) or not name:
            raise HostError("empty contract name in ContractConditions")
        contract = host.runtime.find_contract(m, _full(name, host.ecosystem))
        if contract is None and not name.startswith("@"):
            contract = host.runtime.find_contract(m, f"@1{name}")
        if contract is None:
            raise HostError(f"Unknown contract {name}")
        host.runtime.run_conditions(m, contract)
    return True


def role_access(m: Machine, *ids: Any) -> bool:
    """RoleAccess(id, ...): does the sender hold one of these roles in this ecosystem?"""
    host = host_of(m)
    roles = {r for r, _ in host.wait(list_member_roles(host.conn, host.ecosystem, host.key_id))}
    return any(isinstance(i, int) and not isinstance(i, bool) and i in roles for i in ids)


def validate_condition(m: Machine, condition: Any, ecosystem: Any = 0) -> None:
    """ValidateCondition(text, ecosystem): the condition must compile."""
    if not isinstance(condition, str) or not condition.strip():
        raise HostError("conditions is empty")
    host_of(m).runtime.check_condition(condition)


def eval_(m: Machine, condition: Any) -> None:
    """Eval(condition): Access denied unless it holds."""
    if not isinstance(condition, str) or not condition.strip():
        raise HostError("the condition is empty")
    if not host_of(m).runtime.eval_condition(m, condition):
        raise HostError(ACCESS_DENIED)


def check_condition(m: Machine, condition: Any) -> bool:
    """CheckCondition(condition): whether it holds."""
    if not isinstance(condition, str) or not condition.strip():
        return False
    return host_of(m).runtime.eval_condition(m, condition)


def eval_condition(m: Machine, table: str, name: str, field: str) -> None:
    """EvalCondition(table, name, column): evaluate the named row's condition column."""
    host = host_of(m)
    rows = host.select(m, table, columns=[field], where={"name": name}, limit=1)
    condition = rows[0].get(field.lower(), "") if rows else ""
    if not condition:
        raise HostError(f"Record {name} has not been found")
    eval_(m, condition)


def access_rights(m: Machine, parameter: str) -> None:
    """An ecosystem parameter's value, read as a condition, must hold."""
    host = host_of(m)
    condition = host.wait(get_parameter(host.conn, host.ecosystem, parameter))
    if not condition:
        raise HostError(f"There is not {parameter} in parameters")
    if not host.runtime.eval_condition(m, condition):
        raise HostError(ACCESS_DENIED)


def allow_change_condition(m: Machine, table: str) -> None:
    """AllowChangeCondition(table): the ecosystem's changing_* parameter for it must hold."""
    name = table.lstrip("@").lstrip("0123456789")
    parameter = TABLE_PARAM_CONDITIONS.get(name)
    if parameter is not None:
        access_rights(m, parameter)


def row_conditions(m: Machine, table: str, row_id: Any, conditions_only: Any = False) -> None:
    """RowConditions(table, id, onlyConditions): the row's own conditions must hold; when only
    its conditions change, the ecosystem's changing_* parameter may grant it instead."""
    host = host_of(m)
    rows = host.select(m, table, columns=["conditions"], row_id=int(row_id))
    condition = rows[0].get("conditions", "") if rows else ""
    if not condition:
        raise HostError(f"item {int(row_id)} has not been found")
    if condition in m.stack:
        raise HostError("recursion detected")
    try:
        eval_(m, condition)
    except HostError as exc:
        if exc.message == ACCESS_DENIED and conditions_only:
            allow_change_condition(m, table)
            return
        raise


def condition_by_id(m: Machine, table: str, validate: Any) -> None:
    """ConditionById(table, validate): the row $Id's conditions hold (and $Conditions compile)."""
    row_id = m.tx.get("Id", 0)
    host = host_of(m)
    rows = host.select(m, table, columns=["conditions"], row_id=int(row_id or 0))
    condition = rows[0].get("conditions", "") if rows else ""
    if not condition:
        raise HostError(f"Item {row_id} has not been found")
    eval_(m, condition)
    if validate:
        validate_condition(m, m.tx.get("Conditions", ""))


# ---- parameters ----------------------------------------------------------------------------


def ecosys_param(m: Machine, name: str) -> str:
    """EcosysParam(name): this ecosystem's parameter ("" if there is none)."""
    host = host_of(m)
    return host.wait(get_parameter(host.conn, host.ecosystem, str(name))) or ""


def app_param(m: Machine, app_id: Any, name: str, ecosystem: Any = 0) -> str:
    """AppParam(app, name, ecosystem): an application parameter ("" if there is none)."""
    host = host_of(m)
    eco = int(ecosystem or host.ecosystem)
    rows = host.select(
        m,
        f"@{eco}app_params",
        columns=["value"],
        where={"app_id": int(app_id or 0), "name": str(name), "ecosystem": eco},
        limit=1,
    )
    return rows[0]["value"] if rows else ""


def sys_param_string(m: Machine, name: str) -> str:
    """SysParamString(name): a platform parameter ("" if there is none)."""
    host = host_of(m)
    return host.wait(get_platform_parameter(host.conn, str(name))) or ""


def sys_param_int(m: Machine, name: str) -> int:
    """SysParamInt(name): a platform parameter as int (0 if it is none)."""
    try:
        return int(sys_param_string(m, name).strip() or 0)
    except ValueError:
        return 0


def sys_fuel(m: Machine, ecosystem: Any) -> str:
    """SysFuel(ecosystem): the fuel rate of an ecosystem ("" if it has none)."""
    try:
        rates = json.loads(sys_param_string(m, "fuel_rate") or "[]")
    except ValueError:
        return ""
    for item in rates if isinstance(rates, list) else []:
        if isinstance(item, list) and len(item) == 2 and str(item[0]) == str(ecosystem):
            return str(item[1])
    return ""


def update_platform_param(m: Machine, name: str, value: Any, conditions: Any = "") -> int:
    """DBUpdatePlatformParam(name, value, conditions): checked by the parameter's conditions."""
    host = restricted(m, "DBUpdatePlatformParam")
    rows = host.select(
        m, "@1platform_parameters", columns=["id", "conditions"], where={"name": name}, limit=1
    )
    if not rows:
        raise HostError(f"Parameter {name} has not been found")
    current = rows[0]["conditions"]
    if current and not host.runtime.eval_condition(m, current):
        raise HostError(ACCESS_DENIED)
    changes: dict[str, Any] = {}
    if value not in (None, ""):
        text = str(value)
        if not _valid_platform_value(name, text):
            raise HostError("invalid value")
        changes["value"] = text
    if conditions not in (None, ""):
        host.runtime.check_condition(str(conditions))
        changes["conditions"] = str(conditions)
    if not changes:
        raise HostError("empty value and condition")
    ref = host.table("@1platform_parameters")
    host.update_rows(ref, {"id": int(rows[0]["id"])}, changes)
    return 0


def _valid_platform_value(name: str, text: str) -> bool:
    positive = {
        "max_block_size", "max_tx_size", "max_tx_block", "max_columns", "max_indexes",
        "max_tx_block_per_user", "max_fuel_tx", "max_fuel_block", "max_forsign_size",
    }  # fmt: skip
    if name in ("fuel_rate", "taxes_wallet"):
        try:
            items = json.loads(text)
        except ValueError:
            return False
        return isinstance(items, list) and all(
            isinstance(i, list) and len(i) == 2 and _int_text(i[0]) > 0 and _int_text(i[1]) != 0
            for i in items
        )
    if name == "honor_nodes":
        try:
            nodes = json.loads(text)
        except ValueError:
            return False
        return isinstance(nodes, list) and len(nodes) > 0
    number = _int_text(text)
    if str(number) != text:
        return name not in positive and name not in (
            "gap_between_blocks",
            "rollback_blocks",
            "number_of_nodes",
        )
    if name == "gap_between_blocks":
        return 0 < number < 86400
    if name in ("rollback_blocks", "number_of_nodes"):
        return 0 < number < 1000
    if name in positive:
        return number > 0
    return True


def _int_text(value: Any) -> int:
    try:
        return int(str(value))
    except ValueError:
        return 0


# ---- contracts -----------------------------------------------------------------------------


def contract_name(m: Machine, source: Any) -> str:
    """ContractName(source): the name of the first contract the source defines ("" if none)."""
    names = host_of(m).runtime.contract_names(str(source))
    return names[0] if names else ""


def validate_edit_contract(m: Machine, new: Any, old: Any) -> None:
    """ValidateEditContractNewValue(new, old): the new source defines the same contracts."""
    runtime = host_of(m).runtime
    fresh, current = runtime.contract_names(str(new)), runtime.contract_names(str(old))
    if len(fresh) != len(current):
        raise HostError("contract cannot be removed or inserted")
    if set(fresh) != set(current):
        raise HostError("contracts or functions names cannot be changed")


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


def get_contract_by_name(m: Machine, name: str) -> int:
    """GetContractByName(name): its table id, 0 if there is none."""
    host = host_of(m)
    contract = host.runtime.find_contract(m, _full(str(name), host.ecosystem))
    return host.runtime.contract_id(contract) if contract is not None else 0


def get_contract_by_id(m: Machine, row_id: Any) -> str:
    """GetContractById(id): the name of the contract in that row ("" if there is none)."""
    host = host_of(m)
    with host.writing_for_system():
        rows = host.select(m, "@1contracts", columns=["value"], row_id=int(row_id))
    found = _CONTRACT_NAME.match(rows[0]["value"]) if rows else None
    return found.group(1) if found else ""


def bind_wallet(m: Machine, row_id: Any, ecosystem: Any, name: str = "BndWallet") -> None:
    """BndWallet(id, ecosystem): the sender's wallet pays for the contract."""
    host = restricted(m, name)
    wallet = host.key_id if name == "BndWallet" else 0
    with host.writing_for_system():
        host.update_rows(host.table("@1contracts"), {"id": int(row_id)}, {"wallet_id": wallet})
    host.runtime.contracts_changed()


def unbind_wallet(m: Machine, row_id: Any, ecosystem: Any) -> None:
    """UnbndWallet(id, ecosystem): nobody pays for the contract any more."""
    bind_wallet(m, row_id, ecosystem, "UnbndWallet")


def is_object(m: Machine, name: str, ecosystem: Any) -> bool:
    """IsObject(name, ecosystem): is there a contract of that name?"""
    host = host_of(m)
    return (
        host.runtime.find_contract(m, _full(str(name), int(ecosystem or host.ecosystem)))
        is not None
    )


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
        if not valid_column_name(name):
            raise HostError(f"Name {name} must only contain latin, digit and '_', '-' characters")
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
    if not valid_table_name(name):
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


def create_table(m: Machine, name: str, columns: Any, permissions: Any, app_id: Any) -> None:
    """CreateTable(name, columns, permissions, appId): a custom table and its 1_tables row."""
    host = restricted(m, "CreateTable")
    name = str(name).lower()
    if not name:
        raise HostError("the table name cannot be empty")
    if name[0].isdigit() or name[0] == "@":
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
    if not valid_column_name(name):
        raise HostError(f"Name {name} must only contain latin, digit and '_', '-' characters")
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


def create_ecosystem(m: Machine, wallet: Any, name: Any) -> int:
    """CreateEcosystem(wallet, name): a new ecosystem with its default rows; its id."""
    host = restricted(m, "CreateEcosystem")
    host.direct()
    ecosystem = host.runtime.create_ecosystem(m, int(wallet), str(name))
    if host.state is not None:
        host.state.forget_all()  # its default rows were written past the block state
    host.ctx.record_rollback(NEW_ECOSYSTEM, str(ecosystem), None)
    return ecosystem


def edit_ecosys_name(m: Machine, ecosystem: Any, name: Any) -> None:
    """EditEcosysName(id, name)."""
    host = restricted(m, "EditEcosysName")
    with host.writing_for_system():
        host.update_rows(host.table("@1ecosystems"), {"id": int(ecosystem)}, {"name": str(name)})


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


def create_language(m: Machine, name: Any, trans: Any) -> int:
    """CreateLanguage(name, translations JSON): a new language resource; its id."""
    host = restricted(m, "CreateLanguage")
    _check_translations(trans)
    return host.insert(m, "languages", {"name": str(name), "res": str(trans)})


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


def block_time(m: Machine) -> str:
    """BlockTime(): the block's time as "YYYY-MM-DD HH:MM:SS" (UTC)."""
    seconds = host_of(m).ctx.block_time
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%d %H:%M:%S")


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


def current_key_from_account(m: Machine, account: Any) -> int:
    """CurrentKeyFromAccount(account): the key id of a live account of this ecosystem, or 0."""
    rows = host_of(m).select(
        m, "keys", columns=["id"], where={"account": str(account), "deleted": 0}, limit=1
    )
    return int(rows[0]["id"]) if rows else 0


def get_log_tx_count(m: Machine, ecosystem: Any) -> int:
    """GetLogTxCount(ecosystem): how many of the ecosystem's txs are in blocks."""
    host = host_of(m)
    return host.wait(count_logged(host.conn, int(ecosystem)))


def println(m: Machine, *values: Any) -> int:
    """Println(...): contracts have no console here; the length it would have printed."""
    return len(" ".join(to_str(v) for v in values)) + 1


def _seeded(name: str) -> Callable[..., Any]:
    """Random, RandomFloat, RandomDecimal: one stream per transaction, seeded by its hash."""

    def call(m: Machine, *args: Any) -> Any:
        host = host_of(m)
        if host.random is None:
            host.random = random_stdlib(host.ctx.hash)
        return host.random[name][0](*args)

    return call


Fn = Callable[..., Any]


def _b(fn: Fn, cost: int = 10) -> Builtin:
    return Builtin(fn, cost)


SYS_BUILTINS: dict[str, Builtin] = {
    "ContractAccess": _b(contract_access, 5),
    "ContractConditions": _b(contract_conditions, 20),
    "RoleAccess": _b(role_access, QUERY_FUEL),
    "ValidateCondition": _b(validate_condition, 30),
    "Eval": _b(eval_, 20),
    "CheckCondition": _b(check_condition, 20),
    "EvalCondition": _b(eval_condition, QUERY_FUEL),
    "AllowChangeCondition": _b(allow_change_condition, QUERY_FUEL),
    "RowConditions": _b(row_conditions, QUERY_FUEL),
    "ConditionById": _b(condition_by_id, QUERY_FUEL),
    "EcosysParam": _b(ecosys_param, QUERY_FUEL),
    "AppParam": _b(app_param, QUERY_FUEL),
    "SysParamString": _b(sys_param_string, QUERY_FUEL),
    "SysParamInt": _b(sys_param_int, QUERY_FUEL),
    "SysFuel": _b(sys_fuel, QUERY_FUEL),
    "DBUpdatePlatformParam": _b(update_platform_param, QUERY_FUEL * 2),
    "ContractName": _b(contract_name, 50),
    "ValidateEditContractNewValue": _b(validate_edit_contract, 50),
    "CreateContract": _b(create_contract, QUERY_FUEL * 5),
    "UpdateContract": _b(update_contract, QUERY_FUEL * 5),
    "GetContractByName": _b(get_contract_by_name, QUERY_FUEL),
    "GetContractById": _b(get_contract_by_id, QUERY_FUEL),
    "BndWallet": _b(bind_wallet, QUERY_FUEL),
    "UnbndWallet": _b(unbind_wallet, QUERY_FUEL),
    "IsObject": _b(is_object, QUERY_FUEL),
    "TableConditions": _b(table_conditions, QUERY_FUEL),
    "CreateTable": _b(create_table, QUERY_FUEL * 10),
    "PermTable": _b(perm_table, QUERY_FUEL * 2),
    "ColumnCondition": _b(column_condition, QUERY_FUEL),
    "CreateColumn": _b(create_column, QUERY_FUEL * 10),
    "PermColumn": _b(perm_column, QUERY_FUEL * 2),
    "CreateEcosystem": _b(create_ecosystem, QUERY_FUEL * 20),
    "EditEcosysName": _b(edit_ecosys_name, QUERY_FUEL * 2),
    "LangRes": _b(lang_res, QUERY_FUEL),
    "CreateLanguage": _b(create_language, QUERY_FUEL * 2),
    "EditLanguage": _b(edit_language, QUERY_FUEL * 2),
    "BlockTime": _b(block_time, 5),
    "IsHonorNodeKey": _b(is_honor_node_key, QUERY_FUEL),
    "CurrentKeyFromAccount": _b(current_key_from_account, QUERY_FUEL),
    "GetLogTxCount": _b(get_log_tx_count, QUERY_FUEL),
    "Println": _b(println, 5),
    "Random": _b(_seeded("Random"), 5),
    "RandomFloat": _b(_seeded("RandomFloat"), 5),
    "RandomDecimal": _b(_seeded("RandomDecimal"), 5),
}
