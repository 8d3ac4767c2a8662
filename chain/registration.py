"""How a new account's key gets stored when it first logs in."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from chain.accounts import Registrar
from chain.crypto import Crypto, cut_pub
from chain.storage.repo.keys import get_key, insert_key, insert_member


def direct_registrar(engine: AsyncEngine, crypto: Crypto) -> Registrar:
    """Store the key straight into 1_keys and 1_members (until registration goes on chain)."""

    async def register(ecosystem: int, pub: bytes) -> None:
        pub = cut_pub(pub)
        key_id = crypto.address(pub)
        try:
            async with engine.begin() as conn:
                if await get_key(conn, ecosystem, key_id) is None:
                    await insert_key(conn, ecosystem, key_id, pub=pub)
                    await insert_member(conn, ecosystem, key_id, "")
        except IntegrityError:
            pass  # a concurrent login of the same new key stored it first

    return register
