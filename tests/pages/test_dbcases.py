"""Logicor functions that read the chain, on a real node database of both backends.

Every dbcases/*.tpl is rendered by POST content for the founder (logged in to ecosystem 1)
on a database made by chaindata.make_chain_data, and must give dbcases/*.out exactly, once
the values that differ from run to run (the founder's key, the guest's) are replaced by
<names>.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from aiohttp.test_utils import TestClient

from chain.address import address_to_string
from chain.storage.repo.ecosystem import guest_account_id
from node.config import Config
from tests.helpers import Wallet
from tests.pages.chaindata import make_chain_data

CASES = sorted((Path(__file__).parent / "dbcases").glob("*.tpl"))


def _normalized(text: str, replacements: dict[str, str]) -> str:
    # Longest first: an account is never cut into a key id's digits.
    for value, name in sorted(replacements.items(), key=lambda kv: -len(kv[0])):
        text = text.replace(value, name)
    return text


async def test_db_cases(
    client: TestClient[Any, Any], config: Config, founder: Wallet, backend: str
) -> None:
    await make_chain_data(client, config, founder)
    guest = guest_account_id(config.crypto)
    replacements = {
        str(founder.key_id): "<key_id>",
        address_to_string(founder.key_id): "<account>",
        str(guest): "<guest_key>",
        address_to_string(guest): "<guest_account>",
        founder.public.hex(): "<pub>",
    }
    failures = []
    for case in CASES:
        form = {"template": case.read_text(encoding="utf-8"), "pub": founder.public.hex()}
        resp = await client.post(
            "/api/v2/content", data=form, headers={**founder.auth, "Accept-Language": "en"}
        )
        body = await resp.text()
        actual = _normalized(f"{resp.status} {body}", replacements) + "\n"
        expected = case.with_suffix(".out")
        if os.environ.get("PAGES_BLESS") == "1" and backend == "sqlite":
            expected.write_text(actual, encoding="utf-8")
        wanted = expected.read_text(encoding="utf-8")
        if actual != wanted:
            failures.append(f"{case.stem} ({backend}):\n  got  {actual}  want {wanted}")
    assert not failures, "\n".join(failures)
