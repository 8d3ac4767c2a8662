"""Transaction wire formats: the Weaver 0x80 envelope and the Go-SDK type-byte envelope."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any

import msgpack

from chain.crypto import Crypto
from chain.errors import ChainError, CryptoError

CLIENT_ENVELOPE = 0x80
# Bounds applied while decoding untrusted bytes: msgpack would otherwise allocate what a
# declared length asks for, and deep nesting would exhaust the stack.
MAX_DEPTH = 32
MAX_ELEMENTS = 10_000


class TxType(IntEnum):
    """Transaction types of the reference (types/custom_tx.go)."""

    FIRST_BLOCK = 1
    STOP_NETWORK = 2
    SMART_CONTRACT = 3
    DELAY = 4
    UTXO = 5
    TRANSFER_SELF = 6


class TxDecodeError(ChainError):
    """The bytes are not a well-formed transaction."""


class TxSignatureError(ChainError):
    """The transaction's signature or key does not check out."""


@dataclass(frozen=True, slots=True)
class Header:
    """The signed header: contract id, ecosystem, sender, time, network and public key."""

    id: int
    ecosystem_id: int
    key_id: int
    time: int
    network_id: int
    public_key: bytes


@dataclass(frozen=True, slots=True)
class Utxo:
    """Type 5 body: pay `value` smallest units to `to_id`."""

    to_id: int
    value: str
    comment: str = ""


@dataclass(frozen=True, slots=True)
class TransferSelf:
    """Type 6 body: move value between the sender's "UTXO" and "Account" balances."""

    value: str
    source: str
    target: str


@dataclass(frozen=True, slots=True)
class SmartTransaction:
    """The msgpack payload that is hashed and signed."""

    header: Header
    max_sum: str = ""
    pay_over: str = ""
    lang: str = ""
    expedite: str = ""
    signed_by: int = 0
    transfer_self: TransferSelf | None = None
    utxo: Utxo | None = None
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def tx_type(self) -> TxType:
        if self.utxo is not None:
            return TxType.UTXO
        if self.transfer_self is not None:
            return TxType.TRANSFER_SELF
        return TxType.SMART_CONTRACT


@dataclass(frozen=True, slots=True)
class DecodedTx:
    """A decoded transaction with its recomputed hash."""

    tx: SmartTransaction
    payload: bytes
    hash: bytes
    signature: bytes
    raw: bytes
    timestamp_ms: int | None = None

    @property
    def size(self) -> int:
        return len(self.raw)


def encode_length(n: int) -> bytes:
    """Go's converter.EncodeLength: one byte up to 127, else 0x80|k and k big-endian bytes."""
    if n < 0:
        raise ValueError("negative length")
    if n <= 127:
        return bytes([n])
    body = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(body)]) + body


def decode_length(buf: bytes, pos: int) -> tuple[int, int]:
    """Inverse of encode_length; returns (value, position after it)."""
    if pos >= len(buf):
        raise TxDecodeError("truncated length")
    first = buf[pos]
    if first & 0x80 == 0:
        return first, pos + 1
    size = first & 0x7F
    if size == 0 or size > 8 or pos + 1 + size > len(buf):
        raise TxDecodeError("bad length prefix")
    return int.from_bytes(buf[pos + 1 : pos + 1 + size], "big"), pos + 1 + size


def _check_shape(value: Any, depth: int = 0, budget: list[int] | None = None) -> None:
    budget = budget if budget is not None else [MAX_ELEMENTS]
    if depth > MAX_DEPTH:
        raise TxDecodeError("payload nested too deeply")
    budget[0] -= 1
    if budget[0] < 0:
        raise TxDecodeError("payload has too many elements")
    if isinstance(value, dict):
        for k, v in value.items():
            _check_shape(k, depth + 1, budget)
            _check_shape(v, depth + 1, budget)
    elif isinstance(value, list):
        for v in value:
            _check_shape(v, depth + 1, budget)


def _unpack(data: bytes) -> Any:
    try:
        value = msgpack.unpackb(
            data,
            raw=False,
            strict_map_key=False,
            use_list=True,
            max_array_len=MAX_ELEMENTS,
            max_map_len=MAX_ELEMENTS,
            max_str_len=len(data),
            max_bin_len=len(data),
            max_ext_len=len(data),
        )
    except RecursionError as exc:
        raise TxDecodeError("payload nested too deeply") from exc
    except Exception as exc:  # msgpack raises several unrelated types on garbage
        raise TxDecodeError(f"malformed msgpack: {exc.__class__.__name__}") from exc
    _check_shape(value)
    return value


