"""The part of Centrifugo's JSON client protocol (v1, centrifuge-js 2.x) that the node speaks.

A frame holds one or more JSON commands, one a line: {"id": N, "method": M, "params": {...}}
(method 0, connect, may be left out). Replies carry the command's id with a "result" or an
"error" {"code", "message"}; publications come without an id, as
{"result": {"channel": C, "data": {"data": PAYLOAD}}} (push type 0, left out). A connection
is closed with a WebSocket code and a JSON reason {"reason", "reconnect"}, which the
client reads as advice. The codes are those of Centrifugo v2's server library.
"""

from __future__ import annotations

import enum
import json
from dataclasses import dataclass
from typing import Any

from api import jsonparse
from api.jsonenc import Struct, dumps

MAX_COMMANDS = 100  # commands in one frame


class Method(enum.IntEnum):
    CONNECT = 0
    SUBSCRIBE = 1
    UNSUBSCRIBE = 2
    PUBLISH = 3
    PRESENCE = 4
    PRESENCE_STATS = 5
    HISTORY = 6
    PING = 7
    SEND = 8
    RPC = 9
    REFRESH = 10
    SUB_REFRESH = 11


class Code(enum.IntEnum):
    """Error codes of replies (Centrifugo's client error codes)."""

    INTERNAL = 100
    UNAUTHORIZED = 101
    UNKNOWN_CHANNEL = 102
    PERMISSION_DENIED = 103
    METHOD_NOT_FOUND = 104
    ALREADY_SUBSCRIBED = 105
    LIMIT_EXCEEDED = 106
    BAD_REQUEST = 107
    NOT_AVAILABLE = 108


@dataclass(frozen=True, slots=True)
class Disconnect:
    """Why the server closes a connection, and whether the client should come back."""

    code: int
    reason: str
    reconnect: bool

    def advice(self) -> str:
        """The close frame's reason text: JSON, as centrifuge-js parses it."""
        return json.dumps({"reason": self.reason, "reconnect": self.reconnect})


SHUTDOWN = Disconnect(3001, "shutdown", True)
INVALID_TOKEN = Disconnect(3002, "invalid token", False)
BAD_REQUEST = Disconnect(3003, "bad request", False)
STALE = Disconnect(3007, "stale", False)  # never sent its connect command
SLOW = Disconnect(3008, "slow", True)  # could not read its messages as fast as they came
CONNECTION_LIMIT = Disconnect(3013, "connection limit", False)


class ProtocolError(Exception):
    """A frame that is not commands at all: answered with an error frame, then closed."""


@dataclass(frozen=True, slots=True)
class Command:
    """One client command; `params` is always an object (empty when absent)."""

    id: int
    method: int
    params: dict[str, Any]


class CommandError(Exception):
    """A command the server refuses: a reply with its id and this error."""

    def __init__(self, code: Code, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def parse_frame(text: str) -> list[Command]:
    """The commands of a text frame; ProtocolError when a line is not a command object."""
    lines = [line for line in text.split("\n") if line.strip()]
    if not lines:
        raise ProtocolError("empty frame")
    if len(lines) > MAX_COMMANDS:
        raise ProtocolError(f"more than {MAX_COMMANDS} commands in one frame")
    commands = []
    for line in lines:
        try:
            raw = jsonparse.loads(line)
        except ValueError as exc:
            raise ProtocolError(f"not JSON: {exc}") from exc
        if not isinstance(raw, dict):
            raise ProtocolError("a command is a JSON object")
        command_id, method, params = raw.get("id", 0), raw.get("method", 0), raw.get("params")
        if not _is_uint32(command_id) or command_id == 0:
            raise ProtocolError('a command needs an "id": a positive integer')
        if not _is_uint32(method):
            raise ProtocolError('"method" is an integer (0 connect, 1 subscribe, ...)')
        if params is None:
            params = {}
        if not isinstance(params, dict):
            raise ProtocolError('"params" is a JSON object')
        commands.append(Command(command_id, method, params))
    return commands


def _is_uint32(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 1 << 32


def reply(command_id: int, result: dict[str, Any]) -> str:
    """A command's answer."""
    return dumps(Struct(id=command_id, result=result))


def error_reply(command_id: int, code: Code, message: str) -> str:
    """A command's refusal."""
    return dumps(Struct(id=command_id, error=Struct(code=int(code), message=message)))


def error_frame(message: str) -> str:
    """The answer to a frame that holds no command to answer (sent before closing)."""
    return dumps(Struct(error=Struct(code=int(Code.BAD_REQUEST), message=message)))


def publication(channel: str, payload: Any) -> str:
    """A push of `payload` on `channel`."""
    return dumps(Struct(result=Struct(channel=channel, data=Struct(data=payload))))


def string_param(command: Command, name: str) -> str:
    """A required string parameter of a command."""
    value = command.params.get(name)
    if not isinstance(value, str) or not value:
        raise CommandError(Code.BAD_REQUEST, f'"params.{name}" is a non-empty string')
    return value
