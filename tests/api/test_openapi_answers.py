"""Real answers checked against the OpenAPI document with schemathesis, on both backends.

Each call is a schemathesis Case of the document's operation, sent to the running node over
HTTP; its answer must have a documented status and content type, match the schema, and not be
a server error. The hardening work can point schemathesis' generated cases at the same node.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

import pytest
import schemathesis
from aiohttp.test_utils import TestClient
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.core import NOT_SET
from schemathesis.core.failures import FailureGroup

from api.bank.http import CCASH_PREFIXES as BANK_PATHS
from api.bank.keys import BANK_STOP
from api.openapi.document import served_routes
from chain.address import address_to_string
from node.app import create_app
from node.config import Config
from tests.helpers import Wallet, utxo_tx

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
FORM = "application/x-www-form-urlencoded"


class Checker:
    """Sends schemathesis cases of one document to one running node and checks the answers."""

    def __init__(self, document: dict[str, Any], base_url: str) -> None:
        self.schema = schemathesis.openapi.from_dict(document)
        self.base_url = base_url
        self.checked: set[tuple[str, str]] = set()

    async def call(
        self,
        method: str,
        path: str,
        status: int = 200,
        *,
        params: dict[str, Any] | None = None,
        query: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        body: Any = NOT_SET,
        media_type: str | None = None,
    ) -> Any:
        case = self.schema[path][method].Case(
            path_parameters=params or {},
            query=query,
            headers=headers,
            body=body,
            media_type=media_type,
        )
        # requests is synchronous; the node runs on this event loop, so call from a thread.
        response = await asyncio.to_thread(case.call, base_url=self.base_url, allow_redirects=False)
        assert response.status_code == status, f"{method} {path}: {response.text[:300]}"
        # A documented 5xx (node/{name} is always 501) is the answer asked for, not a fault.
        checks = CHECKS if status < 500 else CHECKS[1:]
        case.validate_response(response, checks=checks)
        self.checked.add((method, path))
        return response


async def _checker(client: TestClient[Any, Any]) -> Checker:
    resp = await client.get("/api/v2/openapi.json")
    return Checker(await resp.json(), str(client.make_url("")).rstrip("/"))


async def _login(checker: Checker, wallet: Wallet) -> dict[str, str]:
    uid = (await checker.call("GET", "/api/v2/getuid")).json()
    message = f"LOGIN{uid['network_id']}{uid['uid']}".encode()
    body = {
        "pubkey": wallet.public.hex(),
        "signature": wallet.crypto.sign(wallet.private, message).hex(),
    }
    answer = await checker.call(
        "POST",
        "/api/v2/login",
        headers={"Authorization": f"Bearer {uid['token']}"},
        body=body,
        media_type=FORM,
    )
    return {"Authorization": f"Bearer {answer.json()['token']}"}


async def test_ibax_answers_match_the_document(
    aiohttp_client: Callable[..., Any], config: Config
) -> None:
    client: TestClient[Any, Any] = await aiohttp_client(create_app(config))
    check = await _checker(client)
    founder = Wallet(
        config.crypto, private=bytes.fromhex((config.data_dir / "PrivateKey").read_text())
    )
    auth = await _login(check, founder)
    address = address_to_string(founder.key_id)
    v2 = "/api/v2"

    await check.call("GET", f"{v2}/version")
    await check.call("GET", f"{v2}/network")
    await check.call("GET", f"{v2}/getuid", headers=auth)
    await check.call("GET", f"{v2}/auth/status")
    await check.call("GET", f"{v2}/auth/status", headers=auth)

    # A transaction, then everything that reads blocks and transactions.
    raw = utxo_tx(founder, Wallet(config.crypto).key_id, 5)
    sent = await check.call(
        "POST",
        f"{v2}/sendTx",
        headers=auth,
        body={"tx0": raw.hex()},
        media_type="multipart/form-data",
    )
    tx_hash = next(h for h in sent.json()["hashes"] if len(h) == 64)
    data = {"data": json.dumps({"hashes": [tx_hash]})}
    for _ in range(200):
        status = await check.call(
            "POST", f"{v2}/txstatus", headers=auth, body=data, media_type=FORM
        )
        if status.json()["results"][tx_hash]["blockid"]:
            break
        await asyncio.sleep(0.05)
    else:
        raise AssertionError("the transaction never reached a block")
    await check.call("POST", f"{v2}/txstatus", 401, body=data, media_type=FORM)
    await check.call(
        "POST",
        f"{v2}/sendTx",
        400,
        headers=auth,
        body={"tx0": b"junk".hex()},
        media_type="multipart/form-data",
    )
    await check.call("GET", f"{v2}/maxblockid")
    await check.call("GET", f"{v2}/block/{{id}}", params={"id": "1"})
    await check.call("GET", f"{v2}/block/{{id}}", 404, params={"id": "999"})
    await check.call("GET", f"{v2}/blocks", query={"block_id": "1", "count": "5"})
    await check.call("GET", f"{v2}/detailed_blocks", query={"block_id": "1", "count": "5"})
    await check.call("GET", f"{v2}/blocks", 400, query={"block_id": "-1"})
    await check.call(
        "GET", f"{v2}/txinfo/{{hash}}", params={"hash": tx_hash}, query={"contractinfo": "1"}
    )
    await check.call("GET", f"{v2}/txinfo/{{hash}}", params={"hash": "00" * 32})
    await check.call("GET", f"{v2}/txinfomultiple", query={"data": tx_hash, "contractinfo": "1"})
    await check.call("GET", f"{v2}/tx_record/{{hashes}}", params={"hashes": tx_hash})

    await check.call("GET", f"{v2}/balance/{{wallet}}", params={"wallet": address})
    await check.call("GET", f"{v2}/balance/{{wallet}}", 400, params={"wallet": "nope"})
    await check.call("GET", f"{v2}/keyinfo/{{wallet}}", params={"wallet": address})
    await check.call("GET", f"{v2}/ecosystemname", query={"id": "1"})
    await check.call("GET", f"{v2}/ecosystemname", 404, query={"id": "99"})
    await check.call("GET", f"{v2}/ecosystems")
    for name in ("keys", "blocks", "transactions", "ecosystems", "honornodes", "mem", "ban"):
        await check.call("GET", f"{v2}/metrics/{name}")
    await check.call(
        "GET", f"{v2}/metrics/blockper/{{node}}/{{mode}}", params={"node": "0", "mode": "1"}
    )
    await check.call("GET", f"{v2}/config/{{option}}", params={"option": "centrifugo"})
    await check.call("GET", f"{v2}/config/{{option}}", 404, params={"option": "other"})

    await check.call(
        "GET", f"{v2}/contract/{{name}}", headers=auth, params={"name": "@1TokensSend"}
    )
    await check.call("GET", f"{v2}/contract/{{name}}", 404, headers=auth, params={"name": "Nope"})
    await check.call("GET", f"{v2}/contracts", headers=auth, query={"limit": "3"})
    await check.call("POST", f"{v2}/node/{{name}}", 501, params={"name": "x"})

    await check.call("GET", f"{v2}/tables", headers=auth)
    await check.call("GET", f"{v2}/table/{{name}}", headers=auth, params={"name": "keys"})
    await check.call("GET", f"{v2}/list/{{name}}", headers=auth, params={"name": "keys"})
    await check.call("GET", f"{v2}/list/{{name}}", 404, headers=auth, params={"name": "nope"})
    where = {"where": json.dumps({"id": str(founder.key_id)})}
    for route in ("listWhere", "nodelistWhere"):
        await check.call(
            "POST",
            f"{v2}/{route}/{{name}}",
            headers=auth,
            params={"name": "keys"},
            body=where,
            media_type=FORM,
        )
    await check.call(
        "POST",
        f"{v2}/sumWhere/{{name}}",
        headers=auth,
        params={"name": "keys"},
        body={"column": "amount", **where},
        media_type=FORM,
    )
    await check.call(
        "GET", f"{v2}/row/{{name}}/{{id}}", headers=auth, params={"name": "pages", "id": "1"}
    )
    await check.call(
        "GET",
        f"{v2}/row/{{name}}/{{column}}/{{id}}",
        headers=auth,
        params={"name": "pages", "column": "name", "id": "developer_index"},
    )
    await check.call(
        "GET", f"{v2}/history/{{name}}/{{id}}", headers=auth, params={"name": "pages", "id": "1"}
    )
    await check.call("GET", f"{v2}/sections", headers=auth)
    for kind, name in (
        ("page", "developer_index"),
        ("menu", "default_menu"),
        ("snippet", "pager_header"),
        ("block", "pager_header"),
    ):
        await check.call(
            "GET", f"{v2}/interface/{kind}/{{name}}", headers=auth, params={"name": name}
        )
    await check.call(
        "GET", f"{v2}/interface/page/{{name}}", 404, headers=auth, params={"name": "nope"}
    )

    await check.call("GET", f"{v2}/ecosystemparams", headers=auth)
    await check.call(
        "GET", f"{v2}/ecosystemparam/{{name}}", headers=auth, params={"name": "founder_account"}
    )
    await check.call("GET", f"{v2}/systemparams", headers=auth, query={"names": "max_tx_size"})
    await check.call("GET", f"{v2}/appparams/{{appID}}", headers=auth, params={"appID": "1"})
    await check.call(
        "GET",
        f"{v2}/appparam/{{appID}}/{{name}}",
        404,
        headers=auth,
        params={"appID": "1", "name": "nope"},
    )
    await check.call("GET", f"{v2}/appcontent/{{appID}}", headers=auth, params={"appID": "1"})
    await check.call(
        "GET",
        f"{v2}/member/{{ecosystem}}/{{account}}",
        params={"ecosystem": "1", "account": address},
    )
    await check.call(
        "GET",
        f"{v2}/avatar/{{ecosystem}}/{{account}}",
        404,
        params={"ecosystem": "1", "account": address},
    )
    await check.call(
        "GET", f"{v2}/data/{{id}}/data/{{hash}}", 404, params={"id": "999", "hash": "00" * 16}
    )
    await check.call(
        "GET",
        f"{v2}/data/{{table}}/{{id}}/{{column}}/{{hash}}",
        404,
        params={"table": "1_binaries", "id": "999", "column": "data", "hash": "00" * 16},
    )

    # Logicor pages.
    page, lang = {"name": "developer_index"}, {"lang": "en"}
    await check.call("POST", f"{v2}/content", body={"template": "Div(Body: hi)"}, media_type=FORM)
    for kind in ("page", "source"):
        await check.call(
            "POST",
            f"{v2}/content/{kind}/{{name}}",
            headers=auth,
            params=page,
            body=lang,
            media_type=FORM,
        )
    await check.call(
        "POST",
        f"{v2}/content/menu/{{name}}",
        headers=auth,
        params={"name": "default_menu"},
        body=lang,
        media_type=FORM,
    )
    await check.call(
        "POST",
        f"{v2}/content/hash/{{name}}",
        params=page,
        body={"ecosystem": "1"},
        media_type=FORM,
    )
    await check.call("GET", f"{v2}/page/validators_count/{{name}}", params=page)

    await check.call("GET", "/healthz")
    await check.call("GET", "/readyz")
    await check.call("GET", "/metrics")
    await check.call("GET", f"{v2}/openapi.json")
    await check.call("GET", f"{v2}/docs")
    await check.call("GET", "/connection/websocket", 400)  # not an upgrade request
    await check.call("GET", "/explorer")
    await check.call("GET", "/explorer/block/{id}", params={"id": "1"})
    await check.call("GET", "/explorer/block/{id}", 404, params={"id": "99"})
    await check.call("GET", "/explorer/tx/{hash}", 404, params={"hash": "ab" * 32})
    await check.call("GET", "/explorer/account/{wallet}", params={"wallet": address})
    await check.call("GET", "/explorer/search", 404, query={"q": "nothing"})
    served = {key for key in served_routes(client.app) if not key[1].startswith(BANK_PATHS)}
    assert served - check.checked == set(), "routes whose answers this test does not check"


async def test_bank_answers_match_the_document(
    aiohttp_client: Callable[..., Any], make_config: Callable[..., Config]
) -> None:
    config = make_config(bank_admin="admin", bank_admin_password="adminpw", bank_hash_cost=10)
    app = create_app(config)
    app[BANK_STOP] = lambda: None
    client: TestClient[Any, Any] = await aiohttp_client(app)
    check = await _checker(client)
    jsonh = {"Accept": "application/json", "Content-Type": "application/json"}

    def basic(name: str, password: str) -> dict[str, str]:
        import base64

        token = base64.b64encode(f"{name}:{password}".encode()).decode()
        return {"Authorization": f"Basic {token}", **jsonh}

    admin = basic("admin", "adminpw")
    await check.call("GET", "/api/properties")
    await check.call("GET", "/api/help", 301)
    for version in (1, 2):
        base = f"/api/v{version}"
        who = f"alice{version}"
        alice = basic(who, "pw")
        await check.call(
            "POST",
            f"{base}/user/register",
            204,
            body={"name": who, "pass": "pw"},
            media_type="application/json",
        )
        await check.call(
            "POST",
            f"{base}/user/register",
            409,
            body={"name": who, "pass": "pw"},
            media_type="application/json",
        )
        await check.call(
            "POST",
            f"{base}/admin/user/register",
            204,
            headers=admin,
            body={"name": f"bob{version}", "amount": 50, "pass": "pw"},
            media_type="application/json",
        )
        bob = basic(f"bob{version}", "pw")
        await check.call("GET", f"{base}/user/balance", headers=jsonh, query={"name": who})
        await check.call("GET", f"{base}/user/balance", 404, headers=jsonh, query={"name": "ghost"})
        await check.call("GET", f"{base}/user/exists", 204, headers=jsonh, query={"name": who})
        await check.call("GET", f"{base}/user/exists", 404, headers=jsonh, query={"name": "ghost"})
        await check.call(
            "POST",
            f"{base}/user/transfer",
            headers=bob,
            body={"name": who, "amount": 5},
            media_type="application/json",
        )
        await check.call(
            "POST",
            f"{base}/user/transfer",
            400,
            headers=bob,
            body={"name": who, "amount": 5000},
            media_type="application/json",
        )
        await check.call("GET", f"{base}/user/log", headers=alice)
        await check.call("GET", f"{base}/admin/user/log", headers=admin, query={"name": who})
        await check.call("POST", f"{base}/user/verify_password", 204, headers=alice)
        await check.call("POST", f"{base}/user/verify_password", 401, headers=basic(who, "bad"))
        await check.call(
            "PATCH",
            f"{base}/user/change_password",
            204,
            headers=alice,
            body={"pass": "pw"},
            media_type="application/json",
        )
        await check.call(
            "PATCH",
            f"{base}/admin/user/change_password",
            204,
            headers=admin,
            body={"name": who, "pass": "pw"},
            media_type="application/json",
        )
        await check.call(
            "PATCH",
            f"{base}/admin/set_balance",
            204,
            headers=admin,
            body={"name": who, "amount": 7},
            media_type="application/json",
        )
        await check.call(
            "POST",
            f"{base}/admin/impact_balance",
            headers=admin,
            body={"name": who, "amount": -2},
            media_type="application/json",
        )
        await check.call("POST", f"{base}/admin/verify_account", 204, headers=admin)
        await check.call(
            "POST",
            f"{base}/admin/prune_users",
            headers=admin,
            body={"amount": 0},
            media_type="application/json",
        )
        await check.call("DELETE", f"{base}/user/delete", 204, headers=bob)
        await check.call(
            "DELETE",
            f"{base}/admin/user/delete",
            204,
            headers=admin,
            body={"name": who},
            media_type="application/json",
        )
        await check.call(
            "DELETE",
            f"{base}/admin/user/delete",
            404,
            headers=admin,
            body={"name": who},
            media_type="application/json",
        )
    for version in (1, 2):  # the test's BANK_STOP only counts
        await check.call("POST", f"/api/v{version}/admin/shutdown", 204, headers=admin)
    bank_routes = {key for key in served_routes(client.app) if key[1].startswith(BANK_PATHS)}
    assert bank_routes - check.checked == set(), "bank routes whose answers are not checked"


@pytest.mark.parametrize("backend", ["sqlite"])
async def test_a_wrong_answer_is_caught(
    aiohttp_client: Callable[..., Any], config: Config, backend: str
) -> None:
    # The checks bite: an answer that breaks its schema fails validation.
    client: TestClient[Any, Any] = await aiohttp_client(create_app(config))
    resp = await client.get("/api/v2/openapi.json")
    document = await resp.json()
    block = document["paths"]["/api/v2/block/{id}"]["get"]["responses"]["200"]
    block["content"]["application/json"]["schema"]["properties"]["time"] = {"type": "string"}
    check = Checker(document, str(client.make_url("")).rstrip("/"))
    with pytest.raises(FailureGroup) as caught:
        await check.call("GET", "/api/v2/block/{id}", params={"id": "1"})
    assert [type(e).__name__ for e in caught.value.exceptions] == ["JsonSchemaError"]
