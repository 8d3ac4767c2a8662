"""What a contract's run looks up once is kept exactly as long as what it describes."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from api.appkeys import ENGINE
from chain.blockstate import UNSET, BlockState
from chain.contract_registry import CONTRACT_ID_SHIFT
from chain.genesis import GenesisOptions, create_genesis
from chain.storage.ddl import custom_table
from chain.storage.schema import contracts, history, keys
from chain.storage.values import QueryError, coerce_for_write, column_writer
from chain.tables import TableCatalog, TableRef
from chain.txcodec import build_client_tx
from contracts.book import NeedleBook
from contracts.ecosystems import platform_contracts
from node.config import Config
from tests.chain.conftest import CRYPTO, GENESIS_TIME, NODE
from tests.chain.test_rollback import Client, ok
from tests.helpers import NEW_COLUMN, Wallet, call_contract, deploy, send_txs, smart_tx, wait_status

TOKENS_SEND = 5038  # @1TokensSend's Header.ID


def test_a_column_writer_is_made_once_and_belongs_to_its_column() -> None:
    writer = column_writer(keys.c.amount)
    assert column_writer(keys.c.amount) is writer
    assert writer("12") == 12 == coerce_for_write(keys.c.amount, "12")
    with pytest.raises(QueryError, match="column amount cannot be NULL"):
        writer(None)
    # A custom table whose column changed type is a new Table: its column writes the new type.
    as_text = custom_table("1_notes", {"id": "number", "n": "varchar"})
    as_number = custom_table("1_notes", {"id": "number", "n": "number"})
    assert column_writer(as_text.c.n)("abc") == "abc"
    with pytest.raises(QueryError, match="not a valid number for column n"):
        column_writer(as_number.c.n)("abc")
    # A copy of a Column carries its info dict: the copy still gets a writer of its own.
    copied = keys.c.account._copy()
    assert column_writer(copied) is not column_writer(keys.c.account)


async def test_a_row_plan_is_made_once_per_shape(migrated_engine: AsyncEngine) -> None:
    async with migrated_engine.connect() as conn:
        state = BlockState(conn)
        plan = state.shape(history).plan
        assert state.shape(history).plan is plan
        defaults = {name: default for name, _, _, default in plan.columns}
        assert defaults["amount"] == 0 and defaults["comment"] == "" and defaults["txhash"] == b""
        assert defaults["value_detail"] is None  # no default: NULL, nothing to coerce
        assert plan.names["sender_id"] == "sender_id"
        # A table given a column: forgetting its shape makes the next plan list it.
        before = custom_table("1_notes", {"id": "number", "text": "varchar"})
        after = custom_table("1_notes", {"id": "number", "text": "varchar", "n": "number"})
        assert [c[0] for c in state.shape(before).plan.columns] == ["id", "text"]
        state.forget("1_notes")
        assert [c[0] for c in state.shape(after).plan.columns] == ["id", "text", "n"]
        # A NOT NULL column without a default is coerced (and refused) at each insert.
        assert {c[0]: c[3] for c in state.shape(keys).plan.columns}["account"] is UNSET


def test_static_table_refs_are_made_once() -> None:
    catalog = TableCatalog()
    ref = catalog.known(1, "@1keys")
    assert isinstance(ref, TableRef) and ref.full_name == "1_keys" and ref.ecosystem == 1
    assert catalog.known(1, "@1keys") is ref
    assert catalog.known(2, "@1keys") == ref  # another caller's ecosystem: its own entry
    other = catalog.known(2, "keys")
    assert (
        isinstance(other, TableRef) and other.ecosystem == 2 and catalog.known(2, "keys") is other
    )
    assert catalog.known(2, "@1ecosystems") is not None
    assert catalog.known(2, "ecosystems") is None  # platform tables are ecosystem 1's only


async def test_a_description_is_built_once_per_stored_contract(
    migrated_engine: AsyncEngine,
) -> None:
    async with migrated_engine.begin() as conn:
        await create_genesis(
            conn, NODE, GenesisOptions(timestamp=GENESIS_TIME), contracts=platform_contracts()
        )
    book = NeedleBook(migrated_engine, CRYPTO)
    async with migrated_engine.begin() as conn:
        book.begin_block(2)
        first = await book.describe(conn, TOKENS_SEND)
        assert first is not None and await book.describe(conn, TOKENS_SEND) is first
        # The contract is edited within the block: its description follows.
        table_id = TOKENS_SEND - CONTRACT_ID_SHIFT
        value = (
            await conn.execute(select(contracts.c.value).where(contracts.c.id == table_id))
        ).scalar_one()
        edited = value.replace("Comment string", "Comment string\n        Memo string")
        await conn.execute(update(contracts).where(contracts.c.id == table_id).values(value=edited))
        book.contracts_changed()
        changed = await book.describe(conn, TOKENS_SEND)
        assert changed is not None and [f.name for f in changed.fields] == [
            "Recipient",
            "Amount",
            "Comment",
            "Memo",
        ]
        await conn.rollback()


NOTES_COLUMNS = json.dumps(
    [{"name": "text", "type": "varchar", "index": "0", "conditions": "true"}]
)
OPEN = json.dumps({"insert": "true", "update": "true", "new_column": "true"})
ADD_NOTE = """contract AddNote {
    data { Text string
           N int "optional" }
    action {
        if $N {
            $result = DBInsert("notes", {text: $Text, n: $N})
        } else {
            $result = DBInsert("notes", {text: $Text})
        }
    }
}"""


async def test_a_column_added_within_a_block_is_written_by_the_next_insert(
    client: Client, config: Config, founder: Wallet
) -> None:
    params = {"ApplicationId": 1, "Name": "notes", "Columns": NOTES_COLUMNS, "Permissions": OPEN}
    ok(await call_contract(client, founder, "@1NewTable", params))
    await deploy(client, founder, NEW_COLUMN, ADD_NOTE)
    ids: dict[str, int] = {}
    for name in ("@1AddNote", "@1NewColumn"):
        resp = await client.get(f"/api/v2/contract/{name}", headers=founder.auth)
        ids[name] = (await resp.json())["id"]
    column = {"TableName": "notes", "Name": "n", "Type": "number", "Permissions": "true"}
    calls: list[tuple[str, dict[str, Any]]] = [
        ("@1AddNote", {"Text": "before"}),  # makes the table's row plan in this block
        ("@1NewColumn", column),
        ("@1AddNote", {"Text": "after", "N": "7"}),
    ]
    raws = [
        build_client_tx(
            smart_tx(founder, contract_id=ids[name], params=p),
            founder.private,
            founder.crypto,
        )
        for name, p in calls
    ]
    status, body = await send_txs(client, founder, *raws)
    assert status == 200, body
    hashes = [h for h in body["hashes"] if len(h) == 64]
    results = [ok(await wait_status(client, founder, h)) for h in hashes]
    assert len({r["blockid"] for r in results}) == 1  # one block made them all
    notes = custom_table("1_notes", {"id": "number", "text": "varchar", "n": "number"})
    async with client.app[ENGINE].connect() as conn:
        rows = (await conn.execute(select(notes.c.text, notes.c.n).order_by(notes.c.id))).all()
    assert [tuple(r) for r in rows] == [("before", 0), ("after", 7)]
