"""Built-ins for access checks and parameters: who may do what, and the settings they read."""

from __future__ import annotations

import json
from typing import Any

from chain.storage.repo.keys import list_member_roles
from chain.storage.repo.params import get_parameter, get_platform_parameter
from contracts.builtins.data import QUERY_FUEL, host_of
from contracts.builtins.registry import REGISTRY
from contracts.errors import HostError
from contracts.host import ACCESS_DENIED, TxHost
from contracts.vm import Machine

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
    "CreateView": ("@1NewView",),
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


def restricted(m: Machine, name: str) -> TxHost:
    """The host, if the running contract may call built-in `name` (else an error)."""
    allowed = RESTRICTED[name]
    current = m.stack[-1] if m.stack else ""
    if current not in allowed:
        condition = "ContractAccess(" + ", ".join(f'"{c}"' for c in allowed) + ")"
        raise HostError(f"{name} can only be called with condition: {condition}")
    return host_of(m)


def full_contract_name(name: str, ecosystem: int) -> str:
    return name if name.startswith("@") else f"@{ecosystem}{name}"


# ---- access ------------------------------------------------------------------------------


@REGISTRY.builtin("ContractAccess", fuel=5, machine=True)
def contract_access(m: Machine, *names: Any) -> bool:
    """ContractAccess("@1A", "B"): is the running contract one of them?"""
    host = host_of(m)
    current = m.stack[-1] if m.stack else ""
    return any(
        isinstance(n, str) and n and full_contract_name(n, host.ecosystem) == current for n in names
    )


@REGISTRY.builtin("ContractConditions", fuel=20, machine=True)
def contract_conditions(m: Machine, *names: Any) -> bool:
    """ContractConditions("A", ...): run each one's conditions; their errors are the caller's."""
    host = host_of(m)
    for name in names:
        if not isinstance(name, str) or not name:
            raise HostError("empty contract name in ContractConditions")
        contract = host.runtime.find_contract(m, full_contract_name(name, host.ecosystem))
        if contract is None and not name.startswith("@"):
            contract = host.runtime.find_contract(m, f"@1{name}")
        if contract is None:
            raise HostError(f"Unknown contract {name}")
        host.runtime.run_conditions(m, contract)
    return True


@REGISTRY.builtin("RoleAccess", fuel=QUERY_FUEL, machine=True)
def role_access(m: Machine, *ids: Any) -> bool:
    """RoleAccess(id, ...): does the sender hold one of these roles in this ecosystem?"""
    host = host_of(m)
    roles = {r for r, _ in host.wait(list_member_roles(host.conn, host.ecosystem, host.key_id))}
    return any(isinstance(i, int) and not isinstance(i, bool) and i in roles for i in ids)


@REGISTRY.builtin("ValidateCondition", fuel=30, machine=True)
def validate_condition(m: Machine, condition: Any, ecosystem: Any = 0) -> None:
    """ValidateCondition(text, ecosystem): the condition must compile."""
    if not isinstance(condition, str) or not condition.strip():
        raise HostError("conditions is empty")
    host_of(m).runtime.check_condition(condition)


@REGISTRY.builtin("Eval", fuel=20, machine=True)
def eval_(m: Machine, condition: Any) -> None:
    """Eval(condition): Access denied unless it holds."""
    if not isinstance(condition, str) or not condition.strip():
        raise HostError("the condition is empty")
    if not host_of(m).runtime.eval_condition(m, condition):
        raise HostError(ACCESS_DENIED)


@REGISTRY.builtin("CheckCondition", fuel=20, machine=True)
def check_condition(m: Machine, condition: Any) -> bool:
    """CheckCondition(condition): whether it holds."""
    if not isinstance(condition, str) or not condition.strip():
        return False
    return host_of(m).runtime.eval_condition(m, condition)


@REGISTRY.builtin("EvalCondition", fuel=QUERY_FUEL, machine=True)
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


@REGISTRY.builtin("AllowChangeCondition", fuel=QUERY_FUEL, machine=True)
def allow_change_condition(m: Machine, table: str) -> None:
    """AllowChangeCondition(table): the ecosystem's changing_* parameter for it must hold."""
    name = table.lstrip("@").lstrip("0123456789")
    parameter = TABLE_PARAM_CONDITIONS.get(name)
    if parameter is not None:
        access_rights(m, parameter)


@REGISTRY.builtin("RowConditions", fuel=QUERY_FUEL, machine=True)
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


@REGISTRY.builtin("ConditionById", fuel=QUERY_FUEL, machine=True)
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


@REGISTRY.builtin("EcosysParam", fuel=QUERY_FUEL, machine=True)
def ecosys_param(m: Machine, name: str) -> str:
    """EcosysParam(name): this ecosystem's parameter ("" if there is none)."""
    host = host_of(m)
    return host.wait(get_parameter(host.conn, host.ecosystem, str(name))) or ""


@REGISTRY.builtin("AppParam", fuel=QUERY_FUEL, machine=True)
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


@REGISTRY.builtin("SysParamString", fuel=QUERY_FUEL, machine=True)
def sys_param_string(m: Machine, name: str) -> str:
    """SysParamString(name): a platform parameter ("" if there is none)."""
    host = host_of(m)
    return host.wait(get_platform_parameter(host.conn, str(name))) or ""


@REGISTRY.builtin("SysParamInt", fuel=QUERY_FUEL, machine=True)
def sys_param_int(m: Machine, name: str) -> int:
    """SysParamInt(name): a platform parameter as int (0 if it is none)."""
    try:
        return int(sys_param_string(m, name).strip() or 0)
    except ValueError:
        return 0


@REGISTRY.builtin("SysFuel", fuel=QUERY_FUEL, machine=True)
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


@REGISTRY.builtin("DBUpdatePlatformParam", fuel=QUERY_FUEL * 2, machine=True)
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
            isinstance(i, list)
            and len(i) == 2
            and _int_text(i[0]) > 0
            # A fuel rate of 0 turns fees off (the reference refuses it).
            and (_int_text(i[1]) != 0 or (name == "fuel_rate" and str(i[1]) == "0"))
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
