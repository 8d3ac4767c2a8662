"""How a new account's key gets stored when it first logs in: a node-signed @1NewUser tx."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

from sqlalchemy.ext.asyncio import AsyncEngine

from chain.accounts import Registrar
from chain.contract_registry import NEW_USER_ID
from chain.errors import RegistrationFailed, RegistrationPending
from chain.identity import NodeIdentity
from chain.storage.repo.txs import StatusRow
from chain.txcodec import DecodedTx
from chain.txpool import node_signed_tx, submit

# Waits until a tx hash is in a block or rejected; None when it is not yet.
WaitProcessed = Callable[[bytes, float], Awaitable[StatusRow | None]]
Notify = Callable[[Sequence[DecodedTx]], None]


def chain_registrar(
    engine: AsyncEngine,
    node: NodeIdentity,
    notify: Notify,
    wait_processed: WaitProcessed,
    timeout: float = 10.0,
) -> Registrar:
    """Register a key through a block and return once the block holding it is committed."""

    async def register(ecosystem: int, pub: bytes) -> None:
        tx = await node_signed_tx(
            node, NEW_USER_ID, {"NewPubkey": pub.hex(), "Ecosystem": ecosystem}
        )
        await submit(engine, [tx], high_rate=True)
        notify([tx.decoded])
        status = await wait_processed(tx.hash, timeout)
        if status is None:
            raise RegistrationPending()
        if status.penalty or status.error:
            # "already exists" means a concurrent login registered it first: that is success.
            if "already exists" not in status.error:
                raise RegistrationFailed(status.error)

    return register
