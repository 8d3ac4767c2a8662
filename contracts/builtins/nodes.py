"""UpdateNodesBan: the periodic sweep that bans honor nodes many others found making bad blocks."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from chain.errors import CryptoError
from chain.storage.repo.nodeban import BadBlock, list_bad_blocks_since
from contracts.builtins.access import sys_param_string
from contracts.builtins.data import QUERY_FUEL, host_of
from contracts.builtins.registry import REGISTRY
from contracts.vm import Machine

NOTIFICATION_SINGLE = 1  # the reference's NotificationTypeSingle
BAN_HEADER = "Your node was banned"


def ban_requests(reports: Iterable[BadBlock], blocks_per_node: int) -> dict[int, int]:
    """Producer -> how many nodes reported at least `blocks_per_node` of its blocks bad."""
    seen: dict[tuple[int, int], set[int]] = defaultdict(set)
    for r in reports:
        seen[(r.producer, r.consumer)].add(r.block_id)
    counts: dict[int, int] = defaultdict(int)
    for (producer, _consumer), blocks in seen.items():
        if len(blocks) >= blocks_per_node:
            counts[producer] += 1
    return dict(counts)


def _int(text: Any) -> int:
    try:
        return int(str(text))
    except ValueError:
        return 0


@REGISTRY.builtin("UpdateNodesBan", fuel=QUERY_FUEL, machine=True)
def update_nodes_ban(m: Machine, timestamp: Any) -> None:
    """UpdateNodesBan(time): lift ended bans of honor nodes, and ban for node_ban_time each one
    that more than half of them reported for incorrect_blocks_per_day bad blocks since the
    day before (its reports are then marked deleted, the ban logged and notified)."""
    host = host_of(m)
    try:
        nodes = json.loads(sys_param_string(m, "honor_nodes") or "[]")
    except ValueError:
        return None
    if not isinstance(nodes, list) or not nodes:
        return None
    now = int(timestamp)
    moment = datetime.fromtimestamp(now, UTC)
    # As the reference: `now::date - interval '24 hours'`, from the previous day's midnight.
    since = datetime(moment.year, moment.month, moment.day) - timedelta(hours=24)
    per_day = _int(sys_param_string(m, "incorrect_blocks_per_day"))
    ban_ms = _int(sys_param_string(m, "node_ban_time"))
    reports = host.wait(list_bad_blocks_since(host.conn, since))
    requests = ban_requests(reports, per_day)
    crypto = host.ctx.node.crypto
    changed = False
    with host.writing_for_system():
        for node in nodes:
            if not isinstance(node, dict):
                continue
            unban = _int(node.get("unban_time", 0))
            if 0 < unban < now:
                node["unban_time"] = 0
                changed = True
            try:
                key_id = crypto.address(bytes.fromhex(str(node.get("public_key", ""))))
            except (ValueError, CryptoError):
                continue
            count = requests.get(key_id, 0)
            if count < len(nodes) // 2 + 1:
                continue
            node["unban_time"] = now + ban_ms // 1000
            changed = True
            bad = host.table("@1bad_blocks")
            for r in reports:
                if r.producer == key_id:
                    host.update_rows(bad, {"id": r.id}, {"deleted": 1})
            reason = f"{count}/{len(nodes)} nodes voted for ban with {per_day} or more blocks each"
            host.insert_checked(
                host.table("@1node_ban_logs"),
                {"node_id": key_id, "banned_at": moment, "ban_time": ban_ms, "reason": reason},
            )
            host.insert_checked(
                host.table("@1notifications"),
                {
                    "recipient": {"member_id": key_id},
                    "notification": {
                        "type": NOTIFICATION_SINGLE,
                        "header": BAN_HEADER,
                        "body": reason,
                    },
                },
            )
        if changed:
            params = host.table("@1platform_parameters")
            [row] = host.select(
                m, "@1platform_parameters", columns=["id"], where={"name": "honor_nodes"}, limit=1
            )
            host.update_rows(
                params, {"id": int(row["id"])}, {"value": json.dumps(nodes, separators=(",", ":"))}
            )
    return None
