"""The ibax-node command line: run, keygen, db upgrade, check, rollback, status, the client."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import sys
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import aiohttp
from prometheus_client import multiprocess
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine

from chain.address import address_to_string
from chain.bank.audit import BankAuditError, audit_bank_chain
from chain.block import BlockVerifyError
from chain.crypto import Crypto, Cryptoer, Hasher
from chain.errors import ChainError
from chain.identity import NodeIdentity
from chain.rollback import rollback_blocks
from chain.storage.engine import make_engine
from chain.storage.migrate import upgrade
from chain.verify import verify_chain
from node import needletest, serve
from node.app import create_app, prepare
from node.bank_import import import_save
from node.client import (
    DEFAULT_NODE,
    ClientError,
    NodeClient,
    WaitTimeout,
    load_private_key,
    succeeded,
)
from node.config import Config, ConfigError, build_config
from node.datadir import new_key_pair, open_data_dir, write_key_pair
from node.logs import configure_logging
from node.progress import progress_bar
from node.status import as_json, as_text, summarize
from node.workers import WorkerSpec, supervise

logger = logging.getLogger(__name__)

T = TypeVar("T")


CLIENT_EPILOG = (
    "Prints one JSON object: hash, blockid, result, penalty, errmsg. Exit status: 0 in a block "
    "without error; 1 failed in its block, rejected by the node, or not in a block (yet); "
    "2 bad input, key file or node URL."
)


def _add_node_flags(parser: argparse.ArgumentParser) -> None:
    # Defaults are None so that environment and file values show through (CLI > env > file).
    parser.add_argument("--config", type=Path, help="TOML config file (keys as the flags)")
    parser.add_argument("--data-dir", dest="data_dir", help="data dir (default ./ibax-data)")
    parser.add_argument("--db", help="database URL (default: SQLite file in the data dir)")
    parser.add_argument("--network-id", dest="network_id", help="network id (default 1)")
    parser.add_argument("--cryptoer", help="ECC_Secp256k1 (default) or ECC_P256")
    parser.add_argument("--hasher", help="KECCAK256 (default) or SHA256")
    parser.add_argument("--log-level", dest="log_level", help="DEBUG, INFO (default), WARNING")
    parser.add_argument(
        "--log-format", dest="log_format", help="text (default) or json: one object a line"
    )


def _add_bank_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--bank-admin", dest="bank_admin", help="CCash admin user (bank on)")
    parser.add_argument(
        "--bank-admin-password",
        dest="bank_admin_password",
        help="its password (any local user sees it in ps: prefer the file or the environment)",
    )
    parser.add_argument(
        "--bank-admin-password-file",
        dest="bank_admin_password_file",
        help="a file whose first line is the admin's password",
    )
    parser.add_argument("--bank-max-log", dest="bank_max_log", help="log entries kept (100)")
    parser.add_argument(
        "--bank-add-user-open", dest="bank_add_user_open", help="open registration (true)"
    )
    parser.add_argument(
        "--bank-return-on-del", dest="bank_return_on_del", help="account credited on deletes"
    )
    parser.add_argument("--bank-min-name", dest="bank_min_name", help="shortest name (3)")
    parser.add_argument("--bank-max-name", dest="bank_max_name", help="longest name (16)")
    parser.add_argument(
        "--bank-name-uppercase", dest="bank_name_uppercase", help="allow A-Z in names (false)"
    )
    parser.add_argument("--bank-hash-cost", dest="bank_hash_cost", help="log2 scrypt N (17)")
    parser.add_argument("--bank-auth-ttl", dest="bank_auth_ttl", help="verified-login cache, s")
    parser.add_argument("--bank-help-url", dest="bank_help_url", help="where api/help points")


def _add_ban_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--ban-bad-tx", dest="ban_bad_tx", help="bad txs that ban a key (5)")
    parser.add_argument("--ban-bad-time", dest="ban_bad_time", help="... within these minutes (5)")
    parser.add_argument("--ban-time", dest="ban_time", help="... for these minutes (15)")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every subcommand."""
    parser = argparse.ArgumentParser(prog="ibax-node", description="An IBAX-compatible node.")
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="run the node")
    _add_node_flags(run)
    run.add_argument("--host", help="listen address (default 127.0.0.1)")
    run.add_argument("--port", help="listen port (default 7079)")
    run.add_argument("--block-window-ms", dest="block_window_ms", help="batching window")
    run.add_argument(
        "--max-backlog",
        dest="max_backlog",
        help="unsettled acknowledged txs before sendTx waits for room (1000; 0: no bound)",
    )
    run.add_argument(
        "--backlog-wait", dest="backlog_wait", help="s sendTx waits for room, then 503 (10)"
    )
    run.add_argument("--max-body-size", dest="max_body_size", help="request body limit, bytes")
    run.add_argument("--max-connections", dest="max_connections", help="open at once (1000)")
    run.add_argument("--idle-timeout", dest="idle_timeout", help="s without a request head (30)")
    run.add_argument(
        "--body-timeout", dest="body_timeout", help="s for a request body to arrive (60)"
    )
    run.add_argument("--token-expire", dest="token_expire", help="login token lifetime, s")
    run.add_argument(
        "--max-token-expire", dest="max_token_expire", help="longest login token asked, s"
    )
    run.add_argument("--jwt-secret", dest="jwt_secret", help="JWT key (default: kept in data dir)")
    run.add_argument(
        "--access-log", dest="access_log", help="log one line per request (false)"
    )
    run.add_argument(
        "--ready-max-head-age",
        dest="ready_max_head_age",
        help="seconds; /readyz fails when the newest block is older (0: not checked)",
    )
    run.add_argument("--events", help="serve live events at /connection/websocket (true)")
    run.add_argument(
        "--events-max-clients", dest="events_max_clients", help="live-event connections (500)"
    )
    run.add_argument("--explorer", help="serve the block explorer at /explorer (true)")
    run.add_argument(
        "--private-blockchain",
        dest="private_blockchain",
        help="a new chain's contract calls are free (true); false: they pay fees",
    )
    run.add_argument(
        "--workers", help="API processes on the one port (default: one per core; 1: one process)"
    )
    _add_bank_flags(run)
    _add_ban_flags(run)

    keygen = sub.add_parser("keygen", help="make a new key pair")
    keygen.add_argument("--cryptoer", default=Cryptoer.SECP256K1.value)
    keygen.add_argument("--hasher", default=Hasher.KECCAK256.value)
    keygen.add_argument("--out", type=Path, help="write PrivateKey/PublicKey files here")
    keygen.add_argument("--prefix", default="", help="file name prefix, e.g. Node")

    for name, help_text in (
        ("call", "sign and send a contract call: call CONTRACT k=v ..."),
        ("transfer", "send a native transfer: transfer TO AMOUNT (smallest units)"),
        ("status", "a transaction's status (status HASH), or a data dir's summary (no HASH)"),
    ):
        cmd = sub.add_parser(name, help=help_text, description=help_text, epilog=CLIENT_EPILOG)
        cmd.add_argument("--node", default=None, help="node URL (default $IBAX_NODE or :7079)")
        cmd.add_argument(
            "--key-file",
            type=Path,
            help="private key hex file (default $IBAX_PRIVATE_KEY, else ./ibax-data/PrivateKey)",
        )
        cmd.add_argument("--timeout", type=float, default=30, help="seconds to wait for a block")
        if name != "status":
            cmd.add_argument("--no-wait", action="store_true", help="print the hash, do not wait")
        if name == "call":
            cmd.add_argument("contract")
            cmd.add_argument("params", nargs="*", metavar="k=v")
        elif name == "transfer":
            cmd.add_argument("to")
            cmd.add_argument("amount", type=int)
        else:
            cmd.add_argument("hash", nargs="?", help="a transaction hash (hex)")
            # Without a hash: the data dir and its database, read offline.
            cmd.add_argument("--config", type=Path, help="TOML config file (keys as the flags)")
            cmd.add_argument("--data-dir", dest="data_dir", help="data dir (default ./ibax-data)")
            cmd.add_argument("--db", help="database URL (default: SQLite file in the data dir)")
            cmd.add_argument("--json", action="store_true", help="print the summary as JSON")

    check = sub.add_parser("check", help="re-hash and re-verify every block from genesis")
    _add_node_flags(check)

    rollback = sub.add_parser(
        "rollback",
        help="undo the last N blocks (stop the node first)",
        description="Undo the last N blocks exactly from their rollback records; their "
        "transactions go back into the queue unless --no-requeue. Stop the node first.",
    )
    _add_node_flags(rollback)
    rollback.add_argument("blocks", type=int, help="how many blocks to undo")
    rollback.add_argument(
        "--no-requeue", action="store_true", help="drop the blocks' transactions instead"
    )

    bank = sub.add_parser("bank", help="the CCash bank")
    bank_sub = bank.add_subparsers(dest="bank_command", required=True)
    bank_import = bank_sub.add_parser("import", help="import a CCash save (users.dat)")
    _add_node_flags(bank_import)
    _add_bank_flags(bank_import)
    bank_import.add_argument("save", type=Path, help="the CCash users.dat")

    contract = sub.add_parser("contract", help="Needle contracts without a node")
    contract_sub = contract.add_subparsers(dest="contract_command", required=True)
    check_sim = contract_sub.add_parser(
        "check", help="parse and compile a .sim; errors with line and column (exit 1)"
    )
    check_sim.add_argument("source", type=Path, help="a Needle source file (one contract)")
    test_sim = contract_sub.add_parser(
        "test",
        help="run a .sim's cases on a throwaway in-memory chain",
        description="Deploy FILE.sim on a new in-memory chain and run the cases of FILE.toml "
        "(or --cases), each a signed transaction in its own block; print $result, errmsg, "
        "fuel and rows changed. Exit status: 0 every case as expected, 1 a case not, 2 a "
        "source or case file that cannot be used.",
    )
    test_sim.add_argument("source", type=Path, help="a Needle source file (one contract)")
    test_sim.add_argument("--cases", type=Path, help="the case file (default: FILE.toml)")
    test_sim.add_argument(
        "--case", action="append", default=[], help="run only this case (repeatable)"
    )
    test_sim.add_argument(
        "--param", action="append", metavar="k=v", help="one ad-hoc case: a data field"
    )
    test_sim.add_argument("--signer", help="one ad-hoc case: founder (default) or a name")
    test_sim.add_argument("--json", action="store_true", help="print the outcomes as JSON")

    db = sub.add_parser("db", help="database maintenance")
    db_sub = db.add_subparsers(dest="db_command", required=True)
    db_upgrade = db_sub.add_parser("upgrade", help="apply migrations")
    _add_node_flags(db_upgrade)
    return parser


