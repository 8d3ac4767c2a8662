"""Load generator: posts signed txs (UTXO, @1TokensSend, a user contract) to a loopback node."""

from __future__ import annotations

import argparse
import asyncio
import ipaddress
import json
import math
import os
import platform
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import aiohttp

from bench.nodeproc import cpu_seconds
from chain.address import address_to_string
from chain.crypto import Crypto
from chain.txcodec import (
    Header,
    SmartTransaction,
    TransferSelf,
    Utxo,
    build_client_tx,
    decode_tx,
)
from node.client import ClientError, NodeClient, Session, load_private_key, succeeded
from node.progress import progress_bar

POLL_INTERVAL = 0.05
STATUS_CHUNK = 500
FUND_CHUNK = 100
FUND_TIMEOUT = 60
FEE_MARGIN = 10**11  # units per tx, above any bench tx's fee (about 3e7 native, 1e10 contract)
KINDS = ("utxo", "tokens", "contract")
TOKENS_CONTRACT = "@1TokensSend"
ECHO_NAME = "BenchEcho"
# Small on purpose: the figure is the cost of a contract call, not of the work inside it.
ECHO_SOURCE = """contract BenchEcho {
    data {
        N int
        Note string "optional"
    }
    action {
        $result = Sprintf("%d", $N * 2)
    }
}"""


@dataclass
class Result:
    """What one run measured; JSON-serialisable so bench.run can collect it from a subprocess."""

    label: str
    kind: str = "utxo"
    shape: str = ""  # bench.run's name of the load shape ("" for a run of its own)
    workers: int = 0  # the node's --workers as bench.run set it (0: the node's default)
    sent: int = 0
    accepted: int = 0
    rejected: int = 0
    committed: int = 0
    failed: int = 0
    pending: int = 0
    blocks: int = 0
    accept_rate: float = 0.0
    commit_rate: float = 0.0
    ack_p50_ms: float = 0.0
    ack_p95_ms: float = 0.0
    p50_ms: float = 0.0
    p95_ms: float = 0.0
    p99_ms: float = 0.0
    wall_s: float = 0.0
    # The node's CPU time (every worker process) from the first send to the end of the drain,
    # per committed tx; None without --node-pid.
    node_cpu_ms: float | None = None
    funding: str = ""
    errors: list[str] = field(default_factory=list)
    settings: dict[str, str] = field(default_factory=dict)


