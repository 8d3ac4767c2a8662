"""metrics/*: counts of keys, blocks (also per node), txs, ecosystems, honor nodes; memory; bans."""

from __future__ import annotations

import resource

from aiohttp import web

from api.appkeys import ENGINE
from api.errors import ApiError, E
from api.jsonenc import Struct
from api.request import go_int64
from api.responses import json_response
from chain.storage.repo.blocks import get_head
from chain.storage.repo.chainview import count_blocks_by_node, sum_block_txs
from chain.storage.repo.keys import count_keys
from chain.storage.repo.params import count_ecosystems


async def count_keys_metric(request: web.Request) -> web.Response:
    """GET /metrics/keys: accounts in ecosystem 1."""
    async with request.app[ENGINE].connect() as conn:
        return json_response(Struct(count=await count_keys(conn, 1)))


async def count_blocks_metric(request: web.Request) -> web.Response:
    """GET /metrics/blocks: the newest block id."""
    async with request.app[ENGINE].connect() as conn:
        head = await get_head(conn)
    if head is None:
        raise ApiError(E.NOTFOUND)
    return json_response(Struct(count=head.id))


# consts.HonorNodeMode and consts.CandidateNodeMode: the consensus mode a block was made in.
HONOR_NODE_MODE = 1
CANDIDATE_NODE_MODE = 2


async def count_blocks_by_node_metric(request: web.Request) -> web.Response:
    """GET /metrics/blockper/{node}/{mode}: all blocks, and those of one node position and mode."""
    node_position = go_int64(request.match_info["node"])
    mode = go_int64(request.match_info["mode"])
    if mode not in (HONOR_NODE_MODE, CANDIDATE_NODE_MODE):
        raise ApiError(E.PARAMNOTFOUND, "mode")
    async with request.app[ENGINE].connect() as conn:
        head = await get_head(conn)
        if head is None:
            raise ApiError(E.NOTFOUND)
        partial = await count_blocks_by_node(conn, node_position, mode)
    return json_response(Struct(totalcount=head.id, partialcount=partial))


async def count_transactions_metric(request: web.Request) -> web.Response:
    """GET /metrics/transactions: transactions in all blocks."""
    async with request.app[ENGINE].connect() as conn:
        return json_response(Struct(count=await sum_block_txs(conn)))


async def count_ecosystems_metric(request: web.Request) -> web.Response:
    """GET /metrics/ecosystems."""
    async with request.app[ENGINE].connect() as conn:
        return json_response(Struct(count=await count_ecosystems(conn)))


async def count_honor_nodes_metric(request: web.Request) -> web.Response:
    """GET /metrics/honornodes: this node is the network's only honor node."""
    return json_response(Struct(count=1))


def _resident_bytes() -> int:
    # /proc gives the current resident size; getrusage only the peak.
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * resource.getpagesize()
    except (OSError, ValueError, IndexError):
        return 0


async def memory_metric(request: web.Request) -> web.Response:
    """GET /metrics/mem: resident memory now (alloc) and at its peak (sys), in bytes."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    return json_response(Struct(alloc=_resident_bytes(), sys=peak))


async def ban_metric(request: web.Request) -> web.Response:
    """GET /metrics/ban: honor nodes and whether each is banned."""
    return json_response([Struct(node_position=0, status=False)])