def load_config(args: argparse.Namespace) -> Config:
    """Merge CLI arguments with IBAX_* variables and the config file."""
    return build_config(vars(args), os.environ, args.config)


def cmd_run(args: argparse.Namespace) -> int:
    config = load_config(args)
    configure_logging(config.log_level, config.log_format)
    logger.info("starting with %r", config)
    if config.worker_count > 1:
        return supervise(
            config.worker_count,
            lambda: prepare(config),
            lambda worker: _serve(config, worker),
            _mark_worker_dead,
        )
    _serve(config, None)
    return 0


def _serve(config: Config, worker: WorkerSpec | None) -> None:
    """Serve the API (one process, or one of several workers) until SIGINT or SIGTERM."""

    def announce(text: str) -> None:
        print(text, flush=True)
        if worker is not None:
            worker.serving()

    # SIGINT/SIGTERM end it gracefully: cleanup contexts unwind, exit code 0.
    serve.run(
        create_app(config, worker),
        serve.ServeOptions(
            host=config.host,
            port=config.port,
            max_connections=config.max_connections,
            idle_timeout=config.idle_timeout,
            reuse_port=worker is not None,
        ),
        announce=announce,
    )


def _mark_worker_dead(pid: int, metrics_dir: Path) -> None:
    # Its live gauges leave the sums; its counters stay (they count what it did).
    multiprocess.mark_process_dead(pid, str(metrics_dir))  # type: ignore[no-untyped-call]


