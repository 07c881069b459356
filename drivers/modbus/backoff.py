"""Jittered exponential backoff, for reconnecting and for probing dead devices."""

from __future__ import annotations

import random


class Backoff:
    """Delays doubling from ``initial_s`` up to ``max_s``, each scaled by a random 0.5..1.

    The jitter keeps gateways that lost power together from retrying in step.
    """

    def __init__(self, initial_s: float, max_s: float, rng: random.Random | None = None) -> None:
        if not 0 < initial_s <= max_s:
            raise ValueError(
                f"backoff: expected 0 < initial_s <= max_s, found {initial_s} and {max_s}"
            )
        self.initial_s = initial_s
        self.max_s = max_s
        self._rng = rng or random.Random()
        self.failures = 0

    def next_delay(self) -> float:
        """Count one more failure and return how long to wait before the next try."""
        # The exponent is capped so a device dead for months cannot overflow it.
        ceiling = min(self.max_s, self.initial_s * 2.0 ** min(self.failures, 60))
        self.failures += 1
        return ceiling * (0.5 + 0.5 * self._rng.random())

    def reset(self) -> None:
        self.failures = 0
