"""Bank passwords: scrypt hashes, imported XXH3 hashes, and the verified-login cache."""

from __future__ import annotations

import xxhash

from chain.bank.auth import VerifiedCache, check_password, hash_password, is_legacy, xxh3_hash


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
    assert not cache.hit("bob", b"pw")
    cache.remember("bob", b"pw", cache.generation("bob"))
    assert cache.hit("bob", b"pw")
    assert not cache.hit("bob", b"px")
    assert not cache.hit("ann", b"pw")
    cache.invalidate("bob")
    assert not cache.hit("bob", b"pw")
    # A check that began before the password changed is not remembered.
    stale = cache.generation("bob")
    cache.invalidate("bob")
    cache.remember("bob", b"pw", stale)
    assert not cache.hit("bob", b"pw")


def test_verified_cache_off_with_zero_ttl() -> None:
    cache = VerifiedCache(ttl_s=0)
    cache.remember("bob", b"pw", 0)
    assert not cache.hit("bob", b"pw")