def _str(value: Any, name: str) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, (bytes, bytearray)):
        try:
            return bytes(value).decode()
        except UnicodeDecodeError as exc:
            raise TxDecodeError(f"{name} is not UTF-8") from exc
    raise TxDecodeError(f"{name} must be a string")


def _int(value: Any, name: str) -> int:
    if value is None:
        return 0
    if isinstance(value, bool) or not isinstance(value, int):
        raise TxDecodeError(f"{name} must be an integer")
    if not -(1 << 63) <= value < 1 << 64:
        raise TxDecodeError(f"{name} is out of range")
    return value


def _bytes(value: Any, name: str) -> bytes:
    if value is None:
        return b""
    if isinstance(value, (bytes, bytearray)):
        return bytes(value)
    if isinstance(value, str):
        try:
            return bytes.fromhex(value)
        except ValueError as exc:
            raise TxDecodeError(f"{name} must be bytes") from exc
    raise TxDecodeError(f"{name} must be bytes")


def _map(value: Any, name: str) -> dict[str, Any] | None:
    if value is None:
        return None
    if not isinstance(value, dict) or not all(isinstance(k, str) for k in value):
        raise TxDecodeError(f"{name} must be a map with string keys")
    return value


def smart_from_map(data: Any) -> SmartTransaction:
    """Build a SmartTransaction from its msgpack map (flat or nested Header)."""
    top = _map(data, "transaction")
    if top is None:
        raise TxDecodeError("transaction must be a map")
    nested = _map(top.get("Header"), "Header")
    head = nested if nested is not None else top
    header = Header(
        id=_int(head.get("ID"), "ID"),
        ecosystem_id=_int(head.get("EcosystemID"), "EcosystemID"),
        key_id=_int(head.get("KeyID"), "KeyID"),
        time=_int(head.get("Time"), "Time"),
        network_id=_int(head.get("NetworkID"), "NetworkID"),
        public_key=_bytes(head.get("PublicKey"), "PublicKey"),
    )
    utxo_map = _map(top.get("UTXO"), "UTXO")
    self_map = _map(top.get("TransferSelf"), "TransferSelf")
    if utxo_map is not None and self_map is not None:
        raise TxDecodeError("a transaction is either UTXO or TransferSelf")
    utxo = None
    if utxo_map is not None:
        utxo = Utxo(
            to_id=_int(utxo_map.get("ToID"), "ToID"),
            value=_str(utxo_map.get("Value"), "Value"),
            comment=_str(utxo_map.get("Comment"), "Comment"),
        )
    transfer_self = None
    if self_map is not None:
        transfer_self = TransferSelf(
            value=_str(self_map.get("Value"), "Value"),
            source=_str(self_map.get("Source"), "Source"),
            target=_str(self_map.get("Target"), "Target"),
        )
    params = _map(top.get("Params"), "Params")
    return SmartTransaction(
        header=header,
        max_sum=_str(top.get("MaxSum"), "MaxSum"),
        pay_over=_str(top.get("PayOver"), "PayOver"),
        lang=_str(top.get("Lang"), "Lang"),
        expedite=_str(top.get("Expedite"), "Expedite"),
        signed_by=_int(top.get("SignedBy"), "SignedBy"),
        transfer_self=transfer_self,
        utxo=utxo,
        params=params if params is not None else {},
    )


def _decode_client(raw: bytes, crypto: Crypto) -> DecodedTx:
    size, pos = decode_length(raw, 1)
    payload = raw[pos : pos + size]
    if len(payload) != size:
        raise TxDecodeError("truncated payload")
    pos += size
    sig_size, pos = decode_length(raw, pos)
    signature = raw[pos : pos + sig_size]
    if len(signature) != sig_size:
        raise TxDecodeError("truncated signature")
    if pos + sig_size != len(raw):
        raise TxDecodeError("trailing bytes after the signature")
    tx = smart_from_map(_unpack(payload))
    return DecodedTx(tx, payload, crypto.double_hash(payload), signature, raw)


