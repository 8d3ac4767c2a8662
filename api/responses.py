"""Response builders: every body goes out through the one Go-compatible encoder."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from api.jsonenc import Struct, dumps

JSON_TYPE = "application/json"


def json_response(value: Any, status: int = 200) -> web.Response:
    """A JSON answer with the reference's content type."""
    return web.Response(text=dumps(value), status=status, content_type=JSON_TYPE, charset="utf-8")


def error_body(code: str, msg: str) -> Struct:
    """The one error envelope: {"error": code, "msg": text}."""
    return Struct(error=code, msg=msg)


def error_response(code: str, msg: str, status: int) -> web.Response:
    """An error in the one envelope, as JSON."""
    return json_response(error_body(code, msg), status=status)


def raw_json_response(body: bytes, status: int = 200) -> web.Response:
    """A JSON answer whose bytes are already encoded (Go JSON that a hash was taken of)."""
    return web.Response(body=body, status=status, content_type=JSON_TYPE, charset="utf-8")
