"""`run --workers 2`: both answer on one port, txs sent to either land, a crash loses none,
and live-event clients of either hear every block."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import socket
import subprocess
import time
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp

from chain.crypto import Crypto
from tests.api.events.test_socket import PATH, call, publications, subscribe
from tests.helpers import Wallet, utxo_tx
from tests.node.test_crash import login, statuses
from tests.nodeproc import free_port, kill_group, node_cmd, start_node, stop_node, wait_up

TWO = {"IBAX_WORKERS": "2"}


async def answering_workers(base: str, timeout: float = 60) -> set[str]:
    """The X-Worker of answers on fresh connections, until both workers have answered."""
    seen: set[str] = set()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        # Eight connections at once: the kernel spreads new connections over the workers.
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(force_close=True)) as s:

            async def one(session: aiohttp.ClientSession = s) -> str:
                async with session.get(base + "/api/v2/version") as resp:
                    assert resp.status == 200
                    return resp.headers["X-Worker"]

            try:
                seen.update(await asyncio.gather(*(one() for _ in range(8))))
            except aiohttp.ClientConnectionError:
                pass  # a worker killed by the test: its accepted connections are reset
        if len(seen) == 2:
            break
        await asyncio.sleep(0.1)
    return seen


@dataclass
class Workers:
    """A node started with `run --workers 2` for one test."""

    proc: subprocess.Popen[bytes]
    base: str
    port: int
    data_dir: Path
    log: Path

    def founder(self) -> Wallet:
        return Wallet(Crypto(), private=bytes.fromhex((self.data_dir / "PrivateKey").read_text()))


@asynccontextmanager
async def two_workers(
    tmp_path: Path, db_url: str | None = None, env: Mapping[str, str] = TWO, both: bool = True
) -> AsyncIterator[Workers]:
    """The node up (and, when `both`, each worker seen answering); stopped cleanly after."""
    port = free_port()
    node = Workers(
        proc=start_node(
            tmp_path / "data", tmp_path / "node.log", port=port, db_url=db_url, env=env
        ),
        base=f"http://127.0.0.1:{port}",
        port=port,
        data_dir=tmp_path / "data",
        log=tmp_path / "node.log",
    )
    try:
        await wait_up(node.base + "/api/v2/version", node.proc, timeout=60)
        if both:
            assert await answering_workers(node.base) == {"0", "1"}, node.log.read_text()
        yield node
    finally:
        assert stop_node(node.proc) == 0, node.log.read_text()


async def post_one(
    session: aiohttp.ClientSession, base: str, auth: dict[str, str], raw: bytes
) -> tuple[int, Any, str]:
    """sendTx of one tx: the status, the body and the worker that answered."""
    form = aiohttp.FormData()
    form.add_field("t0", raw, filename="t0")
    async with session.post(base + "/api/v2/sendTx", data=form, headers=auth) as resp:
        return resp.status, await resp.json(), resp.headers["X-Worker"]


async def send_one(
    session: aiohttp.ClientSession, base: str, auth: dict[str, str], raw: bytes
) -> str:
    status, body, _ = await post_one(session, base, auth, raw)
    assert status == 200, body
    tx_hash: str = body["hashes"]["t0"]
    return tx_hash


async def in_blocks(
    session: aiohttp.ClientSession, base: str, auth: dict[str, str], hashes: list[str]
) -> dict[str, int]:
    """Each tx's block id, once every one of them is in a block (60 s at most)."""
    deadline = time.monotonic() + 60
    found: dict[str, int] = {}
    while time.monotonic() < deadline:
        results = await statuses(session, base, auth, hashes)
        assert all(not r.get("errmsg") for r in results.values()), results
        found = {h: int(r["blockid"]) for h, r in results.items() if r["blockid"]}
        if len(found) == len(hashes):
            return found
        await asyncio.sleep(0.2)
    raise AssertionError(f"not in a block: {sorted(set(hashes) - set(found))}")


def metric(text: str, name: str) -> float:
    """The sum of a metric's samples in an exposition text."""
    return sum(
        float(line.rsplit(" ", 1)[1])
        for line in text.splitlines()
        if line.startswith(name + "{") or line.startswith(name + " ")
    )


