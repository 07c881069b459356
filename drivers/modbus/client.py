"""What a poller needs of a Modbus link, whatever carries the frames.

Modbus TCP, RTU on a serial port and RTU tunnelled through a TCP serial server
all serialise requests and answer one PDU per request; the poller sees only this.
"""

from __future__ import annotations

from typing import Protocol

from drivers.modbus.tcp_client import ClientStats


class ModbusClient(Protocol):
    name: str

    async def request(self, unit: int, pdu: bytes, *, timeout_s: float | None = None) -> bytes:
        """Send one request PDU to ``unit`` and return its response PDU.

        Raises RequestTimeoutError, TransportError or FrameError; an exception
        response is returned as a PDU (pdu.check_exception turns it into
        ModbusException)."""
        ...

    async def close(self) -> None: ...

    def stats(self) -> ClientStats: ...
