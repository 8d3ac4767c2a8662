"""Login checks in the reference's order, and registration of a new account's key."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncEngine

from chain.address import address_to_id, address_to_string
from chain.blockstate import BlockState
from chain.errors import (
    BadSignature,
    EcosystemNotOpen,
    EmptyPublicKey,
    KeyDeleted,
    NotMember,
    RoleDenied,
)
from chain.identity import NodeIdentity
from chain.storage.repo.keys import get_key, list_member_roles
from chain.storage.repo.params import get_parameter
from chain.storage.schema import keys
from chain.txcodec import DecodedTx, TxType

# The parameter naming the account a contract pays: @1TokensSend's (and the Basic app's).
RECIPIENT_PARAM = "Recipient"
# The unique columns of 1_keys besides its key: an account's address in its ecosystem.
ACCOUNT_UNIQUE = ("ecosystem", "account")

# Registers `pub` in `ecosystem` and returns once the account is stored (or raises).
Registrar = Callable[[int, bytes], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class LoginRequest:
    """What a login form carries, already parsed."""

    ecosystem: int
    wallet: int
    pubkey: bytes  # empty when the caller gave key_id instead
    signature: bytes
    uid: str
    role_id: int


@dataclass(frozen=True, slots=True)
class LoginOutcome:
    """The facts a login response is built from."""

    key_id: int
    ecosystem: int
    role_id: int
    is_owner: bool
    is_node: bool
    roles: list[tuple[int, str]]


def login_message(network_id: int, uid: str) -> bytes:
    """The string a client signs to log in."""
    return f"LOGIN{network_id}{uid}".encode()


async def authenticate(
    engine: AsyncEngine, node: NodeIdentity, req: LoginRequest, register: Registrar
) -> LoginOutcome:
    """Run every login check of the reference, in its order; raise the first that fails.

    One change of order: a new key's signature is checked before it is registered.
    """
    message = login_message(node.network_id, req.uid)
    async with engine.connect() as conn:
        row = await get_key(conn, req.ecosystem, req.wallet)
        free = await get_parameter(conn, req.ecosystem, "free_membership")
    public_key = row.pub if row is not None else b""
    if not public_key:
        if not (free == "1" or req.ecosystem == 1):
            raise EcosystemNotOpen(req.ecosystem)
    elif row is not None and row.deleted:
        raise KeyDeleted()
    if not public_key:
        if not req.pubkey:
            raise EmptyPublicKey()
        # Registering writes a block: only a key that has just proved it holds the private
        # key may cause one (the reference registers first and checks the signature last).
        if node.crypto.address(req.pubkey) != req.wallet:
            # The key would be stored under another account; the reference then fails below.
            raise NotMember(req.wallet, req.ecosystem) if req.ecosystem > 1 else EmptyPublicKey()
        if not node.crypto.verify(req.pubkey, message, req.signature):
            raise BadSignature()
        await register(req.ecosystem, req.pubkey)
        async with engine.connect() as conn:
            row = await get_key(conn, req.ecosystem, req.wallet)
        public_key = row.pub if row is not None else b""
    if not public_key:
        if req.ecosystem > 1:
            raise NotMember(req.wallet, req.ecosystem)
        raise EmptyPublicKey()
    async with engine.connect() as conn:
        roles = await list_member_roles(conn, req.ecosystem, req.wallet)
        founder = await get_parameter(conn, req.ecosystem, "founder_account")
    if req.role_id and req.role_id not in {role_id for role_id, _ in roles}:
        raise RoleDenied()
    if not node.crypto.verify(public_key, message, req.signature):
        raise BadSignature()
    return LoginOutcome(
        key_id=req.wallet,
        ecosystem=req.ecosystem,
        role_id=req.role_id,
        is_owner=founder == str(req.wallet),
        is_node=node.node_key_id == req.wallet,
        roles=roles,
    )


async def preload_accounts(state: BlockState, txs: Iterable[DecodedTx]) -> None:
    """Read the account rows a block's contract calls name (sender, Recipient) in one go.

    A transfer to a new account otherwise costs two queries in its tx: its row (absent) and
    whether its address is taken; the block learns both for all its txs at once.
    """
    wanted: list[tuple[int, int]] = []
    for tx in txs:
        if tx.tx.tx_type != TxType.SMART_CONTRACT:
            continue
        ecosystem = tx.tx.header.ecosystem_id or 1
        wanted.append((ecosystem, tx.tx.header.key_id))
        recipient = tx.tx.params.get(RECIPIENT_PARAM)
        if isinstance(recipient, str) and (key_id := address_to_id(recipient)):
            wanted.append((ecosystem, key_id))
    if not wanted:
        return
    addresses = [(eco, address_to_string(key_id)) for eco, key_id in wanted]
    await state.preload(keys, wanted, {ACCOUNT_UNIQUE: addresses})
