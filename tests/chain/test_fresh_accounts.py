"""A block of @1TokensSend to new recipients: every account created, balances right, rolled back."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from api.appkeys import ENGINE
from chain.address import address_to_string
from chain.rollback import rollback_blocks
from chain.storage.schema import history, keys
from chain.txcodec import build_client_tx
from node.config import Config
from tests.chain.test_blockstate import StatementCounter
from tests.chain.test_rollback import (
    TX_TABLES,
    Client,
    assert_same,
    height,
    native,
    ok,
    snapshot,
    stop_node,
)
from tests.helpers import Wallet, send_txs, smart_tx, transfer_self_tx, wait_status

RECIPIENTS = 30


async def test_a_block_of_transfers_to_new_accounts_and_its_rollback(
    client: Client, config: Config, founder: Wallet
) -> None:
    ok(await native(client, founder, transfer_self_tx(founder, 10**6, "UTXO", "Account")))
    resp = await client.get("/api/v2/contract/@1TokensSend", headers=founder.auth)
    contract_id = (await resp.json())["id"]
    fresh = [Wallet(config.crypto).key_id for _ in range(RECIPIENTS)]
    # The first recipient is paid twice: created by one tx, updated by a later one.
    plan = [(to, amount) for amount, to in enumerate(fresh, start=1)] + [(fresh[0], 1000)]
    raws = [
        build_client_tx(
            smart_tx(
                founder,
                contract_id=contract_id,
                params={"Recipient": address_to_string(to), "Amount": str(amount)},
            ),
            founder.private,
            founder.crypto,
        )
        for to, amount in plan
    ]
    engine = client.app[ENGINE]
    base_height = await height(engine)
    before = await snapshot(engine)
    counter = StatementCounter(engine, keys.name)
    try:
        status, body = await send_txs(client, founder, *raws)
        assert status == 200, body
        hashes = [h for h in body["hashes"] if len(h) == 64]
        results = [ok(await wait_status(client, founder, h)) for h in hashes]
    finally:
        counter.close()
    assert len({r["blockid"] for r in results}) == 1  # one block made them all
    # Each new account used to cost two reads of its own (its row, its address).
    assert counter.selects < RECIPIENTS

    async with engine.connect() as conn:
        rows = (await conn.execute(select(keys.c.id, keys.c.amount, keys.c.account))).all()
        logged = (
            await conn.execute(select(history.c.recipient_id).where(history.c.type == 3))
        ).all()
    found: dict[int, Any] = {key_id: (amount, account) for key_id, amount, account in rows}
    for amount, to in enumerate(fresh, start=1):
        want = amount + 1000 if to == fresh[0] else amount
        assert found[to] == (want, address_to_string(to))
    paid = sum(amount for _, amount in plan)
    assert found[founder.key_id][0] == 10**6 - paid
    assert len(logged) == len(plan)

    engine, node = await stop_node(client, config)
    try:
        top = await height(engine)
        assert top == base_height + 1
        assert await rollback_blocks(engine, node, 1) == base_height
        after = await snapshot(engine)
        assert_same(before, after, TX_TABLES)
        async with engine.connect() as conn:
            left = (await conn.execute(select(keys.c.id).where(keys.c.id.in_(fresh)))).all()
        assert left == []
    finally:
        await engine.dispose()
