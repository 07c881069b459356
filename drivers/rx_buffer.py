"""Received bytes waiting to be consumed, read by count, separator or silence before a deadline.

Links feed it from their event-loop callbacks (``loop.add_reader`` for a serial
port, ``Protocol.data_received`` for TCP) and readers await it, so no thread
and no polling is needed. Deadlines are absolute ``loop.time()`` values: a
caller with one deadline for a whole exchange passes it unchanged to every read.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable


class LinkTimeoutError(TimeoutError):
    """The deadline passed; ``partial`` holds what had arrived of the awaited data."""

    def __init__(self, message: str, partial: bytes) -> None:
        super().__init__(message)
        self.partial = partial


class RxBuffer:
    def __init__(self, name: str) -> None:
        self.name = name
        self._data = bytearray()
        self._waiter: asyncio.Future[None] | None = None
        self._error: BaseException | None = None
        self.last_rx_s = float("-inf")
        """loop.time() when the latest bytes arrived."""
        self.received = 0

    def __len__(self) -> int:
        return len(self._data)

    def feed(self, data: bytes, now: float) -> None:
        if not data:
            return
        self._data += data
        self.received += len(data)
        self.last_rx_s = now
        self._wake()

    def fail(self, error: BaseException) -> None:
        """The link broke: pending and later reads raise ``error`` until :meth:`reset`."""
        self._error = error
        self._wake()

    def reset(self) -> None:
        self._data.clear()
        self._error = None

    def discard(self) -> int:
        """Drop everything buffered; return how many bytes that was."""
        count = len(self._data)
        self._data.clear()
        return count

    async def read_exact(self, count: int, *, deadline: float) -> bytes:
        if count < 0:
            raise ValueError(f"{self.name}: count: expected >= 0, found {count}")
        await self._wait_for(lambda: len(self._data) >= count, deadline, f"{count} bytes")
        return self._take(count)

    async def read_until(
        self, separator: bytes = b"\n", *, deadline: float, max_bytes: int = 4096
    ) -> bytes:
        """Bytes up to and including ``separator``. A line longer than ``max_bytes``
        is returned cut at ``max_bytes`` so a line without an end cannot grow forever."""
        if not separator:
            raise ValueError(f"{self.name}: separator must not be empty")

        def found() -> bool:
            return separator in self._data or len(self._data) >= max_bytes

        await self._wait_for(found, deadline, f"{separator!r}")
        end = self._data.find(separator)
        size = max_bytes if end < 0 or end + len(separator) > max_bytes else end + len(separator)
        return self._take(size)

    async def read_until_silence(self, silence_s: float, *, deadline: float) -> bytes:
        """Everything buffered or arriving until no byte has come for ``silence_s``
        (or the deadline passes); possibly nothing. Silence is counted from the
        last byte received, so a line quiet for long enough returns at once."""
        loop = asyncio.get_running_loop()
        while True:
            self._raise_error()
            quiet_at = self.last_rx_s + silence_s
            now = loop.time()
            if now >= quiet_at or now >= deadline:
                return self._take(len(self._data))
            await self._sleep_until(min(quiet_at, deadline))

    def _take(self, count: int) -> bytes:
        out = bytes(self._data[:count])
        del self._data[:count]
        return out

    async def _wait_for(self, ready: Callable[[], bool], deadline: float, what: str) -> None:
        loop = asyncio.get_running_loop()
        while True:
            self._raise_error()
            if ready():
                return
            if loop.time() >= deadline:
                partial = self._take(len(self._data))
                raise LinkTimeoutError(
                    f"{self.name}: waited for {what}, got {len(partial)} bytes", partial
                )
            await self._sleep_until(deadline)

    async def _sleep_until(self, when: float) -> None:
        """Return when bytes arrive, the link fails, or ``when`` passes."""
        if self._waiter is not None:
            raise RuntimeError(f"{self.name}: two readers at once")
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiter = waiter
        try:
            async with asyncio.timeout_at(when):
                await waiter
        except TimeoutError:
            pass
        finally:
            self._waiter = None

    def _wake(self) -> None:
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(None)

    def _raise_error(self) -> None:
        if self._error is not None:
            # Raised again by every later read: drop the previous traceback so
            # the one error object does not grow a chain of them.
            raise self._error.with_traceback(None)
