"""Domain errors of the ledger; they know nothing about HTTP."""

from __future__ import annotations


class ChainError(Exception):
    """Base of every ledger error."""


class CryptoError(ChainError):
    """Malformed key or signature material (not merely a signature that does not verify)."""


class ConfigMismatchError(ChainError):
    """A data dir or database was made for another network id or crypto pair."""


class EcosystemNotOpen(ChainError):
    """Registration of a new key in a closed ecosystem."""

    def __init__(self, ecosystem: int) -> None:
        self.ecosystem = ecosystem
        super().__init__(f"ecosystem {ecosystem} is not open")


class KeyDeleted(ChainError):
    """The account was deleted."""


class EmptyPublicKey(ChainError):
    """A new account logs in without its public key."""


class NotMember(ChainError):
    """The key has no public key in an ecosystem other than 1."""

    def __init__(self, key_id: int, ecosystem: int) -> None:
        self.key_id = key_id
        self.ecosystem = ecosystem
        super().__init__(f"{key_id} is not a membership of ecosystem {ecosystem}")


class RoleDenied(ChainError):
    """The requested role is not an active role of the account."""


class BadSignature(ChainError):
    """A well-formed signature that does not verify."""


class RegistrationPending(ChainError):
    """The new key's registration has not reached a block yet."""


class RegistrationFailed(ChainError):
    """The new key's registration transaction failed in its block."""


class UnknownEcosystem(ChainError):
    """An ecosystem id that does not exist."""

    def __init__(self, ecosystem: int) -> None:
        self.ecosystem = ecosystem
        super().__init__(f"Ecosystem {ecosystem} doesn't exist")


class TableNotFound(ChainError):
    """A table name that means no table for the caller; `name` as the answer shows it."""

    def __init__(self, name: str) -> None:
        self.name = name
        super().__init__(f"Table {name} has not been found")


class ReadDenied(ChainError):
    """The caller may not read a table, or none of the columns it asked for.

    The message is always the reference's "Access denied"; `reason` says why (a false
    condition, or the error a condition raised), for logs and tests.
    """

    def __init__(self, reason: str = "") -> None:
        self.reason = reason
        super().__init__("Access denied")
