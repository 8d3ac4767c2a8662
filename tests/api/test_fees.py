"""Fees through the real node: who pays what to whom, after success and failure, and rollback.

(Over 600 lines: each fee mode is one long scenario on one node, block by block, and the
scenarios share the balance, output and fee-row readers at the top.)
"""

from __future__ import annotations

from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from api.appkeys import ENGINE, NODE
from chain.address import address_to_string
from chain.fees import (
    HISTORY_COMBUSTION,
    HISTORY_DIRECT,
    HISTORY_REWARD,
    HISTORY_TAXES,
    HISTORY_TRANSFER_SELF,
)
from chain.genesis import FOUNDER_AMOUNT
from chain.rollback import rollback_blocks
from chain.storage.engine import write_transaction
from chain.storage.repo.blocks import get_head
from chain.storage.repo.money import get_amount, native_supply, sum_unspent
from chain.storage.schema import (
    contracts,
    ecosystems,
    history,
    keys,
    parameters,
    platform_parameters,
    spent_info,
)
from chain.txcodec import TransferSelf, Utxo, build_client_tx
from node.config import Config
from tests.chain.test_rollback import height as head_height
from tests.chain.test_rollback import stop_node
from tests.helpers import (
    Wallet,
    call_contract,
    send_txs,
    smart_tx,
    transfer_self_tx,
    utxo_fee,
    utxo_tx,
    wait_status,
)

Client = TestClient[Any, Any]
COIN = 10**12
BURN = 0  # combustion's account (ecosystem 1 burns nothing: the reference burns in others)


@pytest.fixture
def config(make_config: Any) -> Config:
    """A public chain: contract calls pay fees too (native transfers always do)."""
    return make_config(private_blockchain=False)


def _split(total: int) -> tuple[int, int]:
    """(reward, taxes) of a fee under the genesis taxes_size of 3 percent."""
    taxes = total * 3 // 100
    return total - taxes, taxes


def _storage(raw: bytes) -> int:
    """price_tx_size 15 coins per MiB of the tx."""
    return 15 * COIN * len(raw) // (1 << 20)


async def _accounts(client: Client, *key_ids: int) -> list[int]:
    async with client.app[ENGINE].connect() as conn:
        return [await get_amount(conn, 1, k) or 0 for k in key_ids]


async def _outputs(client: Client, *key_ids: int) -> list[int]:
    async with client.app[ENGINE].connect() as conn:
        return [int(await sum_unspent(conn, k, 1)) for k in key_ids]


async def _fee_rows(client: Client, tx_hash: str) -> list[Any]:
    async with client.app[ENGINE].connect() as conn:
        found = await conn.execute(
            select(history)
            .where(
                history.c.txhash == bytes.fromhex(tx_hash),
                history.c.type.in_([HISTORY_REWARD, HISTORY_TAXES]),
            )
            .order_by(history.c.id)
        )
        return list(found)


async def _send(client: Client, wallet: Wallet, raw: bytes) -> tuple[str, dict[str, Any]]:
    status, body = await send_txs(client, wallet, raw)
    assert status == 200, body
    tx_hash = next(h for h in body["hashes"] if len(h) == 64)
    return tx_hash, await wait_status(client, wallet, tx_hash)


async def _contract(
    client: Client, wallet: Wallet, name: str, params: dict[str, Any], expedite: str = ""
) -> tuple[bytes, str, dict[str, Any]]:
    resp = await client.get(f"/api/v2/contract/{name}", headers=wallet.auth)
    info = await resp.json()
    assert resp.status == 200, info
    tx = smart_tx(wallet, contract_id=info["id"], params=params, expedite=expedite)
    raw = build_client_tx(tx, wallet.private, wallet.crypto)
    tx_hash, status = await _send(client, wallet, raw)
    return raw, tx_hash, status


def _send_to(wallet: Wallet, amount: int) -> dict[str, Any]:
    return {"Recipient": address_to_string(wallet.key_id), "Amount": str(amount)}


