"""`ibax-node bank import users.dat`: a CCash save's users, balances and logs, through blocks."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass, field
from pathlib import Path

from chain.bank.rules import BankError
from chain.bank.saves import SavedUser, read_save
from chain.observer import Progress
from chain.producer import BlockProducer
from chain.storage.engine import make_engine
from chain.storage.migrate import upgrade
from node.app import ensure_genesis, make_bank
from node.config import Config, ConfigError
from node.datadir import open_data_dir

logger = logging.getLogger(__name__)
CHUNK = 500  # registrations in flight at once: they share blocks


@dataclass
class ImportReport:
    """What an import did: users brought over, and those skipped with the reason."""

    imported: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)


async def import_save(
    config: Config, path: Path, progress: Progress | None = None
) -> ImportReport:
    """Register every user of the save (with its balance, XXH3 hash and newest logs)."""
    if not config.bank_enabled:
        raise ConfigError("bank import needs the bank's settings (at least bank_admin)")
    try:
        users = read_save(path.read_bytes())
    except ValueError as exc:
        raise ConfigError(f"{path}: {exc}") from exc
    node = open_data_dir(config.data_dir, config.network_id, config.crypto)
    engine = make_engine(config.db_url)
    report = ImportReport()
    try:
        await upgrade(engine)
        await ensure_genesis(engine, node)
        wake = asyncio.Event()
        bank = make_bank(config, engine, node, wake.set)
        producer = BlockProducer(engine, node, 0, internal=bank.work, wake=wake)
        task = asyncio.create_task(producer.run())
        try:
            await bank.start(config.bank_admin_password)

            async def one(user: SavedUser) -> None:
                try:
                    await bank.work.submit(user.op(config.bank_max_log), timeout=600)
                    report.imported += 1
                except BankError as exc:
                    report.skipped.append((user.name, exc.fault.value))

            for start in range(0, len(users), CHUNK):
                await asyncio.gather(*(one(u) for u in users[start : start + CHUNK]))
                if progress is not None:
                    progress(min(start + CHUNK, len(users)), len(users))
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
    finally:
        await engine.dispose()
    return report
