"""`ibax-node status`: what a data dir and its database hold, read without starting the node.

Nothing is created or changed: key files are read as they are, an SQLite file that does not
exist is reported as missing (connecting would create it), and no migration runs.
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from chain.address import address_to_string
from chain.crypto import Crypto, Cryptoer, Hasher
from chain.errors import CryptoError
from chain.storage.engine import make_engine
from chain.storage.migrate import head_revision, stored_revision
from chain.storage.repo.bank import get_bank_ecosystem
from chain.storage.repo.blocks import get_head
from chain.storage.repo.meta import get_database_size
from chain.storage.repo.txs import count_queue
from node.config import Config, ConfigError, censor_url
from node.datadir import CHAIN_FILE

SQLITE_PREFIX = "sqlite+aiosqlite:///"


@dataclass(frozen=True)
class KeyInfo:
    """A key of the data dir: its id and address, or why it cannot be read."""

    file: str
    key_id: str = ""
    address: str = ""
    problem: str = ""


@dataclass(frozen=True)
class Head:
    block_id: int
    hash: str
    time: int
    age_seconds: int


@dataclass(frozen=True)
class DatabaseInfo:
    url: str  # with any password hidden
    exists: bool
    size_bytes: int | None = None
    schema: str | None = None  # the migration it is at; None: empty
    schema_current: bool = False
    head: Head | None = None
    queued_txs: int | None = None
    bank_ecosystem: int | None = None


@dataclass(frozen=True)
class Summary:
    data_dir: str
    network_id: int
    cryptoer: str
    hasher: str
    founder: KeyInfo
    node: KeyInfo
    database: DatabaseInfo


def _chain_settings(data_dir: Path) -> dict[str, Any]:
    path = data_dir / CHAIN_FILE
    try:
        settings: dict[str, Any] = json.loads(path.read_text())
    except FileNotFoundError as exc:
        raise ConfigError(f"{data_dir} is not a node data dir (no {CHAIN_FILE})") from exc
    except (OSError, ValueError) as exc:
        raise ConfigError(f"cannot read {path}: {exc}") from exc
    return settings


def _key(data_dir: Path, name: str, crypto: Crypto) -> KeyInfo:
    path = data_dir / name
    try:
        public = bytes.fromhex(path.read_text().strip())
        key_id = crypto.address(public[-64:])
    except FileNotFoundError:
        return KeyInfo(name, problem="missing")
    except (OSError, ValueError, CryptoError) as exc:
        return KeyInfo(name, problem=f"unreadable ({exc})")
    return KeyInfo(name, str(key_id), address_to_string(key_id))


async def _database(url: str, now: float) -> DatabaseInfo:
    shown = censor_url(url)
    if url.startswith(SQLITE_PREFIX) and not Path(url.removeprefix(SQLITE_PREFIX)).exists():
        return DatabaseInfo(shown, exists=False)
    engine = make_engine(url)
    try:
        async with engine.connect() as conn:
            revision = await stored_revision(conn)
            size = await get_database_size(conn)
            if revision is None:
                return DatabaseInfo(shown, True, size)
            head = await get_head(conn)
            queued = await count_queue(conn)
            bank = await get_bank_ecosystem(conn)
    finally:
        await engine.dispose()
    return DatabaseInfo(
        url=shown,
        exists=True,
        size_bytes=size,
        schema=revision,
        schema_current=revision == head_revision(),
        head=None
        if head is None
        else Head(head.id, head.hash.hex(), head.time, max(int(now) - head.time, 0)),
        queued_txs=queued,
        bank_ecosystem=bank,
    )


async def summarize(config: Config, now: float | None = None) -> Summary:
    """The summary of `config`'s data dir and database."""
    settings = _chain_settings(config.data_dir)
    try:
        crypto = Crypto(Cryptoer(settings["cryptoer"]), Hasher(settings["hasher"]))
        network_id = int(settings["network_id"])
    except (KeyError, ValueError, TypeError) as exc:
        raise ConfigError(f"{config.data_dir / CHAIN_FILE} is damaged: {exc!r}") from exc
    return Summary(
        data_dir=str(config.data_dir.resolve()),
        network_id=network_id,
        cryptoer=crypto.cryptoer.value,
        hasher=crypto.hasher.value,
        founder=_key(config.data_dir, "PublicKey", crypto),
        node=_key(config.data_dir, "NodePublicKey", crypto),
        database=await _database(config.db_url, time.time() if now is None else now),
    )


def as_json(summary: Summary) -> str:
    return json.dumps(asdict(summary), indent=2)


def _size(size: int) -> str:
    units = ("B", "KiB", "MiB", "GiB", "TiB")
    value, index = float(size), 0
    while value >= 1024 and index < len(units) - 1:
        value /= 1024
        index += 1
    return f"{size} B" if index == 0 else f"{value:.1f} {units[index]}"


def _age(seconds: int) -> str:
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if seconds >= size:
            return f"{seconds // size} {unit}"
    return f"{seconds} s"


def _key_line(key: KeyInfo) -> str:
    return key.problem or f"{key.address} (key id {key.key_id})"


def as_text(summary: Summary) -> str:
    """The summary for a person: one fact a line."""
    db = summary.database
    lines = [
        f"data dir    {summary.data_dir}",
        f"network id  {summary.network_id}",
        f"crypto      {summary.cryptoer} + {summary.hasher}",
        f"founder     {_key_line(summary.founder)}",
        f"node key    {_key_line(summary.node)}",
    ]
    if not db.exists:
        lines.append(f"database    {db.url}: does not exist yet")
        return "\n".join(lines)
    size = _size(db.size_bytes) if db.size_bytes is not None else "size unknown"
    lines.append(f"database    {db.url} ({size})")
    if db.schema is None:
        lines.append("schema      empty (no migration applied)")
        return "\n".join(lines)
    lines.append(f"schema      {db.schema} ({'current' if db.schema_current else 'behind'})")
    if db.head is None:
        lines.append("head        no blocks")
    else:
        stamp = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(db.head.time))
        lines.append(
            f"head        block {db.head.block_id}, {_age(db.head.age_seconds)} old ({stamp})"
        )
        lines.append(f"head hash   {db.head.hash}")
    lines.append(f"queue       {db.queued_txs} transactions waiting")
    bank = "none on this chain" if db.bank_ecosystem is None else f"ecosystem {db.bank_ecosystem}"
    lines.append(f"bank        {bank}")
    return "\n".join(lines)
