"""Who this node is: network id, crypto pair and the founder's and node's keys."""

from __future__ import annotations

from dataclasses import dataclass, field

from chain.crypto import Crypto


@dataclass(frozen=True)
class NodeIdentity:
    """Fixed for the life of a data dir; the node key signs blocks and internal transactions."""

    network_id: int
    crypto: Crypto
    founder_public: bytes
    node_public: bytes
    node_private: bytes = field(repr=False)

    @property
    def founder_key_id(self) -> int:
        return self.crypto.address(self.founder_public)

    @property
    def node_key_id(self) -> int:
        return self.crypto.address(self.node_public)
