"""SIGKILL campaign: kill a node's process group under mixed load; nothing acknowledged is lost."""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import itertools
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import aiohttp

from bench.loadgen import ECHO_NAME, ECHO_SOURCE, TOKENS_CONTRACT, machine
from bench.nodeproc import BACKENDS, default_pg_dsn
from chain.address import address_to_string
from chain.block import Block
from chain.crypto import Crypto
from chain.storage.databases import scratch_database
from chain.storage.engine import make_engine
from chain.storage.repo.blocks import list_blocks
from chain.storage.repo.money import native_supply
from chain.txcodec import Header, SmartTransaction, TransferSelf, Utxo, build_client_tx, decode_tx
from node.client import NodeClient, Session, load_private_key, succeeded
from tests.nodeproc import free_port, kill_group, start_node, stop_node, wait_up

ADMIN, ADMIN_PW, USER_PW = "admin", "campaign-admin-pw", "pw"
BANK_USERS = 6
BANK_MINT = 10**9  # each bank user's opening balance, set by the admin at registration
BATCH = 8  # txs per batched sendTx
SETTLE_TIMEOUT = 180.0
STATUS_CHUNK = 500


@dataclass
class Phase:
    """What one phase (a backend, with or without the bank) did and found."""

    backend: str
    phase: str
    kills: int = 0
    acked_txs: int = 0
    acked_bank: int = 0
    sent_requests: int = 0
    rejected_4xx: int = 0
    server_5xx: int = 0
    in_block: int = 0
    failed_in_block: int = 0
    lost: int = 0
    duplicated: int = 0
    native_before: int = 0
    native_after: int = 0
    bank_minted: int = 0
    bank_sum: int = 0
    check_rc: int = -1
    check_out: str = ""
    seconds: float = 0.0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems and self.check_rc == 0


@dataclass
class Acks:
    """Every acknowledged write of a phase."""

    txs: set[str] = field(default_factory=set)
    # (sender, receiver, amount) of each bank transfer answered 200; amounts are unique.
    bank: list[tuple[str, str, int]] = field(default_factory=list)


def _basic(name: str, password: str) -> dict[str, str]:
    token = base64.b64encode(f"{name}:{password}".encode()).decode()
    return {"Authorization": f"Basic {token}", "Accept": "application/json"}


