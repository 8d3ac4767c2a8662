"""Logging set-up of the node's commands: plain text or one JSON object a line, request ids."""

from __future__ import annotations

import logging
from typing import TextIO

from pythonjsonlogger.json import JsonFormatter

from api.ops.requestid import RequestIdFilter

LOG_FORMATS = ("text", "json")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s]: %(message)s"
# Fields of every JSON line; `extra=` fields of a call (the access log's status...) follow.
JSON_FIELDS = ("asctime", "levelname", "name", "request_id", "message")
JSON_RENAMES = {"asctime": "time", "levelname": "level", "name": "logger"}


def log_handler(log_format: str, stream: TextIO | None = None) -> logging.Handler:
    """A stream handler (stderr by default) in the given format, with request ids."""
    handler = logging.StreamHandler(stream)
    handler.addFilter(RequestIdFilter())
    if log_format == "json":
        handler.setFormatter(JsonFormatter(list(JSON_FIELDS), rename_fields=JSON_RENAMES))
    else:
        handler.setFormatter(logging.Formatter(TEXT_FORMAT))
    return handler


def configure_logging(level: str, log_format: str, stream: TextIO | None = None) -> None:
    """Route every logger to one handler; a command calls this once, at its start."""
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(log_handler(log_format, stream))
    root.setLevel(level.upper())