def cmd_keygen(args: argparse.Namespace) -> int:
    try:
        crypto = Crypto(Cryptoer(args.cryptoer), Hasher(args.hasher))
    except ValueError as exc:
        raise ConfigError(str(exc)) from exc
    pair = new_key_pair(crypto)
    key_id = crypto.address(pair.public)
    if args.out:
        args.out.mkdir(parents=True, exist_ok=True)
        write_key_pair(args.out, pair, f"{args.prefix}PrivateKey", f"{args.prefix}PublicKey")
    info: dict[str, Any] = {
        "public_key": pair.public.hex(),
        "key_id": str(key_id),
        "address": address_to_string(key_id),
    }
    if not args.out:
        info["private_key"] = pair.private.hex()
    print(json.dumps(info, indent=2))
    return 0


def _open_chain(args: argparse.Namespace) -> tuple[Config, NodeIdentity]:
    """The config and node identity of an existing data dir (for offline commands)."""
    config = load_config(args)
    if not (config.data_dir / "chain.json").exists():
        raise ConfigError(f"{config.data_dir} is not a node data dir")
    return config, open_data_dir(config.data_dir, config.network_id, config.crypto)


def _with_engine(config: Config, work: Callable[[AsyncEngine], Awaitable[T]]) -> T:
    """Run `work` on an engine of the config's database, disposed of afterwards."""

    async def run() -> T:
        engine = make_engine(config.db_url)
        try:
            return await work(engine)
        finally:
            await engine.dispose()

    return asyncio.run(run())


