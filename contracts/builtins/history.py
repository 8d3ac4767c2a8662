"""Built-ins that read what the chain keeps: rows' history, blocks, balances, money digits."""

from __future__ import annotations

from typing import Any

from chain.storage.repo.blocks import get_block
from chain.storage.repo.money import list_holdings
from chain.storage.repo.params import get_ecosystem
from chain.storage.repo.tabledata import get_row, list_row_rollbacks
from contracts.builtins.data import QUERY_FUEL, host_of
from contracts.builtins.gotypes import want_bool, want_int, want_str
from contracts.builtins.registry import REGISTRY
from contracts.errors import HostError
from contracts.host import TxHost
from contracts.reads import HISTORY_ROWS, row_versions
from contracts.vm import Machine

# The reference's price_exec_* of these functions.
HISTORY_FUEL = 50


def _flushed(host: TxHost) -> None:
    """Rows this block wrote may still wait in memory: a query past them needs them written."""
    if host.state is not None:
        host.wait(host.state.direct())


def _versions(m: Machine, table: Any, row_id: Any, rollback_id: int) -> list[dict[str, str]]:
    """GetHistoryRaw: the row's earlier versions, newest first (no permission checks, as the
    reference reads the table and rollback_tx directly)."""
    host = host_of(m)
    ref = host.table(want_str(table))
    wanted = want_int(row_id)
    _flushed(host)
    # As the page engine's history: the current row's NULLs read "NULL", as the reference's.
    scope = ref.ecosystem if ref.shared else None
    found = host.wait(get_row(host.conn, ref.table, "id", str(wanted), ecosystem=scope))
    if not found.rows:
        raise HostError("record has not been found")
    key = f"{wanted},{ref.ecosystem}" if ref.name == "keys" and ref.shared else str(wanted)
    records = host.wait(list_row_rollbacks(host.conn, ref.full_name, key, limit=HISTORY_ROWS))
    return row_versions(found.rows[0], records, rollback_id)


@REGISTRY.builtin("GetHistory", fuel=HISTORY_FUEL, machine=True, output_fuel=True)
def get_history(m: Machine, table: Any, row_id: Any) -> list[Any]:
    """GetHistory(table, id): the row before each of its changes, newest first; each version
    has the id, block_id and block_time of the change that made it."""
    return list(_versions(m, table, row_id, 0))


@REGISTRY.builtin("GetHistoryRow", fuel=HISTORY_FUEL, machine=True)
def get_history_row(m: Machine, table: Any, row_id: Any, rollback_id: Any) -> dict[str, Any]:
    """GetHistoryRow(table, id, rollbackId): the version GetHistory labels with that id (an
    empty map when there is none); with rollbackId 0, the newest earlier version."""
    found = _versions(m, table, row_id, want_int(rollback_id))
    return dict(found[0]) if found else {}


@REGISTRY.builtin("GetBlock", fuel=HISTORY_FUEL, machine=True)
def get_block_info(m: Machine, block_id: Any) -> dict[str, Any] | None:
    """GetBlock(id): {id, time, key_id} of a block in the chain, nil if there is none."""
    host = host_of(m)
    block = host.wait(get_block(host.conn, want_int(block_id)))
    if block is None:
        return None
    return {"id": block.id, "time": block.time, "key_id": block.key_id}


@REGISTRY.builtin("TopAmounts", fuel=QUERY_FUEL, machine=True, output_fuel=True)
def top_amounts(m: Machine, ecosystem: Any, rank: Any, dense: Any) -> list[Any]:
    """TopAmounts(ecosystem, rank, dense): the keys whose balance (account plus unspent
    outputs) ranks `rank` or better, best first: [{amount, id, rank}], every value as text.
    Ties share a rank; `dense` ranks without gaps (1, 1, 2), otherwise as SQL's rank()."""
    host = host_of(m)
    _flushed(host)
    totals: dict[int, int] = {}
    for key_id, amount in host.wait(list_holdings(host.conn, want_int(ecosystem))):
        totals[key_id] = totals.get(key_id, 0) + amount
    ordered = sorted(totals.items(), key=lambda item: (-item[1], item[0]))
    limit, is_dense = want_int(rank), want_bool(dense)
    found: list[Any] = []
    place = distinct = 0
    previous: int | None = None
    for position, (key_id, amount) in enumerate(ordered, start=1):
        if amount != previous:
            distinct += 1
            place = distinct if is_dense else position
            previous = amount
        if place > limit:
            break
        found.append({"amount": str(amount), "id": str(key_id), "rank": str(place)})
    return found


def ecosystem_digits(m: Machine) -> int:
    """The money digits of the running transaction's ecosystem (FormatMoney's digit 0)."""
    host = host_of(m)
    found = host.wait(get_ecosystem(host.conn, host.ecosystem))
    return int(found.digits) if found is not None else 0