def check_loopback(url: str) -> None:
    """Refuse any target that is not this machine (127.0.0.0/8, ::1 or localhost)."""
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
    """Nearest-rank percentile; 0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, math.ceil(q * len(ordered)) - 1))]


def machine() -> str:
    """CPUs this process may use, Python version, OS."""
    nproc = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return f"nproc {nproc}, Python {platform.python_version()}, {platform.platform()}"


@dataclass
class Batch:
    """One sendTx request: pre-signed txs of one sender and their hashes."""

    raws: list[bytes]
    hashes: list[str]


class LoadGen:
    """Workers post pre-signed batches; a poller watches txstatus for commits."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.sent_at: dict[str, float] = {}
        self.acked_at: dict[str, float] = {}
        self.latency: dict[str, float] = {}
        self.block_ids: set[str] = set()
        self.failures: Counter[str] = Counter()
        self.errors: Counter[str] = Counter()
        self.sent = 0
        self.rejected = 0
        self.first_send = 0.0
        self.last_ack = 0.0
        self.last_commit = 0.0
        self.node_cpu_s: float | None = None
        self.serial = 0
        self.sending = True
        # (committed, count) to the progress bar while txs are sent (rich, on a terminal only).
        self.advance: Callable[[int, int], None] = lambda done, total: None
        # Header.ID of the contract every tx calls (0: native UTXO transfers).
        self.contract_id = 0
        # contract kind: the $result each tx must answer; a wrong one counts as a failure.
        self.expected: dict[str, str] = {}
        # In every Comment/Note: a rerun by the same key in the same second makes new hashes.
        self.tag = os.urandom(4).hex()

    def header(self, session: Session, private: bytes, contract_id: int) -> Header:
        """A header for `private`'s key: a sender signs its own txs and needs no login."""
        public = session.crypto.public_key(private)
        return Header(
            id=contract_id,
            ecosystem_id=1,
            key_id=session.crypto.address(public),
            time=int(time.time()),
            network_id=session.network_id,
            public_key=b"\x04" + public,
        )

    def tx(self, crypto: Crypto, session: Session, private: bytes, to_id: int, value: int) -> bytes:
        """A signed UTXO transfer; a unique comment keeps identical transfers distinct."""
        self.serial += 1
        utxo = Utxo(to_id=to_id, value=str(value), comment=f"bench {self.serial}")
        header = self.header(session, private, 0)
        return build_client_tx(SmartTransaction(header=header, utxo=utxo), private, crypto)

    def call_tx(
        self, session: Session, private: bytes, contract_id: int, params: dict[str, Any]
    ) -> bytes:
        """A signed contract call (tx type 3) with params already in their wire types."""
        tx = SmartTransaction(header=self.header(session, private, contract_id), params=params)
        return build_client_tx(tx, private, session.crypto)

    def tokens_tx(self, session: Session, private: bytes, to_id: int, amount: int) -> bytes:
        """@1TokensSend of `amount` smallest units; a unique Comment keeps the hashes distinct."""
        self.serial += 1
        params = {
            "Recipient": address_to_string(to_id),
            "Amount": str(amount),
            "Comment": f"bench {self.tag} {self.serial}",
        }
        return self.call_tx(session, private, self.contract_id, params)

    def echo_tx(self, session: Session, private: bytes) -> tuple[bytes, str]:
        """A BenchEcho call with a distinct N, and the $result it must answer."""
        self.serial += 1
        params = {"N": self.serial, "Note": f"bench {self.tag}"}
        raw = self.call_tx(session, private, self.contract_id, params)
        return raw, str(self.serial * 2)

    async def post(self, http: aiohttp.ClientSession, auth: dict[str, str], batch: Batch) -> None:
        """One sendTx request; records send and answer times per tx."""
        form = aiohttp.FormData()
        for i, raw in enumerate(batch.raws):
            form.add_field(f"t{i}", raw, filename=f"t{i}", content_type="application/octet-stream")
        started = time.monotonic()
        try:
            async with http.post(
                self.args.node + "/api/v2/sendTx", data=form, headers=auth
            ) as resp:
                text = await resp.text()
        except (aiohttp.ClientError, TimeoutError) as exc:
            self.rejected += len(batch.raws)
            self.errors[f"sendTx: {exc!r}"[:200]] += 1
            return
        answered = time.monotonic()
        if resp.status != 200:
            self.rejected += len(batch.raws)
            self.errors[f"sendTx {resp.status}: {text[:200]}"] += 1
            return
        self.last_ack = answered
        for h in batch.hashes:
            self.sent_at[h] = started
            self.acked_at[h] = answered

    async def poll(self, http: aiohttp.ClientSession, auth: dict[str, str]) -> None:
        """Ask txstatus for unsettled txs until all are settled (cancelled on drain timeout)."""
        while True:
            pending = [h for h in self.sent_at if h not in self.latency]
            for start in range(0, len(pending), STATUS_CHUNK):
                chunk = pending[start : start + STATUS_CHUNK]
                async with http.post(
                    self.args.node + "/api/v2/txstatus",
                    data={"data": json.dumps({"hashes": chunk})},
                    headers=auth,
                ) as resp:
                    body = await resp.json()
                now = time.monotonic()
                for h, status in body.get("results", {}).items():
                    if not (status["blockid"] or status.get("errmsg")):
                        continue
                    self.latency[h] = now - self.sent_at[h]
                    self.last_commit = now
                    if status["blockid"]:
                        self.block_ids.add(status["blockid"])
                    if not succeeded(status):
                        self.failures[json.dumps(status.get("errmsg"))[:200]] += 1
                    elif h in self.expected and status.get("result") != self.expected[h]:
                        got = json.dumps(status.get("result"))[:80]
                        self.failures[f"result {got}, expected {self.expected[h]}"] += 1
            self.advance(len(self.latency), self.args.count)
            if not self.sending and len(self.latency) == len(self.sent_at):
                return
            await asyncio.sleep(POLL_INTERVAL)

    def sign(self, session: Session, sender: bytes, to_ids: list[int]) -> Batch:
        """Pre-signed txs of one sender (one per recipient), hashed the way the node hashes them."""
        kind = self.args.kind
        if kind == "contract":
            calls = [self.echo_tx(session, sender) for _ in to_ids]
        elif kind == "tokens":
            calls = [(self.tokens_tx(session, sender, to_id, 1), "") for to_id in to_ids]
        else:
            calls = [(self.tx(session.crypto, session, sender, to_id, 1), "") for to_id in to_ids]
        raws = [raw for raw, _ in calls]
        hashes = [decode_tx(raw, session.crypto).hash.hex() for raw in raws]
        self.expected.update((h, want) for h, (_, want) in zip(hashes, calls, strict=True) if want)
        return Batch(raws, hashes)

    async def settle(self, client: NodeClient, raws: list[bytes], what: str) -> str:
        """Post `raws` FUND_CHUNK per request, wait for all; where they landed and what failed."""
        hashes: list[str] = []
        for start in range(0, len(raws), FUND_CHUNK):
            hashes += await client.send_raw(raws[start : start + FUND_CHUNK])
        statuses = [await client.wait(h, FUND_TIMEOUT) for h in hashes]
        bad = [s for s in statuses if not succeeded(s)]
        blocks = sorted({s["blockid"] for s in statuses if s["blockid"]}, key=int)
        note = f"{len(hashes)} {what} in block(s) {', '.join(blocks)}: {len(bad)} failed"
        if bad:
            note += f" (first: {bad[0].get('errmsg')})"
        return note

    async def fund(
        self, client: NodeClient, session: Session, founder: bytes, needs: dict[bytes, int]
    ) -> str:
        """Founder -> every sender, FUND_CHUNK per request: many txs of one sender per block."""
        crypto = session.crypto
        address = {s: crypto.address(crypto.public_key(s)) for s in needs}
        if self.args.kind == "tokens":
            raws = [self.tokens_tx(session, founder, address[s], needs[s]) for s in needs]
            return await self.settle(client, raws, "founder @1TokensSend")
        raws = [self.tx(crypto, session, founder, address[s], needs[s]) for s in needs]
        return await self.settle(client, raws, "founder transfers")

    async def to_account(
        self, client: NodeClient, session: Session, founder: bytes, value: int
    ) -> str:
        """TransferSelf UTXO -> Account: @1TokensSend spends the account balance, not UTXOs."""
        move = TransferSelf(value=str(value), source="UTXO", target="Account")
        tx = SmartTransaction(header=self.header(session, founder, 0), transfer_self=move)
        raw = build_client_tx(tx, founder, session.crypto)
        return await self.settle(client, [raw], f"founder TransferSelf of {value}")

    async def prepare(self, client: NodeClient, session: Session) -> str:
        """Find the contract the txs call (deploying BenchEcho if absent); what was done."""
        if self.args.kind == "tokens":
            self.contract_id = (await client.contract_info(TOKENS_CONTRACT)).id
            return ""
        name = f"@1{ECHO_NAME}"
        try:
            self.contract_id = (await client.contract_info(name)).id
            return f"reused {name}"
        except ClientError as exc:
            if exc.code != "E_CONTRACT":
                raise
        params = {"ApplicationId": "1", "Value": ECHO_SOURCE, "Conditions": "true"}
        status = await client.wait(await client.call("@1NewContract", params), FUND_TIMEOUT)
        if not succeeded(status):
            raise ClientError(0, "E_DEPLOY", f"@1NewContract {name}: {status.get('errmsg')}")
        self.contract_id = (await client.contract_info(name)).id
        return f"deployed {name} in block {status['blockid']}"

    async def run(self) -> Result:
        args = self.args
        founder = load_private_key(Path(args.key_file))
        async with NodeClient(args.node, founder, timeout=120) as client:
            session = await client.login()
            crypto = session.crypto
            http = client.http
            if http is None:
                raise RuntimeError("NodeClient has no HTTP session")
            auth = {"Authorization": f"Bearer {session.token}"}
            # --fresh-recipients: an account that does not exist yet for every tx.
            wanted = args.count if args.fresh_recipients else args.recipients
            recipients = [
                crypto.address(crypto.public_key(crypto.generate_private_key()))
                for _ in range(wanted)
            ]
            sizes = [min(args.batch, args.count - k) for k in range(0, args.count, args.batch)]
            senders = [crypto.generate_private_key() for _ in range(min(args.senders, len(sizes)))]
            plan = [
                (senders[k % len(senders)] if senders else founder, n) for k, n in enumerate(sizes)
            ]
            funding = await self.setup(client, session, founder, plan)
            # Signed before the clock starts: the figures are the node's, not the signer's.
            batches: asyncio.Queue[Batch] = asyncio.Queue()
            for k, (sender, n) in enumerate(plan):
                to_ids = [recipients[(k * args.batch + i) % len(recipients)] for i in range(n)]
                batches.put_nowait(self.sign(session, sender, to_ids))
            with progress_bar("txs committed") as self.advance:
                deadline = time.monotonic() + args.duration
                cpu_started = cpu_seconds(args.node_pid) if args.node_pid else math.nan
                if args.started_file:
                    args.started_file.write_text("sending\n")
                self.first_send = time.monotonic()
                poller = asyncio.create_task(self.poll(http, auth))

                async def worker() -> None:
                    # Never blocks on the queue: an empty queue or the deadline ends the worker.
                    while time.monotonic() < deadline:
                        try:
                            batch = batches.get_nowait()
                        except asyncio.QueueEmpty:
                            return
                        self.sent += len(batch.raws)
                        await self.post(http, auth, batch)

                await asyncio.gather(*(worker() for _ in range(args.concurrency)))
                self.sending = False
                try:
                    await asyncio.wait_for(poller, args.drain_timeout)
                except TimeoutError:
                    late = f"not settled within {args.drain_timeout:g} s of the last send"
                    self.errors[late] += 1
                if args.node_pid:
                    self.node_cpu_s = cpu_seconds(args.node_pid) - cpu_started
                self.advance(len(self.latency), args.count)
        return self.result(funding)

    async def setup(
        self, client: NodeClient, session: Session, founder: bytes, plan: list[tuple[bytes, int]]
    ) -> str:
        """Contract lookup or deployment and the senders' funding; the outcome, for the report."""
        kind = self.args.kind
        notes = [await self.prepare(client, session)] if kind != "utxo" else []
        needs: dict[bytes, int] = {}
        for sender, n in plan:
            # Each tx moves 1 unit and pays its fee: native transfers always pay one.
            needs[sender] = needs.get(sender, 0) + n * (1 + FEE_MARGIN)
        if kind == "contract":
            notes.append("none: senders are fresh keys (free calls on a private chain)")
        elif kind == "tokens":
            # The founder's own funding calls pay their fees from its account too.
            total = sum(needs.values()) + len(needs) * FEE_MARGIN
            notes.append(await self.to_account(client, session, founder, total))
        if kind != "contract":
            needs.pop(founder, None)
            if needs:
                notes.append(await self.fund(client, session, founder, needs))
            else:
                notes.append("none: the founder sends every tx")
        return "; ".join(n for n in notes if n)

    def result(self, funding: str) -> Result:
        args = self.args
        lat = [v * 1000 for v in self.latency.values()]
        ack = [(self.acked_at[h] - self.sent_at[h]) * 1000 for h in self.sent_at]
        failed = sum(self.failures.values())
        committed = len(self.latency) - failed
        cpu_ms = None
        if self.node_cpu_s is not None and not math.isnan(self.node_cpu_s):
            cpu_ms = self.node_cpu_s * 1000 / max(committed, 1)
        errors = [f"{n}x sendTx/transport: {e}" for e, n in self.errors.most_common(5)]
        errors += [f"{n}x in block/rejected: {e}" for e, n in self.failures.most_common(5)]
        settings = {
            k: str(v)
            for k, v in sorted(vars(args).items())
            if k not in ("json", "report", "key_file", "node_pid", "started_file")
        }
        return Result(
            label=args.label,
            kind=args.kind,
            sent=self.sent,
            accepted=len(self.sent_at),
            rejected=self.rejected,
            committed=committed,
            failed=failed,
            pending=len(self.sent_at) - len(self.latency),
            blocks=len(self.block_ids),
            accept_rate=len(self.sent_at) / max(self.last_ack - self.first_send, 1e-9),
            commit_rate=committed / max(self.last_commit - self.first_send, 1e-9),
            ack_p50_ms=percentile(ack, 0.50),
            ack_p95_ms=percentile(ack, 0.95),
            p50_ms=percentile(lat, 0.50),
            p95_ms=percentile(lat, 0.95),
            p99_ms=percentile(lat, 0.99),
            wall_s=max(self.last_commit, self.last_ack) - self.first_send,
            node_cpu_ms=cpu_ms,
            funding=funding,
            errors=errors,
            settings=settings,
        )


