"""Members and files: member, avatar, data/{id}/data/{hash}, data/{table}/{id}/{column}/{hash}."""

from __future__ import annotations

import hashlib
import hmac
import re

from aiohttp import web

from api.appkeys import ENGINE, NODE, READS
from api.errors import ApiError, E
from api.jsonenc import Struct
from api.request import int64_text
from api.responses import json_response
from chain.address import address_to_string, string_to_address
from chain.crypto import Crypto
from chain.storage.engine import read_connection
from chain.storage.repo.members import get_binary, get_member
from chain.storage.repo.tabledata import get_cell
from chain.storage.values import (
    QueryError,
)

_PHYSICAL = re.compile(r"^([1-9][0-9]{0,17})_(.+)$", re.DOTALL)
_UNSAFE_FILENAME = re.compile(r'["\\\x00-\x1f\x7f]')


def _account(text: str) -> str:
    """The XXXX-... form members are stored under; any other address form is converted."""
    key_id = string_to_address(text)
    return address_to_string(key_id) if key_id != 0 else text


def hash_matches(crypto: Crypto, data: bytes, given: str) -> bool:
    """The reference's check: 32 hex digits are an MD5 of the data, 64 the node hasher's."""
    given = given.lower()
    if len(given) == 32:
        digest = hashlib.md5(data).hexdigest()  # noqa: S324 - the reference's file checksum
    elif len(given) == 64:
        digest = crypto.hash(data).hex()
    else:
        return False
    return hmac.compare_digest(digest, given)


async def fetch_member(request: web.Request) -> web.Response:
    """GET /member/{ecosystem}/{account}: the member's profile (zero values if there is none)."""
    ecosystem = int64_text(request.match_info["ecosystem"], "ecosystem")
    async with read_connection(request.app[ENGINE]) as conn:
        member = await get_member(conn, ecosystem, _account(request.match_info["account"]))
    # Go field names, no tags; the reference answers a zero member rather than 404.
    if member is None:
        return json_response(Struct(ID=0, MemberName="", ImageID=None, MemberInfo=""))
    return json_response(
        Struct(
            ID=member.id,
            MemberName=member.member_name,
            ImageID=member.image_id or None,
            MemberInfo=member.member_info,
        )
    )


async def fetch_avatar(request: web.Request) -> web.StreamResponse:
    """GET /avatar/{ecosystem}/{account}: the member's image, with its MIME type."""
    ecosystem = int64_text(request.match_info["ecosystem"], "ecosystem")
    async with read_connection(request.app[ENGINE]) as conn:
        member = await get_member(conn, ecosystem, _account(request.match_info["account"]))
        if member is None or not member.image_id:
            raise ApiError(E.RECORDNOTFOUND)
        image = await get_binary(conn, member.image_id, ecosystem)
    if image is None or not image.data:
        raise ApiError(E.NOTFOUND)
    return web.Response(body=image.data, content_type=_mime(image.mime_type))


def _mime(text: str) -> str:
    # A stored MIME type is user input: only a plain type/subtype goes into the header.
    return text if re.fullmatch(r"[\w.+-]+/[\w.+-]+", text) else "application/octet-stream"


async def fetch_binary(request: web.Request) -> web.StreamResponse:
    """GET /data/{id}/data/{hash}: a stored file, if `hash` is its MD5 or node hash."""
    try:
        binary_id = int64_text(request.match_info["id"], "id")
    except ApiError as exc:
        raise ApiError(E.NOTFOUND) from exc
    async with read_connection(request.app[ENGINE]) as conn:
        found = await get_binary(conn, binary_id)
    if found is None:
        raise ApiError(E.NOTFOUND)
    if not hash_matches(request.app[NODE].crypto, found.data, request.match_info["hash"]):
        raise ApiError(E.HASHWRONG)
    name = _UNSAFE_FILENAME.sub("_", found.name)
    return web.Response(
        body=found.data,
        content_type=_mime(found.mime_type),
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Access-Control-Allow-Origin": "*",  # as the reference, with or without Origin
        },
    )


async def fetch_cell(request: web.Request) -> web.StreamResponse:
    """GET /data/{table}/{id}/{column}/{hash}: one value of a row, if `hash` is its hash.

    `table` is the physical name (`1_binaries`, `2_mytable`); ids of the shared tables run
    across ecosystems, so their rows are found by id alone, as the reference does.
    """
    match = _PHYSICAL.match(request.match_info["table"])
    try:
        row_id = int64_text(request.match_info["id"], "id")
    except ApiError as exc:
        raise ApiError(E.NOTFOUND) from exc
    if match is None:
        raise ApiError(E.NOTFOUND)
    ecosystem, name = int(match.group(1)), match.group(2)
    async with read_connection(request.app[ENGINE]) as conn:
        ref = await request.app[READS].table(conn, ecosystem, f"@{ecosystem}{name}")
        if ref is None or (ref.shared and ecosystem != 1):
            raise ApiError(E.NOTFOUND)
        try:
            data = await get_cell(conn, ref.table, request.match_info["column"], row_id)
        except QueryError as exc:
            raise ApiError(E.NOTFOUND) from exc
    if data is None:
        raise ApiError(E.NOTFOUND)
    if not hash_matches(request.app[NODE].crypto, data, request.match_info["hash"]):
        raise ApiError(E.HASHWRONG)
    return web.Response(
        body=data,
        content_type="application/octet-stream",
        headers={"Content-Disposition": "attachment", "Access-Control-Allow-Origin": "*"},
    )
