"""Stopping: a second SIGINT or SIGTERM during the graceful shutdown is ignored, exit code 0."""

from __future__ import annotations

import os
import signal
import socket
import time
from pathlib import Path

import pytest

from tests.nodeproc import free_port, start_node, wait_for


@pytest.mark.parametrize("workers", ["1", "2"])
def test_a_second_signal_while_stopping_changes_nothing(tmp_path: Path, workers: str) -> None:
    port = free_port()
    log = tmp_path / "node.log"
    with start_node(tmp_path / "d", log, port=port, env={"IBAX_WORKERS": workers}) as proc:
        try:
            wait_for(f"http://127.0.0.1:{port}/api/v2/version", proc, timeout=60)
            # Requests whose bodies never finish: the graceful shutdown waits for them.
            hanging = []
            for _ in range(8):
                sock = socket.create_connection(("127.0.0.1", port))
                sock.sendall(
                    b"POST /api/v2/sendTx HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\nab"
                )
                hanging.append(sock)
            time.sleep(0.5)
            # As a terminal's Ctrl-C does: every process of the group hears it, twice.
            os.killpg(proc.pid, signal.SIGINT)
            time.sleep(1.0)
            os.killpg(proc.pid, signal.SIGINT)
            time.sleep(0.5)
            for sock in hanging:
                sock.close()
            assert proc.wait(timeout=60) == 0, log.read_text()
        finally:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
    text = log.read_text()
    assert "Traceback" not in text and "failed" not in text, text