async def test_native_transfer_pays_producer_and_taxes_and_a_failed_one_pays_nothing(
    client: Client, config: Config, founder: Wallet
) -> None:
    node = client.app[NODE].node_key_id
    bob, carol = Wallet(config.crypto), Wallet(config.crypto)
    await bob.login(client)
    _, status = await _send(client, founder, utxo_tx(founder, bob.key_id, 10 * COIN))
    assert status["penalty"] == 0
    before = await _outputs(client, bob.key_id, carol.key_id, node, founder.key_id, BURN)
    assert before[0] == 10 * COIN

    # Expedite adds to the fee: one coin here.
    tx = smart_tx(bob, utxo=Utxo(to_id=carol.key_id, value=str(3 * COIN), comment=""), expedite="1")
    raw = build_client_tx(tx, bob.private, bob.crypto)
    _, status = await _send(client, bob, raw)
    assert status["blockid"] and status["penalty"] == 0 and "errmsg" not in status
    reward, taxes = _split(100_000 * (len(raw) + 1) + COIN)
    after = await _outputs(client, bob.key_id, carol.key_id, node, founder.key_id, BURN)
    assert after == [
        10 * COIN - 3 * COIN - reward - taxes,
        3 * COIN,
        before[2] + reward,
        before[3] + taxes,  # the founder is the genesis taxes wallet
        0,
    ]

    # More than bob has: a penalty in the block, and, as the reference, no fee taken.
    _, status = await _send(client, bob, utxo_tx(bob, carol.key_id, 100 * COIN))
    assert status["blockid"] and status["penalty"] == 1
    assert "current balance is not enough" in status["errmsg"]["error"]
    assert await _outputs(client, bob.key_id, carol.key_id, node, founder.key_id, BURN) == after


async def test_native_fee_is_what_the_test_helper_expects(
    client: Client, config: Config, founder: Wallet
) -> None:
    # utxo_fee is what every other test file relies on: pin it against the node once more.
    node = client.app[NODE].node_key_id
    raw = utxo_tx(founder, Wallet(config.crypto).key_id, 5)
    _, status = await _send(client, founder, raw)
    assert status["penalty"] == 0
    assert await _outputs(client, node) == [utxo_fee(raw)[0]]


