"""The system contracts' sources: they parse, define what the reference node defines, in order."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import pytest

from contracts import ast
from contracts.parser import parse
from contracts.system import SYSTEM_CONTRACTS, SystemContract, source

# Each contract's data fields as on the reference node (section 8.4 of the API notes), in
# table-id order: (name, type, optional). S is a string field, N an int one.
Fields = tuple[tuple[str, str, bool], ...]
S, N = "string", "int"
EXPECTED: tuple[tuple[str, Fields], ...] = (
    ("DeveloperCondition", ()),
    ("MainCondition", ()),
    ("AccessControlMode", (("VotingId", N, True),)),
    ("AccessVoteTempRun", (("ContractAccept", S, True), ("ContractAcceptParams", "map", True))),
    ("BindWallet", (("Id", N, False),)),
    ("CallDelayedContract", (("Id", N, False),)),
    ("CheckNodesBan", ()),
    ("EditAppParam", (("Id", N, False), ("Value", S, True), ("Conditions", S, True))),
    ("EditApplication", (("ApplicationId", N, False), ("Conditions", S, True))),
    ("EditColumn", (("TableName", S, False), ("Name", S, False), ("Permissions", S, False))),
    ("EditContract", (("Id", N, False), ("Value", S, True), ("Conditions", S, True))),
    ("EditLang", (("Id", N, False), ("Trans", S, False))),
    (
        "EditMenu",
        (("Id", N, False), ("Value", S, True), ("Title", S, True), ("Conditions", S, True)),
    ),
    (
        "EditPage",
        (
            ("Id", N, False),
            ("Value", S, True),
            ("Menu", S, True),
            ("Conditions", S, True),
            ("ValidateCount", N, True),
            ("ValidateMode", S, True),
        ),
    ),
    ("EditParameter", (("Id", N, False), ("Value", S, True), ("Conditions", S, True))),
    ("EditSnippet", (("Id", N, False), ("Value", S, True), ("Conditions", S, True))),
    (
        "EditTable",
        (
            ("Name", S, False),
            ("InsertPerm", S, False),
            ("UpdatePerm", S, False),
            ("NewColumnPerm", S, False),
            ("ReadPerm", S, True),
        ),
    ),
    ("HonorNodeCondition", ()),
    ("Import", (("Data", S, False),)),
    ("ImportUpload", (("Data", "file", False),)),
    (
        "NewAppParam",
        (
            ("ApplicationId", N, False),
            ("Name", S, False),
            ("Value", S, False),
            ("Conditions", S, False),
        ),
    ),
    ("NewApplication", (("Name", S, False), ("Conditions", S, False))),
    (
        "NewBadBlock",
        (
            ("ProducerNodeID", N, False),
            ("ConsumerNodeID", N, False),
            ("BlockID", N, False),
            ("Timestamp", N, False),
            ("Reason", S, False),
        ),
    ),
    (
        "NewContract",
        (
            ("ApplicationId", N, False),
            ("Value", S, False),
            ("Conditions", S, False),
            ("TokenEcosystem", N, True),
        ),
    ),
    ("NewEcosystem", (("Name", S, False),)),
    ("NewLang", (("ApplicationId", N, False), ("Name", S, False), ("Trans", S, False))),
    (
        "NewMenu",
        (("Name", S, False), ("Value", S, False), ("Title", S, True), ("Conditions", S, False)),
    ),
    (
        "NewPage",
        (
            ("ApplicationId", N, False),
            ("Name", S, False),
            ("Value", S, False),
            ("Menu", S, False),
            ("Conditions", S, False),
            ("ValidateCount", N, True),
            ("ValidateMode", S, True),
        ),
    ),
    ("NewParameter", (("Name", S, False), ("Value", S, False), ("Conditions", S, False))),
    (
        "NewSnippet",
        (
            ("ApplicationId", N, False),
            ("Name", S, False),
            ("Value", S, False),
            ("Conditions", S, False),
        ),
    ),
    (
        "NewTable",
        (
            ("ApplicationId", N, False),
            ("Name", S, False),
            ("Columns", S, False),
            ("Permissions", S, False),
        ),
    ),
    ("NewUser", (("NewPubkey", S, True), ("Ecosystem", N, True))),
    ("NodeOwnerCondition", ()),
    ("UnbindWallet", (("Id", N, False),)),
    ("UpdatePlatformParam", (("Name", S, False), ("Value", S, False), ("Conditions", S, True))),
    (
        "UploadBinary",
        (
            ("ApplicationId", N, False),
            ("Name", S, False),
            ("Data", "bytes", False),
            ("DataMimeType", S, True),
            ("MemberAccount", S, True),
        ),
    ),
    ("UploadFile", (("ApplicationId", N, False), ("Data", "file", False), ("Name", S, True))),
    ("TokensSend", (("Recipient", S, False), ("Amount", "money", False), ("Comment", S, True))),
)

# Every built-in the sources call (including the DBFind tails and the .Row()/.One() pipes);
# the VM must provide each with the reference's signature.
BUILTINS = frozenset(
    {
        "AddressToId", "AppParam", "Append", "BndWallet", "BytesToString", "CallContract",
        "ColumnCondition", "Columns", "Contains", "ContractConditions", "ContractName",
        "CreateContract", "CreateEcosystem", "CreateLanguage", "CreateTable", "DBFind",
        "DBInsert", "DBRow", "DBUpdate", "DBUpdateExt", "DBUpdatePlatformParam", "EcosysParam",
        "EditLanguage", "Eval", "EvalCondition", "GetContractByName", "HasPrefix", "Hash",
        "HexToPub", "Substr",
        "IdToAddress", "Int", "IsHonorNodeKey", "JSONDecode", "JSONEncode", "Join", "Len",
        "Money", "One", "PermColumn", "PermTable", "PubToID", "Replace", "RoleAccess", "Row",
        "RowConditions", "Size", "Sprintf", "Str", "SysFuel", "SysParamInt", "SysParamString",
        "TableConditions", "TrimSpace", "UnbndWallet", "UpdateContract", "UpdateNodesBan",
        "ValidateCondition", "ValidateEditContractNewValue", "Where",
    }
)  # fmt: skip
CONTRACT_CALLS = frozenset({"@1DeveloperCondition", "@1HonorNodeCondition"})


def _walk(node: object) -> Iterator[ast.Node]:
    if isinstance(node, ast.Node):
        yield node
        for field in dataclasses.fields(node):
            yield from _walk(getattr(node, field.name))
    elif isinstance(node, tuple):
        for item in node:
            yield from _walk(item)


def _contract(name: str) -> ast.Contract:
    module = parse(source(name), f"@1{name}")
    assert [type(item) for item in module.items] == [ast.Contract]
    contract = module.items[0]
    assert isinstance(contract, ast.Contract)
    return contract


def test_manifest_is_in_table_id_order() -> None:
    assert [c.name for c in SYSTEM_CONTRACTS] == [name for name, _ in EXPECTED]
    assert [c.table_id for c in SYSTEM_CONTRACTS] == list(range(1, 39))


def test_only_the_two_guards_are_per_ecosystem() -> None:
    assert [c.name for c in SYSTEM_CONTRACTS if c.per_ecosystem] == [
        "DeveloperCondition",
        "MainCondition",
    ]


def test_conditions_and_apps_are_the_reference_ones() -> None:
    founder = 'ContractConditions("MainCondition")'
    conditions = {c.name: c.conditions for c in SYSTEM_CONTRACTS}
    assert conditions.pop("NewUser") == 'ContractConditions("NodeOwnerCondition")'
    assert set(conditions.values()) == {founder}
    assert {c.app_id for c in SYSTEM_CONTRACTS} == {1}


@pytest.mark.parametrize(("name", "fields"), EXPECTED, ids=[name for name, _ in EXPECTED])
def test_source_defines_its_contract_with_the_reference_fields(name: str, fields: Fields) -> None:
    contract = _contract(name)
    assert contract.name == name
    assert tuple((f.name, f.type, f.optional) for f in contract.data) == fields


def test_sources_call_only_the_listed_builtins_and_contracts() -> None:
    called: set[str] = set()
    contracts: set[str] = set()
    for entry in SYSTEM_CONTRACTS:
        contract = _contract(entry.name)
        own = {func.name for func in contract.funcs}
        for node in _walk(contract):
            if isinstance(node, ast.Call) and node.name not in own:
                called.add(node.name)
            if isinstance(node, ast.Tail):
                called.add(node.name)
            if isinstance(node, ast.ContractCall):
                contracts.add(node.name)
    assert called == BUILTINS
    assert contracts == CONTRACT_CALLS


def test_every_contract_has_a_body() -> None:
    for entry in SYSTEM_CONTRACTS:
        funcs = {func.name for func in _contract(entry.name).funcs}
        assert funcs & {"conditions", "action"}, entry.name


def test_unknown_names_are_refused() -> None:
    with pytest.raises(KeyError):
        source("../parser")
    with pytest.raises(KeyError):
        source("NoSuchContract")


def test_manifest_entries_are_frozen() -> None:
    entry = SYSTEM_CONTRACTS[0]
    with pytest.raises(dataclasses.FrozenInstanceError):
        entry.table_id = 7  # type: ignore[misc]
    assert entry == SystemContract("DeveloperCondition", 1, per_ecosystem=True)


def test_the_node_provides_every_builtin_the_sources_call() -> None:
    from chain.crypto import Crypto, Cryptoer, Hasher
    from contracts.builtins import node_builtins

    provided = set(node_builtins(Crypto(Cryptoer.SECP256K1, Hasher.KECCAK256)))
    # Tails of DBFind/DBRow, and forms the compiler itself handles.
    special = {"Columns", "Where", "CallContract"}
    missing = sorted(BUILTINS - provided - special)
    assert missing == []
