"""A TCP byte stream to a serial device server, with the same interface as :class:`SerialLink`.

Serial servers in "transparent" or "RTU over TCP" mode copy bytes between a TCP
connection and their RS-485 port unchanged, so the RTU client talks through one
exactly as through a local port. The serial line behind the server still sets
the timing (character time, inter-frame gap), hence ``settings``. A lost or
refused connection is retried on the same jittered backoff as a serial port.
"""

from __future__ import annotations

import asyncio
import random

from drivers.modbus.errors import TransportError
from drivers.reconnect import ReopenGate
from drivers.rx_buffer import RxBuffer
from drivers.serial_settings import SerialSettings


class _StreamProtocol(asyncio.Protocol):
    def __init__(self, link: TcpLink) -> None:
        self._link = link

    def data_received(self, data: bytes) -> None:
        self._link._received(data)

    def eof_received(self) -> bool:
        self._link._lost("connection closed by the server")
        return False

    def connection_lost(self, exc: Exception | None) -> None:
        self._link._lost(f"connection lost: {exc}" if exc else "connection closed")


class TcpLink:
    def __init__(
        self,
        host: str,
        port: int,
        *,
        name: str,
        settings: SerialSettings | None = None,
        connect_timeout_s: float = 3.0,
        backoff_initial_s: float = 0.5,
        backoff_max_s: float = 30.0,
        rng: random.Random | None = None,
    ) -> None:
        if not 0 < port <= 65535:
            raise ValueError(f"{name}: port: expected 1..65535, found {port}")
        self.host = host
        self.port = port
        self.name = name
        self.settings = settings or SerialSettings()
        self.connect_timeout_s = connect_timeout_s
        where = f"{name}: {self.endpoint}"
        self._rx = RxBuffer(where)
        self._gate = ReopenGate(where, initial_s=backoff_initial_s, max_s=backoff_max_s, rng=rng)
        self._transport: asyncio.Transport | None = None
        self._proven = False
        self._last_tx_s = float("-inf")
        self._opened_at_s = float("-inf")

    @property
    def endpoint(self) -> str:
        return f"{self.host}:{self.port}"

    @property
    def char_time_s(self) -> float:
        return self.settings.char_time_s

    @property
    def is_open(self) -> bool:
        return self._transport is not None

    @property
    def buffered(self) -> int:
        """Bytes received and not yet read."""
        return len(self._rx)

    @property
    def last_traffic_s(self) -> float:
        # What the line carried before the port was opened is unknown, so the
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

    def describe(self) -> str:
        return f"{self.endpoint} (serial line {self.settings.describe()})"

    async def open(self) -> None:
        if self._transport is not None:
            return
        await self._gate.wait_turn()
        if self.is_open:  # opened by another task while this one slept
            return
        loop = asyncio.get_running_loop()
        try:
            async with asyncio.timeout(self.connect_timeout_s):
                transport, _ = await loop.create_connection(
                    lambda: _StreamProtocol(self), self.host, self.port
                )
        except (OSError, TimeoutError) as exc:
            reason = str(exc) or "timed out"
            delay = self._gate.failed(f"connect failed: {reason}")
            raise TransportError(
                f"{self.name}: {self.endpoint}: connect failed: {reason}; retry in {delay:.2f} s"
            ) from None
        self._transport = transport
        self._proven = False
        self._rx.reset()
        self._gate.opened()
        self._opened_at_s = asyncio.get_running_loop().time()

    def close(self) -> None:
        transport = self._transport
        if transport is not None:
            self._transport = None
            self._rx.fail(TransportError(f"{self.name}: {self.endpoint}: link closed"))
            transport.close()

    async def write(self, data: bytes) -> None:
        """Hand ``data`` to the server; when it reaches the wire is the server's business."""
        transport = self._require_open()
        transport.write(data)
        self._last_tx_s = asyncio.get_running_loop().time()

    def discard_input(self) -> int:
        return self._rx.discard()

    async def read_exact(self, count: int, *, deadline: float) -> bytes:
        self._require_open()
        return await self._rx.read_exact(count, deadline=deadline)

    async def read_until(
        self, separator: bytes = b"\n", *, deadline: float, max_bytes: int = 4096
    ) -> bytes:
        self._require_open()
        return await self._rx.read_until(separator, deadline=deadline, max_bytes=max_bytes)

    async def read_until_silence(self, silence_s: float, *, deadline: float) -> bytes:
        self._require_open()
        return await self._rx.read_until_silence(silence_s, deadline=deadline)

    def _received(self, data: bytes) -> None:
        self._rx.feed(data, asyncio.get_running_loop().time())
        if not self._proven:
            self._proven = True
            self._gate.proven()

    def _lost(self, reason: str) -> None:
        transport = self._transport
        if transport is None:
            return
        self._transport = None
        delay = self._gate.broke(reason)
        self._rx.fail(
            TransportError(f"{self.name}: {self.endpoint}: {reason}; reconnecting in {delay:.2f} s")
        )
        transport.close()

    def _require_open(self) -> asyncio.Transport:
        if self._transport is None:
            raise TransportError(
                f"{self.name}: {self.endpoint}: not connected"
                + (f" ({self.last_error})" if self.last_error else "")
            )
        return self._transport