async def test_contract_fees_on_success_failure_and_short_funds_and_rollback(
    client: Client, config: Config, founder: Wallet
) -> None:
    node = client.app[NODE].node_key_id
    bob, carol, dave = (Wallet(config.crypto) for _ in range(3))
    for wallet in (bob, dave):
        await wallet.login(client)
    # Logging in runs @1NewUser, a free contract: the producer earned nothing from it.
    assert await _accounts(client, node) == [0]
    _, status = await _send(
        client, founder, transfer_self_tx(founder, 100 * COIN, "UTXO", "Account")
    )
    assert status["penalty"] == 0  # TransferSelf carries no fee
    raw, tx_hash, status = await _contract(
        client, founder, "@1TokensSend", _send_to(bob, 50 * COIN)
    )
    assert status["penalty"] == 0
    # The founder pays and is the taxes wallet: the taxes row moves nothing.
    [reward_row, taxes_row] = await _fee_rows(client, tx_hash)
    assert taxes_row.sender_id == taxes_row.recipient_id == founder.key_id
    assert await _accounts(client, founder.key_id, bob.key_id, node) == [
        50 * COIN - reward_row.amount,
        50 * COIN,
        reward_row.amount,
    ]
    height = int(status["blockid"])
    before = await _accounts(client, bob.key_id, carol.key_id, node, founder.key_id, BURN)

    # Success: fuel x fuel_rate + storage by size + expedite (half a coin), split 97/3.
    raw, tx_hash, status = await _contract(
        client, bob, "@1TokensSend", _send_to(carol, COIN), expedite="0.5"
    )
    assert status["penalty"] == 0 and "errmsg" not in status
    [reward_row, taxes_row] = await _fee_rows(client, tx_hash)
    detail = reward_row.value_detail
    vm = int(detail["vmCost_fee"]["value"])
    assert vm > 0 and vm % 1_000_000 == 0  # whole fuel at fuel_rate 1000000
    assert int(detail["storage_fee"]["value"]) == _storage(raw)
    assert int(detail["expedite_fee"]["value"]) == COIN // 2
    total = vm + _storage(raw) + COIN // 2
    reward, taxes = _split(total)
    assert (reward_row.sender_id, reward_row.recipient_id, reward_row.amount) == (
        bob.key_id,
        node,
        reward,
    )
    assert (taxes_row.sender_id, taxes_row.recipient_id, taxes_row.amount) == (
        bob.key_id,
        founder.key_id,
        taxes,
    )
    assert reward_row.status == taxes_row.status == 0
    assert reward_row.comment == "taxes for execution of @1TokensSend contract"
    assert reward_row.block_id == int(status["blockid"])
    after = await _accounts(client, bob.key_id, carol.key_id, node, founder.key_id, BURN)
    assert after == [
        before[0] - COIN - total,
        COIN,
        before[2] + reward,
        before[3] + taxes,
        0,
    ]
    assert (reward_row.sender_balance, reward_row.recipient_balance) == (
        before[0] - COIN - reward,
        before[2] + reward,
    )

    # Failure: the transfer is undone, the fee (of the fuel it burnt) is still paid.
    raw, tx_hash, status = await _contract(
        client, bob, "@1TokensSend", _send_to(carol, 10**6 * COIN)
    )
    assert status["penalty"] == 1 and status["errmsg"]["type"] == "error"
    [reward_row, taxes_row] = await _fee_rows(client, tx_hash)
    vm = int(reward_row.value_detail["vmCost_fee"]["value"])
    total = vm + _storage(raw)
    assert (reward_row.amount, taxes_row.amount) == _split(total)
    assert reward_row.status == taxes_row.status == 1
    assert reward_row.comment == "(error)taxes for execution of @1TokensSend contract"
    failed = await _accounts(client, bob.key_id, carol.key_id, node, founder.key_id, BURN)
    assert failed == [
        after[0] - total,
        COIN,
        after[2] + reward_row.amount,
        after[3] + taxes_row.amount,
        0,
    ]

    # Not enough fee: dave's transfer would work, but he cannot pay for it. It is undone and
    # he pays all he has (5 units: 3 percent of it rounds to no taxes).
    _, _, status = await _contract(client, founder, "@1TokensSend", _send_to(dave, 5))
    assert status["penalty"] == 0
    producer = (await _accounts(client, node))[0]
    _, tx_hash, status = await _contract(client, dave, "@1TokensSend", _send_to(carol, 1))
    assert status["penalty"] == 1
    assert status["errmsg"] == {
        "type": "panic",
        "error": f"{address_to_string(dave.key_id)} not enough fee for taxes in ecosystem 1",
    }
    [row] = await _fee_rows(client, tx_hash)
    assert (row.sender_id, row.recipient_id, row.amount, row.type) == (
        dave.key_id,
        node,
        5,
        HISTORY_REWARD,
    )
    assert await _accounts(client, dave.key_id, carol.key_id, node) == [0, COIN, producer + 5]

    # Rolling the blocks back restores every balance and removes the fee rows.
    engine = await _rolled_back_to(client, config, height)
    try:
        async with engine.connect() as conn:
            restored = [
                await get_amount(conn, 1, k) or 0
                for k in (bob.key_id, carol.key_id, node, founder.key_id, BURN)
            ]
            later = await conn.execute(select(history.c.id).where(history.c.block_id > height))
            assert later.all() == []
    finally:
        await engine.dispose()
    assert restored == before


async def test_an_operator_turns_fees_off(client: Client, config: Config, founder: Wallet) -> None:
    node = client.app[NODE].node_key_id
    _, status = await _send(client, founder, transfer_self_tx(founder, COIN, "UTXO", "Account"))
    assert status["penalty"] == 0
    # UpdatePlatformParam wants a contract named after the parameter (it may refuse a value).
    source = "contract fuel_rate {\n data { Value string }\n action { }\n}"
    params = {"ApplicationId": 1, "Value": source, "Conditions": "true"}
    for name, values in (
        ("@1NewContract", params),
        ("@1UpdatePlatformParam", {"Name": "fuel_rate", "Value": '[["1","0"]]'}),
    ):
        _, _, status = await _contract(client, founder, name, values)
        assert status["penalty"] == 0 and "errmsg" not in status, status
    rewarded = await _outputs(client, node)
    _, status = await _send(client, founder, utxo_tx(founder, Wallet(config.crypto).key_id, 9))
    assert status["penalty"] == 0
    assert await _outputs(client, node) == rewarded  # a native transfer is free now


