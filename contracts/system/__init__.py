"""The node's system contracts: Needle sources shipped with the package, in genesis order."""

from __future__ import annotations

from dataclasses import dataclass
from importlib.resources import files

# The conditions column of (almost) every system contract: only the ecosystem's founder may
# edit them, as on the reference node.
BY_FOUNDER = 'ContractConditions("MainCondition")'


@dataclass(frozen=True)
class SystemContract:
    """One system contract's `1_contracts` row, less its source.

    `table_id` is its row id in ecosystem 1; clients send `table_id + 5000` as a transaction's
    contract id, so the order must match the reference node's. `per_ecosystem` contracts are
    also created in every new ecosystem (with new row ids there); their `app_id` is then that
    ecosystem's System application, which is application 1 in ecosystem 1.
    """

    name: str
    table_id: int
    conditions: str = BY_FOUNDER
    app_id: int = 1
    per_ecosystem: bool = False


def _genesis_order() -> tuple[SystemContract, ...]:
    # The two guards come first, then the platform's contracts alphabetically, as the reference
    # inserts them; TokensSend, from the reference's Basic application, comes last.
    names = (
        "AccessControlMode",
        "AccessVoteTempRun",
        "BindWallet",
        "CallDelayedContract",
        "CheckNodesBan",
        "EditAppParam",
        "EditApplication",
        "EditColumn",
        "EditContract",
        "EditLang",
        "EditMenu",
        "EditPage",
        "EditParameter",
        "EditSnippet",
        "EditTable",
        "HonorNodeCondition",
        "Import",
        "ImportUpload",
        "NewAppParam",
        "NewApplication",
        "NewBadBlock",
        "NewContract",
        "NewEcosystem",
        "NewLang",
        "NewMenu",
        "NewPage",
        "NewParameter",
        "NewSnippet",
        "NewTable",
        "NewUser",
        "NodeOwnerCondition",
        "UnbindWallet",
        "UpdatePlatformParam",
        "UploadBinary",
        "UploadFile",
        "TokensSend",
    )
    guards = (
        SystemContract("DeveloperCondition", 1, per_ecosystem=True),
        SystemContract("MainCondition", 2, per_ecosystem=True),
    )
    # NewUser may be changed only by node owners, as it is what logging in with a new key runs.
    special = {"NewUser": 'ContractConditions("NodeOwnerCondition")'}
    rest = tuple(
        SystemContract(name, table_id, special.get(name, BY_FOUNDER))
        for table_id, name in enumerate(names, start=len(guards) + 1)
    )
    return guards + rest


SYSTEM_CONTRACTS: tuple[SystemContract, ...] = _genesis_order()
_BY_NAME = {contract.name: contract for contract in SYSTEM_CONTRACTS}


def source(name: str) -> str:
    """The Needle source of the system contract `name`; KeyError for any other name."""
    if name not in _BY_NAME:
        raise KeyError(f"no system contract {name}")
    return files(__name__).joinpath(f"{name}.sim").read_text(encoding="utf-8")
