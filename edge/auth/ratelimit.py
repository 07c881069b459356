"""Sign-in rate limiting, per client address and per user name.

After ``max_failures`` failed sign-ins within ``window_s`` the key is refused
until the oldest failure leaves the window; a success clears both keys. It is
kept in memory: a gateway restart forgives everyone, which is acceptable (a
restart is rare and visible in the event log) and keeps every failed attempt
off the SD card. The table is bounded: beyond ``max_keys`` the key untouched
the longest is forgotten, so a flood of invented names cannot grow memory.
"""

from __future__ import annotations

import time
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Refusal:
    retry_after_s: int
    """Whole seconds until one more attempt is allowed (at least 1)."""


class LoginLimiter:
    def __init__(
        self,
        max_failures: int = 5,
        window_s: float = 15 * 60,
        max_keys: int = 4096,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.max_failures = max_failures
        self.window_s = window_s
        self.max_keys = max_keys
        self._clock = clock
        self._failures: OrderedDict[str, deque[float]] = OrderedDict()

    @staticmethod
    def keys(address: str, name: str) -> tuple[str, str]:
        return f"addr:{address}", f"user:{name.strip().lower()}"

    def check(self, address: str, name: str) -> Refusal | None:
        """A refusal when either the address or the name has used up its attempts."""
        now = self._clock()
        wait = 0.0
        for key in self.keys(address, name):
            times = self._recent(key, now)
            if times is not None and len(times) >= self.max_failures:
                wait = max(wait, times[0] + self.window_s - now)
        if wait <= 0:
            return None
        return Refusal(max(1, int(wait + 0.999)))

    def failed(self, address: str, name: str) -> None:
        now = self._clock()
        for key in self.keys(address, name):
            times = self._recent(key, now)
            if times is None:
                times = deque(maxlen=self.max_failures)
                self._failures[key] = times
            times.append(now)
            self._failures.move_to_end(key)
        while len(self._failures) > self.max_keys:
            self._failures.popitem(last=False)

    def succeeded(self, address: str, name: str) -> None:
        for key in self.keys(address, name):
            self._failures.pop(key, None)

    def _recent(self, key: str, now: float) -> deque[float] | None:
        times = self._failures.get(key)
        if times is None:
            return None
        while times and times[0] <= now - self.window_s:
            times.popleft()
        if not times:
            del self._failures[key]
            return None
        return times

    def __len__(self) -> int:
        return len(self._failures)