class Load:
    """The clients of one node run: they send until the node dies under them."""

    def __init__(self, phase: Phase, acks: Acks, session: Session, founder: bytes) -> None:
        self.phase, self.acks, self.session, self.founder = phase, acks, session, founder
        self.crypto = session.crypto
        self.serial = itertools.count(1)
        self.tag = os.urandom(4).hex()
        self.tokens_id = 0
        self.echo_id = 0
        self.users: list[str] = []
        self.bank_amount = itertools.count(1)

    def header(self, private: bytes, contract_id: int) -> Header:
        public = self.crypto.public_key(private)
        return Header(
            id=contract_id,
            ecosystem_id=1,
            key_id=self.crypto.address(public),
            time=int(time.time()),
            network_id=self.session.network_id,
            public_key=b"\x04" + public,
        )

    def utxo(self) -> bytes:
        """A native transfer of 1 unit from the founder to a fresh key."""
        to_id = self.crypto.address(self.crypto.public_key(self.crypto.generate_private_key()))
        utxo = Utxo(to_id=to_id, value="1", comment=f"campaign {self.tag} {next(self.serial)}")
        tx = SmartTransaction(header=self.header(self.founder, 0), utxo=utxo)
        return build_client_tx(tx, self.founder, self.crypto)

    def tokens(self) -> bytes:
        """@1TokensSend of 1 unit from the founder's account to a fresh key."""
        to_id = self.crypto.address(self.crypto.public_key(self.crypto.generate_private_key()))
        params = {
            "Recipient": address_to_string(to_id),
            "Amount": "1",
            "Comment": f"campaign {self.tag} {next(self.serial)}",
        }
        tx = SmartTransaction(header=self.header(self.founder, self.tokens_id), params=params)
        return build_client_tx(tx, self.founder, self.crypto)

    def echo(self) -> bytes:
        """A call of the user contract by a fresh key (free on a private chain)."""
        private = self.crypto.generate_private_key()
        params = {"N": next(self.serial), "Note": f"campaign {self.tag}"}
        tx = SmartTransaction(header=self.header(private, self.echo_id), params=params)
        return build_client_tx(tx, private, self.crypto)

    def _status(self, status: int) -> None:
        self.phase.sent_requests += 1
        if status >= 500:
            self.phase.server_5xx += 1
        elif status >= 400:
            self.phase.rejected_4xx += 1

    async def send(self, http: aiohttp.ClientSession, url: str, raws: list[bytes]) -> None:
        """One sendTx; its hashes are acknowledged only by a 200 that names them all."""
        form = aiohttp.FormData()
        for i, raw in enumerate(raws):
            form.add_field(f"t{i}", raw, filename=f"t{i}", content_type="application/octet-stream")
        hashes = [decode_tx(raw, self.crypto).hash.hex() for raw in raws]
        auth = {"Authorization": f"Bearer {self.session.token}"}
        async with http.post(url + "/api/v2/sendTx", data=form, headers=auth) as resp:
            body = await resp.read()
        self._status(resp.status)
        if resp.status == 200:
            named = set(json.loads(body)["hashes"].values())
            missing = [h for h in hashes if h not in named]
            if missing:
                self.phase.problems.append(f"sendTx 200 without hashes {missing[:3]}")
            self.acks.txs.update(hashes)

    async def bank_transfer(
        self, http: aiohttp.ClientSession, url: str, rng: random.Random
    ) -> None:
        sender, receiver = rng.sample(self.users, 2)
        amount = next(self.bank_amount)
        async with http.post(
            url + "/api/v1/user/transfer",
            json={"name": receiver, "amount": amount},
            headers=_basic(sender, USER_PW),
        ) as resp:
            await resp.read()
        self._status(resp.status)
        if resp.status == 200:
            self.acks.bank.append((sender, receiver, amount))

    async def client(self, kind: str, url: str, rng: random.Random) -> None:
        """Send `kind` writes back to back until the node is gone."""
        timeout = aiohttp.ClientTimeout(total=30)
        async with aiohttp.ClientSession(timeout=timeout) as http:
            with contextlib.suppress(aiohttp.ClientError, TimeoutError, ConnectionError):
                while True:
                    if kind == "bank":
                        await self.bank_transfer(http, url, rng)
                    elif kind == "single":
                        await self.send(http, url, [self.utxo()])
                    elif kind == "batch":
                        await self.send(http, url, [self.utxo() for _ in range(BATCH)])
                    elif kind == "tokens":
                        await self.send(http, url, [self.tokens() for _ in range(2)])
                    else:
                        await self.send(http, url, [self.echo() for _ in range(3)])


async def setup(client: NodeClient, url: str, load: Load, bank: bool) -> None:
    """The user contract, the founder's account balance for @1TokensSend, the bank's users."""
    params = {"ApplicationId": "1", "Value": ECHO_SOURCE, "Conditions": "true"}
    deployed = await client.wait(await client.call("@1NewContract", params), 60)
    if not succeeded(deployed):
        raise SystemExit(f"@1NewContract: {deployed.get('errmsg')}")
    load.echo_id = (await client.contract_info(f"@1{ECHO_NAME}")).id
    load.tokens_id = (await client.contract_info(TOKENS_CONTRACT)).id
    move = TransferSelf(value=str(10**18), source="UTXO", target="Account")
    tx = SmartTransaction(header=load.header(load.founder, 0), transfer_self=move)
    hashes = await client.send_raw([build_client_tx(tx, load.founder, load.crypto)])
    moved = await client.wait(hashes[0], 60)
    if not succeeded(moved):
        raise SystemExit(f"TransferSelf: {moved.get('errmsg')}")
    if not bank:
        return
    async with aiohttp.ClientSession() as http:
        for i in range(BANK_USERS):
            name = f"user{i}"
            body = {"name": name, "amount": BANK_MINT, "pass": USER_PW}
            async with http.post(
                url + "/api/v1/admin/user/register", json=body, headers=_basic(ADMIN, ADMIN_PW)
            ) as resp:
                if resp.status != 204:
                    raise SystemExit(f"register {name}: {resp.status} {await resp.text()}")
            load.users.append(name)
    load.phase.bank_minted = BANK_USERS * BANK_MINT


