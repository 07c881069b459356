"""Modbus RTU client over a byte link: a serial port, or a TCP serial server (RTU over TCP).

One RS-485 line carries one conversation at a time, so all the slaves on a
port share one client and its lock: requests to different units are queued,
never interleaved and never sent over a second connection. Before each request
the line must have been silent for the inter-frame gap, and whatever arrived
meanwhile (a reply that came after its request timed out, noise) is flushed
and counted, so it can never be taken for the answer to the next question.
A reply is read by the length its request implies and checked (CRC, unit,
function, byte count); a bad one is a FrameError and the rest of it is drained
until the line is silent.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Protocol

from drivers.modbus import rtu
from drivers.modbus.client import ClientStats
from drivers.modbus.errors import FrameError, RequestTimeoutError, TransportError
from drivers.rx_buffer import LinkTimeoutError
from drivers.serial_settings import SerialSettings

log = logging.getLogger(__name__)

DEFAULT_TURNAROUND_S = 0.1
"""How long a broadcast is given to be executed before the next request (spec: 100-200 ms)."""


class ByteLink(Protocol):
    """What the client needs of a link: :class:`drivers.serial_link.SerialLink` or
    :class:`drivers.tcp_link.TcpLink`."""

    name: str
    settings: SerialSettings

    @property
    def is_open(self) -> bool: ...
    @property
    def last_traffic_s(self) -> float: ...
    @property
    def connects(self) -> int: ...
    @property
    def connect_failures(self) -> int: ...
    @property
    def breaks(self) -> int: ...
    @property
    def last_error(self) -> str: ...
    def retry_in_s(self) -> float: ...
    def describe(self) -> str: ...
    async def open(self) -> None: ...
    def close(self) -> None: ...
    async def write(self, data: bytes) -> None: ...
    def discard_input(self) -> int: ...
    async def read_exact(self, count: int, *, deadline: float) -> bytes: ...
    async def read_until_silence(self, silence_s: float, *, deadline: float) -> bytes: ...


class ModbusRtuClient:
    def __init__(
        self,
        link: ByteLink,
        *,
        name: str,
        timeout_s: float = 1.0,
        frame_gap_ms: float | None = None,
        turnaround_s: float = DEFAULT_TURNAROUND_S,
    ) -> None:
        if timeout_s <= 0:
            raise ValueError(f"{name}: timeout_s must be > 0, found {timeout_s}")
        if frame_gap_ms is not None and frame_gap_ms < 0:
            raise ValueError(f"{name}: frame_gap_ms must be >= 0, found {frame_gap_ms}")
        if turnaround_s < 0:
            raise ValueError(f"{name}: turnaround_s must be >= 0, found {turnaround_s}")
        self.link = link
        self.name = name
        self.timeout_s = timeout_s
        self.turnaround_s = turnaround_s
        settings = link.settings
        self.frame_gap_s = (
            rtu.silent_interval_s(settings.baudrate, settings.char_time_s)
            if frame_gap_ms is None
            else frame_gap_ms / 1000
        )
        self._lock = asyncio.Lock()
        self._closed = False
        self._requests = 0
        self._timeouts = 0
        self._frame_errors = 0
        self._discarded = 0
        self._discarded_bytes = 0

    def stats(self) -> ClientStats:
        return ClientStats(
            self.link.connects,
            self.link.connect_failures,
            self._discarded,
            self.link.is_open,
            requests=self._requests,
            timeouts=self._timeouts,
            frame_errors=self._frame_errors,
            discarded_bytes=self._discarded_bytes,
            link_breaks=self.link.breaks,
        )

    async def request(self, unit: int, pdu: bytes, *, timeout_s: float | None = None) -> bytes:
        """Send ``pdu`` to ``unit`` and return the reply PDU (exception replies too).

        Unit 0 broadcasts: every slave acts and none answers, so after the
        turnaround delay an empty PDU is returned. Raises
        :class:`TransportError` (port gone, not open within the timeout),
        :class:`RequestTimeoutError` or :class:`FrameError`.
        """
        if not 0 <= unit <= 0xFF:
            raise ValueError(f"{self.name}: unit: expected 0..255, found {unit}")
        adu = rtu.encode(unit, pdu)
        timeout = self.timeout_s if timeout_s is None else timeout_s
        async with self._lock:
            if self._closed:
                raise TransportError(f"{self.name}: client is closed")
            self._requests += 1
            await self._open(timeout)
            await self._wait_for_quiet_line(timeout)
            await self.link.write(adu)
            if unit == rtu.BROADCAST_UNIT:
                await asyncio.sleep(self.turnaround_s)
                return b""
            deadline = asyncio.get_running_loop().time() + timeout
            frame = await self._read_reply(unit, pdu, deadline, timeout)
            try:
                return rtu.decode_response(unit, pdu, frame)
            except FrameError as exc:
                raise await self._rejected(unit, exc) from None

    async def close(self) -> None:
        """Close the link; an in-flight request ends with TransportError at once."""
        self._closed = True
        self.link.close()

    async def _open(self, budget_s: float) -> None:
        if self.link.is_open:
            return
        try:
            async with asyncio.timeout(budget_s):
                await self.link.open()
        except TimeoutError:
            raise TransportError(
                f"{self.name}: {self.link.describe()}: not open ({self.link.last_error}); "
                f"next attempt in {self.link.retry_in_s():.2f} s"
            ) from None

    async def _wait_for_quiet_line(self, budget_s: float) -> None:
        """Flush stale input and wait until the line has been silent for the frame gap."""
        loop = asyncio.get_running_loop()
        give_up = loop.time() + budget_s
        flushed = 0
        while True:
            flushed += self.link.discard_input()
            quiet_at = self.link.last_traffic_s + self.frame_gap_s
            now = loop.time()
            if now >= quiet_at:
                break
            if quiet_at > give_up:
                self._count_stale(flushed)
                raise TransportError(
                    f"{self.name}: {self.link.describe()}: line not silent for "
                    f"{self.frame_gap_s * 1000:.2f} ms within {budget_s} s (another master, "
                    "a babbling slave or noise)"
                )
            await asyncio.sleep(quiet_at - now)
        self._count_stale(flushed)

    def _count_stale(self, flushed: int) -> None:
        if flushed:
            self._discarded += 1
            self._discarded_bytes += flushed
            log.debug("%s: flushed %d stale bytes before a request", self.name, flushed)

    async def _read_reply(self, unit: int, pdu: bytes, deadline: float, wait_s: float) -> bytes:
        try:
            head = await self.link.read_exact(rtu.HEAD_LEN, deadline=deadline)
        except LinkTimeoutError as exc:
            if exc.partial:
                expected = rtu.expected_response_length(pdu)
                raise await self._rejected(unit, self._short(exc.partial, expected)) from None
            self._timeouts += 1
            raise RequestTimeoutError(
                f"{self.name}: unit {unit}: no reply within {wait_s} s"
            ) from None
        length = rtu.response_length(head)
        if length is None:
            # A function whose reply length cannot be known: it ends at silence.
            return head + await self.link.read_until_silence(self.frame_gap_s, deadline=deadline)
        try:
            return head + await self.link.read_exact(length - rtu.HEAD_LEN, deadline=deadline)
        except LinkTimeoutError as exc:
            raise await self._rejected(unit, self._short(head + exc.partial, length)) from None

    @staticmethod
    def _short(received: bytes, expected: int | None) -> FrameError:
        wanted = f" of {expected}" if expected is not None else ""
        return FrameError(
            f"short frame: {len(received)}{wanted} bytes before the timeout ({received.hex(' ')})"
        )

    async def _rejected(self, unit: int, error: FrameError) -> FrameError:
        """Drain the rest of a bad reply until the line is silent; the error to raise."""
        self._frame_errors += 1
        loop = asyncio.get_running_loop()
        rest = await self.link.read_until_silence(
            self.frame_gap_s, deadline=loop.time() + self.timeout_s
        )
        self._discarded_bytes += len(rest)
        return FrameError(f"{self.name}: unit {unit}: {error}")
