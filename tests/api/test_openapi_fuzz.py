"""Requests schemathesis generates from the OpenAPI document, sent to a running node.

The document describes every route, so it is also a fuzzer's map: for each operation,
schemathesis makes requests that fit the document (positive) and requests that break it
(negative), logged in as the founder; no answer may be a server error unless the document
says the route answers one, and each must be documented (status, content type, schema).
IBAX_FUZZ_EXAMPLES raises the budget per operation and mode for a longer run.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable
from typing import Any

import schemathesis
from aiohttp.test_utils import TestClient
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from api.bank.keys import BANK_STOP
from node.app import create_app
from node.config import Config
from tests.api.test_edge import assert_canonical_error
from tests.helpers import Wallet

EXAMPLES = int(os.environ.get("IBAX_FUZZ_EXAMPLES", "8"))
CONFORMANCE = [status_code_conformance, content_type_conformance, response_schema_conformance]


def _sender(
    operation: Any, mode: GenerationMode, base_url: str, auth: dict[str, str], found: list[str]
) -> Callable[[], None]:
    """A hypothesis test sending `mode` cases of `operation`, adding its failures to `found`."""
    label = f"{operation.method.upper()} {operation.path}"
    documented = operation.definition.raw.get("responses", {})
    # node/{name} answers 501 by design, and says so: that 5xx is not a fault.
    server_errors_documented = any(str(s).startswith("5") for s in documented)
    checks = CONFORMANCE if server_errors_documented else [not_a_server_error, *CONFORMANCE]

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(operation.as_strategy(mode))
    def send(case: Any) -> None:
        response = case.call(base_url=base_url, headers=auth, timeout=30)
        try:
            case.validate_response(response, checks=checks)
        except Exception as exc:  # a FailureGroup: keep the first line of each
            faults = getattr(exc, "exceptions", [exc])
            found.extend(f"{label} ({mode.value}): {str(f).splitlines()[0]}" for f in faults)

    return send


def _fuzz(document: dict[str, Any], base_url: str, auth: dict[str, str]) -> list[str]:
    """Every operation, both modes: the failures found, one line each (synchronous)."""
    schema = schemathesis.openapi.from_dict(document)
    found: list[str] = []
    for result in schema.get_all_operations():
        for mode in GenerationMode:
            try:
                _sender(result.ok(), mode, base_url, auth, found)()
            except Unsatisfiable:
                pass  # nothing in this operation can be broken (no parameters, no body)
    return found


async def test_generated_requests_get_documented_answers(
    aiohttp_client: Callable[..., Any], make_config: Callable[..., Config]
) -> None:
    config = make_config(bank_admin="admin", bank_admin_password="adminpw", bank_hash_cost=10)
    app = create_app(config)
    app[BANK_STOP] = lambda: None  # a generated admin/shutdown must not stop the bank
    client: TestClient[Any, Any] = await aiohttp_client(app)
    founder = Wallet(
        config.crypto, private=bytes.fromhex((config.data_dir / "PrivateKey").read_text())
    )
    await founder.login(client)
    document = await (await client.get("/api/v2/openapi.json")).json()
    base_url = str(client.make_url("")).rstrip("/")
    auth = {"Authorization": f"Bearer {founder.token}"}
    # schemathesis sends with requests (blocking): from a thread, while this loop serves.
    found = await asyncio.to_thread(_fuzz, document, base_url, auth)
    assert found == []


async def test_a_form_part_whose_headers_http_refuses_is_a_400(
    client: TestClient[Any, Any], founder: Wallet
) -> None:
    # Found by the test above: a control character in a part's Content-Disposition made
    # aiohttp's header parser raise, which became a 500.
    boundary = "fuzzboundary"
    body = (
        f"--{boundary}\r\n"
        'Content-Disposition: form-data; name="\x06x"\r\n\r\n'
        "value\r\n"
        f"--{boundary}--\r\n"
    ).encode()
    headers = {
        "Content-Type": f"multipart/form-data; boundary={boundary}",
        "Authorization": f"Bearer {founder.token}",
    }
    for path in ("/api/v2/content", "/api/v2/content/page/default_page"):
        resp = await client.post(path, data=body, headers=headers)
        assert resp.status == 400, path
        assert_canonical_error(await resp.json(), "E_SERVER")
