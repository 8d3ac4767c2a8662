"""The lean multipart splitter used by sendTx: real encoder output, malformed and random bodies."""

from __future__ import annotations

import asyncio
from typing import Any

from aiohttp import FormData
from aiohttp.test_utils import TestClient
from hypothesis import given, settings
from hypothesis import strategies as st

from api.multipart import (
    MultipartError,
    Part,
    boundary_of,
    disposition_value,
    parsed_disposition,
    split,
)
from tests.helpers import Wallet


def _encode(form: FormData) -> tuple[bytes, str]:
    writer = form()
    chunks: list[bytes] = []

    class Sink:
        async def write(self, data: bytes) -> None:
            chunks.append(bytes(data))

    asyncio.run(writer.write(Sink()))  # type: ignore[arg-type]
    return b"".join(chunks), writer.content_type


def test_splits_what_aiohttp_encodes() -> None:
    form = FormData()
    form.add_field("tx0", b"\x80\x00\r\n--x", filename="a.bin")
    form.add_field("hexed", "80ff")
    form.add_field('we"ird', b"", filename="e")
    body, content_type = _encode(form)
    parts = split(body, boundary_of(content_type))
    assert parts == [
        Part("tx0", "a.bin", b"\x80\x00\r\n--x"),
        Part("hexed", None, b"80ff"),
        Part('we"ird', "e", b""),
    ]


def test_malformed_bodies() -> None:
    for body in (
        b"no boundary here",
        b"--b\r\nContent-Disposition: form-data\r\n\r\nx\r\n--b--",
        b"--b\r\nX: y\r\n\r\nx\r\n--b--",
        b"--b\r\nContent-Disposition: form-data; name=a\r\n\r\nunterminated",
        b"--bXX",
    ):
        try:
            split(body, b"b")
        except MultipartError:
            continue
        raise AssertionError(body)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=512))
def test_random_bodies_only_raise_multipart_error(body: bytes) -> None:
    try:
        parts = split(b"--b" + body, b"b")
    except MultipartError:
        return
    assert all(isinstance(p, Part) for p in parts)


_PIECES = [" ", "\t", "form-data", "Form-Data", ";", "; ", "name=", "Name=", "filename=", '"']
_PIECES += ["\\", "\\\"", "t0", "é", "a;b", "=", "\r", "\x00", "filename*=utf-8''x"]


def _value(pieces: list[str]) -> bytes:
    return "".join(pieces).encode("utf-8")


def _outcome(parse: Any, value: bytes) -> Any:
    try:
        return parse(value)
    except MultipartError as exc:
        return str(exc)


@settings(max_examples=1000, deadline=None)
@given(
    st.one_of(
        st.lists(st.sampled_from(_PIECES), max_size=14).map(_value),
        st.builds(
            lambda name, file: _value([' form-data; name="', name, '"'])
            + (_value(['; filename="', file, '"']) if file is not None else b""),
            st.text(max_size=12),
            st.one_of(st.none(), st.text(max_size=12)),
        ),
    )
)
def test_the_usual_disposition_reads_as_the_general_parse(value: bytes) -> None:
    assert _outcome(disposition_value, value) == _outcome(parsed_disposition, value)


def test_the_usual_dispositions() -> None:
    assert disposition_value(b' form-data; name="t0"; filename="t0"') == ("t0", "t0")
    assert disposition_value(b' form-data; name="tx"') == ("tx", None)
    assert disposition_value(b' form-data; name="a\\"b"') == ('a"b', None)


async def test_send_tx_with_malformed_multipart(
    client: TestClient[Any, Any], founder: Wallet
) -> None:
    resp = await client.post(
        "/api/v2/sendTx",
        data=b"--zz\r\nno headers",
        headers={**founder.auth, "Content-Type": "multipart/form-data; boundary=zz"},
    )
    assert resp.status == 400
    assert await resp.json() == {"error": "E_SERVER", "msg": "truncated multipart headers"}
