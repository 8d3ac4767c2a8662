"""The explorer's pages over real HTTP on both backends: what each shows, escaping, search."""

from __future__ import annotations

import base64
import re
from collections.abc import Callable
from typing import Any

from aiohttp.test_utils import TestClient

from chain.address import address_to_string, checksum
from chain.txcodec import decode_tx
from node.app import create_app
from node.config import Config
from tests.helpers import Wallet, call_contract, send_txs, utxo_tx, wait_status

Client = TestClient[Any, Any]


async def page(client: Client, path: str, status: int = 200) -> str:
    resp = await client.get(path, allow_redirects=False)
    text = await resp.text()
    assert resp.status == status, text[:500]
    if status == 200 or status == 404:
        assert resp.content_type == "text/html"
    return text


async def test_pages_show_blocks_txs_and_accounts(client: Client, founder: Wallet) -> None:
    raw = utxo_tx(founder, 5555, 25)
    tx_hash = decode_tx(raw, founder.crypto).hash.hex()
    await send_txs(client, founder, raw)
    status = await wait_status(client, founder, tx_hash)
    block_id = status["blockid"]
    latest = await page(client, "/explorer")
    assert f'data-block="{block_id}"' in latest and 'data-block="1"' in latest
    assert "/explorer/static/explorer.js" in latest
    block = await page(client, f"/explorer/block/{block_id}")
    assert tx_hash in block and "UTXO" in block
    tx = await page(client, f"/explorer/tx/{tx_hash}")
    assert f'href="/explorer/block/{block_id}"' in tx
    assert "ToID" in tx and "5555" in tx and 'class="good"' in tx
    account = await page(client, f"/explorer/account/{address_to_string(founder.key_id)}")
    assert "IBXC" in account and tx_hash in account
    # The founder's supply is in UTXO, shown with the coin's 12 digits.
    assert re.search(r'class="amount">524\d{4}\.\d{12}<', account), account
    for path in ("/explorer/block/999", "/explorer/tx/" + "ab" * 32, "/explorer/account/x"):
        assert "This chain has no" in await page(client, path, 404)


def _rows(html: str, table: str) -> list[str]:
    """The body rows of one table of a page, tags and all."""
    body = html.split(f'<table id="{table}">', 1)[1].split("</table>", 1)[0]
    return re.findall(r"<tr>.*?</tr>", body.split("<tbody>", 1)[1], flags=re.S)


async def test_an_accounts_history_holds_its_utxo_movements(
    client: Client, founder: Wallet, config: Config
) -> None:
    # A native transfer moves no account money (1_history stays empty): the outputs tell it.
    recipient = Wallet(config.crypto).key_id
    raw = utxo_tx(founder, recipient, 25)
    tx_hash = decode_tx(raw, founder.crypto).hash.hex()
    await send_txs(client, founder, raw)
    block_id = (await wait_status(client, founder, tx_hash))["blockid"]

    received = await page(client, f"/explorer/account/{address_to_string(recipient)}")
    [output] = _rows(received, "outputs")
    assert f'href="/explorer/block/{block_id}"' in output
    assert 'class="amount">0.000000000025<' in output
    assert f'href="/explorer/tx/{tx_hash}"' in output and "unspent" in output

    sent = await page(client, f"/explorer/account/{address_to_string(founder.key_id)}")
    *made, genesis = _rows(sent, "outputs")  # newest first: the change (and a fee), then genesis
    assert made
    for output in made:
        assert f'href="/explorer/block/{block_id}"' in output and "unspent" in output
        assert f">{tx_hash}</a>" in output
    assert 'href="/explorer/block/1"' in genesis
    assert genesis.count("/explorer/tx/") == 2 and genesis.endswith(f">{tx_hash}</a></td></tr>")


async def test_a_failed_tx_shows_its_error_and_escaped_params(
    client: Client, founder: Wallet
) -> None:
    status = await call_contract(
        client,
        founder,
        "@1TokensSend",
        {"Recipient": "<script>alert(1)</script>", "Amount": "1"},
    )
    assert status["penalty"] == 1
    [tx_hash] = [h for h in (await _signed(client, founder)) if h]
    tx = await page(client, f"/explorer/tx/{tx_hash}")
    assert "<script>alert" not in tx and "&lt;script&gt;alert(1)&lt;/script&gt;" in tx
    assert 'id="error" class="bad"' in tx and "is invalid" in tx


async def _signed(client: Client, founder: Wallet) -> list[str]:
    account = await page(client, f"/explorer/account/{address_to_string(founder.key_id)}")
    signed = "".join(_rows(account, "signed"))
    return re.findall(r'href="/explorer/tx/([0-9a-f]{64})"', signed)[:1]


async def test_search_finds_blocks_txs_and_addresses(client: Client, founder: Wallet) -> None:
    raw = utxo_tx(founder, 5555, 3)
    tx_hash = decode_tx(raw, founder.crypto).hash.hex()
    await send_txs(client, founder, raw)
    await wait_status(client, founder, tx_hash)
    genesis = await (await client.get("/api/v2/block/1")).json()
    block_hash = base64.b64decode(genesis["hash"]).hex()
    address = address_to_string(founder.key_id)
    for query, where in (
        ("1", "/explorer/block/1"),
        (tx_hash, f"/explorer/tx/{tx_hash}"),
        (tx_hash.upper(), f"/explorer/tx/{tx_hash}"),
        (block_hash, "/explorer/block/1"),
        (address, f"/explorer/account/{address}"),
        (str(founder.key_id), f"/explorer/account/{address}"),
    ):
        resp = await client.get("/explorer/search", params={"q": query}, allow_redirects=False)
        assert (resp.status, resp.headers.get("Location")) == (302, where), query
    for query in ("", "nothing", "ab" * 32):
        assert "This chain has no" in await page(client, f"/explorer/search?q={query}", 404)


async def test_a_short_key_id_is_an_address_unless_the_chain_has_that_block(
    client: Client, founder: Wallet
) -> None:
    # About one key in ten has a key id of 18 digits or fewer: digits alone do not make a block id.
    short = "22821528913222071"
    key_id = int(short + str(checksum(short.rjust(19, "0"))))
    for query, where in (
        (str(key_id), f"/explorer/account/{address_to_string(key_id)}"),
        ("1", "/explorer/block/1"),
        ("123", "/explorer/block/123"),  # no block 123 and no valid address: the block's 404
    ):
        resp = await client.get("/explorer/search", params={"q": query}, allow_redirects=False)
        assert (resp.status, resp.headers.get("Location")) == (302, where), query


async def test_the_explorer_can_be_turned_off(
    aiohttp_client: Callable[..., Any], make_config: Callable[..., Config]
) -> None:
    client = await aiohttp_client(create_app(make_config(explorer=False)))
    resp = await client.get("/explorer")
    assert resp.status == 404 and (await resp.json())["error"] == "E_NOTFOUND"