async def test_without_a_taxes_wallet_a_native_transfer_pays_nothing(
    client: Client, config: Config, founder: Wallet
) -> None:
    # As the reference's UtxoToken: the fee needs a taxes wallet of ecosystem 1.
    async with client.app[ENGINE].begin() as conn:
        await conn.execute(
            update(platform_parameters)
            .where(platform_parameters.c.name == "taxes_wallet")
            .values(value="")
        )
    bob = Wallet(config.crypto)
    _, status = await _send(client, founder, utxo_tx(founder, bob.key_id, 9))
    assert status["penalty"] == 0
    node = client.app[NODE].node_key_id
    assert await _outputs(client, bob.key_id, node, founder.key_id) == [9, 0, FOUNDER_AMOUNT - 9]


async def test_transfer_self_writes_its_history_row_and_rollback_removes_it(
    client: Client, config: Config, founder: Wallet
) -> None:
    # The reference's TransferSelf row (type 24): the sender on both sides with the balance
    # after the move, the source as the client spelt it for the comment, no fee.
    moves = (("UTXO", "Account", 7 * COIN, 7 * COIN), ("account", "utxo", 2 * COIN, 5 * COIN))
    hashes = []
    for source, target, value, balance in moves:
        raw = transfer_self_tx(founder, value, source, target)
        tx_hash, status = await _send(client, founder, raw)
        assert status["penalty"] == 0, status
        hashes.append(tx_hash)
        async with client.app[ENGINE].connect() as conn:
            rows = (
                await conn.execute(
                    select(history).where(history.c.txhash == bytes.fromhex(tx_hash))
                )
            ).all()
        assert [
            (
                r.sender_id,
                r.sender_balance,
                r.recipient_id,
                r.recipient_balance,
                r.amount,
                r.comment,
                r.status,
                r.type,
                r.ecosystem,
                r.block_id,
            )
            for r in rows
        ] == [
            (
                founder.key_id,
                balance,
                founder.key_id,
                balance,
                value,
                source,
                0,
                HISTORY_TRANSFER_SELF,
                1,
                int(status["blockid"]),
            )
        ]
    first = int((await wait_status(client, founder, hashes[0]))["blockid"])
    engine = await _rolled_back_to(client, config, first - 1)
    try:
        async with engine.connect() as conn:
            left = await conn.execute(
                select(history.c.id).where(history.c.type == HISTORY_TRANSFER_SELF)
            )
            assert left.all() == []
            assert await get_amount(conn, 1, founder.key_id) in (None, 0)
    finally:
        await engine.dispose()


ECO2_COIN = 10**6  # the second ecosystem's token has 6 digits here


async def _rolled_back_to(client: Client, config: Config, block_id: int) -> AsyncEngine:
    """Stop the node and roll its chain back to `block_id`; an engine to look at what is left."""
    engine, node = await stop_node(client, config)
    try:
        await rollback_blocks(engine, node, await head_height(engine) - block_id, requeue=False)
    except BaseException:
        await engine.dispose()
        raise
    return engine


async def _eco_outputs(client: Client, ecosystem: int, *key_ids: int) -> list[int]:
    async with client.app[ENGINE].connect() as conn:
        return [int(await sum_unspent(conn, k, ecosystem)) for k in key_ids]


