"""Bank passwords: slow salted scrypt hashes, CCash's XXH3 hashes (import only), a verified cache.

Basic auth sends the password with every request, and a slow hash on every request would cap
the bank at a few dozen requests per second. So a verified (name, password) pair is remembered
for a short time under an HMAC with a key made at start-up (no plaintext and no reusable hash
is kept), and forgotten as soon as the user's password changes or the user is deleted.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass

import xxhash

SCRYPT_R, SCRYPT_P = 8, 1
SALT_BYTES = 16
KEY_BYTES = 32
MAX_CACHED = 100_000


def hash_password(password: bytes, cost: int) -> str:
    """A new stored hash: scrypt$<log2 N>$<r>$<p>$<salt b64>$<key b64>."""
    salt = secrets.token_bytes(SALT_BYTES)
    key = _scrypt(password, salt, cost, SCRYPT_R, SCRYPT_P)
    return "$".join(("scrypt", str(cost), str(SCRYPT_R), str(SCRYPT_P), _b64(salt), _b64(key)))


def xxh3_hash(value: int) -> str:
    """The stored form of a hash imported from a CCash save (XXH3-64, seed 0, unsalted)."""
    return f"xxh3${value:016x}"


def is_legacy(stored: str) -> bool:
    """An imported XXH3 hash, to be replaced by scrypt on its first successful use."""
    return stored.startswith("xxh3$")


def needs_upgrade(stored: str, cost: int) -> bool:
    """An XXH3 hash, or a scrypt one weaker than `cost`: replaced on the next right password."""
    if is_legacy(stored):
        return True
    parts = stored.split("$")
    return len(parts) == 6 and parts[0] == "scrypt" and parts[1].isdigit() and int(parts[1]) < cost


def check_password(password: bytes, stored: str) -> bool:
    """Does the password match the stored hash (constant-time compare)?"""
    parts = stored.split("$")
    if parts[0] == "xxh3" and len(parts) == 2:
        return hmac.compare_digest(f"{xxhash.xxh3_64_intdigest(password):016x}", parts[1])
    if parts[0] != "scrypt" or len(parts) != 6:
        return False
    try:
        cost, r, p = int(parts[1]), int(parts[2]), int(parts[3])
        salt, key = base64.b64decode(parts[4]), base64.b64decode(parts[5])
    except ValueError:
        return False
    return hmac.compare_digest(_scrypt(password, salt, cost, r, p), key)


def _scrypt(password: bytes, salt: bytes, cost: int, r: int, p: int) -> bytes:
    n = 1 << cost
    return hashlib.scrypt(
        password, salt=salt, n=n, r=r, p=p, maxmem=256 * n * r + (1 << 20), dklen=KEY_BYTES
    )


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


@dataclass(slots=True)
class _Entry:
    name: str
    generation: int
    expires: float


class VerifiedCache:
    """(name, password) pairs verified lately, keyed by HMAC; per process, short-lived."""

    def __init__(self, ttl_s: float) -> None:
        self._key = secrets.token_bytes(32)
        self._ttl = ttl_s
        self._entries: dict[bytes, _Entry] = {}
        self._generation: dict[str, int] = {}

    def tag(self, name: str, password: bytes, stored: str) -> bytes:
        # The stored hash is part of the tag: a password changed by another process (a new
        # hash in the database) misses at once.
        message = b"\0".join((name.encode(), stored.encode(), password))
        return hmac.digest(self._key, message, "sha256")

    def hit(self, name: str, password: bytes, stored: str) -> bool:
        """Was this pair verified against this stored hash within the TTL?"""
        if self._ttl <= 0:
            return False
        entry = self._entries.get(self.tag(name, password, stored))
        if entry is None or entry.name != name:
            return False
        if entry.expires < time.monotonic() or entry.generation != self._generation.get(name, 0):
            return False
        return True

    def remember(self, name: str, password: bytes, stored: str, generation: int) -> None:
        """Cache a successful verification made while the user's generation was `generation`."""
        if self._ttl <= 0 or generation != self._generation.get(name, 0):
            return
        if len(self._entries) >= MAX_CACHED:
            self._entries.clear()
        self._entries[self.tag(name, password, stored)] = _Entry(
            name, generation, time.monotonic() + self._ttl
        )

    def generation(self, name: str) -> int:
        return self._generation.get(name, 0)

    def invalidate(self, name: str) -> None:
        """The user's password changed or the user is gone: drop what was verified."""
        self._generation[name] = self._generation.get(name, 0) + 1


@dataclass(slots=True)
class _Failures:
    count: int = 0
    last: float = 0.0  # monotonic time of the newest failure
    until: float = 0.0  # refused before this monotonic time


class LoginGuard:
    """Backoff on wrong passwords: per client address, and per user name across addresses.

    Past `free_tries` failures the address (or the name) is refused for a time that doubles
    with each further failure, up to `max_s`; records idle for `forget_s` are dropped. The
    per-name backoff spares addresses that proved the password lately, so guessing from many
    addresses cannot lock a user out of the places it logs in from, and a right password from
    an address that never failed gets through the per-address backoff of another.
    """

    def __init__(
        self,
        free_tries: int = 5,
        user_free_tries: int = 20,
        base_s: float = 1.0,
        max_s: float = 300.0,
        forget_s: float = 900.0,
        max_tracked: int = 100_000,
    ) -> None:
        self.free_tries = free_tries
        self.user_free_tries = user_free_tries
        self.base_s = base_s
        self.max_s = max_s
        self.forget_s = forget_s
        self.max_tracked = max_tracked
        self._addresses: dict[str, _Failures] = {}
        self._users: dict[str, _Failures] = {}
        self._trusted: dict[tuple[str, str], float] = {}  # (name, address) -> last success

    def allowed(self, name: str, address: str) -> bool:
        """May this address have a password of this user checked now?"""
        now = time.monotonic()
        by_address = self._addresses.get(address)
        if by_address is not None and by_address.until > now:
            return False
        by_user = self._users.get(name)
        if by_user is None or by_user.until <= now:
            return True
        trusted = self._trusted.get((name, address))
        return trusted is not None and now - trusted < self.forget_s

    def suspect(self, address: str) -> bool:
        """Has this address given a wrong password lately?"""
        record = self._addresses.get(address)
        return record is not None and time.monotonic() - record.last <= self.forget_s

    def failed(self, name: str, address: str) -> None:
        now = time.monotonic()
        self._count(self._addresses, address, self.free_tries, now)
        self._count(self._users, name, self.user_free_tries, now)

    def succeeded(self, name: str, address: str) -> None:
        self._addresses.pop(address, None)
        if len(self._trusted) >= self.max_tracked:
            self._trusted.clear()
        self._trusted[(name, address)] = time.monotonic()

    def _count(self, records: dict[str, _Failures], key: str, free: int, now: float) -> None:
        record = records.get(key)
        if record is None or now - record.last > self.forget_s:
            if len(records) >= self.max_tracked:
                self._forget_idle(records, now)
            record = records[key] = _Failures()
        record.count += 1
        record.last = now
        if record.count >= free:
            delay = self.base_s * 2.0 ** min(record.count - free, 30)
            record.until = now + min(delay, self.max_s)

    def _forget_idle(self, records: dict[str, _Failures], now: float) -> None:
        for key in [k for k, r in records.items() if now - r.last > self.forget_s]:
            del records[key]
        if len(records) >= self.max_tracked:
            records.clear()  # a flood of fresh keys: forgetting beats growing without bound
