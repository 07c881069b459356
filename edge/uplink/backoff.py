"""Reconnect delays: doubling, bounded, jittered, so a gateway never spins on a dead
broker and a hundred gateways do not return to a restarted broker in step."""

from __future__ import annotations

import random


class Backoff:
    def __init__(
        self,
        initial_s: float,
        max_s: float,
        jitter: float = 0.25,
        rng: random.Random | None = None,
    ) -> None:
        if not 0 < initial_s <= max_s:
            raise ValueError(f"backoff: need 0 < initial_s <= max_s, got {initial_s} and {max_s}")
        if not 0 <= jitter < 1:
            raise ValueError(f"backoff: jitter must be in [0, 1), got {jitter}")
        self.initial_s = initial_s
        self.max_s = max_s
        self.jitter = jitter
        self._rng = rng or random.Random()
        self.failures = 0

    def next_delay(self) -> float:
        """The wait before the next attempt: within ``jitter`` of the doubled base,
        never below ``initial_s`` and never above ``max_s``."""
        base = min(self.max_s, self.initial_s * 2.0**self.failures)
        self.failures += 1
        delay = base * (1.0 + self._rng.uniform(-self.jitter, self.jitter))
        return min(self.max_s, max(self.initial_s, delay))

    def reset(self) -> None:
        self.failures = 0
