"""Channel names clients subscribe to, and what each one carries.

- `blocks`: every block this node commits, as `block/{id}` describes it, plus its `id`;
- `tx:<hash hex>`: that transaction's status, as `txstatus` gives it, plus its `hash`, once it
  is in a block or refused (at once when that happened before the subscription);
- `key:<address or key id>`: the same, for every transaction the key signs;
- `client<address>`: the account's open notification counts, `[{"ecosystem", "role_id",
  "count"}]`, whenever a block changes notifications or roles (Weaver's channel, as go-ibax's
  publisher names it).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from api.events.protocol import Code, CommandError
from chain.address import string_to_address

BLOCKS = "blocks"
TX_PREFIX = "tx:"
KEY_PREFIX = "key:"
NOTIFY_PREFIX = "client"
HASH_BYTES = 32
MAX_CHANNEL = 128  # characters of a channel name


class Kind(enum.Enum):
    BLOCKS = "blocks"
    TX = "tx"
    KEY = "key"
    NOTIFY = "notify"


@dataclass(frozen=True, slots=True)
class Topic:
    """What a channel name means; two names may mean one topic (an address and its key id)."""

    kind: Kind
    key_id: int = 0
    tx_hash: bytes = b""


def _unknown(channel: str) -> CommandError:
    return CommandError(
        Code.UNKNOWN_CHANNEL,
        f"unknown channel {channel[:MAX_CHANNEL]!r}: use blocks, tx:<hash>, key:<address> "
        "or client<address>",
    )


def _key(channel: str, text: str) -> int:
    key_id = string_to_address(text)
    if key_id == 0:
        raise _unknown(channel)
    return key_id


def topic_of(channel: str) -> Topic:
    """The topic of a channel name; CommandError (unknown channel) when it names none."""
    if len(channel) > MAX_CHANNEL:
        raise _unknown(channel)
    if channel == BLOCKS:
        return Topic(Kind.BLOCKS)
    if channel.startswith(TX_PREFIX):
        text = channel[len(TX_PREFIX) :]
        if len(text) != HASH_BYTES * 2:
            raise _unknown(channel)
        try:
            return Topic(Kind.TX, tx_hash=bytes.fromhex(text))
        except ValueError:
            raise _unknown(channel) from None
    if channel.startswith(KEY_PREFIX):
        return Topic(Kind.KEY, key_id=_key(channel, channel[len(KEY_PREFIX) :]))
    if channel.startswith(NOTIFY_PREFIX):
        return Topic(Kind.NOTIFY, key_id=_key(channel, channel[len(NOTIFY_PREFIX) :]))
    raise _unknown(channel)