async def test_two_workers_serve_reads_and_txs_and_lose_nothing_to_a_crash(
    tmp_path: Path, db_url: str
) -> None:
    async with two_workers(tmp_path, db_url) as node:
        base, founder = node.base, node.founder()
        async with aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(force_close=True),
            timeout=aiohttp.ClientTimeout(total=20),
        ) as session:
            auth = await login(session, base, founder)
            # Fresh connections: these land on both workers; worker 0 alone makes blocks.
            sent = [
                await send_one(session, base, auth, utxo_tx(founder, Wallet(Crypto()).key_id, 1))
                for _ in range(12)
            ]
            blocks = await in_blocks(session, base, auth, sent)
            async with session.get(base + "/api/v2/maxblockid") as resp:
                assert (await resp.json())["max_block_id"] >= max(blocks.values())
            async with session.get(base + "/metrics") as resp:
                scraped = await resp.text()
            # One /metrics sums every worker: all 12 sendTx answers are counted.
            assert metric(scraped, "ibax_txs_accepted_total") == 12
            assert metric(scraped, "ibax_head_block_id") >= max(blocks.values())

            acked = await send_one(
                session, base, auth, utxo_tx(founder, Wallet(Crypto()).key_id, 1)
            )
        kill_group(node.proc)

        node.proc = start_node(node.data_dir, node.log, port=node.port, db_url=db_url, env=TWO)
        await wait_up(base + "/api/v2/version", node.proc, timeout=60)
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=20)) as session:
            auth = await login(session, base, founder)
            assert (await in_blocks(session, base, auth, [acked]))[acked] > 1
    assert "stopping 2 workers" in node.log.read_text()


def children(pid: int) -> set[int]:
    return {int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()}


async def test_a_worker_that_dies_is_restarted(tmp_path: Path) -> None:
    async with two_workers(tmp_path) as node:
        base, proc, log = node.base, node.proc, node.log
        first = children(proc.pid)
        assert len(first) == 2
        victim = int(re.findall(r"worker 1 \(API\) started, pid (\d+)", log.read_text())[-1])
        assert victim in first
        os.kill(victim, signal.SIGKILL)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            now = children(proc.pid)
            if len(now) == 2 and victim not in now:
                break
            await asyncio.sleep(0.2)
        assert victim not in children(proc.pid)
        # The new worker 1 answers once it has started (seconds on a busy machine).
        assert await answering_workers(base) == {"0", "1"}, log.read_text()
        assert f"(pid {victim}) exited with -9; restarting it" in log.read_text()


async def readyz_of_worker(base: str, worker: str, status: int, timeout: float = 60) -> Any:
    """/readyz as `worker` answers it, once it answers `status` (fresh connections)."""
    deadline = time.monotonic() + timeout
    seen: list[tuple[str, int]] = []
    while time.monotonic() < deadline:
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(force_close=True)) as s:
            try:
                async with s.get(base + "/readyz") as resp:
                    seen.append((resp.headers["X-Worker"], resp.status))
                    if seen[-1] == (worker, status):
                        return await resp.json()
            except aiohttp.ClientConnectionError:
                pass  # a connection the killed worker had accepted
        await asyncio.sleep(0.1)
    raise AssertionError(f"worker {worker} never answered {status}: {seen[-10:]}")


async def test_api_workers_are_not_ready_while_the_producer_is_gone(tmp_path: Path) -> None:
    data_dir, log = tmp_path / "data", tmp_path / "node.log"
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    proc = start_node(data_dir, log, port=port, env=TWO)
    try:
        await wait_up(base + "/api/v2/version", proc, timeout=60)
        assert await answering_workers(base) == {"0", "1"}
        await readyz_of_worker(base, "1", 200)
        producer = int(re.findall(r"worker 0 \([^)]*\) started, pid (\d+)", log.read_text())[-1])
        # Held, the supervisor cannot restart worker 0: worker 1 serves alone, without it.
        os.kill(proc.pid, signal.SIGSTOP)
        try:
            os.kill(producer, signal.SIGKILL)
            body = await readyz_of_worker(base, "1", 503)
            assert body["checks"]["producer"] == {
                "ok": False,
                "detail": "worker 0, which runs it, does not answer",
            }
            assert body["checks"]["database"]["ok"]
        finally:
            os.kill(proc.pid, signal.SIGCONT)
        # The supervisor restarts worker 0: worker 1 is ready again once linked to it.
        await readyz_of_worker(base, "1", 200)
    finally:
        assert stop_node(proc) == 0, log.read_text()


