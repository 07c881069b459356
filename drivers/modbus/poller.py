"""Polling the devices of one Modbus bus, one request at a time, each on its own schedule.

The poller always sleeps until the next device is due, so no failure mode
turns into a busy loop; a device that does not answer costs the bus its own
request timeout and, once down, only an occasional probe.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import logging
import math
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from drivers.device_state import DeviceState, ErrorKind, Health
from drivers.modbus import pdu
from drivers.modbus.backoff import Backoff
from drivers.modbus.client import ModbusClient
from drivers.modbus.errors import FrameError, ModbusException, RequestTimeoutError, TransportError
from drivers.modbus.plan import DEFAULT_MAX_GAP, ReadBlock, plan_reads
from drivers.profile import Profile, Protocol
from drivers.reading import Emit, Reading

log = logging.getLogger(__name__)

DEFAULT_BACKOFF_MAX_S = 300.0


@dataclass(frozen=True, slots=True)
class PolledDevice:
    id: str
    profile: Profile
    unit: int
    poll_interval_s: float
    max_gap: int = DEFAULT_MAX_GAP
    """Some devices refuse reads that touch unmapped registers: set 0 for those."""

    def __post_init__(self) -> None:
        if self.profile.protocol is not Protocol.MODBUS:
            raise ValueError(
                f"device {self.id}: profile {self.profile.name} speaks "
                f"{self.profile.protocol}, not modbus"
            )
        if not 0 <= self.unit <= 255:
            raise ValueError(f"device {self.id}: unit: expected 0..255, found {self.unit}")
        if not (self.poll_interval_s > 0 and math.isfinite(self.poll_interval_s)):
            raise ValueError(
                f"device {self.id}: poll_interval_s: expected > 0, found {self.poll_interval_s}"
            )


class ModbusPoller:
    def __init__(
        self,
        name: str,
        client: ModbusClient,
        devices: Sequence[PolledDevice],
        emit: Emit,
        *,
        clock: Callable[[], float] = time.time,
        down_after: int = 3,
        backoff_max_s: float = DEFAULT_BACKOFF_MAX_S,
        rng: random.Random | None = None,
    ) -> None:
        ids = [d.id for d in devices]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise ValueError(f"bus {name}: device ids used twice: {', '.join(duplicates)}")
        self.name = name
        self._client = client
        self._devices = tuple(devices)
        self._emit = emit
        self._clock = clock
        self._plans = {d.id: plan_reads(d.profile.points, max_gap=d.max_gap) for d in devices}
        rng = rng or random.Random()
        self._states = {
            d.id: DeviceState(
                d.id,
                down_after=down_after,
                # A down device is probed no more often than it is polled.
                backoff=Backoff(d.poll_interval_s, max(backoff_max_s, d.poll_interval_s), rng),
            )
            for d in devices
        }
        self._stop = asyncio.Event()
        self._stopped = asyncio.Event()
        self._running = False

    def states(self) -> dict[str, DeviceState]:
        return dict(self._states)

    async def run(self) -> None:
        """Poll until :meth:`close`; safe to cancel."""
        if self._running:
            raise RuntimeError(f"bus {self.name}: poller is already running")
        self._running = True
        self._stopped.clear()
        try:
            await self._loop()
        finally:
            self._running = False
            self._stopped.set()

    async def close(self) -> None:
        self._stop.set()
        # Closing the client ends an in-flight request now rather than at its timeout.
        await self._client.close()
        if self._running:
            await self._stopped.wait()

    async def _loop(self) -> None:
        loop = asyncio.get_running_loop()
        start = loop.time()
        schedule = [(start, i) for i in range(len(self._devices))]
        heapq.heapify(schedule)
        while not self._stop.is_set():
            if not schedule:
                await self._stop.wait()
                return
            due, index = schedule[0]
            wait = due - loop.time()
            if wait > 0:
                await self._sleep(wait)
                continue
            heapq.heappop(schedule)
            device = self._devices[index]
            await self._poll_guarded(device)
            heapq.heappush(schedule, (self._next_due(device, due, loop.time()), index))

    async def _sleep(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stop.wait(), seconds)

    def _next_due(self, device: PolledDevice, due: float, now: float) -> float:
        state = self._states[device.id]
        if state.is_down:
            return now + state.retry_delay_s()
        interval = device.poll_interval_s
        following = due + interval
        if following <= now:
            # Overrun: skip the missed slots but keep the phase, and never
            # schedule in the past (which would poll back to back).
            following += interval * (math.floor((now - following) / interval) + 1)
        return following

    async def _poll_guarded(self, device: PolledDevice) -> None:
        try:
            await self._poll(device)
        except Exception:
            # A bug in decoding one device must not stop the bus.
            log.exception("bus %s: device %s: poll failed unexpectedly", self.name, device.id)

    async def _poll(self, device: PolledDevice) -> None:
        state = self._states[device.id]
        was = state.state
        state.start_probe()
        answered = False
        loop = asyncio.get_running_loop()
        for block in self._plans[device.id]:
            request = pdu.read_request(block.function.read_code, block.address, block.count)
            # Errors name the device and the registers, not just the bus.
            where = f"{device.id} ({block.function} {block.address}..{block.end - 1})"
            state.record_request()
            sent = loop.time()
            try:
                response = await self._client.request(device.unit, request)
            except (RequestTimeoutError, TransportError) as exc:
                if self._stop.is_set():
                    return
                kind = (
                    ErrorKind.TIMEOUT
                    if isinstance(exc, RequestTimeoutError)
                    else ErrorKind.TRANSPORT
                )
                state.record_error(kind, f"{where}: {exc}", self._clock())
                break  # the rest would only wait out the same silence
            except FrameError as exc:
                state.record_error(ErrorKind.FRAME, f"{where}: {exc}", self._clock())
                continue
            received = self._clock()
            state.record_latency(loop.time() - sent)
            try:
                self._publish(device, block, request, response, received)
            except ModbusException as exc:
                state.record_error(ErrorKind.EXCEPTION, f"{where}: {exc}", received)
                continue
            except FrameError as exc:
                state.record_error(ErrorKind.FRAME, f"{where}: {exc}", received)
                continue
            answered = True
        state.end_poll(answered, self._clock())
        if state.state is Health.UP and was is not Health.UP:
            log.info("bus %s: device %s is up", self.name, device.id)
        elif state.state is Health.DOWN and was is not Health.DOWN:
            log.warning("bus %s: device %s is down: %s", self.name, device.id, state.last_error)

    def _publish(
        self, device: PolledDevice, block: ReadBlock, request: bytes, response: bytes, ts: float
    ) -> None:
        values: Sequence[int]
        if block.function.is_bits:
            values = [int(b) for b in pdu.parse_bits(request, response)]
        else:
            values = pdu.parse_registers(request, response)
        for point in block.points:
            value, quality = point.decode(block.slice_for(point, values))
            self._emit(Reading(device.id, point.name, ts, value, point.unit, quality))
