"""Kill -9 a node and its workers under load, restart it: every acknowledged tx lands, once."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path
from typing import Any

import aiohttp
from sqlalchemy import func, select

from chain.crypto import Crypto
from chain.storage.engine import make_engine
from chain.storage.schema import log_transactions
from chain.verify import verify_chain
from node.datadir import open_data_dir
from tests.helpers import Wallet, utxo_tx
from tests.nodeproc import free_port, kill_group, start_node, stop_node, wait_up


async def login(session: aiohttp.ClientSession, base: str, wallet: Wallet) -> dict[str, str]:
    async with session.get(base + "/api/v2/getuid") as resp:
        uid = await resp.json()
    sig = wallet.crypto.sign(wallet.private, f"LOGIN{uid['network_id']}{uid['uid']}".encode())
    async with session.post(
        base + "/api/v2/login",
        data={"pubkey": wallet.public.hex(), "signature": sig.hex()},
        headers={"Authorization": f"Bearer {uid['token']}"},
    ) as resp:
        body = await resp.json()
        assert resp.status == 200, body
    return {"Authorization": f"Bearer {body['token']}"}


async def pump(
    session: aiohttp.ClientSession,
    base: str,
    founder: Wallet,
    auth: dict[str, str],
    acked: set[str],
) -> None:
    """Send batches until the node dies; remember every hash an answer acknowledged."""
    crypto = founder.crypto
    while True:
        form = aiohttp.FormData()
        for i in range(10):
            raw = utxo_tx(founder, Wallet(crypto).key_id, 1)
            form.add_field(f"t{i}", raw, filename=f"t{i}")
        try:
            async with session.post(base + "/api/v2/sendTx", data=form, headers=auth) as resp:
                body = await resp.json()
                assert resp.status == 200, body
                acked.update(h for h in body["hashes"] if len(h) == 64)
        except (TimeoutError, aiohttp.ClientError):
            return


async def statuses(
    session: aiohttp.ClientSession, base: str, auth: dict[str, str], hashes: list[str]
) -> dict[str, Any]:
    async with session.post(
        base + "/api/v2/txstatus", data={"data": json.dumps({"hashes": hashes})}, headers=auth
    ) as resp:
        body = await resp.json()
        assert resp.status == 200, body
        results: dict[str, Any] = body["results"]
        return results


async def test_kill_during_load_loses_nothing(tmp_path: Path, db_url: str) -> None:
    data_dir, log = tmp_path / "data", tmp_path / "node.log"
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    acked: set[str] = set()
    proc = start_node(data_dir, log, port=port, db_url=db_url)
    try:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as session:
            await wait_up(base + "/api/v2/version", proc)
            founder = Wallet(Crypto(), private=bytes.fromhex((data_dir / "PrivateKey").read_text()))
            auth = await login(session, base, founder)
            load = asyncio.create_task(pump(session, base, founder, auth, acked))
            await asyncio.sleep(2.0)
            kill_group(proc)  # every worker too (one per core by default)
            await asyncio.wait_for(load, 15)
        assert len(acked) >= 10, log.read_text()

        proc = start_node(data_dir, log, port=port, db_url=db_url)
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as session:
            await wait_up(base + "/api/v2/version", proc)
            auth = await login(session, base, founder)
            deadline = time.monotonic() + 60
            pending = sorted(acked)
            while pending and time.monotonic() < deadline:
                found = await statuses(session, base, auth, pending)
                pending = [h for h in pending if not found[h]["blockid"]]
                if pending:
                    await asyncio.sleep(0.2)
            assert not pending, f"{len(pending)} acknowledged txs never reached a block"
    finally:
        stop_node(proc)

    node = open_data_dir(data_dir, 1, Crypto())
    engine = make_engine(db_url)
    try:
        height = await verify_chain(engine, node)
        assert height >= 2
        async with engine.connect() as conn:
            logged = await conn.scalar(
                select(func.count())
                .select_from(log_transactions)
                .where(log_transactions.c.hash.in_([bytes.fromhex(h) for h in acked]))
            )
        assert logged == len(acked)  # each exactly once
    finally:
        await engine.dispose()
