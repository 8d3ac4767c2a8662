"""Contract descriptions (id, name, data fields) and parameter checking by field type."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from chain.errors import ChainError
from chain.numbers import NumberError, parse_int, parse_whole

# Clients put table id + 5000 in a transaction's Header.ID (consts.ShiftContractID).
CONTRACT_ID_SHIFT = 5000
# A money parameter is a whole amount below 10^60, the bound of money in the contract machine.
MONEY_PARAM_DIGITS = 60

FIELD_TYPES = (
    "bool",
    "bytes",
    "int",
    "address",
    "array",
    "map",
    "money",
    "float",
    "string",
    "file",
)


class TxParamError(ChainError):
    """A transaction's parameters do not fit the contract's data section."""


class UnknownContract(ChainError):
    """A transaction names a contract id that does not exist."""

    def __init__(self, contract_id: int) -> None:
        self.contract_id = contract_id
        super().__init__(f"unknown contract {contract_id}")


@dataclass(frozen=True, slots=True)
class Field:
    """One line of a contract's data section."""

    name: str
    type: str
    optional: bool = False


@dataclass(frozen=True, slots=True)
class ContractInfo:
    """What sendTx and the block producer need to know about a contract."""

    table_id: int
    name: str
    ecosystem: int
    fields: tuple[Field, ...]
    wallet_id: int = 0  # the wallet bound to the contract: it pays the contract's fees
    token_id: int = 1  # the ecosystem whose token the contract's fees may be paid in

    @property
    def id(self) -> int:
        """The id clients put in Header.ID."""
        return self.table_id + CONTRACT_ID_SHIFT

    @property
    def full_name(self) -> str:
        return f"@{self.ecosystem}{self.name}"


def _coerce(field: Field, value: Any) -> Any:
    kind = field.type
    if kind == "bool":
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("true", "false", "1", "0"):
            return value.lower() in ("true", "1")
    elif kind in ("int", "address"):
        if isinstance(value, bool):
            raise TxParamError(f"parameter {field.name} must be {kind}")
        if isinstance(value, int):
            return value
        if isinstance(value, str):
            try:
                return parse_int(value)
            except NumberError:
                pass
    elif kind == "float":
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value)
    elif kind == "money":
        text = str(value) if isinstance(value, (int, str)) and not isinstance(value, bool) else ""
        try:
            amount = parse_whole(text, digits=MONEY_PARAM_DIGITS)
        except NumberError:
            amount = -1
        if amount >= 0:
            return amount
    elif kind == "string":
        if isinstance(value, str):
            return value
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return str(value)
    elif kind == "bytes":
        if isinstance(value, (bytes, bytearray)):
            return bytes(value)
    elif kind == "array":
        if isinstance(value, list):
            return value
    elif kind == "map":
        if isinstance(value, dict):
            return value
    elif kind == "file":
        if isinstance(value, dict) and isinstance(value.get("Body", b""), (bytes, bytearray)):
            return value
    raise TxParamError(f"parameter {field.name} must be {kind}")


def check_params(contract: ContractInfo, params: Mapping[str, Any]) -> dict[str, Any]:
    """Coerce params by field type; unknown and missing ones fail with the reference's texts."""
    known = {f.name: f for f in contract.fields}
    for name in params:
        if name not in known:
            raise TxParamError(f"'{name}' parameter is not required")
    result: dict[str, Any] = {}
    for field in contract.fields:
        if field.name not in params or params[field.name] is None:
            if not field.optional:
                raise TxParamError(f"Parameter {field.name} has not been found")
            continue
        result[field.name] = _coerce(field, params[field.name])
    return result


# The system contract a node signs when a new key logs in (@1NewUser, table id 32 as in go-ibax).
NEW_USER_ID = 32 + CONTRACT_ID_SHIFT

# Describes a contract id (a Needle contract), or None if there is none.
ContractLookup = Callable[[int], Awaitable[ContractInfo | None]]


async def find_contract(contract_id: int, lookup: ContractLookup) -> ContractInfo:
    """The contract a transaction calls, or UnknownContract."""
    if contract_id <= CONTRACT_ID_SHIFT:
        # No contract has such an id, and the table id (id - 5000) of the most negative
        # Header.ID would not even fit the database's bigint.
        raise UnknownContract(contract_id)
    contract = await lookup(contract_id)
    if contract is None:
        raise UnknownContract(contract_id)
    return contract
