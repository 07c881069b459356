"""What every byte link shares: received bytes, the reopen gate, traffic times.

`SerialLink` (a local port) and `TcpLink` (a serial server) differ only in how
bytes come and go; buffering, reading by count, separator or silence, the
backoff counters and the inter-frame timing are this one piece of code.
"""

from __future__ import annotations

import asyncio
import random
from abc import ABC, abstractmethod

from drivers.reconnect import ReopenGate
from drivers.rx_buffer import RxBuffer
from drivers.serial_settings import SerialSettings


class LinkBase(ABC):
    def __init__(
        self,
        name: str,
        where: str,
        settings: SerialSettings,
        *,
        backoff_initial_s: float,
        backoff_max_s: float,
        rng: random.Random | None,
    ) -> None:
        self.name = name
        self.settings = settings
        self._rx = RxBuffer(where)
        self._gate = ReopenGate(where, initial_s=backoff_initial_s, max_s=backoff_max_s, rng=rng)
        self._proven = False
        self._last_tx_s = float("-inf")
        self._opened_at_s = float("-inf")

    @property
    @abstractmethod
    def is_open(self) -> bool: ...

    @abstractmethod
    def _check_open(self) -> None:
        """Raise TransportError, naming the link and its last error, if not open."""

    @property
    def char_time_s(self) -> float:
        return self.settings.char_time_s

    @property
    def buffered(self) -> int:
        """Bytes received and not yet read."""
        return len(self._rx)

    @property
    def last_traffic_s(self) -> float:
        """loop.time() at the end of the latest byte sent or received."""
        # What the line carried before the link was opened is unknown, so the
        # opening itself counts as traffic: a first request still waits a full gap.
        return max(self._opened_at_s, self._last_tx_s, self._rx.last_rx_s)

    @property
    def connects(self) -> int:
        return self._gate.opens

    @property
    def connect_failures(self) -> int:
        return self._gate.failures

    @property
    def breaks(self) -> int:
        return self._gate.breaks

    @property
    def last_error(self) -> str:
        return self._gate.last_error

    def retry_in_s(self) -> float:
        return self._gate.retry_in_s()

    async def read_exact(self, count: int, *, deadline: float) -> bytes:
        self._check_open()
        return await self._rx.read_exact(count, deadline=deadline)

    async def read_until(
        self, separator: bytes = b"\n", *, deadline: float, max_bytes: int = 4096
    ) -> bytes:
        self._check_open()
        return await self._rx.read_until(separator, deadline=deadline, max_bytes=max_bytes)

    async def read_until_silence(self, silence_s: float, *, deadline: float) -> bytes:
        self._check_open()
        return await self._rx.read_until_silence(silence_s, deadline=deadline)

    def _opened(self) -> None:
        self._proven = False
        self._rx.reset()
        self._gate.opened()
        self._opened_at_s = asyncio.get_running_loop().time()

    def _received(self, data: bytes, now: float) -> None:
        self._rx.feed(data, now)
        if not self._proven:
            # Only a link that carried data resets the backoff: one that opens
            # and dies at once must not be retried at full speed.
            self._proven = True
            self._gate.proven()