async def _second_ecosystem_with_fees(
    client: Client, founder: Wallet, taxes2: int, percent: int = 10
) -> None:
    """Ecosystem 2 with a token of 6 digits whose native transfers pay a fee (utxo_fee 1),
    fuel rate 5e6 (5 units at 6 digits), combustion `percent`, taxes wallet `taxes2`; the
    founder holds 1000 of its tokens as one output."""
    _, status = await _send(client, founder, transfer_self_tx(founder, COIN, "UTXO", "Account"))
    assert status["penalty"] == 0
    _, _, status = await _contract(client, founder, "@1NewEcosystem", {"Name": "Second"})
    assert status["penalty"] == 0, status
    async with client.app[ENGINE].begin() as conn:
        mode = {"combustion": {"flag": "2", "percent": str(percent)}}
        await conn.execute(
            update(ecosystems)
            .where(ecosystems.c.id == 2)
            .values(digits=6, token_symbol="SEC", fee_mode_info=mode)
        )
        [next_id] = (await conn.execute(select(func.max(parameters.c.id)))).one()
        await conn.execute(
            insert(parameters).values(
                id=next_id + 1, name="utxo_fee", value="1", conditions="true", ecosystem=2
            )
        )
        for name, value in (
            ("fuel_rate", '[["1","1000000"],["2","5000000"]]'),
            ("taxes_wallet", f'[["1","{founder.key_id}"],["2","{taxes2}"]]'),
        ):
            await conn.execute(
                update(platform_parameters)
                .where(platform_parameters.c.name == name)
                .values(value=value)
            )
        done = await conn.execute(
            update(keys)
            .where(keys.c.ecosystem == 2, keys.c.id == founder.key_id)
            .values(amount=1000 * ECO2_COIN)
        )
        assert done.rowcount == 1
    tx = smart_tx(
        founder,
        transfer_self=TransferSelf(value=str(1000 * ECO2_COIN), source="Account", target="UTXO"),
        ecosystem=2,
    )
    _, status = await _send(client, founder, build_client_tx(tx, founder.private, founder.crypto))
    assert status["penalty"] == 0, status


async def test_native_transfer_in_another_ecosystem_pays_both_fees_and_burns(
    client: Client, config: Config, founder: Wallet
) -> None:
    node = client.app[NODE].node_key_id
    bob, taxes2 = Wallet(config.crypto), Wallet(config.crypto)
    await _second_ecosystem_with_fees(client, founder, taxes2.key_id)
    async with client.app[ENGINE].connect() as conn:
        supply = [await native_supply(conn, 1), await native_supply(conn, 2)]
    platform_before = await _eco_outputs(client, 1, founder.key_id, node)

    value = 100 * ECO2_COIN
    tx = smart_tx(founder, utxo=Utxo(to_id=bob.key_id, value=str(value), comment=""), ecosystem=2)
    raw = build_client_tx(tx, founder.private, founder.crypto)
    tx_hash, status = await _send(client, founder, raw)
    assert status["penalty"] == 0 and "errmsg" not in status, status
    transfer_block = int(status["blockid"])
    # Ecosystem 1's fee, out of the founder's ecosystem-1 outputs (one of them): the founder
    # is its taxes wallet, so only the producer's reward leaves him.
    reward1, _taxes1 = utxo_fee(raw)
    assert await _eco_outputs(client, 1, founder.key_id, node) == [
        platform_before[0] - reward1,
        platform_before[1] + reward1,
    ]
    # Its own fee in its token: 5 units of fuel / 10 per byte and per output spent, 10 percent
    # burnt (an output of key 0), 3 percent of the rest to its taxes wallet.
    fee2 = 5 * (len(raw) + 1) // 10
    burn = fee2 * 10 // 100
    taxes = (fee2 - burn) * 3 // 100
    reward = fee2 - burn - taxes
    assert await _eco_outputs(client, 2, founder.key_id, bob.key_id, node, taxes2.key_id, BURN) == [
        1000 * ECO2_COIN - value - fee2,
        value,
        reward,
        taxes,
        burn,
    ]
    async with client.app[ENGINE].connect() as conn:
        kinds = await conn.execute(
            select(spent_info.c.ecosystem, spent_info.c.output_key_id, spent_info.c.type)
            .where(spent_info.c.output_tx_hash == bytes.fromhex(tx_hash))
            .order_by(spent_info.c.output_index)
        )
        assert [tuple(r) for r in kinds] == [
            (1, node, 20),
            (1, founder.key_id, 21),
            (1, founder.key_id, 22),
            (2, BURN, 23),
            (2, node, 20),
            (2, taxes2.key_id, 21),
            (2, bob.key_id, 26),
            (2, founder.key_id, 22),
        ]
        # Burnt value stays counted (key 0 holds it): no money appears or vanishes.
        assert [await native_supply(conn, 1), await native_supply(conn, 2)] == supply
    after = await _eco_outputs(client, 2, founder.key_id, bob.key_id, node, taxes2.key_id, BURN)
    platform_after = await _eco_outputs(client, 1, founder.key_id, node)

    # More than the founder has: a penalty, nothing paid in either ecosystem.
    tx = smart_tx(
        founder, utxo=Utxo(to_id=bob.key_id, value=str(10**6 * ECO2_COIN), comment=""), ecosystem=2
    )
    _, status = await _send(client, founder, build_client_tx(tx, founder.private, founder.crypto))
    assert status["penalty"] == 1
    assert status["errmsg"]["error"] == (
        f"account {address_to_string(founder.key_id)} current balance is not enough in ecosystem 2"
    )
    # Bob has tokens but no ecosystem-1 outputs to pay ecosystem 1's fee with.
    await bob.login(client)
    tx = smart_tx(bob, utxo=Utxo(to_id=founder.key_id, value="5", comment=""), ecosystem=2)
    _, status = await _send(client, bob, build_client_tx(tx, bob.private, bob.crypto))
    assert status["penalty"] == 1
    assert status["errmsg"]["error"] == (
        f"account {address_to_string(bob.key_id)} current balance is not enough in ecosystem 1"
    )
    assert (
        await _eco_outputs(client, 2, founder.key_id, bob.key_id, node, taxes2.key_id, BURN)
        == after
    )
    assert await _eco_outputs(client, 1, founder.key_id, node) == platform_after

    # Rolling the transfer's block back gives every output back.
    engine = await _rolled_back_to(client, config, transfer_block - 1)
    try:
        async with engine.connect() as conn:
            assert [
                int(await sum_unspent(conn, k, 2))
                for k in (founder.key_id, bob.key_id, node, taxes2.key_id, BURN)
            ] == [1000 * ECO2_COIN, 0, 0, 0, 0]
            assert [int(await sum_unspent(conn, k, 1)) for k in (founder.key_id, node)] == (
                platform_before
            )
    finally:
        await engine.dispose()


