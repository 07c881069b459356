"""Where a line device's bytes come from: any port that can be opened, read and closed.

The reader owns re-opening (with its backoff), so a source is one open port;
a factory opens a fresh one each time. :mod:`drivers.lines.serial_source`
adapts :class:`drivers.serial_link.SerialLink`; a TCP serial server or a
recorded file can be a source too.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Protocol


class LinkLostError(Exception):
    """The port is gone (unplugged, closed, cannot be opened); the reader re-opens it."""


class ByteSource(Protocol):
    async def read(self, timeout_s: float) -> bytes:
        """Bytes that arrived, at least one; ``b""`` if none came within ``timeout_s``.

        Raises :class:`LinkLostError` when the port is gone.
        """
        ...

    def close(self) -> None: ...


LinkFactory = Callable[[], Awaitable[ByteSource]]
"""Opens the port and returns it; raises :class:`LinkLostError` or ``OSError`` if it cannot."""
