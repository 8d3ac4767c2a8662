"""A lean multipart/form-data splitter for sendTx, where aiohttp's reader dominated the cost."""

from __future__ import annotations

import re
from dataclasses import dataclass

_PARAM = re.compile(rb';\s*([A-Za-z0-9_*-]+)="((?:[^"\\]|\\.)*)"|;\s*([A-Za-z0-9_*-]+)=([^;\s]+)')
_BOUNDARY = re.compile(r'boundary="?([^";]+)"?', re.IGNORECASE)
# The value every client library writes for a form part (a name, and a file name for a file):
# read at once, with what the general parameter parse would find in it.
_SIMPLE = re.compile(rb'[ \t]*form-data; name="([^"\\]*)"(?:; filename="([^"\\]*)")?[ \t]*')


class MultipartError(Exception):
    """The body is not well-formed multipart/form-data."""


@dataclass(frozen=True, slots=True)
class Part:
    """One form part: its field name, its file name if it is a file, and its bytes."""

    name: str
    filename: str | None
    data: bytes


def boundary_of(content_type: str) -> bytes:
    """The boundary parameter of a multipart Content-Type header."""
    match = _BOUNDARY.search(content_type)
    if match is None:
        raise MultipartError("multipart body without a boundary")
    return match.group(1).encode("latin-1")


def _disposition(headers: bytes) -> tuple[str, str | None]:
    for line in headers.split(b"\r\n"):
        key, _, value = line.partition(b":")
        if key.strip().lower() == b"content-disposition":
            return disposition_value(value)
    raise MultipartError("form part without Content-Disposition")


def disposition_value(value: bytes) -> tuple[str, str | None]:
    """(name, filename or None) of a Content-Disposition value."""
    simple = _SIMPLE.fullmatch(value)
    if simple is None:
        return parsed_disposition(value)
    name, filename = simple.groups()
    return (
        name.decode("utf-8", "replace"),
        filename.decode("utf-8", "replace") if filename is not None else None,
    )


def parsed_disposition(value: bytes) -> tuple[str, str | None]:
    """disposition_value by the general parse of its parameters (quoted or bare, any order)."""
    params: dict[bytes, bytes] = {}
    for quoted_key, quoted, bare_key, bare in _PARAM.findall(value):
        if quoted_key:
            params[quoted_key.lower()] = re.sub(rb"\\(.)", rb"\1", quoted)
        else:
            params[bare_key.lower()] = bare
    if b"name" not in params:
        raise MultipartError("form part without a name")
    filename = params.get(b"filename")
    return (
        params[b"name"].decode("utf-8", "replace"),
        filename.decode("utf-8", "replace") if filename is not None else None,
    )


def split(body: bytes, boundary: bytes) -> list[Part]:
    """Split a complete body into its parts (the body size is already bounded by the app)."""
    delimiter = b"--" + boundary
    start = body.find(delimiter)
    if start < 0:
        raise MultipartError("multipart body without its boundary")
    parts: list[Part] = []
    pos = start + len(delimiter)
    while True:
        if body.startswith(b"--", pos):
            return parts  # the closing delimiter
        if not body.startswith(b"\r\n", pos):
            raise MultipartError("malformed multipart delimiter")
        head_end = body.find(b"\r\n\r\n", pos + 2)
        if head_end < 0:
            raise MultipartError("truncated multipart headers")
        name, filename = _disposition(body[pos + 2 : head_end])
        data_start = head_end + 4
        data_end = body.find(b"\r\n" + delimiter, data_start)
        if data_end < 0:
            raise MultipartError("truncated multipart body")
        parts.append(Part(name, filename, body[data_start:data_end]))
        pos = data_end + 2 + len(delimiter)
