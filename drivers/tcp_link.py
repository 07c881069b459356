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

from drivers.link_base import LinkBase
from drivers.modbus.errors import TransportError
from drivers.serial_settings import SerialSettings


class _StreamProtocol(asyncio.Protocol):
    def __init__(self, link: TcpLink) -> None:
        self._link = link

    def data_received(self, data: bytes) -> None:
        self._link._received(data, asyncio.get_running_loop().time())

    def eof_received(self) -> bool:
        self._link._lost("connection closed by the server")
        return False

    def connection_lost(self, exc: Exception | None) -> None:
        self._link._lost(f"connection lost: {exc}" if exc else "connection closed")


class TcpLink(LinkBase):
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
        super().__init__(
            name,
            f"{name}: {self.endpoint}",
            settings or SerialSettings(),
            backoff_initial_s=backoff_initial_s,
            backoff_max_s=backoff_max_s,
            rng=rng,
        )
        self.connect_timeout_s = connect_timeout_s
        self._transport: asyncio.Transport | None = None

    @property
    def endpoint(self) -> str:
        return f"{self.host}:{self.port}"

    @property
    def is_open(self) -> bool:
        return self._transport is not None

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
        self._opened()

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

    def _check_open(self) -> None:
        self._require_open()

    def _require_open(self) -> asyncio.Transport:
        if self._transport is None:
            raise TransportError(
                f"{self.name}: {self.endpoint}: not connected"
                + (f" ({self.last_error})" if self.last_error else "")
            )
        return self._transport
