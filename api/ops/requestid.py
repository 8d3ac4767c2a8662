"""A request id per request: taken from X-Request-Id or made, echoed, and put on log records."""

from __future__ import annotations

import itertools
import logging
import re
import secrets
from contextvars import ContextVar

from aiohttp import web

HEADER = "X-Request-Id"
# A client's id is kept only when it cannot break a log line or a header (no spaces, quotes,
# newlines); anything else gets an id of ours.
_CLIENT_ID = re.compile(r"[A-Za-z0-9._:/+=@-]{1,128}")
NO_REQUEST = "-"

# aiohttp runs each request in its own task, and a task copies the context: a value set here is
# seen by everything that request logs, and by nothing else.
REQUEST_ID: ContextVar[str] = ContextVar("request_id", default=NO_REQUEST)
REQUEST_ID_KEY = web.RequestKey("request_id", str)
ACCESS_LOG = web.AppKey("access_log", bool)

access_logger = logging.getLogger("ibax.access")


# A random prefix per process and a counter: unique across workers and restarts without a
# call into the OS's random source per request (that was 4% of a cached read's CPU).
_PREFIX = secrets.token_hex(4)
_COUNTER = itertools.count()


def new_request_id() -> str:
    """A fresh id: 16 hex digits, this process's prefix and its request count."""
    return f"{_PREFIX}{next(_COUNTER) & 0xFFFFFFFF:08x}"


def request_id_for(header: str | None) -> str:
    """The client's id when it is a safe token, else a new one."""
    if header and _CLIENT_ID.fullmatch(header):
        return header
    return new_request_id()


def log_access(request: web.Request, status: int, seconds: float) -> None:
    """One access log line (when the node is run with --access-log)."""
    access_logger.info(
        "%s %s %d %.1fms",
        request.method,
        request.path_qs,
        status,
        seconds * 1000,
        extra={
            "method": request.method,
            "path": request.path,
            "status": status,
            "remote": request.remote,
        },
    )


class RequestIdFilter(logging.Filter):
    """Puts the current request's id (or "-") on every record as `request_id`."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = REQUEST_ID.get()
        return True
