"""The built-in library: one registry (name -> function, fuel price), filled by modules by theme.

To add a built-in, write its function in the module of its theme and register it there with
`@REGISTRY.builtin("Name", fuel=N)` (`machine=True` when it needs the running machine or the
chain, `output_fuel=True` when its result can be much larger than its arguments). One that
needs a node's or a transaction's context comes from a `@REGISTRY.factory`. A name registered
twice fails at import.

Themes: values (conversions, types, arrays, maps), text (strings, Sprintf, regexps, bytes),
format and printf (Go's %v and fmt), json and jsondecode, math (floats, money), time, keys
(ids, hashes, signatures, addresses), random, data (DBFind and the DB family), access
(permissions, parameters), system (contracts, tables, ecosystems, languages, blocks),
history (rows' history, blocks, balances), ddl (DelTable, DelColumn, CreateView),
notices (UpdateNotifications), xlsx (spreadsheets in 1_binaries), nodes (honor nodes' bans).
"""

from __future__ import annotations

from chain.crypto import Crypto
from contracts.builtins import (  # noqa: F401  (importing a theme registers its built-ins)
    access,
    data,
    ddl,
    history,
    json,
    keys,
    math,
    nodes,
    notices,
    random,
    system,
    text,
    time,
    values,
    xlsx,
)
from contracts.builtins.registry import REGISTRY
from contracts.program import Builtin


def node_builtins(crypto: Crypto) -> dict[str, Builtin]:
    """Every built-in a contract on this node may call."""
    return REGISTRY.table(
        keys.crypto_builtins(crypto),
        keys.bitcoin_builtins(testnet=False),
        math.money_builtins(ecosystem_digits=history.ecosystem_digits),
    )


def plain_builtins() -> dict[str, Builtin]:
    """The built-ins that need no machine, chain or node: for a contract run on its own."""
    return REGISTRY.pure()
