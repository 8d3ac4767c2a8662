"""A node database with something for every page function to read, made the chain's way.

Tables, parameters, language resources and snippets come through the system contracts in
blocks; one stored file is written into 1_binaries directly (UploadBinary needs a bytes
parameter the test client does not sign).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from aiohttp.test_utils import TestClient
from sqlalchemy import insert

from api.appkeys import ENGINE
from chain.address import address_to_string
from chain.storage.schema import binaries
from node.config import Config
from tests.api.test_data_tables import call_in, make_eco2
from tests.helpers import Wallet

Client = TestClient[Any, Any]

NOTES_COLUMNS = json.dumps([{"name": "body", "type": "text", "conditions": "true"}])
OPEN = json.dumps({"insert": "true", "update": "true", "new_column": "true"})
ADD_NOTE = """contract AddNote {
    data {
        Body string
    }
    action {
        $result = DBInsert("notes", {body: $Body})
    }
}"""
SHORT_NOTE = "short"
LONG_NOTE = "A note longer than thirty-two characters, cut by Cutoff."
LOGO = bytes(range(256))
RESOURCES = {
    "hello": {"en": "Hello", "ru": "Privet", "de": "Hallo"},
    "yes": {"en": "Yes"},
    "timeformat": {"en": "DD.MM.YYYY HH:MI"},
}
SNIPPETS = {"greeting": "Span(Hi #key_id#)", "loop": "Include(loop)X"}


@dataclass
class ChainData:
    """What was made, for tests that refer to it."""

    founder: Wallet
    pet_ids: dict[str, int]
    logo_hash: str


async def make_chain_data(client: Client, config: Config, founder: Wallet) -> ChainData:
    """Ecosystem 1 with pets and notes tables, parameters, resources, snippets and a file."""
    eco = await make_eco2(client, config, founder, ecosystem=1)

    async def call(name: str, params: dict[str, Any]) -> None:
        await call_in(client, founder, name, params)

    notes = {"ApplicationId": 1, "Name": "notes", "Columns": NOTES_COLUMNS, "Permissions": OPEN}
    await call("@1NewTable", notes)
    await call("@1NewContract", {"ApplicationId": 1, "Value": ADD_NOTE, "Conditions": "true"})
    for body in (SHORT_NOTE, LONG_NOTE):
        await call("AddNote", {"Body": body})
    colors = {"Name": "colors", "Value": "red,green,blue", "Conditions": "true"}
    await call("@1NewParameter", colors)
    await call(
        "@1NewAppParam",
        {"ApplicationId": 1, "Name": "sizes", "Value": "S,M,L", "Conditions": "true"},
    )
    for name, texts in RESOURCES.items():
        await call("@1NewLang", {"ApplicationId": 1, "Name": name, "Trans": json.dumps(texts)})
    for name, value in SNIPPETS.items():
        await call(
            "@1NewSnippet",
            {"ApplicationId": 1, "Name": name, "Value": value, "Conditions": "true"},
        )
    logo_hash = hashlib.sha256(LOGO).hexdigest()
    async with client.app[ENGINE].begin() as conn:
        await conn.execute(
            insert(binaries).values(
                id=1,
                app_id=1,
                name="logo",
                data=LOGO,
                hash=logo_hash,
                mime_type="image/png",
                ecosystem=1,
                account=address_to_string(founder.key_id),
            )
        )
    return ChainData(founder, eco.ids, logo_hash)
