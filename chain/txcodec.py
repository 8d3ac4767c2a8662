"""Transaction wire formats: the client 0x80 envelope and the Go-SDK type-byte envelope."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any, Final

import msgpack

from chain.crypto import Crypto
from chain.errors import ChainError, CryptoError
from chain.golang.ints import INT64_MIN, UINT64_MAX, in_uint64, wrap_int64

CLIENT_ENVELOPE: Final = 0x80
# Bounds for untrusted msgpack, enforced by a scan of the raw bytes before anything is built:
# msgpack would otherwise trust declared lengths and recurse as deep as the input asks.
MAX_DEPTH: Final = 32
MAX_ELEMENTS: Final = 10_000

_HEADER_KEYS: Final = ("ID", "EcosystemID", "KeyID", "Time", "NetworkID", "PublicKey")

# msgpack type bytes whose body has a fixed size (nil/bool have none).
_FIXED_BODY: Final = {
    0xC0: 0,
    0xC2: 0,
    0xC3: 0,
    0xCA: 4,
    0xCB: 8,
    0xCC: 1,
    0xCD: 2,
    0xCE: 4,
    0xCF: 8,
    0xD0: 1,
    0xD1: 2,
    0xD2: 4,
    0xD3: 8,
}
# str/bin type bytes followed by a big-endian byte count of this width.
_SIZED_BODY: Final = {0xC4: 1, 0xC5: 2, 0xC6: 4, 0xD9: 1, 0xDA: 2, 0xDB: 4}
_ARRAY_WIDTH: Final = {0xDC: 2, 0xDD: 4}
_MAP_WIDTH: Final = {0xDE: 2, 0xDF: 4}


class TxType(IntEnum):
    """Transaction types of the reference node."""

    FIRST_BLOCK = 1
    STOP_NETWORK = 2
    SMART_CONTRACT = 3
    DELAY = 4
    UTXO = 5
    TRANSFER_SELF = 6


_SDK_TYPES: Final = frozenset({TxType.SMART_CONTRACT, TxType.UTXO, TxType.TRANSFER_SELF})


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
    """Type 5 body: pay ``value`` smallest units to ``to_id``."""

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

    def __post_init__(self) -> None:
        # The reference silently prefers TransferSelf when both are set; a tx that says two
        # things at once is refused here so its type is never ambiguous.
        if self.utxo is not None and self.transfer_self is not None:
            raise ValueError("a transaction is either UTXO or TransferSelf, not both")

    @property
    def tx_type(self) -> TxType:
        """5 for a UTXO payment, 6 for a TransferSelf, else 3 (contract call)."""
        if self.utxo is not None:
            return TxType.UTXO
        if self.transfer_self is not None:
            return TxType.TRANSFER_SELF
        return TxType.SMART_CONTRACT


@dataclass(frozen=True, slots=True)
class DecodedTx:
    """A decoded transaction with the hash recomputed from its payload."""

    tx: SmartTransaction
    payload: bytes
    hash: bytes
    signature: bytes
    raw: bytes
    timestamp_ms: int | None = None

    @property
    def size(self) -> int:
        """Bytes of the envelope as received."""
        return len(self.raw)


def encode_length(n: int) -> bytes:
    """Go's EncodeLength: one byte up to 127, else 0x80|k followed by k big-endian bytes."""
    if not in_uint64(n):
        raise ValueError(f"length {n} is out of range")
    if n <= 127:
        return bytes([n])
    body = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(body)]) + body


def decode_length(buf: bytes, pos: int) -> tuple[int, int]:
    """Inverse of encode_length at ``pos``; returns (value, position after the prefix)."""
    if pos < 0 or pos >= len(buf):
        raise TxDecodeError("truncated length prefix")
    first = buf[pos]
    if first < 0x80:
        return first, pos + 1
    width = first & 0x7F
    if not 1 <= width <= 8:
        raise TxDecodeError(f"bad length prefix width {width}")
    end = pos + 1 + width
    if end > len(buf):
        raise TxDecodeError("truncated length prefix")
    value = int.from_bytes(buf[pos + 1 : end], "big")
    # Only the shortest form is accepted: the envelope bytes are kept and relayed, and a
    # second spelling of the same transaction would be a different raw blob with one hash.
    if value <= 127 or buf[pos + 1] == 0:
        raise TxDecodeError("non-canonical length prefix")
    return value, end


