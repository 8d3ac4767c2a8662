"""Installing ecosystems with their system contracts (genesis and @1NewEcosystem)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncConnection

from chain.storage.repo.contracts import ContractSeed, insert_contracts
from chain.storage.repo.ecosystem import get_application_id, insert_new_ecosystem
from chain.storage.repo.keys import get_first_pub
from contracts.system import SYSTEM_CONTRACTS, source


def platform_contracts() -> list[ContractSeed]:
    """Every system contract, in table-id order: ecosystem 1 gets them at genesis."""
    ordered = sorted(SYSTEM_CONTRACTS, key=lambda c: c.table_id)
    return [ContractSeed(c.name, source(c.name), c.conditions, c.app_id) for c in ordered]


def ecosystem_contracts(app_id: int) -> list[ContractSeed]:
    """The contracts every new ecosystem gets (DeveloperCondition, MainCondition)."""
    ordered = sorted((c for c in SYSTEM_CONTRACTS if c.per_ecosystem), key=lambda c: c.table_id)
    return [ContractSeed(c.name, source(c.name), c.conditions, app_id) for c in ordered]


async def install_ecosystem(
    conn: AsyncConnection, *, wallet: int, name: str, guest_key_id: int
) -> int:
    """A new ecosystem founded by `wallet`: default rows, contracts, the founder's key."""
    ecosystem = await insert_new_ecosystem(
        conn,
        name=name,
        founder_key_id=wallet,
        founder_pub=await get_first_pub(conn, wallet),
        guest_key_id=guest_key_id,
    )
    # Its contracts belong to its own "System" application, as the reference's {{.AppID}}.
    app_id = await get_application_id(conn, ecosystem, "System")
    await insert_contracts(conn, ecosystem, ecosystem_contracts(app_id))
    return ecosystem