async def supply(db_url: str) -> int:
    engine = make_engine(db_url)
    try:
        async with engine.connect() as conn:
            return await native_supply(conn, 1)
    finally:
        await engine.dispose()


async def block_tx_counts(db_url: str, crypto: Crypto) -> Counter[str]:
    """How many times each tx hash occurs in the stored blocks' bodies."""
    counts: Counter[str] = Counter()
    engine = make_engine(db_url)
    try:
        async with engine.connect() as conn:
            after = 0
            while rows := await list_blocks(conn, after, 500):
                for row in rows:
                    for raw in Block.deserialize(row.data).txs:
                        with contextlib.suppress(Exception):  # system txs of other shapes
                            counts[decode_tx(raw, crypto).hash.hex()] += 1
                after = rows[-1].id
    finally:
        await engine.dispose()
    return counts


async def settle(url: str, token: str, hashes: list[str], phase: Phase) -> dict[str, Any]:
    """txstatus of every hash once each is in a block or failed (or SETTLE_TIMEOUT passed)."""
    done: dict[str, Any] = {}
    deadline = time.monotonic() + SETTLE_TIMEOUT
    auth = {"Authorization": f"Bearer {token}"}
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60)) as http:
        while time.monotonic() < deadline:
            pending = [h for h in hashes if h not in done]
            if not pending:
                break
            for start in range(0, len(pending), STATUS_CHUNK):
                chunk = pending[start : start + STATUS_CHUNK]
                async with http.post(
                    url + "/api/v2/txstatus",
                    data={"data": json.dumps({"hashes": chunk})},
                    headers=auth,
                ) as resp:
                    if resp.status >= 500:
                        phase.server_5xx += 1
                    body = await resp.json()
                for h, status in body.get("results", {}).items():
                    if status.get("blockid") or status.get("errmsg"):
                        done[h] = status
            await asyncio.sleep(0.3)
    return done


def tally_txs(
    phase: Phase, acked: set[str], statuses: dict[str, Any], counts: Counter[str]
) -> None:
    """Each acknowledged hash: in one block, or failed with its error recorded; else lost."""
    for h in sorted(acked):
        status = statuses.get(h)
        if counts[h] > 1:
            phase.duplicated += 1
            phase.problems.append(f"tx {h} in {counts[h]} blocks")
        if counts[h] >= 1:
            phase.in_block += 1
            if status is not None and not succeeded(status):
                phase.failed_in_block += 1
        elif status is None or not status.get("errmsg"):
            phase.lost += 1
            phase.problems.append(f"tx {h} acknowledged, in no block and not failed")
        else:
            phase.failed_in_block += 1  # refused at its block: recorded with its error


async def check_bank(url: str, acks: Acks, users: list[str], phase: Phase) -> None:
    """Each acknowledged transfer once in its sender's log; the balances add up to the mint."""
    sent: Counter[tuple[str, str, int]] = Counter()
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60)) as http:
        for name in users:
            async with http.get(
                url + "/api/v1/admin/user/log",
                params={"name": name},
                headers=_basic(ADMIN, ADMIN_PW),
            ) as resp:
                entries = await resp.json() or []  # null: no entries yet
            for entry in entries:
                if not entry["receiving"]:
                    sent[(name, entry["counterparty"], int(entry["amount"]))] += 1
            async with http.get(
                url + "/api/v1/user/balance", params={"name": name}, headers=_basic(ADMIN, ADMIN_PW)
            ) as resp:
                phase.bank_sum += int(await resp.text())
    tally_bank(phase, acks.bank, sent)


def tally_bank(
    phase: Phase, acked: list[tuple[str, str, int]], sent: Counter[tuple[str, str, int]]
) -> None:
    """Each acknowledged transfer once in the logs; the balances add up to what was minted."""
    for write in acked:
        if sent[write] == 0:
            phase.lost += 1
            phase.problems.append(f"bank transfer {write} acknowledged, not in the log")
    for write, n in sent.items():
        if n > 1:
            phase.duplicated += n - 1
            phase.problems.append(f"bank transfer {write} in the log {n} times")
    if phase.bank_sum != phase.bank_minted:
        phase.problems.append(f"bank holds {phase.bank_sum}, {phase.bank_minted} was minted")


