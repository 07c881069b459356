"""A serial port (:class:`drivers.serial_link.SerialLink`) as a line device's byte source."""

from __future__ import annotations

import asyncio

from drivers.lines.source import ByteSource, LinkFactory, LinkLostError
from drivers.modbus.errors import TransportError
from drivers.rx_buffer import LinkTimeoutError
from drivers.serial_link import SerialLink
from drivers.serial_settings import SerialSettings

MIN_GAP_S = 0.02
"""USB serial adapters deliver bytes in packets up to ~16 ms apart: a shorter
gap would split a burst at every packet."""
MAX_BURST_S = 0.25
"""A device that never pauses is still handed on four times a second."""


class SerialByteSource:
    """Reads a burst at a time: the first byte, then everything until a short silence."""

    def __init__(self, link: SerialLink) -> None:
        self._link = link
        self._gap_s = max(MIN_GAP_S, 10 * link.char_time_s)

    async def read(self, timeout_s: float) -> bytes:
        loop = asyncio.get_running_loop()
        try:
            first = await self._link.read_exact(1, deadline=loop.time() + timeout_s)
        except LinkTimeoutError:
            return b""
        except TransportError as exc:
            raise LinkLostError(str(exc)) from None
        try:
            rest = await self._link.read_until_silence(
                self._gap_s, deadline=loop.time() + MAX_BURST_S
            )
        except TransportError as exc:
            raise LinkLostError(str(exc)) from None
        return first + rest

    def close(self) -> None:
        self._link.close()


def serial_source_factory(port: str, settings: SerialSettings, *, name: str) -> LinkFactory:
    """Each call opens the port afresh; the reader decides when to call again."""

    async def open_port() -> ByteSource:
        link = SerialLink(
            port,
            baudrate=settings.baudrate,
            parity=settings.parity,
            stopbits=settings.stopbits,
            bytesize=settings.bytesize,
            name=name,
        )
        try:
            await link.open()
        except TransportError as exc:
            raise LinkLostError(str(exc)) from None
        return SerialByteSource(link)

    return open_port
