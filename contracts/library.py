"""The built-in table of a node: every function a contract on this node may call."""

from __future__ import annotations

from chain.crypto import Crypto
from contracts.accessfuncs import ACCESS_BUILTINS
from contracts.builtins import chain_builtins
from contracts.dbfuncs import DB_BUILTINS
from contracts.program import BuiltinEntry
from contracts.stdlib import STDLIB, bitcoin_stdlib, crypto_stdlib
from contracts.sysfuncs import SYS_BUILTINS


def node_builtins(crypto: Crypto) -> dict[str, BuiltinEntry]:
    """Pure, crypto, DB and system built-ins; later entries win on a shared name."""
    table: dict[str, BuiltinEntry] = dict(chain_builtins(crypto))
    table.update(STDLIB)
    table.update(crypto_stdlib(crypto))
    table.update(bitcoin_stdlib(testnet=False))
    table.update(DB_BUILTINS)
    table.update(ACCESS_BUILTINS)
    table.update(SYS_BUILTINS)
    return table
