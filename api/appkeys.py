"""Typed keys of every resource the application holds."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncEngine

from api.auth import TokenCache
from api.settings import ApiSettings
from chain.admission import Admission
from chain.bans import BanList
from chain.freshness import HeadKeyed, Heads, HeadWatch
from chain.identity import NodeIdentity
from chain.producer import BlockProducer
from chain.txpool import TxQueue
from contracts.book import NeedleBook
from contracts.reads import TableReads
from pages import PageEngine

ENGINE = web.AppKey("engine", AsyncEngine)
NODE = web.AppKey("node", NodeIdentity)
SETTINGS = web.AppKey("settings", ApiSettings)
TOKENS = web.AppKey("tokens", TokenCache)  # login tokens already verified
# Stores a new account's key; the node decides how (directly, or through a block).
Registrar = Callable[[int, bytes], Awaitable[None]]
REGISTRAR: web.AppKey[Registrar] = web.AppKey("registrar")
BANS = web.AppKey("bans", BanList)
ADMISSION = web.AppKey("admission", Admission)  # what sendTx checks against, per head
HEADS = web.AppKey("heads", Heads)  # the head each request's connection read first
HEAD_WATCH = web.AppKey("head_watch", HeadWatch)  # the head now, one read for concurrent requests
# Pages, menus, snippets, ecosystems and parameters the page engine read, until the head moves.
InterfaceRows = HeadKeyed[dict[tuple[Any, ...], Any]]
INTERFACE_ROWS: web.AppKey[InterfaceRows] = web.AppKey("interface_rows")
PRODUCER = web.AppKey("producer", BlockProducer)
TXQUEUE = web.AppKey("txqueue", TxQueue)  # sendTx's group commit into the queue
CONTRACTS = web.AppKey("contracts", NeedleBook)
READS = web.AppKey("reads", TableReads)
PAGES = web.AppKey("pages", PageEngine)
