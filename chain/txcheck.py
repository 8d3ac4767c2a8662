"""Admission checks of a raw transaction before it may enter the queue."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from chain.contract_registry import (
    ContractLookup,
    check_params,
    find_contract,
)
from chain.crypto import Crypto
from chain.errors import ChainError
from chain.txcodec import DecodedTx, TxType, decode_tx, verify_tx_signature

# A transaction older than this is refused (the reference's MaxTxBack).
MAX_TX_AGE_S = 86400
# Clients' clocks run ahead of ours by this much at most (the reference allows none).
MAX_CLOCK_SKEW_S = 300


class TxTooLarge(ChainError):
    """The transaction is over max_tx_size."""

    def __init__(self, size: int) -> None:
        self.size = size
        super().__init__(f"The size of tx is too big ({size})")


class TxRejected(ChainError):
    """The transaction fails an admission check; the message is the reference's text."""


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


def _expedite(text: str) -> Decimal:
    if not text:
        return Decimal(0)
    try:
        value = Decimal(text)
    except InvalidOperation as exc:
        raise TxRejected(f"expedite {text!r} is not a number") from exc
    if not value.is_finite() or value < 0:
        raise TxRejected("expedite must not be negative")
    return value


def check_tx_time(tx_time: int, now: int) -> None:
    """The validity window of a transaction's time (unix seconds)."""
    if tx_time > now + MAX_CLOCK_SKEW_S:
        raise TxRejected(f"transaction time {tx_time} is in the future")
    if tx_time < now - MAX_TX_AGE_S:
        raise TxRejected(f"transaction time {tx_time} is older than {MAX_TX_AGE_S} s")


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
    if len(raw) > max_tx_size:
        raise TxTooLarge(len(raw))
    decoded = decode_tx(raw, crypto)
    tx = decoded.tx
    if tx.header.network_id != network_id:
        raise TxRejected("error networkid invalid")
    verify_tx_signature(decoded, crypto)
    check_tx_time(tx.header.time, now)
    _expedite(tx.expedite)
    if len(tx.lang) > 2:
        raise TxRejected("lang must be at most 2 characters")
    if tx.tx_type == TxType.SMART_CONTRACT and lookup is not None:
        # Without a lookup (the node's own txs) the block producer checks the contract.
        contract = await find_contract(tx.header.id, lookup)
        check_params(contract, tx.params)
    return AcceptedTx(decoded)


def contract_name(decoded: DecodedTx) -> str:
    """The name log_transactions and the block endpoints show for a transaction."""
    tx = decoded.tx
    if tx.tx_type == TxType.UTXO:
        return "UTXO"
    if tx.tx_type == TxType.TRANSFER_SELF:
        return "TransferSelf"
    return ""


def expedite_of(tx: AcceptedTx) -> int:
    """The fee priority as a whole number of smallest units (ordering only)."""
    return int(_expedite(tx.decoded.tx.expedite) * 10**12)
