"""Login tokens are verified once per process, and still expire on time."""

from __future__ import annotations

import time

import pytest

import api.auth
from api.auth import TokenCache, TokenError, issue

KEY = b"k" * 32


def test_a_token_is_checked_once_and_gives_the_same_client(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    checks = []
    real_verify = api.auth.verify

    def counting_verify(token: str, key: bytes) -> dict[str, object]:
        checks.append(token)
        return real_verify(token, key)

    monkeypatch.setattr(api.auth, "verify", counting_verify)
    cache = TokenCache(KEY)
    token = issue({"key_id": "42", "ecosystem_id": "3", "role_id": "7"}, KEY, ttl=60)
    first = cache.client(token)
    assert (first.key_id, first.ecosystem_id, first.role_id) == (42, 3, 7)
    assert cache.client(token) == first
    assert checks == [token]


def test_a_cached_token_expires_on_time() -> None:
    cache = TokenCache(KEY)
    now = time.time()
    token = issue({"key_id": "42"}, KEY, ttl=10, now=now)
    exp = cache.client(token, now=now).exp
    assert cache.client(token, now=exp - 1).key_id == 42
    with pytest.raises(TokenError, match="expired"):
        cache.client(token, now=exp)
    with pytest.raises(TokenError, match="expired"):
        cache.client(token, now=exp + 100)


def test_bad_tokens_are_refused_every_time() -> None:
    cache = TokenCache(KEY)
    forged = issue({"key_id": "42"}, b"x" * 32, ttl=60)
    for _ in range(2):
        with pytest.raises(TokenError):
            cache.client(forged)
    with pytest.raises(TokenError):
        cache.client("not.a.token")


def test_the_cache_stays_bounded() -> None:
    cache = TokenCache(KEY, size=3)
    tokens = [issue({"key_id": str(i + 1)}, KEY, ttl=60) for i in range(10)]
    assert [cache.client(t).key_id for t in tokens] == list(range(1, 11))
    assert len(cache._clients) <= 3
