"""A real node process: SIGKILL right after acknowledged writes loses nothing; shutdown is clean."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import aiohttp

from tests.api.bank.conftest import ADMIN, ADMIN_AUTH, ADMIN_PW, JSON, basic
from tests.node.test_cli import free_port


def start_bank_node(data_dir: Path, db_url: str, port: int, log: Path) -> subprocess.Popen[bytes]:
    env = dict(
        os.environ,
        IBAX_DB=db_url,
        IBAX_PORT=str(port),
        IBAX_DATA_DIR=str(data_dir),
        IBAX_BANK_ADMIN=ADMIN,
        IBAX_BANK_ADMIN_PASSWORD=ADMIN_PW,
        IBAX_BANK_HASH_COST="10",
    )
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "node", "run"], env=env, stdout=out, stderr=subprocess.STDOUT
        )


async def wait_bank(session: aiohttp.ClientSession, base: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            async with session.get(base + "/api/properties") as resp:
                if resp.status == 200:
                    return
        except aiohttp.ClientError:
            pass
        await asyncio.sleep(0.1)
    raise AssertionError("node did not start")


async def test_sigkill_after_200_loses_nothing(tmp_path: Path, db_url: str) -> None:
    data_dir, log = tmp_path / "data", tmp_path / "node.log"
    port = free_port()
    base = f"http://127.0.0.1:{port}/api/v1"
    proc = start_bank_node(data_dir, db_url, port, log)
    acked = 0
    try:
        async with aiohttp.ClientSession() as session:
            await wait_bank(session, f"http://127.0.0.1:{port}")
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
            await wait_bank(session, f"http://127.0.0.1:{port}")
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