def node_env(bank: bool) -> dict[str, str]:
    env = {"IBAX_LOG_LEVEL": "WARNING"}
    if bank:
        env.update(
            IBAX_BANK_ADMIN=ADMIN,
            IBAX_BANK_ADMIN_PASSWORD=ADMIN_PW,
            IBAX_BANK_HASH_COST="10",  # the floor: the campaign measures durability, not scrypt
            IBAX_BANK_MAX_LOG="1000000",  # every transfer stays in the log to be checked
        )
    return env


@contextlib.contextmanager
def database(backend: str, workdir: Path, pg_dsn: str) -> Iterator[str]:
    if backend == "postgresql":
        with scratch_database(pg_dsn, "ibax_campaign_") as url:
            yield url
    else:
        yield f"sqlite+aiosqlite:///{workdir / 'node.db'}"


async def run_phase(
    phase: Phase, workdir: Path, db_url: str, kills: int, up: tuple[float, float], seed: int
) -> None:
    rng = random.Random(seed)
    bank = phase.phase == "bank"
    data_dir, log = workdir / "data", workdir / "node.log"
    env = node_env(bank)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    acks = Acks()
    kinds = ["single", "batch", "tokens", "contract"] + (["bank", "bank"] if bank else [])
    load: Load | None = None
    started = time.monotonic()
    for round_ in range(kills + 1):
        proc = start_node(data_dir, log, port=port, db_url=db_url, env=env)
        try:
            await wait_up(url + "/api/v2/version", proc, 120)
            founder = load_private_key(data_dir / "PrivateKey")
            async with NodeClient(url, founder, timeout=60) as client:
                session = await client.login()
                if load is None:
                    phase.native_before = await supply(db_url)
                    load = Load(phase, acks, session, founder)
                    await setup(client, url, load, bank)
                load.session = session
            if round_ == kills:
                break
            clients = [asyncio.create_task(load.client(k, url, rng)) for k in kinds]
            # A bank write waits for its block, slow under this load on PostgreSQL: the first
            # round runs until one is acknowledged, so that every run has one to lose.
            patience = time.monotonic() + 60
            while bank and not acks.bank and time.monotonic() < patience:
                await asyncio.sleep(0.1)
            await asyncio.sleep(rng.uniform(*up))
            await asyncio.to_thread(kill_group, proc)
            phase.kills += 1
            done, pending = await asyncio.wait(clients, timeout=40)
            for task in pending:
                task.cancel()
            for task in done:
                if task.exception() is not None:
                    phase.problems.append(f"client: {task.exception()!r}")
            sys.stderr.write(
                f"\r{phase.backend} {phase.phase}: {phase.kills}/{kills} kills, "
                f"{len(acks.txs)} txs and {len(acks.bank)} bank transfers acknowledged "
            )
        except BaseException:
            stop_node(proc)
            raise
    sys.stderr.write("\n")
    assert load is not None
    try:
        statuses = await settle(url, load.session.token, sorted(acks.txs), phase)
        if bank:
            await check_bank(url, acks, load.users, phase)
    finally:
        stop_node(proc)
    phase.acked_txs, phase.acked_bank = len(acks.txs), len(acks.bank)
    tally_txs(phase, acks.txs, statuses, await block_tx_counts(db_url, load.crypto))
    phase.native_after = await supply(db_url)
    if phase.native_after != phase.native_before:
        phase.problems.append(
            f"native money went from {phase.native_before} to {phase.native_after}"
        )
    env_check = dict(os.environ, IBAX_DATA_DIR=str(data_dir), IBAX_DB=db_url, **env)
    checked = subprocess.run(
        [sys.executable, "-m", "node", "check"], env=env_check, capture_output=True, text=True
    )
    phase.check_rc = checked.returncode
    said = (checked.stdout + checked.stderr).strip().splitlines()
    phase.check_out = said[-1][:300] if said else ""
    if checked.returncode != 0:
        phase.problems.append(f"ibax-node check: {phase.check_out}")
    phase.seconds = time.monotonic() - started