def cmd_check(args: argparse.Namespace) -> int:
    config, node = _open_chain(args)
    try:
        with progress_bar("verifying blocks") as advance:
            height = _with_engine(
                config, lambda engine: verify_chain(engine, node, progress=advance)
            )
    except BlockVerifyError as exc:
        print(f"chain is broken: {exc}", file=sys.stderr)
        return 1
    try:
        accounts = _with_engine(config, audit_bank_chain)
    except BankAuditError as exc:
        print(f"chain is broken: {exc}", file=sys.stderr)
        return 1
    print(f"chain verified: {height} blocks, links, merkle roots, hashes and signatures")
    if accounts:
        print(f"bank verified: {accounts} accounts hold what their history adds up to")
    return 0


def cmd_rollback(args: argparse.Namespace) -> int:
    config, node = _open_chain(args)
    requeue = not args.no_requeue
    with progress_bar("undoing blocks") as advance:
        head = _with_engine(
            config,
            lambda engine: rollback_blocks(
                engine, node, args.blocks, requeue=requeue, progress=advance
            ),
        )
    print(f"rolled back {args.blocks} blocks: the head is block {head}")
    return 0


def cmd_bank_import(args: argparse.Namespace) -> int:
    config = load_config(args)
    configure_logging(config.log_level, config.log_format)
    with progress_bar("importing users") as advance:
        report = asyncio.run(import_save(config, args.save, progress=advance))
    print(f"imported {report.imported} users from {args.save}")
    for name, reason in report.skipped:
        print(f"skipped {name!r}: {reason}", file=sys.stderr)
    return 0 if not report.skipped else 1


def cmd_db_upgrade(args: argparse.Namespace) -> int:
    config = load_config(args)
    if not config.db:
        config.data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)

    async def run() -> None:
        engine = make_engine(config.db_url)
        try:
            await upgrade(engine)
        finally:
            await engine.dispose()

    asyncio.run(run())
    print(f"database {config.censored_db_url()} is at the newest schema")
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    """status without a hash: the data dir's summary, read offline."""
    config = load_config(args)
    try:
        summary = asyncio.run(summarize(config))
    except SQLAlchemyError as exc:
        print(f"ibax-node: cannot read {config.censored_db_url()}: {exc}", file=sys.stderr)
        return 1
    print(as_json(summary) if args.json else as_text(summary))
    return 0