def test_workers_that_cannot_start_stop_the_node(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = dict(os.environ, IBAX_DATA_DIR=str(data_dir), IBAX_PORT=str(port), **TWO)
        done = subprocess.run(node_cmd("run"), env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode != 0
    assert "before it served; stopping the node" in done.stderr


async def test_live_event_clients_of_every_worker_hear_blocks(tmp_path: Path) -> None:
    async with two_workers(tmp_path, both=False) as node:
        base, founder = node.base, node.founder()
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=20)) as session:
            sockets: dict[str, aiohttp.ClientWebSocketResponse] = {}
            deadline = time.monotonic() + 60
            while len(sockets) < 2 and time.monotonic() < deadline:
                ws = await session.ws_connect(base + PATH)
                worker = ws._response.headers["X-Worker"]
                if worker in sockets:
                    await ws.close()
                    continue
                await call(ws, 1, 0)
                await subscribe(ws, 2, "blocks")
                sockets[worker] = ws
            assert sorted(sockets) == ["0", "1"]
            auth = await login(session, base, founder)
            sent = await send_one(session, base, auth, utxo_tx(founder, Wallet(Crypto()).key_id, 1))
            block = (await in_blocks(session, base, auth, [sent]))[sent]
            for ws in sockets.values():
                [(channel, published)] = await publications(ws, 1)
                assert channel == "blocks" and published["id"] == block
                await ws.close()


async def test_a_key_banned_for_failed_txs_is_refused_by_every_worker(
    tmp_path: Path, db_url: str
) -> None:
    async with two_workers(tmp_path, db_url, env=dict(TWO, IBAX_BAN_BAD_TX="2")) as node:
        base, founder = node.base, node.founder()
        async with aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(force_close=True),
            timeout=aiohttp.ClientTimeout(total=20),
        ) as session:
            auth = await login(session, base, founder)
            # Two transfers of more than the founder holds: both fail in their blocks, which
            # worker 0 makes, whichever worker accepted them.
            failing = [
                await send_one(
                    session, base, auth, utxo_tx(founder, Wallet(Crypto()).key_id, 10**30 + i)
                )
                for i in range(2)
            ]
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                results = await statuses(session, base, auth, failing)
                if all(r.get("errmsg") for r in results.values()):
                    break
                await asyncio.sleep(0.2)
            assert all(r.get("errmsg") for r in results.values()), results
            # Each new connection reaches either worker: both refuse the banned key.
            refused_by: set[str] = set()
            deadline = time.monotonic() + 60
            while len(refused_by) < 2 and time.monotonic() < deadline:
                raw = utxo_tx(founder, Wallet(Crypto()).key_id, 1)
                status, body, worker = await post_one(session, base, auth, raw)
                assert (status, body.get("error")) == (403, "E_BANNED"), body
                refused_by.add(worker)
            assert refused_by == {"0", "1"}


async def test_api_workers_hear_which_of_their_txs_blocks_settled(
    tmp_path: Path, db_url: str
) -> None:
    # A backlog of one tx per worker: each request waits until the block of the worker's
    # previous tx is settled. An API worker hears that only through worker 0's relay; deaf,
    # its second request would wait IBAX_BACKLOG_WAIT seconds and get a 503.
    env = dict(TWO, IBAX_MAX_BACKLOG="2", IBAX_BACKLOG_WAIT="10")
    async with two_workers(tmp_path, db_url, env=env) as node:
        base, founder = node.base, node.founder()
        async with aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(force_close=True),
            timeout=aiohttp.ClientTimeout(total=30),
        ) as session:
            auth = await login(session, base, founder)
            answered_by: dict[str, int] = {}
            sent: list[str] = []
            while min(answered_by.get("0", 0), answered_by.get("1", 0)) < 3:
                raw = utxo_tx(founder, Wallet(Crypto()).key_id, 1)
                started = time.monotonic()
                status, body, worker = await post_one(session, base, auth, raw)
                assert status == 200, body
                assert time.monotonic() - started < 5, f"worker {worker} waited for room"
                answered_by[worker] = answered_by.get(worker, 0) + 1
                sent.append(body["hashes"]["t0"])
                assert len(sent) < 60, answered_by
            await in_blocks(session, base, auth, sent)
            async with session.get(base + "/metrics") as resp:
                scraped = await resp.text()
            # Sent one after another, each after its predecessor's answer: requests that found
            # the worker's previous tx unsettled waited for its block, none was refused.
            assert metric(scraped, "ibax_tx_backlog_waits_total") >= 1
            assert 'ibax_txs_refused_total{reason="BacklogFull"}' not in scraped
