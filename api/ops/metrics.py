"""Prometheus metrics of one node: its own registry, the HTTP middleware and the chain observer.

Each application owns a NodeMetrics (under the METRICS app key); nothing is registered in
prometheus_client's global registry, so two apps in one process (tests) never collide.

Several worker processes (a later `--workers N`) plug in through prometheus_client's
multiprocess mode: the process that starts the workers sets PROMETHEUS_MULTIPROC_DIR to an
empty directory before any of them imports prometheus_client (the library picks its value
store at import), passes the same directory to NodeMetrics, and calls
`prometheus_client.multiprocess.mark_process_dead(pid)` when a worker exits. Every worker
then writes its samples to files there, and `/metrics` on any worker sums them all through a
MultiProcessCollector. The gauges read at scrape time (queue depth, head) use the "most
recent" mode, so any worker's reading is the answer; the process and GC collectors and the
key-id cache numbers are then those of the worker that was scraped.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from aiohttp import web
from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from prometheus_client.gc_collector import GCCollector
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.platform_collector import PlatformCollector
from prometheus_client.process_collector import ProcessCollector

from api.appkeys import ENGINE
from chain.crypto import address_cache_stats
from chain.observer import BlockStats, Settled
from chain.storage.repo.blocks import get_head
from chain.storage.repo.txs import count_queue

logger = logging.getLogger(__name__)

UNMATCHED = "<unmatched>"  # one label for every unknown path, so 404 scans stay one series

LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)
BLOCK_SECONDS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10)
BLOCK_TXS = (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000)


@dataclass(frozen=True, slots=True)
class ChainState:
    """What the scrape reads from the database: the queue and the head."""

    queue_depth: int
    head_block: int
    head_time: int


class NodeMetrics:
    """Every metric the node exports, on a registry of its own; also a chain.ChainObserver."""

    def __init__(self, multiprocess_dir: str | None = None) -> None:
        self.multiprocess_dir = multiprocess_dir
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self.http_requests = Counter(
            "ibax_http_requests",
            "HTTP requests answered, by method, route template and status.",
            ("method", "route", "status"),
            registry=r,
        )
        self.http_seconds = Histogram(
            "ibax_http_request_duration_seconds",
            "Time to answer an HTTP request, by method and route template.",
            ("method", "route"),
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.txs_accepted = Counter(
            "ibax_txs_accepted", "Transactions sendTx accepted into the queue.", registry=r
        )
        self.queue_commits = Counter(
            "ibax_tx_queue_commits",
            "Database commits of sendTx into the queue (each holds every request waiting).",
            registry=r,
        )
        self.queue_requests = Counter(
            "ibax_tx_queue_requests",
            "sendTx requests answered by those commits (requests / commits: the grouping).",
            registry=r,
        )
        self.backlog_waits = Counter(
            "ibax_tx_backlog_waits",
            "sendTx requests that waited for room in the backlog of unsettled txs.",
            registry=r,
        )
        self.txs_refused = Counter(
            "ibax_txs_refused",
            "Transactions sendTx refused, by reason (the check that failed).",
            ("reason",),
            registry=r,
        )
        self.queue_depth = Gauge(
            "ibax_tx_queue_depth",
            "Transactions waiting in the queue, read at scrape time.",
            registry=r,
            multiprocess_mode="mostrecent",
        )
        self.head_block = Gauge(
            "ibax_head_block_id",
            "The newest block's id.",
            registry=r,
            multiprocess_mode="mostrecent",
        )
        self.head_age = Gauge(
            "ibax_head_age_seconds",
            "Seconds since the newest block's time, read at scrape time.",
            registry=r,
            multiprocess_mode="mostrecent",
        )
        self.blocks = Counter(
            "ibax_blocks_produced", "Blocks this node sealed and committed.", registry=r
        )
        self.block_txs = Histogram(
            "ibax_block_transactions", "Transactions per block.", buckets=BLOCK_TXS, registry=r
        )
        self.block_build = Histogram(
            "ibax_block_build_seconds",
            "Time to form a block, from taking the queue to its last write.",
            buckets=BLOCK_SECONDS,
            registry=r,
        )
        self.block_commit = Histogram(
            "ibax_block_commit_seconds",
            "Time of a block's database commit.",
            buckets=BLOCK_SECONDS,
            registry=r,
        )
        self.fuel = Counter(
            "ibax_contract_fuel_used", "Contract fuel used by committed blocks.", registry=r
        )
        self.bank_operations = Counter(
            "ibax_bank_operations",
            "Bank writes through blocks, by operation and outcome (ok or the fault).",
            ("operation", "outcome"),
            registry=r,
        )
        self.cache_lookups = Counter(
            "ibax_cache_lookups",
            "Cache lookups by cache and result (hit or miss); hit ratio = hit / all.",
            ("cache", "result"),
            registry=r,
        )
        self._http: dict[tuple[str, str, int], tuple[Counter, Histogram]] = {}
        self._address_seen = (0, 0)
        if multiprocess_dir is None:
            # In multiprocess mode these would describe only the scraped worker.
            ProcessCollector(registry=r)
            PlatformCollector(registry=r)
            GCCollector(registry=r)

    # ---- HTTP ----------------------------------------------------------------------------

    def observe_request(self, method: str, route: str, status: int, seconds: float) -> None:
        """One answered request."""
        key = (method, route, status)
        children = self._http.get(key)
        if children is None:
            # labels() takes a lock and builds a key per call; the children never change.
            children = (
                self.http_requests.labels(method, route, str(status)),
                self.http_seconds.labels(method, route),
            )
            self._http[key] = children
        children[0].inc()
        children[1].observe(seconds)

    # ---- transactions --------------------------------------------------------------------

    def tx_accepted(self, count: int) -> None:
        self.txs_accepted.inc(count)

    def queue_committed(self, requests: int, rows: int) -> None:
        """One group commit of sendTx requests into the queue (chain.txpool.TxQueue)."""
        self.queue_commits.inc()
        self.queue_requests.inc(requests)

    def backlog_waited(self) -> None:
        """A sendTx request waited for room in the backlog (chain.txpool.Backlog)."""
        self.backlog_waits.inc()

    def tx_refused(self, reason: str) -> None:
        self.txs_refused.labels(reason).inc()

    # ---- chain.observer.ChainObserver ----------------------------------------------------

    def block_committed(self, stats: BlockStats) -> None:
        self.blocks.inc()
        self.block_txs.observe(stats.txs)
        self.block_build.observe(stats.build_seconds)
        self.block_commit.observe(stats.commit_seconds)
        if stats.fuel:
            self.fuel.inc(stats.fuel)

    def txs_settled(self, event: Settled) -> None:
        pass  # block_committed counts what the metrics need

    def bank_operation(self, operation: str, outcome: str) -> None:
        self.bank_operations.labels(operation, outcome).inc()

    def cache_lookup(self, cache: str, hit: bool) -> None:
        self.cache_lookups.labels(cache, "hit" if hit else "miss").inc()

    # ---- scrape --------------------------------------------------------------------------

    def chain_state(self, state: ChainState, now: float) -> None:
        """Set the gauges read from the database at scrape time."""
        self.queue_depth.set(state.queue_depth)
        self.head_block.set(state.head_block)
        self.head_age.set(max(now - state.head_time, 0))

    def _count_address_cache(self) -> None:
        # The key-id cache counts for itself (functools); add what happened since last time.
        hits, misses = address_cache_stats()
        seen_hits, seen_misses = self._address_seen
        if hits < seen_hits or misses < seen_misses:
            seen_hits = seen_misses = 0  # the cache was cleared
        self.cache_lookups.labels("key_id", "hit").inc(hits - seen_hits)
        self.cache_lookups.labels("key_id", "miss").inc(misses - seen_misses)
        self._address_seen = (hits, misses)

    def render(self) -> bytes:
        """The exposition text of every metric (of every worker, in multiprocess mode)."""
        self._count_address_cache()
        if self.multiprocess_dir is None:
            return generate_latest(self.registry)
        merged = CollectorRegistry()
        MultiProcessCollector(merged, path=self.multiprocess_dir)  # type: ignore[no-untyped-call]
        return generate_latest(merged)


METRICS = web.AppKey("metrics", NodeMetrics)


def route_label(request: web.Request) -> str:
    """The route template a request matched (`/api/v2/block/{id}`), never the raw path."""
    resource = request.match_info.route.resource
    if resource is None or request.match_info.http_exception is not None:
        return UNMATCHED
    return resource.canonical


async def scrape_metrics(request: web.Request) -> web.Response:
    """GET /metrics: every metric, with the queue and the head read now."""
    metrics = request.app[METRICS]
    try:
        async with request.app[ENGINE].connect() as conn:
            depth = await count_queue(conn)
            head = await get_head(conn)
    except Exception:  # the scrape still answers what is in memory
        logger.warning("metrics: cannot read the queue and head", exc_info=True)
    else:
        if head is not None:
            metrics.chain_state(ChainState(depth, head.id, head.time), time.time())
    return web.Response(body=metrics.render(), headers={"Content-Type": CONTENT_TYPE_LATEST})