def _decode_sdk(raw: bytes, crypto: Crypto) -> DecodedTx:
    outer = _map(_unpack(raw[1:]), "envelope")
    if outer is None:
        raise TxDecodeError("envelope must be a map")
    payload = _bytes(outer.get("Payload"), "Payload")
    if not payload:
        raise TxDecodeError("envelope has no Payload")
    tx_hash = crypto.double_hash(payload)
    claimed = _bytes(outer.get("Hash"), "Hash")
    if claimed and claimed != tx_hash:
        # The reference trusts this field; we recompute it and refuse a mismatch.
        raise TxDecodeError("tx hash mismatch")
    sig_field = _bytes(outer.get("TxSignature"), "TxSignature")
    sig_size, pos = decode_length(sig_field, 0)
    signature = sig_field[pos : pos + sig_size]
    if len(signature) != sig_size or pos + sig_size != len(sig_field):
        raise TxDecodeError("malformed TxSignature")
    tx = smart_from_map(_unpack(payload))
    if tx.tx_type != raw[0]:
        raise TxDecodeError(f"type byte {raw[0]} does not match a {tx.tx_type.name} payload")
    timestamp = outer.get("Timestamp")
    return DecodedTx(
        tx,
        payload,
        tx_hash,
        signature,
        raw,
        _int(timestamp, "Timestamp") if timestamp is not None else None,
    )


def decode_tx(raw: bytes, crypto: Crypto) -> DecodedTx:
    """Decode either envelope; the hash is always DoubleHash(payload). Raises TxDecodeError."""
    if not raw:
        raise TxDecodeError("empty transaction")
    if raw[0] == CLIENT_ENVELOPE:
        return _decode_client(raw, crypto)
    if raw[0] in (TxType.SMART_CONTRACT, TxType.UTXO, TxType.TRANSFER_SELF):
        return _decode_sdk(raw, crypto)
    raise TxDecodeError(f"unknown transaction type {raw[0]}")


def verify_tx_signature(decoded: DecodedTx, crypto: Crypto) -> None:
    """The signature must be the header key's over the tx hash, and the key must be KeyID's."""
    header = decoded.tx.header
    try:
        if crypto.address(header.public_key) != header.key_id:
            raise TxSignatureError("contract and user public keys are different")
        ok = crypto.verify(header.public_key, decoded.hash, decoded.signature)
    except CryptoError as exc:
        raise TxSignatureError(str(exc)) from exc
    if not ok:
        raise TxSignatureError("Incorrect sign")


def _as_map(tx: SmartTransaction, nested_header: bool) -> dict[str, Any]:
    header = {
        "ID": tx.header.id,
        "EcosystemID": tx.header.ecosystem_id,
        "KeyID": tx.header.key_id,
        "Time": tx.header.time,
        "NetworkID": tx.header.network_id,
        "PublicKey": tx.header.public_key,
    }
    body: dict[str, Any] = {"Header": header} if nested_header else dict(header)
    body.update(
        {
            "MaxSum": tx.max_sum,
            "PayOver": tx.pay_over,
            "Lang": tx.lang,
            "Expedite": tx.expedite,
            "SignedBy": tx.signed_by,
            "Params": tx.params,
        }
    )
    if tx.transfer_self is not None:
        ts = tx.transfer_self
        body["TransferSelf"] = {"Value": ts.value, "Source": ts.source, "Target": ts.target}
    if tx.utxo is not None:
        body["UTXO"] = {"ToID": tx.utxo.to_id, "Value": tx.utxo.value, "Comment": tx.utxo.comment}
    return body


def encode_payload(tx: SmartTransaction, nested_header: bool = False) -> bytes:
    """msgpack of the transaction with Go field names (flat header as Go, nested as Weaver)."""
    packed: bytes = msgpack.packb(_as_map(tx, nested_header), use_bin_type=True)
    return packed


def build_client_tx(
    tx: SmartTransaction,
    private_key: bytes,
    crypto: Crypto,
    der: bool = False,
    nested_header: bool = True,
) -> bytes:
    """A signed transaction in the Weaver envelope."""
    payload = encode_payload(tx, nested_header)
    tx_hash = crypto.double_hash(payload)
    sig = crypto.sign_der(private_key, tx_hash) if der else crypto.sign(private_key, tx_hash)
    return (
        bytes([CLIENT_ENVELOPE])
        + encode_length(len(payload))
        + payload
        + encode_length(len(sig))
        + sig
    )


def build_sdk_tx(
    tx: SmartTransaction, private_key: bytes, crypto: Crypto, timestamp_ms: int
) -> bytes:
    """A signed transaction in the Go-SDK envelope (type byte + msgpack struct)."""
    payload = encode_payload(tx)
    tx_hash = crypto.double_hash(payload)
    sig = crypto.sign(private_key, tx_hash)
    envelope = {
        "TxSmart": _as_map(tx, nested_header=False),
        "Hash": tx_hash,
        "Payload": payload,
        "Timestamp": timestamp_ms,
        "TxSignature": encode_length(len(sig)) + sig,
        "TxSize": 0,
        "TxFuel": 0,
        "Rollback": None,
    }
    packed: bytes = msgpack.packb(envelope, use_bin_type=True)
    return bytes([int(tx.tx_type)]) + packed
