"""Size guards for untrusted text handed to the Go parsers, so no input makes them slow."""

from __future__ import annotations


def check_length(text: str, limit: int, what: str) -> str:
    """Refuse a text longer than `limit` characters, naming it."""
    if len(text) > limit:
        raise ValueError(f"{what} is too long ({len(text)} characters, at most {limit})")
    return text
