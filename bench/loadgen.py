"""Load generator: posts signed UTXO transfers to a node on loopback and measures commit latency."""

from __future__ import annotations

import argparse
import asyncio
import ipaddress
import json
import os
import platform
import random
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import aiohttp

from chain.crypto import Crypto, parse_private_key
from chain.txcodec import Header, SmartTransaction, Utxo, build_client_tx
from node.client import NodeClient


@dataclass
class Result:
    """What one run measured."""

    label: str
    sent: int = 0
    accepted: int = 0
    committed: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)
    accept_rate: float = 0.0
    commit_rate: float = 0.0
    p50_ms: float = 0.0
    p95_ms: float = 0.0
    p99_ms: float = 0.0
    settings: dict[str, Any] = field(default_factory=dict)


def check_loopback(url: str) -> None:
    """Refuse any target that is not this machine."""
    host = urlparse(url).hostname or ""
    if host == "localhost":
        return
    try:
        if ipaddress.ip_address(host).is_loopback:
            return
    except ValueError:
        pass
    raise SystemExit(f"refusing to load {host!r}: only loopback targets are allowed")


def percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def progress(done: int, total: int, committed: int) -> None:
    width = 30
    filled = int(width * done / max(total, 1))
    sys.stderr.write(
        f"\r[{'#' * filled}{'.' * (width - filled)}] sent {done}/{total} committed {committed}"
    )
    sys.stderr.flush()


