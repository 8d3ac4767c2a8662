"""`ibax-node contract check|test`: a Needle contract compiled, or run on a throwaway chain.

`test` deploys FILE.sim with @1NewContract on a fresh in-memory SQLite chain (genesis with the
system contracts, a founder made for the run) and sends each case as a signed transaction
through the node's own admission checks and block producer, one block per case, in order
(later cases see what earlier ones wrote). Cases come from FILE.toml beside the source, or
from --param/--signer for one ad-hoc case:

    deploy = ["helper.sim"]          # optional: other contracts, deployed first
    [[case]]
    name = "adds five"
    params = { Amount = 5 }          # the contract's data fields
    signer = "founder"               # default; any other name is a key made from it
    result = "5"                     # optional: the $result expected
    error = ""                       # optional: text the error must contain (a failure expected)
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import time
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from api.txstatus import errmsg
from chain.address import address_to_string
from chain.contract_registry import NEW_USER_ID
from chain.crypto import Crypto
from chain.errors import ChainError
from chain.genesis import GenesisOptions, create_genesis
from chain.identity import NodeIdentity
from chain.observer import BlockStats, NullObserver
from chain.producer import BlockProducer
from chain.storage.engine import make_engine
from chain.storage.migrate import upgrade
from chain.storage.repo.chainview import list_tx_rollbacks
from chain.storage.repo.txs import StatusRow, get_statuses
from chain.txcheck import AcceptedTx, check_tx
from chain.txcodec import Header, SmartTransaction, build_client_tx
from chain.txpool import node_signed_tx, submit
from contracts.book import NeedleBook
from contracts.builtins import node_builtins
from contracts.ecosystems import platform_contracts
from contracts.errors import ContractSyntaxError
from contracts.run import compile_source

IN_MEMORY = "sqlite+aiosqlite://"  # one connection (a static pool): gone when the run ends
FOUNDER = "founder"
CASE_KEYS = {"name", "params", "signer", "contract", "ecosystem", "result", "error"}


class CaseFileError(Exception):
    """The case file or a source cannot be used; the message says where and why."""


# ---- check ----------------------------------------------------------------------------------


def _system_names() -> frozenset[str]:
    return frozenset(seed.name for seed in platform_contracts())


def check_source(path: Path, known: frozenset[str] = frozenset()) -> list[str]:
    """Parse and compile a .sim as deploying it would; each error as `FILE:LINE:COL: text`.

    Calls may reach the system contracts, the file's own and `known` ones.
    """
    try:
        source = path.read_text()
    except (OSError, UnicodeDecodeError) as exc:
        raise CaseFileError(f"cannot read {path}: {exc}") from exc
    names = _system_names() | known
    try:
        program = compile_source(
            source, path.name, node_builtins(Crypto()), 1, lambda name: name in names
        )
    except ContractSyntaxError as exc:
        return [_located(path, exc, source)]
    if len(program.contracts) != 1:
        found = ", ".join(sorted(program.contracts)) or "none"
        return [f"{path}:1:1: one contract a file, as @1NewContract takes it (found: {found})"]
    return []


def _located(path: Path, exc: ContractSyntaxError, source: str) -> str:
    text = f"{path}:{exc.line}:{exc.col}: {exc.message}"
    lines = (exc.source or source).splitlines()
    if 0 < exc.line <= len(lines):
        line = lines[exc.line - 1]
        text += f"\n    {line}\n    {' ' * max(exc.col - 1, 0)}^"
    return text


def contract_name(path: Path) -> str:
    """The one contract a checked file holds."""
    program = compile_source(
        path.read_text(), path.name, node_builtins(Crypto()), 1, lambda _name: True
    )
    return next(iter(program.contracts))


# ---- cases ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    """One call of the contract and what it should give."""

    name: str
    params: dict[str, Any] = field(default_factory=dict)
    signer: str = FOUNDER
    contract: str = ""  # default: the file's contract
    ecosystem: int = 1
    result: str | None = None
    error: str | None = None


@dataclass(frozen=True)
class Suite:
    """A source, the contracts deployed before it, and its cases."""

    source: Path
    deploy: tuple[Path, ...]
    cases: tuple[Case, ...]


def _case(entry: Any, where: str) -> Case:
    if not isinstance(entry, dict):
        raise CaseFileError(f"{where}: a [[case]] is a table")
    unknown = sorted(set(entry) - CASE_KEYS)
    if unknown:
        raise CaseFileError(f"{where}: unknown key(s) {', '.join(unknown)}")
    params = entry.get("params", {})
    if not isinstance(params, dict):
        raise CaseFileError(f"{where}: params is a table")
    texts = {k: entry.get(k) for k in ("name", "signer", "contract", "result", "error")}
    for key, value in texts.items():
        if value is not None and not isinstance(value, str):
            raise CaseFileError(f"{where}: {key} is a string")
    ecosystem = entry.get("ecosystem", 1)
    if not isinstance(ecosystem, int) or isinstance(ecosystem, bool) or ecosystem < 1:
        raise CaseFileError(f"{where}: ecosystem is a positive integer")
    return Case(
        name=texts["name"] or where,
        params=params,
        signer=texts["signer"] or FOUNDER,
        contract=texts["contract"] or "",
        ecosystem=ecosystem,
        result=texts["result"],
        error=texts["error"],
    )


def load_suite(
    source: Path,
    cases_file: Path | None = None,
    selected: Sequence[str] = (),
    params: dict[str, Any] | None = None,
    signer: str | None = None,
) -> Suite:
    """The cases to run: the case file's (FILE.toml by default), or one ad-hoc case."""
    path = cases_file if cases_file is not None else source.with_suffix(".toml")
    adhoc = params is not None or signer is not None
    if adhoc or not path.exists():
        if cases_file is not None and not path.exists():
            raise CaseFileError(f"no case file {path}")
        if selected:
            raise CaseFileError(f"--case needs a case file ({path} does not exist)")
        case = Case("ad hoc", params or {}, signer or FOUNDER)
        return Suite(source, (), (case,))
    try:
        data = tomllib.loads(path.read_text())
    except (OSError, UnicodeDecodeError) as exc:
        raise CaseFileError(f"cannot read {path}: {exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise CaseFileError(f"{path} is not valid TOML: {exc}") from exc
    unknown = sorted(set(data) - {"case", "deploy"})
    if unknown:
        raise CaseFileError(f"{path}: unknown key(s) {', '.join(unknown)} (use [[case]], deploy)")
    deploy = data.get("deploy", [])
    if not isinstance(deploy, list) or not all(isinstance(d, str) for d in deploy):
        raise CaseFileError(f"{path}: deploy is a list of .sim paths")
    entries = data.get("case", [])
    if not isinstance(entries, list) or not entries:
        raise CaseFileError(f"{path}: no [[case]]")
    cases = [_case(entry, f"{path} case {i + 1}") for i, entry in enumerate(entries)]
    if selected:
        names = {c.name for c in cases}
        missing = [name for name in selected if name not in names]
        if missing:
            raise CaseFileError(f"{path}: no case named {', '.join(map(repr, missing))}")
        cases = [c for c in cases if c.name in selected]
    extra = tuple(path.parent / d for d in deploy)
    return Suite(source, extra, tuple(cases))


# ---- outcomes -------------------------------------------------------------------------------


@dataclass(frozen=True)
class RowChange:
    """A row a transaction wrote: inserted (previous is None) or changed from `previous`."""

    table: str
    row_id: str
    previous: dict[str, Any] | None


@dataclass(frozen=True)
class Outcome:
    """What one transaction did in its block (or why it never reached one)."""

    case: Case
    contract: str
    signer: str  # address
    tx_hash: str
    block_id: int
    result: str
    error: dict[str, Any] | None  # errmsg as txstatus shows it
    fuel: int
    rows: tuple[RowChange, ...]

    def failures(self) -> list[str]:
        """How the outcome differs from the case's expectations (empty: it passed)."""
        case, problems = self.case, []
        message = "" if self.error is None else str(self.error.get("error", ""))
        if case.error is not None:
            if self.error is None:
                problems.append(f"expected an error containing {case.error!r}, it succeeded")
            elif case.error not in message:
                problems.append(f"expected an error containing {case.error!r}, got {message!r}")
        elif self.error is not None:
            problems.append(f"failed: {message}")
        if case.result is not None and self.result != case.result:
            problems.append(f"expected result {case.result!r}, got {self.result!r}")
        return problems

    def as_json(self) -> dict[str, Any]:
        return {
            "case": self.case.name,
            "passed": not self.failures(),
            "failures": self.failures(),
            "contract": self.contract,
            "signer": self.signer,
            "hash": self.tx_hash,
            "block": self.block_id,
            "result": self.result,
            "errmsg": self.error,
            "fuel": self.fuel,
            "rows": [
                {"table": r.table, "id": r.row_id, "previous": r.previous} for r in self.rows
            ],
        }

    def as_text(self) -> str:
        failures = self.failures()
        lines = [f"case {self.case.name}: {'ok' if not failures else 'FAILED'}"]
        lines += [f"  ! {problem}" for problem in failures]
        lines += [
            f"  contract  {self.contract}",
            f"  signer    {self.case.signer} ({self.signer})",
            f"  tx        {self.tx_hash}" + (f" in block {self.block_id}" if self.block_id else ""),
            f"  $result   {self.result!r}",
            f"  errmsg    {json.dumps(self.error) if self.error else '-'}",
            f"  fuel      {self.fuel}",
            f"  rows      {len(self.rows)} changed",
        ]
        for row in self.rows:
            what = "inserted" if row.previous is None else f"was {json.dumps(row.previous)}"
            lines.append(f"    {row.table} id {row.row_id}: {what}")
        return "\n".join(lines)


# ---- the throwaway chain --------------------------------------------------------------------


class _Fuel(NullObserver):
    """Hears the fuel of each committed block (one transaction a block here)."""

    def __init__(self) -> None:
        self.last = 0

    def block_committed(self, stats: BlockStats) -> None:
        self.last = stats.fuel


def _signer_key(name: str) -> bytes:
    # A name makes the same key in every run (below both curves' orders but for odds of 2^-128).
    return hashlib.sha256(f"ibax-node contract test signer {name}".encode()).digest()


def _bare(name: str) -> tuple[int | None, str]:
    """`@5Name` -> (5, "Name"); a name without `@N` keeps the case's ecosystem (None)."""
    if not name.startswith("@"):
        return None, name
    digits = len(name[1:]) - len(name[1:].lstrip("0123456789"))
    return (int(name[1 : 1 + digits]) if digits else None), name[1 + digits :]


class ThrowawayChain:
    """A chain in memory: genesis, the producer, and a founder whose key exists only here."""

    def __init__(self, crypto: Crypto | None = None) -> None:
        self.crypto = crypto or Crypto()
        self.founder = self.crypto.generate_private_key()
        node_key = self.crypto.generate_private_key()
        self.node = NodeIdentity(
            network_id=1,
            crypto=self.crypto,
            founder_public=self.crypto.public_key(self.founder),
            node_public=self.crypto.public_key(node_key),
            node_private=node_key,
        )
        self.engine = make_engine(IN_MEMORY)
        self.book = NeedleBook(self.engine, self.crypto)
        self._fuel = _Fuel()
        self.producer = BlockProducer(
            self.engine, self.node, 0, book=self.book, observer=self._fuel
        )
        self._keys = {FOUNDER: self.founder}

    async def open(self) -> None:
        await upgrade(self.engine)
        async with self.engine.begin() as conn:
            options = GenesisOptions(timestamp=int(time.time()))
            await create_genesis(conn, self.node, options, contracts=platform_contracts())

    async def close(self) -> None:
        await self.engine.dispose()

    async def _settle(self, tx: AcceptedTx) -> StatusRow:
        await submit(self.engine, [tx])
        self.producer.accepted([tx.decoded])
        for _ in range(10):  # one block takes it; a few more if the block was full
            await self.producer.produce_block()
            async with self.engine.connect() as conn:
                status = (await get_statuses(conn, [tx.hash])).get(tx.hash)
            if status is not None and (status.block_id or status.error):
                return status
        raise RuntimeError(f"transaction {tx.hash.hex()} was never processed")

    async def _signer(self, name: str) -> bytes:
        key = self._keys.get(name)
        if key is None:
            key = _signer_key(name)
            public = self.crypto.public_key(key)
            registration = await node_signed_tx(
                self.node, NEW_USER_ID, {"NewPubkey": public.hex(), "Ecosystem": 1}
            )
            status = await self._settle(registration)
            if status.error:
                raise CaseFileError(f"signer {name!r} could not be registered: {status.error}")
            self._keys[name] = key
        return key

    async def contract_id(self, name: str, ecosystem: int) -> int:
        """The id a transaction names the contract by (0: no such contract)."""
        named, bare = _bare(name)
        async with self.engine.connect() as conn:
            found = await self.book.describe_name(conn, named or ecosystem, bare)
        return found[0].id if found is not None else 0

    async def call(self, case: Case, contract: str) -> Outcome:
        """Send the case's transaction and let the producer put it in a block."""
        private = await self._signer(case.signer)
        public = self.crypto.public_key(private)
        key_id = self.crypto.address(public)
        contract_id = await self.contract_id(contract, case.ecosystem)
        tx = SmartTransaction(
            header=Header(
                id=contract_id,
                ecosystem_id=case.ecosystem,
                key_id=key_id,
                time=int(time.time()),
                network_id=self.node.network_id,
                public_key=b"\x04" + public,
            ),
            params=dict(case.params),
        )
        raw = build_client_tx(tx, private, self.crypto)
        signer = address_to_string(key_id)

        def refused(text: str, tx_hash: str = "") -> Outcome:
            error = {"type": "refused", "error": text}
            return Outcome(case, contract, signer, tx_hash, 0, "", error, 0, ())

        if not contract_id:
            return refused(f"unknown contract {contract}")
        try:
            accepted = await check_tx(
                raw,
                crypto=self.crypto,
                network_id=self.node.network_id,
                max_tx_size=len(raw),
                now=int(time.time()),
                lookup=self.book.lookup,
            )
        except ChainError as exc:  # what sendTx would answer with a 400
            return refused(str(exc))
        status = await self._settle(accepted)
        async with self.engine.connect() as conn:
            rollbacks = await list_tx_rollbacks(conn, [accepted.hash])
        rows = tuple(
            RowChange(r.table_name, r.table_id, json.loads(r.data) if r.data else None)
            for r in rollbacks
        )
        error = errmsg(status.error) if status.error else None
        return Outcome(
            case,
            contract,
            signer,
            accepted.hash.hex(),
            status.block_id,
            status.result,
            error,
            self._fuel.last if status.block_id else 0,
            rows,
        )

    async def deploy(self, path: Path) -> str:
        """Create the file's contract as the founder; its name (CaseFileError if refused)."""
        name = contract_name(path)
        case = Case(
            f"deploy {path.name}",
            {"ApplicationId": 1, "Value": path.read_text(), "Conditions": "true"},
        )
        outcome = await self.call(case, "@1NewContract")
        if outcome.error is not None:
            raise CaseFileError(f"{path}: @1NewContract refused it: {outcome.error['error']}")
        return name


async def run_suite(suite: Suite) -> list[Outcome]:
    """Deploy the suite's contracts on a new throwaway chain and run its cases in order."""
    chain = ThrowawayChain()
    await chain.open()
    try:
        for extra in suite.deploy:
            await chain.deploy(extra)
        name = await chain.deploy(suite.source)
        return [await chain.call(case, case.contract or name) for case in suite.cases]
    finally:
        await chain.close()


def run(suite: Suite) -> list[Outcome]:
    """run_suite from synchronous code (the CLI)."""
    return asyncio.run(run_suite(suite))
