"""A real node process: SIGKILL right after acknowledged writes loses nothing; shutdown is clean."""

from __future__ import annotations

import asyncio
import signal
import subprocess
from pathlib import Path

import aiohttp

from tests.api.bank.conftest import ADMIN, ADMIN_AUTH, ADMIN_PW, JSON, basic
from tests.nodeproc import free_port, start_node, wait_up


def start_bank_node(data_dir: Path, db_url: str, port: int, log: Path) -> subprocess.Popen[bytes]:
    bank = {
        "IBAX_BANK_ADMIN": ADMIN,
        "IBAX_BANK_ADMIN_PASSWORD": ADMIN_PW,
        "IBAX_BANK_HASH_COST": "10",
    }
    return start_node(data_dir, log, port=port, db_url=db_url, env=bank)


async def test_sigkill_after_200_loses_nothing(tmp_path: Path, db_url: str) -> None:
    data_dir, log = tmp_path / "data", tmp_path / "node.log"
    port = free_port()
    base = f"http://127.0.0.1:{port}/api/v1"
    proc = start_bank_node(data_dir, db_url, port, log)
    acked = 0
    try:
        async with aiohttp.ClientSession() as session:
            await wait_up(f"http://127.0.0.1:{port}/api/properties", proc)
            for name, amount in (("alice", 1000), ("bob", 0)):
                async with session.post(
                    base + "/admin/user/register",
                    json={"name": name, "amount": amount, "pass": "pw"},
                    headers=ADMIN_AUTH,
                ) as resp:
                    assert resp.status == 204, await resp.text()

            async def send() -> bool:
                async with session.post(
                    base + "/user/transfer",
                    json={"name": "bob", "amount": 1},
                    headers=basic("alice", "pw"),
                ) as resp:
                    return resp.status == 200

            results = await asyncio.gather(*(send() for _ in range(40)))
            acked = sum(results)
            proc.send_signal(signal.SIGKILL)  # at once after the last 200
            proc.wait(timeout=10)
        assert acked == 40, log.read_text()
        proc = start_bank_node(data_dir, db_url, port, log)
        async with aiohttp.ClientSession() as session:
            await wait_up(f"http://127.0.0.1:{port}/api/properties", proc)
            async with session.get(base + "/user/balance?name=bob", headers=JSON) as resp:
                assert await resp.text() == str(acked)
            async with session.get(base + "/user/balance?name=alice", headers=JSON) as resp:
                assert await resp.text() == str(1000 - acked)
            # admin/shutdown stops the node as SIGTERM does: cleanly, exit code 0.
            async with session.post(base + "/admin/shutdown", headers=ADMIN_AUTH) as resp:
                assert resp.status == 204
        assert proc.wait(timeout=20) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
