"""The bank's transactions: type-3 txs signed with the node key through chain.crypto."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy.ext.asyncio import AsyncConnection

from chain.bank.executor import BankWork, _Effects
from chain.bank.rules import BankError, BankOp, BankRules, Fault, OpKind
from chain.crypto import Crypto, Cryptoer, Hasher
from chain.identity import NodeIdentity
from chain.txcodec import decode_tx, verify_tx_signature


async def _no_ecosystem(conn: AsyncConnection) -> int:
    raise AssertionError("not opened in these tests")


def _node(crypto: Crypto) -> NodeIdentity:
    founder, node_key = crypto.generate_private_key(), crypto.generate_private_key()
    return NodeIdentity(
        network_id=7,
        crypto=crypto,
        founder_public=crypto.public_key(founder),
        node_public=crypto.public_key(node_key),
        node_private=node_key,
    )


@pytest.mark.parametrize(
    "crypto",
    [Crypto(Cryptoer.SECP256K1, Hasher.KECCAK256), Crypto(Cryptoer.P256, Hasher.SHA256)],
    ids=["secp256k1", "p256"],
)
def test_bank_tx_is_signed_by_the_node_key(crypto: Crypto) -> None:
    node = _node(crypto)
    work = BankWork(node, BankRules(), lambda: None, _no_ecosystem, lambda _s, _r: None)
    op = BankOp(OpKind.TRANSFER, name="bob", other="ann", amount=3, secret="x", time=100)
    tx_hash, raw = work.sign(op)
    decoded = decode_tx(raw, crypto)
    assert decoded.hash == tx_hash
    verify_tx_signature(decoded, crypto)  # raises when the signature is not the node key's
    header = decoded.tx.header
    assert (header.key_id, header.network_id, header.time) == (node.node_key_id, 7, 100)
    assert decoded.tx.params["Name"] == "bob" and decoded.tx.params["Amount"] == 3
    assert "x" not in decoded.tx.params.values()
    # Two equal requests are still two transactions.
    assert work.sign(op)[0] != tx_hash


def test_signer_signs_as_crypto_sign() -> None:
    crypto = Crypto()
    key = crypto.generate_private_key()
    # secp256k1 signatures are deterministic (RFC 6979): one signing path, the same bytes.
    assert crypto.signer(key).sign(b"message") == crypto.sign(key, b"message")
    p256 = Crypto(Cryptoer.P256, Hasher.SHA256)
    key = p256.generate_private_key()
    signature = p256.signer(key).sign(b"message")
    assert p256.verify(p256.public_key(key), b"message", signature)


async def test_a_timed_out_write_still_queued_is_taken_out() -> None:
    work = BankWork(_node(Crypto()), BankRules(), lambda: None, _no_ecosystem, lambda _s, _r: None)
    op = BankOp(OpKind.TRANSFER, name="bob", other="ann", amount=3)
    with pytest.raises(BankError) as refused:
        await work.submit(op, timeout=0.01)
    assert refused.value.fault == Fault.UNAVAILABLE
    assert not work.pending()  # no producer can ever take it now


async def test_a_timed_out_write_in_a_block_gets_its_blocks_outcome() -> None:
    work = BankWork(_node(Crypto()), BankRules(), lambda: None, _no_ecosystem, lambda _s, _r: None)
    op = BankOp(OpKind.TRANSFER, name="bob", other="ann", amount=3)
    ran = asyncio.create_task(work.submit(op, timeout=0.01))
    await asyncio.sleep(0)
    batch = work.take(10)  # a producer took it into the block it is forming
    await asyncio.sleep(0.05)  # past the timeout: the submitter waits for that block
    assert not ran.done() and batch[0].cancelled
    batch[0].outcome = 7  # it had run before the submitter gave up: it is committed
    work.committed((batch, _Effects()))
    assert await ran == 7


async def test_a_timed_out_write_back_from_a_failed_block_is_taken_out() -> None:
    work = BankWork(_node(Crypto()), BankRules(), lambda: None, _no_ecosystem, lambda _s, _r: None)
    op = BankOp(OpKind.TRANSFER, name="bob", other="ann", amount=3)
    ran = asyncio.create_task(work.submit(op, timeout=0.01))
    await asyncio.sleep(0)
    batch = work.take(10)
    await asyncio.sleep(0.05)
    work.abandoned(batch)  # the block failed: the op is queued again, cancelled
    with pytest.raises(BankError) as refused:
        await ran
    assert refused.value.fault == Fault.UNAVAILABLE
    assert not work.pending()
