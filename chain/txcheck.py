"""Admission checks of a raw transaction before it may enter the queue."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from chain.contract_registry import (
    ContractLookup,
    check_params,
    find_contract,
)
from chain.crypto import Crypto
from chain.errors import ChainError
from chain.golang.ints import INT64_MAX
from chain.numbers import MAX_NUMBER_TEXT, NumberError, parse_decimal, parse_int
from chain.txcodec import DecodedTx, TxType, decode_tx, verify_tx_signature

# A transaction older than this is refused (the reference's MaxTxBack).
MAX_TX_AGE_S = 86400
# Clients' clocks run ahead of ours by this much at most (the reference allows none).
MAX_CLOCK_SKEW_S = 300
# Expedite is in whole coins with up to 12 decimals; queued as smallest units in an int64.
EXPEDITE_UNITS = 10**12
MAX_EXPEDITE = Decimal(INT64_MAX) / EXPEDITE_UNITS
# A native transfer's value is only bounded by its text here: an amount larger than any balance
# fails in its block (insufficient balance), as the reference's does.
_ANY_VALUE = 10**MAX_NUMBER_TEXT


class TxTooLarge(ChainError):
    """The transaction is over max_tx_size."""

    def __init__(self, size: int) -> None:
        self.size = size
        super().__init__(f"The size of tx is too big ({size})")


class TxRejected(ChainError):
    """The transaction fails an admission check; the message is the reference's text."""


class TxOutOfTime(TxRejected):
    """The transaction's time is outside the window (the reference checks it in its queue)."""


@dataclass(frozen=True, slots=True)
class AcceptedTx:
    """A transaction that passed every admission check."""

    decoded: DecodedTx

    @property
    def hash(self) -> bytes:
        return self.decoded.hash

    @property
    def key_id(self) -> int:
        return self.decoded.tx.header.key_id


def _expedite(text: str) -> int:
    """Expedite as whole smallest units (decimals past the 12th dropped), checked first."""
    if not text:
        return 0
    try:
        value = parse_decimal(text, what="expedite")
    except NumberError as exc:
        raise TxRejected(f"expedite {text[:40]!r} is not a number") from exc
    if value < 0:
        raise TxRejected("expedite must not be negative")
    if value > MAX_EXPEDITE:
        raise TxRejected("expedite is too large")
    return int(value * EXPEDITE_UNITS)


def transfer_value(text: str) -> int:
    """A UTXO or TransferSelf value: a positive whole number of smallest units."""
    if len(text) <= 18 and text.isascii() and text.isdigit():
        # The usual value, plain digits well inside every bound: parse_int's answer without
        # its bound check (which writes out 10**100 in digits on every call).
        value = int(text)
        if value > 0:
            return value
    try:
        return parse_int(text, minimum=1, maximum=_ANY_VALUE, what="value")
    except NumberError as exc:
        raise TxRejected(f"value {text[:40]!r} is not a positive whole number of units") from exc


def check_tx_time(tx_time: int, now: int) -> None:
    """The validity window of a transaction's time (unix seconds)."""
    if tx_time > now + MAX_CLOCK_SKEW_S:
        raise TxOutOfTime(f"transaction time {tx_time} is in the future")
    if tx_time < now - MAX_TX_AGE_S:
        raise TxOutOfTime(f"transaction time {tx_time} is older than {MAX_TX_AGE_S} s")


def admit_tx(
    raw: bytes, *, crypto: Crypto, network_id: int, max_tx_size: int, now: int
) -> DecodedTx:
    """Every check that needs no database: size, envelope, network, signature, time, fields.

    Pure CPU (decoding and a signature check), so a large batch can run off the event loop.
    """
    if len(raw) > max_tx_size:
        raise TxTooLarge(len(raw))
    decoded = decode_tx(raw, crypto)
    tx = decoded.tx
    if tx.header.network_id != network_id:
        raise TxRejected("error networkid invalid")
    verify_tx_signature(decoded, crypto)
    check_tx_time(tx.header.time, now)
    _expedite(tx.expedite)
    if tx.utxo is not None:
        transfer_value(tx.utxo.value)
    if tx.transfer_self is not None:
        transfer_value(tx.transfer_self.value)
    if len(tx.lang) > 2:
        raise TxRejected("lang must be at most 2 characters")
    return decoded


def admit_txs(
    raws: Sequence[bytes], *, crypto: Crypto, network_id: int, max_tx_size: int, now: int
) -> list[DecodedTx]:
    """admit_tx of each; the first failure is raised."""
    return [
        admit_tx(raw, crypto=crypto, network_id=network_id, max_tx_size=max_tx_size, now=now)
        for raw in raws
    ]


async def check_contract(decoded: DecodedTx, lookup: ContractLookup | None) -> AcceptedTx:
    """The contract a smart-contract tx calls must exist and its parameters fit it."""
    tx = decoded.tx
    if tx.tx_type == TxType.SMART_CONTRACT and lookup is not None:
        # Without a lookup (the node's own txs) the block producer checks the contract.
        contract = await find_contract(tx.header.id, lookup)
        check_params(contract, tx.params)
    return AcceptedTx(decoded)


async def check_tx(
    raw: bytes,
    *,
    crypto: Crypto,
    network_id: int,
    max_tx_size: int,
    now: int,
    lookup: ContractLookup | None = None,
) -> AcceptedTx:
    """Decode and check one transaction; raise a ChainError describing the first failure."""
    decoded = admit_tx(raw, crypto=crypto, network_id=network_id, max_tx_size=max_tx_size, now=now)
    return await check_contract(decoded, lookup)


def contract_name(decoded: DecodedTx) -> str:
    """The name log_transactions and the block endpoints show for a transaction."""
    tx = decoded.tx
    if tx.tx_type == TxType.UTXO:
        return "UTXO"
    if tx.tx_type == TxType.TRANSFER_SELF:
        return "TransferSelf"
    return ""


def expedite_units(text: str) -> int:
    """A tx's Expedite as whole smallest units; 0 when it is not a valid amount."""
    try:
        return _expedite(text)
    except TxRejected:
        return 0


def expedite_of(tx: AcceptedTx) -> int:
    """The fee priority as a whole number of smallest units (ordering only)."""
    try:
        return _expedite(tx.decoded.tx.expedite)
    except TxRejected:
        # A tx put back by a rollback may predate the bound: it just loses its priority.
        return 0