def run_backend(
    backend: str, kills: int, up: tuple[float, float], seed: int, pg_dsn: str, keep: bool
) -> list[Phase]:
    phases = []
    # The bank keeps the node to one process; without it, the default workers serve the port.
    split = {"bank": (kills + 1) // 2, "workers": kills // 2}
    for offset, (name, n) in enumerate(split.items()):
        phase = Phase(backend, name)
        workdir = Path(tempfile.mkdtemp(prefix=f"campaign-{backend}-{name}-"))
        with database(backend, workdir, pg_dsn) as db_url:
            asyncio.run(run_phase(phase, workdir, db_url, n, up, seed + offset))
        if not phase.ok:
            phase.problems.append(f"data dir and log kept in {workdir}")
        elif not keep:
            shutil.rmtree(workdir, ignore_errors=True)
        phases.append(phase)
    return phases


def summary(phases: list[Phase]) -> str:
    lines = [
        "# SIGKILL campaign",
        "",
        f"Machine: {machine()}",
        f"Date: {time.strftime('%Y-%m-%d %H:%M:%S UTC', time.gmtime())}",
        "",
        "| backend | phase | kills | acked txs | acked bank | in a block (failed) | lost "
        "| duplicated | 4xx | 5xx | native conserved | bank sum = minted | check | s |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for p in phases:
        bank = f"{p.bank_sum} = {p.bank_minted}" if p.phase == "bank" else "-"
        lines.append(
            f"| {p.backend} | {p.phase} | {p.kills} | {p.acked_txs} | {p.acked_bank} "
            f"| {p.in_block} ({p.failed_in_block}) | {p.lost} | {p.duplicated} "
            f"| {p.rejected_4xx} | {p.server_5xx} | {p.native_after == p.native_before} "
            f"| {bank} | {'pass' if p.check_rc == 0 else 'FAIL'} | {p.seconds:.0f} |"
        )
    lines.append("")
    for p in phases:
        lines.append(f"- {p.backend} {p.phase}: check said `{p.check_out}`")
        for problem in p.problems[:10]:
            lines.append(f"  - {problem}")
    return "\n".join(lines) + "\n"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bench.campaign", description=__doc__)
    parser.add_argument("--kills", type=int, default=20, help="SIGKILLs per backend (>= 2)")
    parser.add_argument("--backends", default=",".join(BACKENDS), help="sqlite,postgresql")
    parser.add_argument("--min-up", type=float, default=0.5, help="s of load before a kill, min")
    parser.add_argument("--max-up", type=float, default=3.0, help="s of load before a kill, max")
    parser.add_argument("--seed", type=int, default=None, help="of the kill moments and pairs")
    parser.add_argument("--pg-dsn", default=default_pg_dsn(), help="PostgreSQL admin DSN")
    parser.add_argument("--keep", action="store_true", help="keep data dirs and logs")
    parser.add_argument("--report", type=Path, help="write the Markdown summary here")
    parser.add_argument("--json", type=Path, help="write the figures as JSON here")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    backends = [b for b in args.backends.split(",") if b]
    if args.kills < 2 or not backends or any(b not in BACKENDS for b in backends):
        raise SystemExit(f"--kills must be at least 2; --backends a list of {BACKENDS}")
    if not 0 < args.min_up <= args.max_up:
        raise SystemExit("need 0 < --min-up <= --max-up")
    seed = args.seed if args.seed is not None else random.randrange(2**31)
    phases: list[Phase] = []
    for backend in backends:
        phases += run_backend(
            backend, args.kills, (args.min_up, args.max_up), seed, args.pg_dsn, args.keep
        )
    report = summary(phases) + f"\nseed {seed}\n"
    print(report)
    if args.report:
        args.report.parent.mkdir(parents=True, exist_ok=True)
        args.report.write_text(report)
    if args.json:
        args.json.write_text(json.dumps([asdict(p) for p in phases], indent=1))
    return 0 if all(p.ok for p in phases) else 1


if __name__ == "__main__":
    sys.exit(main())
