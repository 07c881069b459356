"""What a poller needs of a Modbus link, whatever carries the frames.

Modbus TCP, RTU on a serial port and RTU tunnelled through a TCP serial server
all serialise requests and answer one PDU per request; the poller sees only this.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True, slots=True)
class ClientStats:
    connects: int
    connect_failures: int
    discarded: int
    """Replies thrown away: on TCP those whose transaction id or unit did not match;
    on RTU stale input (a late reply, line noise) flushed before a request."""
    connected: bool
    requests: int = 0
    timeouts: int = 0
    frame_errors: int = 0
    """Replies rejected as malformed: CRC, wrong unit or function, wrong length."""
    discarded_bytes: int = 0
    """RTU: bytes flushed as stale or drained after a bad frame."""
    link_breaks: int = 0
    """An open link that failed: serial adapter unplugged, connection dropped."""


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
