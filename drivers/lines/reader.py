"""One serial line device (a GNSS receiver, an ASCII logger) read for as long as it runs.

The device talks on its own; the reader listens. It frames and decodes what
arrives with the device's profile, emits a reading per point, and keeps the
device's health: requests count lines, errors count rejected lines (frame) and
lost or unopenable ports (transport), and the device is down once no valid
line has come for ``stale_after_s`` (timeout). A port that disappears is
re-opened on the device state's jittered backoff, reset once data flows again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from collections import Counter
from collections.abc import Callable
from typing import Any

from drivers.device_state import DeviceState, ErrorKind, Health
from drivers.lines.ascii_decoder import AsciiDecoder
from drivers.lines.decoder import LineBatch, LineDecoder
from drivers.lines.nmea_decoder import NmeaDecoder
from drivers.lines.source import ByteSource, LinkFactory, LinkLostError
from drivers.modbus.backoff import Backoff
from drivers.profile import Profile, Protocol
from drivers.reading import Emit, Reading

log = logging.getLogger(__name__)

DEFAULT_STALE_AFTER_S = 10.0
DEFAULT_IDLE_S = 0.3
"""Silence that ends a burst. A receiver sends its epoch's sentences back to
back, then waits for the next second, so this is when the epoch is complete."""
DEFAULT_BACKOFF_INITIAL_S = 0.5
DEFAULT_BACKOFF_MAX_S = 30.0


def decoder_for(profile: Profile) -> LineDecoder:
    if profile.protocol is Protocol.NMEA:
        return NmeaDecoder(profile.nmea_points)
    if profile.protocol is Protocol.ASCII and profile.ascii is not None:
        return AsciiDecoder(profile.ascii, profile.ascii_points)
    raise ValueError(f"profile {profile.name} speaks {profile.protocol}, not a line protocol")


class LineDeviceReader:
    def __init__(
        self,
        device_id: str,
        profile: Profile,
        link_factory: LinkFactory,
        emit: Emit,
        *,
        clock: Callable[[], float] = time.time,
        stale_after_s: float = DEFAULT_STALE_AFTER_S,
        idle_s: float = DEFAULT_IDLE_S,
        backoff_initial_s: float = DEFAULT_BACKOFF_INITIAL_S,
        backoff_max_s: float = DEFAULT_BACKOFF_MAX_S,
        rng: random.Random | None = None,
    ) -> None:
        if not stale_after_s > 0 or not idle_s > 0:
            raise ValueError(
                f"device {device_id}: stale_after_s and idle_s must be > 0, "
                f"found {stale_after_s} and {idle_s}"
            )
        self.device_id = device_id
        self.profile = profile
        self.decoder = decoder_for(profile)
        self._link_factory = link_factory
        self._emit = emit
        self._clock = clock
        self._stale_after_s = stale_after_s
        self._idle_s = idle_s
        # One stale period is enough to call the device down: it is the
        # time-based equivalent of the pollers' consecutive failed polls.
        self.state = DeviceState(
            device_id, down_after=1, backoff=Backoff(backoff_initial_s, backoff_max_s, rng)
        )
        self.rejected: Counter[str] = Counter()
        """Rejected lines (and, for ASCII, fields) by reason, over the reader's life."""
        self.opens = 0
        """Times the port was opened."""
        self._link: ByteSource | None = None
        self._stop = asyncio.Event()
        self._quiet_since = 0.0

    @property
    def link_open(self) -> bool:
        return self._link is not None

    def as_dict(self) -> dict[str, Any]:
        return {
            **self.state.as_dict(),
            "protocol": self.profile.protocol.value,
            "rejected": dict(sorted(self.rejected.items())),
            "link_open": self.link_open,
            "opens": self.opens,
        }

    async def run(self) -> None:
        """Read until :meth:`close` (or cancellation); a closed reader stays closed."""
        self._quiet_since = asyncio.get_running_loop().time()
        watchdog = asyncio.create_task(self._watch(), name=f"{self.device_id}-watchdog")
        try:
            await self._loop()
        finally:
            watchdog.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await watchdog

    async def close(self) -> None:
        self._stop.set()
        if self._link is not None:
            self._link.close()  # ends a pending read now rather than at its timeout

    async def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                link = await self._link_factory()
            except (LinkLostError, OSError) as exc:
                self._transport_error(f"cannot open: {exc}")
                await self._pause(self.state.retry_delay_s())
                continue
            self.opens += 1
            self._link = link
            self.state.start_probe()
            try:
                await self._pump(link)
            except LinkLostError as exc:
                if not self._stop.is_set():
                    self._transport_error(str(exc))
            finally:
                self._link = None
                link.close()
                self._handle(self.decoder.end_of_input())
            if not self._stop.is_set():
                await self._pause(self.state.retry_delay_s())

    async def _pump(self, link: ByteSource) -> None:
        while not self._stop.is_set():
            data = await link.read(self._idle_s)
            self._handle(self.decoder.feed(data) if data else self.decoder.end_of_burst())

    def _handle(self, batch: LineBatch) -> None:
        ts = self._clock()
        for v in batch.values:
            self._emit(Reading(self.device_id, v.point, ts, v.value, v.unit, v.quality))
        self.state.requests += batch.lines
        for rejection in batch.rejections:
            self.rejected[rejection.reason] += 1
            self.state.record_error(ErrorKind.FRAME, rejection.detail, ts)
        if batch.valid:
            self._quiet_since = asyncio.get_running_loop().time()
            was = self.state.state
            self.state.end_poll(True, ts)
            if was is not Health.UP:
                log.info("device %s is up", self.device_id)

    async def _watch(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            wait = self._quiet_since + self._stale_after_s - loop.time()
            if wait > 0:
                await asyncio.sleep(wait)
                continue
            self._quiet_since = loop.time()
            ts = self._clock()
            self.state.record_error(
                ErrorKind.TIMEOUT, f"no valid data for {self._stale_after_s:g} s", ts
            )
            was = self.state.state
            self.state.end_poll(False, ts)
            if was is not Health.DOWN:
                log.warning("device %s is down: %s", self.device_id, self.state.last_error)

    def _transport_error(self, text: str) -> None:
        self.state.record_error(ErrorKind.TRANSPORT, f"{self.device_id}: {text}", self._clock())

    async def _pause(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stop.wait(), seconds)
