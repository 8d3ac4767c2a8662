"""The data dir: key files, the JWT secret and the chain settings it was made for."""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from chain.crypto import Crypto, parse_private_key
from chain.errors import ConfigMismatchError, CryptoError
from chain.identity import NodeIdentity

KEY_FILES = ("PrivateKey", "PublicKey", "NodePrivateKey", "NodePublicKey")
CHAIN_FILE = "chain.json"
JWT_FILE = "jwt-secret"
MIN_JWT_SECRET = 32  # characters: HS256 wants a 256-bit key


@dataclass(frozen=True)
class KeyPair:
    """A private key and its 64-byte public key."""

    private: bytes
    public: bytes


def _write(path: Path, text: str, secret: bool) -> None:
    # Create with the final mode so a secret is never readable by others, even briefly.
    mode = 0o600 if secret else 0o644
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    with os.fdopen(fd, "w") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())


def new_key_pair(crypto: Crypto) -> KeyPair:
    """A fresh key pair on the configured curve."""
    private = crypto.generate_private_key()
    return KeyPair(private, crypto.public_key(private))


def write_key_pair(directory: Path, pair: KeyPair, private_name: str, public_name: str) -> None:
    """Write hex key files: the private one 0600, the public one 0644."""
    _write(directory / private_name, pair.private.hex(), secret=True)
    _write(directory / public_name, pair.public.hex(), secret=False)


def _read_pair(directory: Path, private_name: str, crypto: Crypto) -> KeyPair:
    path = directory / private_name
    try:
        private = parse_private_key(path.read_text())
        public = crypto.public_key(private)
    except (OSError, CryptoError) as exc:
        raise ConfigMismatchError(f"cannot use key file {path}: {exc}") from exc
    return KeyPair(private, public)


def open_data_dir(directory: Path, network_id: int, crypto: Crypto) -> NodeIdentity:
    """Initialise the data dir on first start; on later starts check it fits the settings."""
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    if directory.stat().st_mode & 0o077:
        # It holds the private keys and the JWT secret: no one else may list or read it.
        directory.chmod(0o700)
    chain_file = directory / CHAIN_FILE
    settings = {
        "network_id": network_id,
        "cryptoer": crypto.cryptoer.value,
        "hasher": crypto.hasher.value,
    }
    if chain_file.exists():
        try:
            recorded = json.loads(chain_file.read_text())
        except (OSError, ValueError) as exc:
            raise ConfigMismatchError(f"cannot read {chain_file}: {exc}") from exc
        for name, value in settings.items():
            if recorded.get(name) != value:
                raise ConfigMismatchError(
                    f"data dir {directory} was made for {name}={recorded.get(name)!r}, "
                    f"not {value!r}; use another --data-dir or the original setting"
                )
    else:
        present = [name for name in KEY_FILES if (directory / name).exists()]
        if not present:
            write_key_pair(directory, new_key_pair(crypto), "PrivateKey", "PublicKey")
            write_key_pair(directory, new_key_pair(crypto), "NodePrivateKey", "NodePublicKey")
        _write(chain_file, json.dumps(settings, indent=2) + "\n", secret=False)
    founder = _read_pair(directory, "PrivateKey", crypto)
    node = _read_pair(directory, "NodePrivateKey", crypto)
    return NodeIdentity(network_id, crypto, founder.public, node.public, node.private)


def jwt_secret(directory: Path, given: str) -> bytes:
    """The JWT signing key: the configured one, else one kept in the data dir across restarts."""
    if given:
        return given.encode()
    path = directory / JWT_FILE
    if not path.exists():
        _write(path, secrets.token_hex(32), secret=True)
    try:
        secret = path.read_text().strip()
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigMismatchError(f"cannot read the JWT secret {path}: {exc}") from exc
    if len(secret) < MIN_JWT_SECRET:
        # An empty or short key would fail every login (or sign with a guessable key).
        raise ConfigMismatchError(
            f"the JWT secret in {path} has {len(secret)} characters, at least "
            f"{MIN_JWT_SECRET} are needed: put a longer one there, or delete the file to "
            "have a new one made (every login token then ends)"
        )
    return secret.encode()