def _tx_report(tx_hash: str, status: dict[str, Any]) -> str:
    """The JSON line a client command prints: the same keys whatever the outcome."""
    return json.dumps(
        {
            "hash": tx_hash,
            "blockid": status.get("blockid", ""),
            "result": status.get("result", ""),
            "penalty": status.get("penalty", 0),
            "errmsg": status.get("errmsg"),
        }
    )


def _params(items: Sequence[str]) -> dict[str, str]:
    params: dict[str, str] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise ConfigError(f"parameters are k=v, not {item!r}")
        params[key] = value
    return params


async def _client_command(args: argparse.Namespace) -> int:
    url = args.node or os.environ.get("IBAX_NODE", DEFAULT_NODE)
    key = load_private_key(args.key_file)
    params = _params(args.params) if args.command == "call" else {}
    async with NodeClient(url, key) as client:
        if args.command == "status":
            status = await client.status(args.hash)
            print(_tx_report(args.hash, status))
            return 0 if succeeded(status) else 1
        if args.command == "call":
            tx_hash = await client.call(args.contract, params)
        else:
            tx_hash = await client.transfer(args.to, args.amount)
        if args.no_wait:
            print(json.dumps({"hash": tx_hash}))
            return 0
        try:
            status = await client.wait(tx_hash, args.timeout)
        except WaitTimeout as exc:
            print(_tx_report(tx_hash, exc.last))
            print(f"ibax-node: {exc}", file=sys.stderr)
            return 1
        print(_tx_report(tx_hash, status))
        return 0 if succeeded(status) else 1


def cmd_client(args: argparse.Namespace) -> int:
    """call / transfer / status: 0 in a block without error, 1 failed or rejected, 2 bad input."""
    try:
        return asyncio.run(_client_command(args))
    except ClientError as exc:
        print(f"ibax-node: {exc}", file=sys.stderr)
        # status 0: refused before sending (bad address, parameter or key file), a usage error.
        return 2 if exc.status == 0 else 1
    except aiohttp.ClientConnectionError as exc:
        print(f"ibax-node: cannot reach the node: {exc}", file=sys.stderr)
        return 2


def cmd_contract(args: argparse.Namespace) -> int:
    """contract check / test: 0 fine, 1 a compile error or a case not as expected, 2 bad input."""
    if args.contract_command == "check":
        errors = needletest.check_source(args.source)
        for error in errors:
            print(error, file=sys.stderr)
        if not errors:
            print(f"{args.source}: ok")
        return 1 if errors else 0
    params = _params(args.param) if args.param is not None else None
    suite = needletest.load_suite(args.source, args.cases, args.case, params, args.signer)
    for path in (*suite.deploy, suite.source):
        errors = needletest.check_source(
            path, frozenset(needletest.contract_name(d) for d in suite.deploy)
        )
        if errors:
            print("\n".join(errors), file=sys.stderr)
            return 2
    outcomes = needletest.run(suite)
    if args.json:
        print(json.dumps([o.as_json() for o in outcomes], indent=2))
    else:
        print("\n".join(o.as_text() for o in outcomes))
    failed = sum(1 for o in outcomes if o.failures())
    print(f"{len(outcomes) - failed} passed, {failed} failed", file=sys.stderr)
    return 1 if failed else 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script and of ``python -m node``."""
    args = build_parser().parse_args(argv)
    try:
        if args.command == "run":
            return cmd_run(args)
        if args.command == "keygen":
            return cmd_keygen(args)
        if args.command == "status" and args.hash is None:
            return cmd_status(args)
        if args.command in ("call", "transfer", "status"):
            return cmd_client(args)
        if args.command == "check":
            return cmd_check(args)
        if args.command == "rollback":
            return cmd_rollback(args)
        if args.command == "bank":
            return cmd_bank_import(args)
        if args.command == "contract":
            return cmd_contract(args)
        return cmd_db_upgrade(args)
    except needletest.CaseFileError as exc:
        print(f"ibax-node: {exc}", file=sys.stderr)
        return 2
    except (ConfigError, ChainError) as exc:
        print(f"ibax-node: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        # Most often the database server is unreachable or the data dir is not writable.
        print(f"ibax-node: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