async def _set_platform(conn: Any, name: str, value: str) -> None:
    await conn.execute(
        update(platform_parameters).where(platform_parameters.c.name == name).values(value=value)
    )


async def _balances(client: Client, ecosystem: int, *key_ids: int) -> list[int]:
    async with client.app[ENGINE].connect() as conn:
        return [int(await get_amount(conn, ecosystem, k) or 0) for k in key_ids]


async def test_an_ecosystem_wallet_pays_for_calls_in_its_ecosystem_by_its_fee_mode(
    client: Client, config: Config, founder: Wallet
) -> None:
    node = client.app[NODE].node_key_id
    wallet, taxes1, taxes2 = (Wallet(config.crypto) for _ in range(3))
    _, status = await _send(
        client, founder, transfer_self_tx(founder, 100 * COIN, "UTXO", "Account")
    )
    assert status["penalty"] == 0
    _, _, status = await _contract(client, founder, "@1NewEcosystem", {"Name": "Second"})
    assert status["penalty"] == 0, status
    # Ecosystem 2's token (6 digits): the vm part is paid in it (flag 2, half of it to the
    # wallet), the storage part in ecosystem 1's coin by the caller (flag 1), the expedite in
    # it too (flag 2); 10 percent of what the token pays the producer is burnt.
    mode = {
        "fee_mode_detail": {
            "vmCost_fee": {"flag": "2", "conversion_rate": "50"},
            "storage_fee": {"flag": "1", "conversion_rate": "100"},
            "expedite_fee": {"flag": "2", "conversion_rate": "100"},
        },
        "combustion": {"flag": 2, "percent": 10},
        "follow_fuel": 2,
    }
    # Set before any block reads these rows (the producer keeps rows it read in memory).
    async with client.app[ENGINE].begin() as conn:
        await conn.execute(
            update(ecosystems)
            .where(ecosystems.c.id == 2)
            .values(digits=6, token_symbol="SEC", fee_mode_info=mode)
        )
        await conn.execute(
            update(parameters)
            .where(parameters.c.ecosystem == 2, parameters.c.name == "ecosystem_wallet")
            .values(value=address_to_string(wallet.key_id))
        )
        await _set_platform(conn, "fuel_rate", '[["1","1000000"],["2","2000000"]]')
        await _set_platform(
            conn, "taxes_wallet", f'[["1","{taxes1.key_id}"],["2","{taxes2.key_id}"]]'
        )
        await conn.execute(
            update(keys)
            .where(keys.c.ecosystem == 2, keys.c.id == founder.key_id)
            .values(amount=1000 * ECO2_COIN)
        )
        await conn.execute(
            insert(keys).values(
                id=wallet.key_id, account=address_to_string(wallet.key_id), ecosystem=1,
                amount=10 * COIN, pub=b"",
            )
        )  # fmt: skip
    for name, source in (("Noop", "$result = 1"), ("Boom", 'error "boom"')):
        value = f"contract {name} {{\n action {{ {source} }}\n}}"
        status = await call_contract(
            client,
            founder,
            "@1NewContract",
            {"ApplicationId": 1, "Value": value, "Conditions": "true"},
            ecosystem=2,
        )
        assert status["penalty"] == 0, status
    who = (founder.key_id, wallet.key_id, node, taxes1.key_id, taxes2.key_id, BURN)
    async with client.app[ENGINE].connect() as conn:
        height = (await get_head(conn)).id  # type: ignore[union-attr]
    start = [await _balances(client, 1, *who), await _balances(client, 2, *who)]

    def expected(before: list[list[int]], raw: bytes, fuel: int, expedite: int) -> list[list[int]]:
        storage = 15 * COIN * len(raw) // (1 << 20)  # the caller, in ecosystem 1's coin
        coin = fuel * 1_000_000 + expedite * COIN // 2  # the wallet, for the token's parts
        vm = fuel * 2  # fuel x 2e6 at 6 digits
        to_wallet = vm // 2 + expedite * ECO2_COIN
        burn = vm // 10
        taxes = (vm - burn) * 3 // 100
        one, two = before
        return [
            [
                one[0] - storage,
                one[1] - coin,
                one[2] + _split(storage)[0] + _split(coin)[0],
                one[3] + _split(storage)[1] + _split(coin)[1],
                one[4],
                one[5],
            ],
            [
                two[0] - to_wallet - vm,
                two[1] + to_wallet,
                two[2] + vm - burn - taxes,
                two[3],
                two[4] + taxes,
                two[5] + burn,
            ],
        ]

    async def fuel_of(tx_hash: str) -> int:
        # The wallet's reward row shows the vm part in coin: fuel x fuel_rate 1e6.
        async with client.app[ENGINE].connect() as conn:
            [row] = (
                await conn.execute(
                    select(history.c.value_detail).where(
                        history.c.txhash == bytes.fromhex(tx_hash),
                        history.c.sender_id == wallet.key_id,
                        history.c.type == HISTORY_REWARD,
                    )
                )
            ).all()
        assert row.value_detail["payment_type"] == "EcosystemAddress"
        return int(row.value_detail["vmCost_fee"]["decimal"]) // 1_000_000

    # Success.
    tx = smart_tx(founder, contract_id=await _id_of(client, founder, "@2Noop"), expedite="1",
                  ecosystem=2)  # fmt: skip
    raw = build_client_tx(tx, founder.private, founder.crypto)
    tx_hash, status = await _send(client, founder, raw)
    assert status["penalty"] == 0 and "errmsg" not in status, status
    fuel = await fuel_of(tx_hash)
    assert fuel > 0
    after = expected(start, raw, fuel, 1)
    assert [await _balances(client, 1, *who), await _balances(client, 2, *who)] == after
    async with client.app[ENGINE].connect() as conn:
        kinds = await conn.execute(
            select(history.c.ecosystem, history.c.sender_id, history.c.recipient_id,
                   history.c.type)
            .where(history.c.txhash == bytes.fromhex(tx_hash))
            .order_by(history.c.id)
        )  # fmt: skip
        assert [tuple(r) for r in kinds] == [
            (1, founder.key_id, node, HISTORY_REWARD),
            (1, founder.key_id, taxes1.key_id, HISTORY_TAXES),
            (1, wallet.key_id, node, HISTORY_REWARD),
            (1, wallet.key_id, taxes1.key_id, HISTORY_TAXES),
            (2, founder.key_id, wallet.key_id, HISTORY_DIRECT),
            (2, founder.key_id, BURN, HISTORY_COMBUSTION),
            (2, founder.key_id, node, HISTORY_REWARD),
            (2, founder.key_id, taxes2.key_id, HISTORY_TAXES),
        ]

    # Failure: the same payments, of the fuel it used.
    tx = smart_tx(founder, contract_id=await _id_of(client, founder, "@2Boom"), ecosystem=2)
    raw = build_client_tx(tx, founder.private, founder.crypto)
    tx_hash, status = await _send(client, founder, raw)
    assert status["penalty"] == 1 and status["errmsg"]["error"] == "boom", status
    failed = expected(after, raw, await fuel_of(tx_hash), 0)
    assert [await _balances(client, 1, *who), await _balances(client, 2, *who)] == failed

    # A wallet that cannot pay: the call fails, naming it, and everyone pays what they can.
    broke = Wallet(config.crypto)
    async with client.app[ENGINE].begin() as conn:
        await conn.execute(
            update(parameters)
            .where(parameters.c.ecosystem == 2, parameters.c.name == "ecosystem_wallet")
            .values(value=address_to_string(broke.key_id))
        )
    tx = smart_tx(founder, contract_id=await _id_of(client, founder, "@2Noop"), ecosystem=2)
    raw = build_client_tx(tx, founder.private, founder.crypto)
    tx_hash, status = await _send(client, founder, raw)
    assert status["penalty"] == 1
    assert status["errmsg"]["error"] == (
        f"{address_to_string(broke.key_id)} not enough fee for taxes in ecosystem 1"
    )
    assert (await _balances(client, 1, broke.key_id)) == [0]

    # Rolling back restores every balance in both ecosystems.
    engine = await _rolled_back_to(client, config, height)
    try:
        async with engine.connect() as conn:
            restored = [[int(await get_amount(conn, eco, k) or 0) for k in who] for eco in (1, 2)]
    finally:
        await engine.dispose()
    assert restored == start