class LoadGen:
    """Senders post batches; a poller watches txstatus for commits."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.sent_at: dict[str, float] = {}
        self.latency: dict[str, float] = {}
        self.failed = 0
        self.errors: list[str] = []
        self.first_send = 0.0
        self.last_ack = 0.0
        self.last_commit = 0.0
        self.sent = 0
        self.stop_sending = False
        self.done_sending = False
        self.serial = 0  # every worker has its answers: the poller may finish

    async def post(
        self, http: aiohttp.ClientSession, auth: dict[str, str], raws: list[bytes]
    ) -> None:
        form = aiohttp.FormData()
        for i, raw in enumerate(raws):
            form.add_field(f"t{i}", raw, filename=f"t{i}", content_type="application/octet-stream")
        started = time.monotonic()
        async with http.post(self.args.node + "/api/v2/sendTx", data=form, headers=auth) as resp:
            body = await resp.json()
        if resp.status != 200:
            self.errors.append(f"{resp.status} {body}")
            return
        self.last_ack = time.monotonic()
        for h in body["hashes"]:
            if len(h) == 64:
                self.sent_at[h] = started

    async def poll(self, http: aiohttp.ClientSession, auth: dict[str, str]) -> None:
        while True:
            pending = [h for h in self.sent_at if h not in self.latency]
            if not pending and self.done_sending:
                return
            for start in range(0, len(pending), 500):
                chunk = pending[start : start + 500]
                async with http.post(
                    self.args.node + "/api/v2/txstatus",
                    data={"data": json.dumps({"hashes": chunk})},
                    headers=auth,
                ) as resp:
                    body = await resp.json()
                now = time.monotonic()
                for h, status in body.get("results", {}).items():
                    if status["blockid"] or "errmsg" in status:
                        self.latency[h] = now - self.sent_at[h]
                        self.last_commit = now
                        if status.get("penalty") or "errmsg" in status:
                            self.failed += 1
            await asyncio.sleep(0.05)

    async def run(self) -> Result:
        args = self.args
        key = parse_private_key(Path(args.key_file).read_text())
        async with NodeClient(args.node, key) as client:
            session = await client.login()
            crypto: Crypto = session.crypto
            auth = {"Authorization": f"Bearer {session.token}"}
            senders = [crypto.generate_private_key() for _ in range(args.senders)]
            per_sender = args.count // args.senders + 1
            fund = [
                build_client_tx(
                    self.tx(
                        crypto,
                        key,
                        session.network_id,
                        crypto.address(crypto.public_key(s)),
                        per_sender * 10,
                    ),
                    key,
                    crypto,
                )
                for s in senders
            ]
            http = client.http
            if http is None:
                raise SystemExit("client session is not open")
            for start in range(0, len(fund), 100):
                await self.post(http, auth, fund[start : start + 100])
            for h in list(self.sent_at):
                await client.wait(h, 60)
            self.sent_at.clear()
            recipients = [
                crypto.address(crypto.public_key(crypto.generate_private_key())) for _ in range(64)
            ]
            poller = asyncio.create_task(self.poll(http, auth))
            deadline = time.monotonic() + args.duration
            self.first_send = time.monotonic()
            queue: asyncio.Queue[bytes] = asyncio.Queue()
            for i, sender in enumerate(senders):
                queue.put_nowait(sender)

            async def worker() -> None:
                while not self.stop_sending:
                    sender = await queue.get()
                    batch = min(args.batch, args.count - self.sent)
                    if batch <= 0 or time.monotonic() > deadline:
                        self.stop_sending = True
                        return
                    self.sent += batch
                    raws = [
                        build_client_tx(
                            self.tx(
                                crypto, sender, session.network_id, random.choice(recipients), 1
                            ),
                            sender,
                            crypto,
                        )
                        for _ in range(batch)
                    ]
                    try:
                        await self.post(http, auth, raws)
                    except aiohttp.ClientError as exc:
                        self.errors.append(repr(exc))
                    queue.put_nowait(sender)
                    progress(self.sent, args.count, len(self.latency))

            await asyncio.gather(*(worker() for _ in range(args.concurrency)))
            self.stop_sending = self.done_sending = True
            try:
                await asyncio.wait_for(poller, 120)
            except TimeoutError:
                self.errors.append("some txs were not committed within 120 s")
            progress(self.sent, args.count, len(self.latency))
            sys.stderr.write("\n")
        lat = [v * 1000 for v in self.latency.values()]
        return Result(
            label=args.label,
            sent=self.sent,
            accepted=len(self.sent_at),
            committed=len(self.latency),
            failed=self.failed,
            errors=self.errors[:10],
            accept_rate=len(self.sent_at) / max(self.last_ack - self.first_send, 1e-9),
            commit_rate=len(self.latency) / max(self.last_commit - self.first_send, 1e-9),
            p50_ms=percentile(lat, 0.50),
            p95_ms=percentile(lat, 0.95),
            p99_ms=percentile(lat, 0.99),
            settings={
                k: str(v) for k, v in vars(args).items() if k not in ("key_file", "json", "report")
            },
        )

    def tx(
        self, crypto: Crypto, private: bytes, network_id: int, to_id: int, value: int
    ) -> SmartTransaction:
        public = crypto.public_key(private)
        header = Header(
            0, 1, crypto.address(public), int(time.time()), network_id, b"\x04" + public
        )
        # A unique comment: identical txs would share a hash and be (rightly) accepted once.
        self.serial += 1
        utxo = Utxo(to_id=to_id, value=str(value), comment=f"bench {self.serial}")
        return SmartTransaction(header=header, utxo=utxo)


def markdown(results: list[Result]) -> str:
    """A short report table of one or more runs."""
    lines = [
        "# Benchmark report",
        "",
        f"Machine: {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"{platform.platform()}",
        f"Date: {time.strftime('%Y-%m-%d %H:%M:%S UTC', time.gmtime())}",
        "",
        "| run | sent | committed | failed | accepted tx/s | committed tx/s "
        "| p50 ms | p95 ms | p99 ms |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        lines.append(
            f"| {r.label} | {r.sent} | {r.committed} | {r.failed} | {r.accept_rate:.0f} | "
            f"{r.commit_rate:.0f} | {r.p50_ms:.0f} | {r.p95_ms:.0f} | {r.p99_ms:.0f} |"
        )
    lines.append("")
    for r in results:
        lines.append(f"- {r.label} settings: `{json.dumps(r.settings, sort_keys=True)}`")
        if r.errors:
            lines.append(f"  errors: {r.errors}")
    return "\n".join(lines) + "\n"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--node", default="http://127.0.0.1:7079")
    parser.add_argument("--key-file", default="ibax-data/PrivateKey", help="founder's key")
    parser.add_argument("--count", type=int, default=2000, help="at most this many txs")
    parser.add_argument("--duration", type=float, default=30, help="at most this many seconds")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--batch", type=int, default=20, help="txs per sendTx request")
    parser.add_argument("--senders", type=int, default=16)
    parser.add_argument("--label", default="run")
    parser.add_argument("--json", type=Path, help="write the result as JSON here")
    parser.add_argument("--report", type=Path, help="write a Markdown report here")
    return parser


def main() -> None:
    args = build_parser().parse_args()
    check_loopback(args.node)
    result = asyncio.run(LoadGen(args).run())
    print(markdown([result]))
    if args.json:
        args.json.write_text(json.dumps(asdict(result)))
    if args.report:
        args.report.write_text(markdown([result]))


if __name__ == "__main__":
    main()
