"""Bans keys that keep sending bad transactions (5 within 5 minutes -> 15 minutes)."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable


class BanList:
    """In-memory, per node: bad transactions per key in a sliding window."""

    def __init__(
        self,
        max_bad: int = 5,
        window_s: float = 300,
        ban_s: float = 900,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.max_bad = max_bad
        self.window_s = window_s
        self.ban_s = ban_s
        self._clock = clock
        self._bad: dict[int, deque[float]] = {}
        self._banned_until: dict[int, float] = {}

    def banned_until(self, key_id: int) -> float | None:
        """When the key's ban ends, or None if it is not banned."""
        until = self._banned_until.get(key_id)
        if until is None:
            return None
        if until <= self._clock():
            del self._banned_until[key_id]
            return None
        return until

    def record_bad(self, key_id: int) -> None:
        """Count one bad transaction; ban the key when it reaches the limit."""
        now = self._clock()
        events = self._bad.setdefault(key_id, deque())
        events.append(now)
        while events and events[0] <= now - self.window_s:
            events.popleft()
        if len(events) >= self.max_bad:
            self._banned_until[key_id] = now + self.ban_s
            events.clear()

    def banned(self) -> dict[int, float]:
        """Every key currently banned, with the end of its ban."""
        return {k: v for k in list(self._banned_until) if (v := self.banned_until(k)) is not None}
