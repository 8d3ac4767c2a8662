"""Typed app keys of the bank API."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from aiohttp import web

from chain.bank.service import Bank


@dataclass(frozen=True)
class BankHttp:
    """What the bank's HTTP edge needs besides the bank: pre-rendered answers, the help URL."""

    properties: bytes
    help_url: str


BANK = web.AppKey("bank", Bank)
BANK_HTTP = web.AppKey("bank_http", BankHttp)
# Stops the node as SIGTERM does (admin/shutdown); tests put their own.
BANK_STOP: web.AppKey[Callable[[], None]] = web.AppKey("bank_stop")
