"""Two node processes on one database: no money from nothing, each sees the other's writes."""

from __future__ import annotations

import asyncio
import subprocess
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp.test_utils import TestClient

from api.appkeys import ENGINE, NODE
from api.bank.keys import BANK
from chain.bank.executor import Pending
from chain.bank.rules import BankOp, OpKind
from chain.storage.engine import take_writer_lock, write_transaction
from node.app import make_bank
from node.config import Config
from tests.api.bank.conftest import ADMIN_AUTH, JSON, basic
from tests.api.bank.test_process import start_bank_node
from tests.nodeproc import free_port, node_cmd, stop_node, wait_up


async def _status(
    session: aiohttp.ClientSession, method: str, url: str, **kwargs: object
) -> tuple[int, str]:
    async with session.request(method, url, **kwargs) as resp:  # type: ignore[arg-type]
        return resp.status, await resp.text()


async def test_two_processes_share_one_bank(tmp_path: Path, db_url: str) -> None:
    data_dir, log = tmp_path / "data", tmp_path / "node.log"
    port_a, port_b = free_port(), free_port()
    a, b = (f"http://127.0.0.1:{port}/api/v1" for port in (port_a, port_b))
    procs = [start_bank_node(data_dir, db_url, port_a, log)]
    try:
        await wait_up(f"http://127.0.0.1:{port_a}/api/properties", procs[0], timeout=60)
        # B starts on A's chain and node key: the same bank, written by two processes.
        procs.append(start_bank_node(data_dir, db_url, port_b, log))
        await wait_up(f"http://127.0.0.1:{port_b}/api/properties", procs[1], timeout=60)
        async with aiohttp.ClientSession() as s:
            for name, amount in (("alice", 100), ("bob", 0)):
                body = {"name": name, "amount": amount, "pass": "pw"}
                assert await _status(
                    s, "POST", a + "/admin/user/register", json=body, headers=ADMIN_AUTH
                ) == (204, "")
            # Registered through A, alice logs in through B (and B caches that login).
            alice = basic("alice", "pw")
            assert (await _status(s, "POST", b + "/user/verify_password", headers=alice))[0] == 204

            # The same 100 spent through both processes at once: one of them is refused.
            spend = {"name": "bob", "amount": 100}
            answers = await asyncio.gather(
                *(
                    _status(s, "POST", url + "/user/transfer", json=spend, headers=alice)
                    for url in (a, b, a, b)
                )
            )
            assert sorted(answers) == [
                (200, "0"),
                (400, '"Insufficient funds"'),
                (400, '"Insufficient funds"'),
                (400, '"Insufficient funds"'),
            ], log.read_text()
            for url in (a, b):
                for name, expected in (("alice", "0"), ("bob", "100")):
                    got = await _status(s, "GET", url + f"/user/balance?name={name}", headers=JSON)
                    assert got == (200, expected)

            # A password changed through A: the old one is refused by B at once.
            change = {"pass": "new"}
            assert (
                await _status(s, "PATCH", a + "/user/change_password", json=change, headers=alice)
            )[0] == 204
            assert (await _status(s, "POST", b + "/user/verify_password", headers=alice))[0] == 401
            new_alice = basic("alice", "new")
            assert (await _status(s, "POST", b + "/user/verify_password", headers=new_alice))[
                0
            ] == 204

            # Registered through B, carol exists on A; deleted through A, bob is gone on B.
            carol = {"name": "carol", "pass": "cpw"}
            assert (await _status(s, "POST", b + "/user/register", json=carol))[0] == 204
            assert (await _status(s, "GET", a + "/user/exists?name=carol", headers=JSON))[0] == 204
            assert (await _status(s, "DELETE", a + "/user/delete", headers=basic("bob", "pw")))[
                0
            ] == 204
            assert await _status(s, "GET", b + "/user/balance?name=bob", headers=JSON) == (
                404,
                '"User not found"',
            )
            bob = basic("bob", "pw")
            assert (await _status(s, "POST", b + "/user/verify_password", headers=bob))[0] == 401
    finally:
        for proc in procs:
            stop_node(proc)
    # The chain both wrote verifies, bank balances included.
    check = subprocess.run(
        [*node_cmd("check"), "--data-dir", str(data_dir), "--db", db_url],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert check.returncode == 0, check.stdout + check.stderr


async def test_a_bank_starting_beside_another_opens_no_second_ecosystem(
    bank: TestClient[Any, Any], bank_config: Config
) -> None:
    app = bank.server.app
    assert app is not None
    engine, eco = app[ENGINE], app[BANK].view.ecosystem
    # A second process that found no bank ecosystem at its start (the first was opening it)
    # asks its producer to open one: under the writer's lock it finds the first's instead.
    other = make_bank(bank_config, engine, app[NODE], lambda: None)
    pending = Pending(BankOp(OpKind.OPEN, time=1), b"h", b"", asyncio.Future())
    async with write_transaction(engine) as conn:
        await take_writer_lock(conn)
        block = await other.work.execute(conn, [pending], 10**6, 1)
        await conn.rollback()
    assert pending.outcome == eco
    assert not block.rollbacks
