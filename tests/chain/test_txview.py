"""How explorers see stored transactions: sizes as the reference prints them."""

from __future__ import annotations

import pytest

from chain.txview import storage_size


@pytest.mark.parametrize(
    ("size", "text"),
    [
        (0, "0.00B"),
        (300, "300.00B"),
        (1024, "1024.00B"),
        (1025, "1.00KiB"),
        (1730, "1.69KiB"),
        (1 << 20, "1024.00KiB"),
        (5 * 1024 * 1024, "5.00MiB"),
        (3 << 30, "3.00GiB"),
        (2 << 40, "2.00TiB"),
    ],
)
def test_storage_size(size: int, text: str) -> None:
    assert storage_size(size) == text
