"""When a link may next try to open: a jittered backoff that waits rather than spins.

A serial adapter unplugged from a USB port or a serial server that went away
fails every open; a caller asking again and again (a poller with many devices,
a retry loop) must then sleep between attempts instead of burning the CPU, so
:meth:`ReopenGate.wait_turn` sleeps until the backoff allows the next try.
The backoff is reset only once the link has carried data, so a port that opens
and breaks at once is retried ever more slowly too.
"""

from __future__ import annotations

import asyncio
import logging
import random

from drivers.modbus.backoff import Backoff

log = logging.getLogger(__name__)


class ReopenGate:
    def __init__(
        self,
        name: str,
        *,
        initial_s: float,
        max_s: float,
        rng: random.Random | None = None,
    ) -> None:
        self.name = name
        self._backoff = Backoff(initial_s, max_s, rng)
        self._retry_at = float("-inf")
        self.opens = 0
        self.failures = 0
        """Attempts to open that failed."""
        self.breaks = 0
        """Open links that broke (device unplugged, peer closed)."""
        self.last_error = ""

    def retry_in_s(self) -> float:
        """Seconds until the next attempt is allowed (0 if it is now)."""
        return max(0.0, self._retry_at - asyncio.get_running_loop().time())

    async def wait_turn(self) -> None:
        """Sleep until the backoff allows the next attempt; bound it with a timeout."""
        wait = self.retry_in_s()
        if wait > 0:
            await asyncio.sleep(wait)

    def opened(self) -> None:
        self.opens += 1

    def proven(self) -> None:
        """The link carried data: the next failure starts the backoff from the beginning."""
        self._backoff.reset()

    def failed(self, reason: str) -> float:
        """Record a failed open; return the delay before the next try."""
        self.failures += 1
        return self._schedule(reason)

    def broke(self, reason: str) -> float:
        """Record that an open link broke; return the delay before it may reopen."""
        self.breaks += 1
        return self._schedule(reason)

    def _schedule(self, reason: str) -> float:
        self.last_error = reason
        delay = self._backoff.next_delay()
        self._retry_at = asyncio.get_running_loop().time() + delay
        log.warning("%s: %s; next attempt in %.2f s", self.name, reason, delay)
        return delay
