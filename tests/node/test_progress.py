"""Progress bars: drawn on a terminal, absent from pipes; check, rollback and import report."""

from __future__ import annotations

import asyncio
import io
import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from chain.bank.saves import SavedUser, write_save
from chain.storage.engine import make_engine
from chain.verify import verify_chain
from node.bank_import import import_save
from node.config import Config
from node.datadir import open_data_dir
from node.progress import progress_bar
from tests.helpers import Wallet, send_txs, utxo_tx, wait_status


def _read_all(fd: int, proc: subprocess.Popen[bytes], timeout: float = 60) -> bytes:
    """What a process wrote to the terminal `fd` until it exited."""
    chunks: list[bytes] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.1)
        if ready:
            try:
                data = os.read(fd, 65536)
            except OSError:  # the other end closed
                break
            if not data:
                break
            chunks.append(data)
        elif proc.poll() is not None:
            break
    return b"".join(chunks)


def test_nothing_is_drawn_on_a_pipe() -> None:
    stream = io.StringIO()
    with progress_bar("working", stream) as advance:
        advance(3, 10)
    assert stream.getvalue() == ""


def test_a_bar_is_drawn_on_a_terminal() -> None:
    leader, follower = pty.openpty()
    chunks: list[bytes] = []
    try:
        with (
            open(follower, "w", closefd=False) as terminal,
            progress_bar("working", terminal) as bar,
        ):
            bar(5, 10)
            bar(10, 10)
        # The bar redraws as it goes: read everything it wrote, not just the first chunk.
        while select.select([leader], [], [], 0.5)[0]:
            chunks.append(os.read(leader, 65536))
    finally:
        os.close(leader)
        os.close(follower)
    drawn = b"".join(chunks).decode(errors="replace")
    assert "working" in drawn
    assert "10/10" in drawn


async def test_verify_reports_its_progress(config: Config, founder: Wallet, client: Any) -> None:
    _, body = await send_txs(client, founder, utxo_tx(founder, 5555, 1))
    await wait_status(client, founder, next(h for h in body["hashes"] if len(h) == 64))
    seen: list[tuple[int, int]] = []
    node = open_data_dir(config.data_dir, config.network_id, config.crypto)
    engine = make_engine(config.db_url)
    try:
        height = await verify_chain(
            engine, node, batch=1, progress=lambda d, t: seen.append((d, t))
        )
    finally:
        await engine.dispose()
    assert seen == [(n, height) for n in range(1, height + 1)]


async def test_check_and_rollback_draw_on_a_terminal_only(
    config: Config, founder: Wallet, client: Any
) -> None:
    for _ in range(2):
        _, body = await send_txs(client, founder, utxo_tx(founder, 5555, 1))
        await wait_status(client, founder, next(h for h in body["hashes"] if len(h) == 64))
    await client.close()
    common = ["--data-dir", str(config.data_dir), "--db", config.db_url]
    node = [sys.executable, "-m", "node"]

    piped = subprocess.run([*node, "check", *common], capture_output=True, timeout=60)
    assert piped.returncode == 0, piped.stderr
    assert piped.stderr == b""  # no bar, no control sequences in a pipe

    for command, words in ((["check"], "verifying blocks"), (["rollback", "1"], "undoing blocks")):
        leader, follower = pty.openpty()
        try:
            with subprocess.Popen(
                [*node, *command, *common], stdout=subprocess.PIPE, stderr=follower
            ) as proc:
                os.close(follower)
                drawn = _read_all(leader, proc).decode(errors="replace")
                assert proc.wait(timeout=60) == 0, drawn
        finally:
            os.close(leader)
        assert words in drawn
        assert "/" in drawn.split(words, 1)[1]  # done/total after the description


async def test_bank_import_reports_progress(tmp_path: Path) -> None:
    saved: list[tuple[int, int]] = []
    config = Config(
        data_dir=tmp_path / "d", bank_admin="admin", bank_admin_password="pw", bank_hash_cost=10
    )
    save = tmp_path / "users.dat"
    save.write_bytes(write_save([SavedUser(name, 5, 0, ()) for name in ("amy", "ben", "cat")]))
    report = await import_save(config, save, progress=lambda d, t: saved.append((d, t)))
    assert report.imported == 3
    assert saved == [(3, 3)]  # one chunk of users


@pytest.mark.parametrize("backend", ["sqlite"])  # the bar is the load generator's, not the chain's
async def test_the_bench_load_draws_on_a_terminal_only(
    config: Config, founder: Wallet, client: Any, backend: str
) -> None:
    # bench.run passes the load generator's stderr through: a person at a terminal sees the
    # bar; a pipe or a file gets no control sequences. The node serves on this loop meanwhile.
    loadgen = [
        sys.executable, "-m", "bench.loadgen", "--node", str(client.make_url("")).rstrip("/"),
        "--key-file", str(config.data_dir / "PrivateKey"), "--count", "3", "--batch", "1",
        "--concurrency", "1", "--recipients", "2", "--duration", "60",
    ]  # fmt: skip

    def on_a_pipe() -> subprocess.CompletedProcess[bytes]:
        return subprocess.run(loadgen, capture_output=True, timeout=120)

    piped = await asyncio.to_thread(on_a_pipe)
    assert piped.returncode == 0, piped.stderr
    assert b"\r" not in piped.stderr and b"\x1b" not in piped.stderr, piped.stderr

    def on_a_terminal() -> tuple[int, str]:
        leader, follower = pty.openpty()
        try:
            with subprocess.Popen(
                loadgen, stdout=subprocess.DEVNULL, stderr=follower
            ) as proc:
                os.close(follower)
                drawn = _read_all(leader, proc, timeout=120).decode(errors="replace")
                return proc.wait(timeout=60), drawn
        finally:
            os.close(leader)

    returncode, drawn = await asyncio.to_thread(on_a_terminal)
    assert returncode == 0, drawn
    assert "txs committed" in drawn
    assert "3/3" in drawn.split("txs committed", 1)[1]
