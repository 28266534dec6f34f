"""A sliding-window rate limiter that also says when to tell the client, once per window."""

import time
from collections import deque
from collections.abc import Callable, Hashable
from dataclasses import dataclass


@dataclass(frozen=True)
class Decision:
    allowed: bool
    notify: bool  # refused, and the client has not been told in this window yet


class RateLimiter:
    """At most ``limit`` hits per key in any ``window`` seconds.

    Not self-locking: safe for handlers on one event loop because ``hit`` never awaits.
    """

    def __init__(self, limit: int, window: float, clock: Callable[[], float] = time.monotonic):
        self.limit, self.window, self.clock = limit, window, clock
        self._hits: dict[Hashable, deque[float]] = {}
        self._told: dict[Hashable, float] = {}

    def hit(self, key: Hashable) -> Decision:
        now = self.clock()
        hits = self._hits.setdefault(key, deque())
        while hits and now - hits[0] >= self.window:
            hits.popleft()
        if len(hits) < self.limit:
            hits.append(now)
            return Decision(allowed=True, notify=False)
        told = self._told.get(key)
        notify = told is None or now - told >= self.window
        if notify:
            self._told[key] = now
        return Decision(allowed=False, notify=notify)

    def forget(self, key: Hashable) -> None:
        self._hits.pop(key, None)
        self._told.pop(key, None)
