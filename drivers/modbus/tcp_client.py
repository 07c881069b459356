"""Modbus TCP client: one request in flight, replies matched by transaction id.

A reply that arrives after its request timed out is still in the socket when
the next request is sent; it is recognised by its transaction id and unit and
discarded, so it can never be taken as the answer to the next question.
The connection is opened lazily and, after a failed connect, retried on a
jittered exponential backoff during which requests fail at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections import deque

from drivers.modbus import mbap
from drivers.modbus.backoff import Backoff
from drivers.modbus.client import ClientStats
from drivers.modbus.errors import FrameError, RequestTimeoutError, TransportError

log = logging.getLogger(__name__)

READ_CHUNK = 4096


__all__ = ["ClientStats", "ModbusTcpClient"]


class ModbusTcpClient:
    def __init__(
        self,
        host: str,
        port: int,
        *,
        timeout_s: float = 1.0,
        name: str,
        backoff_initial_s: float = 0.5,
        backoff_max_s: float = 30.0,
        rng: random.Random | None = None,
    ) -> None:
        if timeout_s <= 0:
            raise ValueError(f"{name}: timeout_s must be > 0, found {timeout_s}")
        self.host = host
        self.port = port
        self.timeout_s = timeout_s
        self.name = name
        self._backoff = Backoff(backoff_initial_s, backoff_max_s, rng)
        self._lock = asyncio.Lock()
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None
        self._decoder = mbap.MbapDecoder()
        self._frames: deque[mbap.Frame] = deque()
        self._transaction_id = 0
        self._retry_at = float("-inf")
        self._last_error = ""
        self._closed = False
        self._connects = 0
        self._connect_failures = 0
        self._discarded = 0
        self._requests = 0
        self._timeouts = 0
        self._frame_errors = 0
        self._breaks = 0

    @property
    def endpoint(self) -> str:
        return f"{self.host}:{self.port}"

    def stats(self) -> ClientStats:
        return ClientStats(
            self._connects,
            self._connect_failures,
            self._discarded,
            self._writer is not None,
            requests=self._requests,
            timeouts=self._timeouts,
            frame_errors=self._frame_errors,
            link_breaks=self._breaks,
        )

    async def request(self, unit: int, pdu: bytes, *, timeout_s: float | None = None) -> bytes:
        """Send ``pdu`` to ``unit`` and return the response PDU (exception responses too).

        Raises :class:`TransportError` (no connection, lost, or backing off),
        :class:`RequestTimeoutError`, or :class:`FrameError` (stream corrupted).
        """
        if not 0 <= unit <= 0xFF:
            raise ValueError(f"{self.name}: unit: expected 0..255, found {unit}")
        timeout = self.timeout_s if timeout_s is None else timeout_s
        async with self._lock:
            if self._closed:
                raise TransportError(f"{self.name}: client is closed")
            self._requests += 1
            reader, writer = await self._connection()
            self._transaction_id = (self._transaction_id + 1) & 0xFFFF
            tid = self._transaction_id
            frame = mbap.encode(tid, unit, pdu)
            try:
                async with asyncio.timeout(timeout):
                    writer.write(frame)
                    await writer.drain()
                    return await self._reply(reader, tid, unit)
            except TimeoutError:
                self._timeouts += 1
                raise RequestTimeoutError(
                    f"{self.name}: unit {unit}: no reply to transaction {tid} within {timeout} s"
                ) from None
            except (ConnectionError, OSError) as exc:
                self._breaks += 1
                self._drop()
                raise TransportError(
                    f"{self.name}: {self.endpoint}: connection lost: {exc}"
                ) from None

    async def close(self) -> None:
        self._closed = True
        writer = self._writer
        self._drop()
        if writer is not None:
            # The peer may already have reset it; it is closed either way.
            with contextlib.suppress(ConnectionError, OSError):
                await writer.wait_closed()

    async def _connection(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        if self._reader is not None and self._writer is not None:
            return self._reader, self._writer
        loop = asyncio.get_running_loop()
        wait = self._retry_at - loop.time()
        if wait > 0:
            raise TransportError(
                f"{self.name}: {self.endpoint}: not connected ({self._last_error}); "
                f"next attempt in {wait:.1f} s"
            )
        try:
            async with asyncio.timeout(self.timeout_s):
                reader, writer = await asyncio.open_connection(self.host, self.port)
        except (OSError, TimeoutError) as exc:
            self._connect_failures += 1
            delay = self._backoff.next_delay()
            self._retry_at = loop.time() + delay
            reason = str(exc) or "timed out"
            self._last_error = f"connect failed: {reason}"
            log.warning(
                "%s: cannot connect to %s: %s; retry in %.1f s",
                self.name,
                self.endpoint,
                reason,
                delay,
            )
            raise TransportError(
                f"{self.name}: {self.endpoint}: connect failed: {reason}; retry in {delay:.1f} s"
            ) from None
        self._backoff.reset()
        self._connects += 1
        self._decoder.reset()
        self._frames.clear()
        self._reader, self._writer = reader, writer
        log.info("%s: connected to %s", self.name, self.endpoint)
        return reader, writer

    async def _reply(self, reader: asyncio.StreamReader, tid: int, unit: int) -> bytes:
        while True:
            while not self._frames:
                data = await reader.read(READ_CHUNK)
                if not data:
                    self._breaks += 1
                    self._drop()
                    raise TransportError(f"{self.name}: {self.endpoint}: connection closed by peer")
                try:
                    self._frames.extend(self._decoder.feed(data))
                except FrameError as exc:
                    self._frame_errors += 1
                    self._drop()
                    raise FrameError(f"{self.name}: {self.endpoint}: {exc}") from None
            frame = self._frames.popleft()
            if frame.transaction_id == tid and frame.unit == unit:
                return frame.pdu
            self._discarded += 1
            log.debug(
                "%s: discarded reply (transaction %d, unit %d) while waiting for %d, unit %d",
                self.name,
                frame.transaction_id,
                frame.unit,
                tid,
                unit,
            )

    def _drop(self) -> None:
        if self._writer is not None:
            self._writer.close()
            self._last_error = "connection lost"
        self._reader = self._writer = None
        self._decoder.reset()
        self._frames.clear()
