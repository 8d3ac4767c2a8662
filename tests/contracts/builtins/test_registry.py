"""The built-in registry: one entry per name with its fuel price, duplicates refused at import."""

from __future__ import annotations

from typing import Any

import pytest

from chain.crypto import Crypto
from contracts.builtins import node_builtins, plain_builtins
from contracts.builtins.random import SeededStream, random_int
from contracts.builtins.registry import REGISTRY, DuplicateBuiltinError, Registry
from contracts.errors import ContractRuntimeError
from contracts.program import Builtin
from contracts.run import compile_source
from contracts.vm import Limits, Machine

NODE_NAMES = {
    'AddDate', 'AddressToId', 'AllowChangeCondition', 'AppParam', 'Append',
    'BitcoinBip32Address', 'BitcoinBip49Address', 'BitcoinBip84Address', 'BitcoinBip86Address',
    'BitcoinLegacyAddress', 'BlockTime', 'BndWallet', 'BytesToString', 'CheckCondition',
    'CheckNumberChars', 'CheckSign', 'ColumnCondition', 'ConditionById', 'Contains',
    'ContractAccess', 'ContractConditions', 'ContractName', 'CreateColumn', 'CreateContract',
    'CreateEcosystem', 'CreateLanguage', 'CreateTable', 'CreateView', 'CurrentKeyFromAccount',
    'DBCount', 'DBFind', 'DBInsert', 'DBRow', 'DBSelect', 'DBUpdate', 'DBUpdateExt',
    'DBUpdatePlatformParam', 'DateFormat', 'DateTime', 'DateTimeLocation', 'DecodeBase64',
    'DelColumn', 'DelTable', 'Div', 'DoubleHash', 'EcosysParam', 'EditEcosysName',
    'EditLanguage', 'EncodeBase64', 'EthereumAddress', 'Eval', 'EvalCondition', 'Float',
    'Floor', 'FormatMoney', 'GetBlock', 'GetColumnType', 'GetContractById', 'GetContractByName',
    'GetDataFromXLSX', 'GetHistory', 'GetHistoryRow', 'GetLogTxCount', 'GetMapKeys',
    'GetRowsCountXLSX', 'GetType', 'GreaterThan', 'GreaterThanOrEqual', 'HMac', 'HasPrefix',
    'HasSlice', 'Hash', 'HexToBytes', 'HexToPub', 'IdToAddress', 'Int', 'IsHonorNodeKey',
    'IsObject', 'JSONDecode', 'JSONEncode', 'JSONEncodeIndent', 'Join', 'LangRes', 'Len',
    'LessThan', 'LessThanOrEqual', 'Log', 'Log10', 'MathMod', 'MathModDecimal', 'Money', 'One',
    'PermColumn', 'PermTable', 'Pow', 'Println', 'PubToHex', 'PubToID', 'Random',
    'RandomDecimal', 'RandomFloat', 'RegexpMatch', 'Replace', 'RoleAccess', 'Round', 'Row',
    'RowConditions', 'SeedToID', 'Size', 'SortedKeys', 'Split', 'Sprintf', 'Sqrt',
    'SqrtDecimal', 'Str', 'StringToBytes', 'Substr', 'SysFuel', 'SysParamInt', 'SysParamString',
    'TableConditions', 'ToLower', 'ToUpper', 'TopAmounts', 'TrimSpace', 'TronAddress',
    'UnbndWallet', 'UnixDateTime', 'UnixDateTimeLocation', 'UpdateContract', 'UpdateNodesBan',
    'UpdateNotifications', 'UpdateRolesNotifications', 'ValidateCondition',
    'ValidateEditContractNewValue',
}  # fmt: skip


def _fn(*args: Any) -> int:
    return 0


def test_the_node_table() -> None:
    table = node_builtins(Crypto())
    assert set(table) == NODE_NAMES
    for name, entry in table.items():
        assert isinstance(entry, Builtin) and callable(entry.fn) and entry.fuel > 0, name
    # Prices as they were when the built-ins were spread over six modules.
    prices = (table["DBFind"].fuel, table["DBInsert"].fuel, table["CreateEcosystem"].fuel)
    assert prices == (100, 200, 2000)
    assert table["DBFind"].machine and "Where" in table["DBFind"].tails
    assert table["Str"].output_fuel and not table["Str"].machine
    assert table["JSONDecode"].output_fuel and table["JSONDecode"].input_fuel


def test_plain_table_needs_no_machine() -> None:
    plain = plain_builtins()
    assert {"Str", "Sprintf", "JSONEncode", "DateTime", "Pow", "AddressToId"} <= set(plain)
    assert not {"DBFind", "Random", "ContractAccess", "FormatMoney", "Hash"} & set(plain)
    assert not any(entry.machine for entry in plain.values())


def test_a_name_registered_twice_fails() -> None:
    registry = Registry()
    registry.builtin("X", fuel=1)(_fn)
    with pytest.raises(DuplicateBuiltinError, match="built-in X is registered twice"):
        registry.builtin("X", fuel=2)(_fn)
    registry.factory("Y", "Z")
    with pytest.raises(DuplicateBuiltinError, match="built-in Y is registered twice"):
        registry.builtin("Y", fuel=1)(_fn)
    with pytest.raises(DuplicateBuiltinError, match="built-in X is registered twice"):
        registry.factory("X")
    # The real registry: any module registering an existing name fails when it is imported.
    with pytest.raises(DuplicateBuiltinError, match="built-in Str is registered twice"):
        REGISTRY.builtin("Str", fuel=1)(_fn)
    with pytest.raises(DuplicateBuiltinError, match="built-in Hash is registered twice"):
        REGISTRY.builtin("Hash", fuel=1)(_fn)


def test_factories_make_only_what_they_registered() -> None:
    registry = Registry()

    @registry.factory("A", "B")
    def make(cost: int) -> dict[str, Builtin]:
        return {"A": Builtin(_fn, cost), "B": Builtin(_fn, cost)}

    @registry.factory("C")
    def wrong() -> dict[str, Builtin]:
        return {"D": Builtin(_fn, 1)}

    assert set(registry.table(make(3))) == {"A", "B"}
    with pytest.raises(DuplicateBuiltinError, match="not the names it registered"):
        wrong()
    with pytest.raises(DuplicateBuiltinError, match="made twice or not reserved"):
        registry.table({"E": Builtin(_fn, 1)})
    with pytest.raises(DuplicateBuiltinError, match="made twice or not reserved"):
        registry.table(make(1), make(2))


RANDOM_SOURCE = "func main() array { return [Random(0, 1000), Random(0, 1000)] }"


def test_random_draws_from_the_transactions_stream() -> None:
    # Random was defined twice (a seeded table and the system built-in); the system one, one
    # stream per transaction drawn from at a price of 5, is the one that was in the node table.
    table = node_builtins(Crypto())
    for name in ("Random", "RandomFloat", "RandomDecimal"):
        assert table[name].machine and table[name].fuel == 5
    program = compile_source(RANDOM_SOURCE, "random", table)
    fn = program.funcs["main"]
    assert fn.body is not None
    machine = Machine(Limits(), {})
    machine.random = SeededStream(b"tx hash")
    drawn = getattr(fn.body(machine, [None] * fn.nslots), "value", None)
    expected = SeededStream(b"tx hash")
    assert drawn == [random_int(expected, 0, 1000), random_int(expected, 0, 1000)]
    with pytest.raises(ContractRuntimeError, match="database functions are not available here"):
        fn.body(Machine(Limits(), {}), [None] * fn.nslots)