def _scan(data: bytes) -> None:
    """Walk the msgpack headers of ``data`` without building anything.

    Refuses depth over MAX_DEPTH, more than MAX_ELEMENTS objects, declared sizes the data
    cannot hold, extension types and trailing bytes, so unpacking afterwards is cheap.
    """
    end = len(data)
    pos = 0
    pending = [1]  # objects still expected at each open level; the root expects one
    elements = 0
    while pending:
        if pending[-1] == 0:
            pending.pop()
            continue
        pending[-1] -= 1
        if pos >= end:
            raise TxDecodeError("truncated msgpack")
        elements += 1
        if elements > MAX_ELEMENTS:
            raise TxDecodeError(f"msgpack has more than {MAX_ELEMENTS} elements")
        code = data[pos]
        pos += 1
        body = 0
        children = -1
        if code <= 0x7F or code >= 0xE0:
            pass
        elif code <= 0x8F:
            children = 2 * (code & 0x0F)
        elif code <= 0x9F:
            children = code & 0x0F
        elif code <= 0xBF:
            body = code & 0x1F
        elif code in _FIXED_BODY:
            body = _FIXED_BODY[code]
        elif code in _SIZED_BODY or code in _ARRAY_WIDTH or code in _MAP_WIDTH:
            width = _SIZED_BODY.get(code) or _ARRAY_WIDTH.get(code) or _MAP_WIDTH[code]
            if pos + width > end:
                raise TxDecodeError("truncated msgpack")
            count = int.from_bytes(data[pos : pos + width], "big")
            pos += width
            if code in _SIZED_BODY:
                body = count
            else:
                children = 2 * count if code in _MAP_WIDTH else count
        elif code == 0xC1:
            raise TxDecodeError("invalid msgpack type byte 0xc1")
        else:
            # Extension types have no meaning in a transaction and would reach contract
            # code as opaque objects.
            raise TxDecodeError("msgpack extension types are not accepted")
        if body > end - pos:
            raise TxDecodeError("msgpack declares more bytes than it has")
        pos += body
        if children >= 0:
            if len(pending) > MAX_DEPTH:
                raise TxDecodeError(f"msgpack nested deeper than {MAX_DEPTH} levels")
            # Every child takes at least one byte, so a count beyond the rest is a lie.
            if children > end - pos:
                raise TxDecodeError("msgpack declares more elements than it has")
            if children:
                pending.append(children)
    if pos != end:
        raise TxDecodeError("trailing bytes after msgpack")