async def _id_of(client: Client, wallet: Wallet, name: str) -> int:
    resp = await client.get(f"/api/v2/contract/{name}", headers=wallet.auth)
    info = await resp.json()
    assert resp.status == 200, info
    return int(info["id"])


async def test_a_wallet_bound_to_a_contract_pays_for_its_calls(
    client: Client, config: Config, founder: Wallet
) -> None:
    node = client.app[NODE].node_key_id
    wallet, bob = Wallet(config.crypto), Wallet(config.crypto)
    for who in (wallet, bob):
        await who.login(client)
    _, status = await _send(
        client, founder, transfer_self_tx(founder, 100 * COIN, "UTXO", "Account")
    )
    assert status["penalty"] == 0
    _, _, status = await _contract(client, founder, "@1TokensSend", _send_to(wallet, 10 * COIN))
    assert status["penalty"] == 0
    value = "contract Paid {\n action { $result = 1 }\n}"
    params = {"ApplicationId": 1, "Value": value, "Conditions": "true"}
    _, _, status = await _contract(client, founder, "@1NewContract", params)
    assert status["penalty"] == 0, status
    # @1BindWallet lets the wallet recorded on the contract confirm itself as its payer.
    # Immediate: it reads, then writes, beside the running producer (a deferred SQLite
    # transaction that read before a block's commit could no longer write).
    async with write_transaction(client.app[ENGINE]) as conn:
        row_id = await conn.scalar(select(contracts.c.id).where(contracts.c.name == "Paid"))
        await conn.execute(
            update(contracts).where(contracts.c.id == row_id).values(wallet_id=wallet.key_id)
        )
    _, _, status = await _contract(client, wallet, "@1BindWallet", {"Id": row_id})
    assert status["penalty"] == 0, status
    before = await _accounts(client, bob.key_id, wallet.key_id, node, founder.key_id)
    assert before[0] == 0  # bob has nothing, and needs nothing

    raw, tx_hash, status = await _contract(client, bob, "@1Paid", {})
    assert status["penalty"] == 0 and "errmsg" not in status, status
    [reward_row, taxes_row] = await _fee_rows(client, tx_hash)
    assert reward_row.sender_id == taxes_row.sender_id == wallet.key_id
    assert reward_row.value_detail["payment_type"] == "ContractBinder"
    total = int(reward_row.value_detail["vmCost_fee"]["value"]) + _storage(raw)
    reward, taxes = _split(total)
    assert (reward_row.amount, taxes_row.amount) == (reward, taxes)
    assert await _accounts(client, bob.key_id, wallet.key_id, node, founder.key_id) == [
        0,
        before[1] - total,
        before[2] + reward,
        before[3] + taxes,
    ]
