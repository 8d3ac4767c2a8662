"""Bank passwords: scrypt hashes, imported XXH3 hashes, and the verified-login cache."""

from __future__ import annotations

import xxhash

from chain.bank.auth import (
    VerifiedCache,
    check_password,
    hash_password,
    is_legacy,
    needs_upgrade,
    xxh3_hash,
)


def test_scrypt_hash_checks_only_its_password() -> None:
    stored = hash_password(b"pw", 10)
    assert stored.startswith("scrypt$10$8$1$")
    assert check_password(b"pw", stored)
    assert not check_password(b"other", stored)
    assert hash_password(b"pw", 10) != stored  # salted
    assert not is_legacy(stored)


def test_imported_xxh3_hash_and_malformed_hashes() -> None:
    stored = xxh3_hash(xxhash.xxh3_64_intdigest(b"pw"))
    assert is_legacy(stored)
    assert check_password(b"pw", stored)
    assert not check_password(b"px", stored)
    for bad in ("", "scrypt$1$2", "scrypt$x$8$1$AA==$AA==", "md5$abc"):
        assert not check_password(b"pw", bad)


def test_verified_cache_forgets_on_invalidate() -> None:
    cache = VerifiedCache(ttl_s=60)
    assert not cache.hit("bob", b"pw", "h1")
    cache.remember("bob", b"pw", "h1", cache.generation("bob"))
    assert cache.hit("bob", b"pw", "h1")
    assert not cache.hit("bob", b"px", "h1")
    assert not cache.hit("ann", b"pw", "h1")
    cache.invalidate("bob")
    assert not cache.hit("bob", b"pw", "h1")
    # A check that began before the password changed is not remembered.
    stale = cache.generation("bob")
    cache.invalidate("bob")
    cache.remember("bob", b"pw", "h1", stale)
    assert not cache.hit("bob", b"pw", "h1")


def test_verified_cache_off_with_zero_ttl() -> None:
    cache = VerifiedCache(ttl_s=0)
    cache.remember("bob", b"pw", "h1", 0)
    assert not cache.hit("bob", b"pw", "h1")


def test_verified_cache_misses_once_the_stored_hash_changed() -> None:
    # Another process changed the password: the database holds a new hash, nothing invalidated.
    cache = VerifiedCache(ttl_s=60)
    cache.remember("bob", b"pw", "h1", cache.generation("bob"))
    assert cache.hit("bob", b"pw", "h1")
    assert not cache.hit("bob", b"pw", "h2")


def test_weaker_and_imported_hashes_need_an_upgrade() -> None:
    assert needs_upgrade(xxh3_hash(1), 17)
    assert needs_upgrade(hash_password(b"pw", 10), 17)
    assert not needs_upgrade(hash_password(b"pw", 10), 10)
    assert not needs_upgrade(hash_password(b"pw", 11), 10)
    assert not needs_upgrade("md5$abc", 17)