def _pairs_to_dict(pairs: list[tuple[Any, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if isinstance(key, bytes):
            # Go decodes a bin key into a string field or map key; so do we.
            try:
                key = key.decode()
            except UnicodeDecodeError as exc:
                raise TxDecodeError("map key is not UTF-8") from exc
        if not isinstance(key, str):
            raise TxDecodeError(f"map keys must be strings, not {type(key).__name__}")
        if key in result:
            # Decoders disagree on which duplicate wins; refuse rather than pick one.
            raise TxDecodeError(f"duplicate map key {key!r}")
        result[key] = value
    return result


def _unpack(data: bytes) -> Any:
    _scan(data)
    try:
        return msgpack.unpackb(
            data,
            raw=False,
            strict_map_key=False,
            use_list=True,
            object_pairs_hook=_pairs_to_dict,
        )
    except TxDecodeError:
        raise
    except Exception as exc:  # msgpack raises many unrelated types on bad input
        raise TxDecodeError(f"malformed msgpack: {type(exc).__name__}") from exc


def _int(value: Any, name: str) -> int:
    if value is None:
        return 0
    if isinstance(value, bool) or not isinstance(value, int):
        raise TxDecodeError(f"{name} must be an integer, not {type(value).__name__}")
    if not INT64_MIN <= value <= UINT64_MAX:
        raise TxDecodeError(f"{name} is out of range")
    # Go reads a uint64 into an int64 field by reinterpreting the bits; key ids sent as
    # unsigned by some encoders must land on the same signed id.
    return wrap_int64(value)


def _str(value: Any, name: str) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bytes):
        try:
            return value.decode()
        except UnicodeDecodeError as exc:
            raise TxDecodeError(f"{name} is not UTF-8") from exc
    raise TxDecodeError(f"{name} must be a string, not {type(value).__name__}")


def _public_key(value: Any) -> bytes:
    if value is None:
        return b""
    if isinstance(value, bytes):
        return value
    if isinstance(value, str):
        try:
            return bytes.fromhex(value)
        except ValueError as exc:
            raise TxDecodeError("PublicKey string is not hex") from exc
    raise TxDecodeError(f"PublicKey must be bytes, not {type(value).__name__}")


def _bin(value: Any, name: str) -> bytes | None:
    if value is None:
        return None
    if not isinstance(value, bytes):
        raise TxDecodeError(f"{name} must be bytes, not {type(value).__name__}")
    return value


def _map(value: Any, name: str) -> dict[str, Any] | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise TxDecodeError(f"{name} must be a map, not {type(value).__name__}")
    return value


def _smart_from_map(data: Any) -> SmartTransaction:
    top = _map(data, "transaction")
    if top is None:
        raise TxDecodeError("transaction must be a map, not nil")
    nested = _map(top.get("Header"), "Header")
    if nested is not None and any(key in top for key in _HEADER_KEYS):
        # Go would merge the two in key order; a client never sends both.
        raise TxDecodeError("header fields given both nested and flat")
    head = nested if nested is not None else top
    header = Header(
        id=_int(head.get("ID"), "ID"),
        ecosystem_id=_int(head.get("EcosystemID"), "EcosystemID"),
        key_id=_int(head.get("KeyID"), "KeyID"),
        time=_int(head.get("Time"), "Time"),
        network_id=_int(head.get("NetworkID"), "NetworkID"),
        public_key=_public_key(head.get("PublicKey")),
    )
    utxo_map = _map(top.get("UTXO"), "UTXO")
    self_map = _map(top.get("TransferSelf"), "TransferSelf")
    if utxo_map is not None and self_map is not None:
        raise TxDecodeError("a transaction is either UTXO or TransferSelf, not both")
    utxo = None
    if utxo_map is not None:
        utxo = Utxo(
            to_id=_int(utxo_map.get("ToID"), "UTXO.ToID"),
            value=_str(utxo_map.get("Value"), "UTXO.Value"),
            comment=_str(utxo_map.get("Comment"), "UTXO.Comment"),
        )
    transfer_self = None
    if self_map is not None:
        transfer_self = TransferSelf(
            value=_str(self_map.get("Value"), "TransferSelf.Value"),
            source=_str(self_map.get("Source"), "TransferSelf.Source"),
            target=_str(self_map.get("Target"), "TransferSelf.Target"),
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
    if size > len(raw) - pos:
        raise TxDecodeError("truncated payload")
    payload = raw[pos : pos + size]
    pos += size
    sig_size, pos = decode_length(raw, pos)
    if sig_size > len(raw) - pos:
        raise TxDecodeError("truncated signature")
    if sig_size < len(raw) - pos:
        raise TxDecodeError("trailing bytes after the signature")
    tx = _smart_from_map(_unpack(payload))
    return DecodedTx(tx, payload, crypto.double_hash(payload), raw[pos:], raw)


def _decode_sdk(raw: bytes, crypto: Crypto) -> DecodedTx:
    outer = _map(_unpack(raw[1:]), "envelope")
    if outer is None:
        raise TxDecodeError("envelope must be a map, not nil")
    payload = _bin(outer.get("Payload"), "Payload")
    if not payload:
        # TxSmart alone is not enough: it is not what was hashed and signed.
        raise TxDecodeError("envelope has no Payload")
    tx_hash = crypto.double_hash(payload)
    claimed = _bin(outer.get("Hash"), "Hash")
    if claimed is not None and claimed != tx_hash:
        # The reference trusts this field; it is recomputed here and must agree.
        raise TxDecodeError("tx hash mismatch")
    sig_field = _bin(outer.get("TxSignature"), "TxSignature")
    if sig_field is None:
        raise TxDecodeError("envelope has no TxSignature")
    sig_size, pos = decode_length(sig_field, 0)
    if sig_size != len(sig_field) - pos:
        raise TxDecodeError("TxSignature length prefix does not match its bytes")
    tx = _smart_from_map(_unpack(payload))
    if tx.tx_type != raw[0]:
        raise TxDecodeError(f"type byte {raw[0]} does not match a type {int(tx.tx_type)} payload")
    stamp = outer.get("Timestamp")
    timestamp_ms = None if stamp is None else _int(stamp, "Timestamp")
    return DecodedTx(tx, payload, tx_hash, sig_field[pos:], raw, timestamp_ms)


def decode_tx(raw: bytes, crypto: Crypto) -> DecodedTx:
    """Decode either envelope; the hash is always DoubleHash(payload). Raises TxDecodeError.

    Neither the signature nor network id, time or contract are checked here.
    """
    if not raw:
        raise TxDecodeError("empty transaction")
    if raw[0] == CLIENT_ENVELOPE:
        return _decode_client(raw, crypto)
    if raw[0] in _SDK_TYPES:
        return _decode_sdk(raw, crypto)
    raise TxDecodeError(f"unsupported tx type {raw[0]}")


def verify_tx_signature(decoded: DecodedTx, crypto: Crypto) -> None:
    """The signature must be the header key's over the tx hash, and that key must be KeyID's."""
    header = decoded.tx.header
    try:
        ok = crypto.verify(header.public_key, decoded.hash, decoded.signature)
    except CryptoError as exc:
        raise TxSignatureError(str(exc)) from exc
    if not ok:
        raise TxSignatureError("Incorrect sign")
    # After the signature, as the reference orders its checks (this one runs at execution).
    if crypto.address(header.public_key) != header.key_id:
        raise TxSignatureError("contract and user public keys are different")


def _header_map(header: Header) -> dict[str, Any]:
    return {
        "ID": header.id,
        "EcosystemID": header.ecosystem_id,
        "KeyID": header.key_id,
        "Time": header.time,
        "NetworkID": header.network_id,
        "PublicKey": header.public_key,
    }


def _as_map(tx: SmartTransaction, nested_header: bool) -> dict[str, Any]:
    header = _header_map(tx.header)
    body: dict[str, Any] = {"Header": header} if nested_header else dict(header)
    body.update(
        {
            "MaxSum": tx.max_sum,
            "PayOver": tx.pay_over,
            "Lang": tx.lang,
            "Expedite": tx.expedite,
            "SignedBy": tx.signed_by,
        }
    )
    if tx.transfer_self is not None:
        ts = tx.transfer_self
        body["TransferSelf"] = {"Value": ts.value, "Source": ts.source, "Target": ts.target}
    if tx.utxo is not None:
        body["UTXO"] = {"ToID": tx.utxo.to_id, "Value": tx.utxo.value, "Comment": tx.utxo.comment}
    body["Params"] = tx.params
    return body


def _pack(value: Any) -> bytes:
    packed: bytes = msgpack.packb(value, use_bin_type=True)
    return packed


def encode_payload(tx: SmartTransaction, nested_header: bool = False) -> bytes:
    """msgpack of the transaction with Go field names: flat header as Go, nested as Weaver."""
    return _pack(_as_map(tx, nested_header))


def build_client_tx(
    tx: SmartTransaction,
    private_key: bytes,
    crypto: Crypto,
    der: bool = False,
    nested_header: bool = True,
) -> bytes:
    """A signed transaction in the client (0x80) envelope, signature raw r||s or DER."""
    payload = encode_payload(tx, nested_header)
    tx_hash = crypto.double_hash(payload)
    sig = crypto.sign_der(private_key, tx_hash) if der else crypto.sign(private_key, tx_hash)
    return b"".join(
        (
            bytes([CLIENT_ENVELOPE]),
            encode_length(len(payload)),
            payload,
            encode_length(len(sig)),
            sig,
        )
    )


def build_sdk_tx(
    tx: SmartTransaction, private_key: bytes, crypto: Crypto, timestamp_ms: int
) -> bytes:
    """A signed transaction in the Go-SDK envelope: type byte + msgpack of the parser struct."""
    payload = encode_payload(tx)
    tx_hash = crypto.double_hash(payload)
    sig = crypto.sign(private_key, tx_hash)
    # Go marshals the whole parser struct; the fields a node reads are filled, a few of the
    # others are present as nil/zero the way Go leaves them before execution.
    envelope: dict[str, Any] = {
        "CLB": False,
        "Rollback": False,
        "FullAccess": False,
        "SysUpdate": False,
        "VM": None,
        "TxSmart": _as_map(tx, nested_header=False),
        "TxData": None,
        "TxContract": None,
        "TxFuel": 0,
        "TxCost": 0,
        "BlockHeader": None,
        "PreBlockHeader": None,
        "Loop": None,
        "Hash": tx_hash,
        "Payload": payload,
        "Timestamp": timestamp_ms,
        "TxSignature": encode_length(len(sig)) + sig,
        "TxSize": 0,
        "PublicKeys": None,
    }
    return bytes([int(tx.tx_type)]) + _pack(envelope)