def markdown(results: list[Result], title: str = "") -> str:
    """A short report of one or more runs, side by side; the title names the kinds."""
    kinds = ", ".join(dict.fromkeys(r.kind for r in results))
    lines = [
        f"# {title or f'Benchmark report: {kinds}'}",
        "",
        f"Machine: {machine()}",
        f"Date: {time.strftime('%Y-%m-%d %H:%M:%S UTC', time.gmtime())}",
        "",
        "| backend | workers | shape | sent | accepted | committed | failed | pending | blocks "
        "| accepted tx/s | committed tx/s | sendTx p50/p95 ms | commit p50 ms | p95 ms | p99 ms "
        "| node CPU ms/tx |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        cpu = "–" if r.node_cpu_ms is None else f"{r.node_cpu_ms:.2f}"
        lines.append(
            f"| {r.label} | {r.workers or 'default'} | {r.shape or r.kind} | {r.sent} "
            f"| {r.accepted} | {r.committed} | {r.failed} "
            f"| {r.pending} | {r.blocks} | {r.accept_rate:.0f} | {r.commit_rate:.0f} "
            f"| {r.ack_p50_ms:.0f}/{r.ack_p95_ms:.0f} | {r.p50_ms:.0f} | {r.p95_ms:.0f} "
            f"| {r.p99_ms:.0f} | {cpu} |"
        )
    lines += [
        "",
        "kind: utxo = native UTXO transfers (tx type 5); tokens = @1TokensSend calls (account "
        f"balances, a system contract in Needle); contract = calls of a user contract "
        f"({ECHO_NAME}, deployed by the load generator). "
        "accepted tx/s: txs answered 200 by sendTx per second from the first send to the last "
        "answer. committed tx/s: txs seen in a block without error, from the first send to the "
        "last commit seen. sendTx p50/p95: per tx, from sending its request to the answer. "
        "node CPU ms/tx: the node's CPU time (all its processes) from the first send to the end "
        "of the drain (txstatus polling included) per committed tx, when the runner gave its pid. "
        f"commit p50/p95/p99: from sending to seeing its block in txstatus (polled every "
        f"{POLL_INTERVAL * 1000:.0f} ms).",
        "",
    ]
    for r in results:
        lines.append(f"- {r.label} {r.shape or r.kind}: setup {r.funding}; wall {r.wall_s:.1f} s")
        lines.append(f"  settings `{json.dumps(r.settings, sort_keys=True)}`")
        lines.append(f"  errors: {'; '.join(r.errors) if r.errors else 'none'}")
    return "\n".join(lines) + "\n"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bench.loadgen", description=__doc__)
    parser.add_argument("--node", default="http://127.0.0.1:7079", help="loopback URL only")
    parser.add_argument("--key-file", default="ibax-data/PrivateKey", help="the founder's key")
    parser.add_argument(
        "--kind",
        choices=KINDS,
        default="utxo",
        help="utxo: native transfers; tokens: @1TokensSend; contract: a user contract call",
    )
    parser.add_argument("--count", type=int, default=2000, help="at most this many txs")
    parser.add_argument("--duration", type=float, default=30, help="send for at most this many s")
    parser.add_argument("--drain-timeout", type=float, default=60, help="wait for commits, s")
    parser.add_argument("--concurrency", type=int, default=8, help="requests in flight")
    parser.add_argument("--batch", type=int, default=20, help="txs per sendTx request")
    parser.add_argument(
        "--senders", type=int, default=16, help="fresh keys funded first; 0: the founder sends all"
    )
    parser.add_argument("--recipients", type=int, default=64, help="fresh recipient keys")
    parser.add_argument(
        "--fresh-recipients",
        action="store_true",
        help="every tx to a recipient with no account yet (ignores --recipients)",
    )
    parser.add_argument("--label", default="node", help="name of the run (the backend)")
    parser.add_argument(
        "--node-pid", type=int, help="the node's pid: report its CPU time per committed tx"
    )
    parser.add_argument(
        "--started-file", type=Path, help="write this file when the measured sending begins"
    )
    parser.add_argument("--json", type=Path, help="write the result as JSON here")
    parser.add_argument("--report", type=Path, help="write a Markdown report here")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    check_loopback(args.node)
    if min(args.count, args.concurrency, args.batch, args.recipients) < 1 or args.senders < 0:
        raise SystemExit("--count, --concurrency, --batch, --recipients must be positive")
    args.node = args.node.rstrip("/")
    try:
        result = asyncio.run(LoadGen(args).run())
    except (ClientError, aiohttp.ClientError) as exc:
        print(f"loadgen: {exc}", file=sys.stderr)
        if args.json:
            # What went wrong, for bench.run's report (a setup failure measures nothing).
            failed = Result(label=args.label, kind=args.kind, errors=[f"loadgen: {exc}"[:300]])
            args.json.write_text(json.dumps(asdict(failed)))
        return 1
    report = markdown([result])
    print(report)
    if args.json:
        args.json.write_text(json.dumps(asdict(result)))
    if args.report:
        args.report.parent.mkdir(parents=True, exist_ok=True)
        args.report.write_text(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
