"""Polling the devices of one Modbus bus, one request at a time, each on its own schedule.

The poller always sleeps until the next device is due or a write arrives, so no
failure mode turns into a busy loop; a device that does not answer costs the
bus its own request timeout and, once down, only an occasional probe.

Writes jump the queue. :meth:`ModbusPoller.write` checks the write against the
profile at once (a broken rule raises :class:`~drivers.modbus.write.WriteRejected`
and nothing is sent), then queues it; the loop runs queued writes before its
next request, whether that would have been the next block of the device being
polled or the next device due. So an operator waits for at most the request in
flight, never for a poll cycle. A write to a device that is down is still tried
once, with the bus's normal timeout: the operator asked. Every attempt, rejected
or sent, is passed to ``on_audit``.

Read plans learn the device's holes: a merged read refused with "illegal data
address" is split (:mod:`drivers.modbus.holes`) and the parts are read in the
same poll, so no point is lost, and the device's plan keeps the split from then
on. A point refused on its own read is reported as an error of that point (the
profile is probably wrong) while the others are still read.

Missed polls and STALE: the poller emits only values a device sent. When a
device misses a poll nothing is emitted; no STALE copy of its last value is
repeated. A copy would tell consumers nothing the missing reading does not,
would fill storage and the uplink with made-up rows while a device is down, and
would need a bound anyway. Staleness is judged by whoever shows a value, from
its age (the reading's ``ts`` against the device's poll interval) and the
device's health (``state``, ``last_success_ts``); ``Quality.STALE`` is the flag
such a consumer attaches, never something this poller sends.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import logging
import math
import random
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import Enum

from drivers.device_state import DeviceState, ErrorKind, Health
from drivers.modbus import pdu
from drivers.modbus.backoff import Backoff
from drivers.modbus.client import ModbusClient
from drivers.modbus.errors import (
    FrameError,
    ModbusException,
    RequestTimeoutError,
    TransportError,
)
from drivers.modbus.holes import LearnedPlan
from drivers.modbus.plan import DEFAULT_MAX_GAP, ReadBlock
from drivers.modbus.write import (
    OnAudit,
    WriteAudit,
    WriteOutcome,
    WriteRejected,
    WriteResult,
    check_write,
    send_write,
)
from drivers.profile import Point, Profile, Protocol
from drivers.reading import Emit, Reading, Value

log = logging.getLogger(__name__)

DEFAULT_BACKOFF_MAX_S = 300.0
ILLEGAL_DATA_ADDRESS = 0x02


@dataclass(frozen=True, slots=True)
class PolledDevice:
    id: str
    profile: Profile
    unit: int
    poll_interval_s: float
    max_gap: int = DEFAULT_MAX_GAP
    """Registers read and ignored between two points of one request. Devices that
    refuse reads across unmapped registers are learned (split once, on their first
    refusal); 0 avoids even that first refused request."""

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


class _Read(Enum):
    DATA = "data"
    REFUSED = "refused"
    """Exception 2, illegal data address: the caller decides whether to split."""
    FAILED = "failed"
    """An answer without data (another exception, a malformed reply): go on."""
    SILENT = "silent"
    """No answer or no link: the device's other requests would wait out the same."""


@dataclass(eq=False, slots=True)
class _QueuedWrite:
    device: PolledDevice
    point: Point
    value: float | str
    registers: list[int]
    actor: str
    verify: bool
    future: asyncio.Future[WriteResult]


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
        on_audit: OnAudit | None = None,
    ) -> None:
        ids = [d.id for d in devices]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise ValueError(f"bus {name}: device ids used twice: {', '.join(duplicates)}")
        self.name = name
        self._client = client
        self._devices = tuple(devices)
        self._by_id = {d.id: d for d in devices}
        self._emit = emit
        self._clock = clock
        self._on_audit = on_audit
        self._plans = {d.id: LearnedPlan(d.profile.points, max_gap=d.max_gap) for d in devices}
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
        self._refused_reported: set[tuple[str, ReadBlock]] = set()
        self._writes: deque[_QueuedWrite] = deque()
        self._wake = asyncio.Event()
        """Set when a write is queued or the poller is closed."""
        self._stop = asyncio.Event()
        self._stopped = asyncio.Event()
        self._running = False

    def states(self) -> dict[str, DeviceState]:
        return dict(self._states)

    def plan(self, device_id: str) -> tuple[ReadBlock, ...]:
        """The requests one poll of the device issues now, learned splits included."""
        return self._plans[device_id].blocks

    def pending_writes(self) -> int:
        """Writes queued and not yet sent."""
        return len(self._writes)

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
            while self._writes:
                self._not_sent(self._writes.popleft(), f"bus {self.name} stopped before sending it")
            self._stopped.set()

    async def close(self) -> None:
        self._stop.set()
        self._wake.set()
        # Closing the client ends an in-flight request now rather than at its timeout.
        await self._client.close()
        if self._running:
            await self._stopped.wait()

    async def write(
        self,
        device_id: str,
        point: str,
        value: float | str,
        *,
        actor: str,
        verify: bool = True,
    ) -> WriteResult:
        """Write ``value`` (in the point's unit) to a point, ahead of any polling.

        Raises :class:`WriteRejected` if the profile forbids it; otherwise returns
        how it went (``result.ok``), having tried once. With ``verify`` the point
        is read back and a different value is reported as a mismatch.
        """
        device = self._by_id.get(device_id)
        try:
            if device is None:
                known = ", ".join(self._by_id) or "none"
                raise WriteRejected(
                    device_id, point, f"no such device on bus {self.name} (devices: {known})"
                )
            target, registers = check_write(device_id, device.profile, point, value)
        except WriteRejected as exc:
            rejected = WriteResult(
                device_id, point, value, WriteOutcome.REJECTED, self._clock(), error=str(exc)
            )
            self._audit(rejected, actor)
            log.warning("bus %s: write by %s rejected: %s", self.name, actor, exc)
            raise
        job = _QueuedWrite(
            device,
            target,
            value,
            registers,
            actor,
            verify,
            asyncio.get_running_loop().create_future(),
        )
        if self._stop.is_set():
            return self._not_sent(job, f"bus {self.name} is closed")
        if not self._running:
            # No loop to queue behind; the client serialises this with anything else.
            return await self._execute(job)
        self._writes.append(job)
        self._wake.set()
        return await job.future

    # ---- the loop ----

    async def _loop(self) -> None:
        loop = asyncio.get_running_loop()
        start = loop.time()
        schedule = [(start, i) for i in range(len(self._devices))]
        heapq.heapify(schedule)
        while not self._stop.is_set():
            await self._run_writes()
            if self._stop.is_set():
                return
            wait: float | None = None
            if schedule:
                due, index = schedule[0]
                wait = due - loop.time()
                if wait <= 0:
                    heapq.heappop(schedule)
                    device = self._devices[index]
                    await self._poll_guarded(device)
                    heapq.heappush(schedule, (self._next_due(device, due, loop.time()), index))
                    continue
            await self._idle(wait)

    async def _idle(self, seconds: float | None) -> None:
        """Until ``seconds`` pass (forever if None), a write is queued or the poller closes."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), seconds)

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

    # ---- polling ----

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
        plan = self._plans[device.id]
        queue = deque(plan.blocks)
        answered = False
        while queue:
            block = queue.popleft()
            result = await self._read(device, block)
            if result is _Read.REFUSED:
                if len(block.group_starts()) == 1:
                    self._point_refused(device, block)
                    continue
                parts = plan.split_at_gaps(block)
                if parts:
                    self._log_split(device, block, parts)
                    queue.extendleft(reversed(parts))
                    continue
                got_data, result = await self._read_singly(device, block)
                answered = answered or got_data
            if result is _Read.SILENT:
                if self._stop.is_set():
                    return
                break  # the rest would only wait out the same silence
            answered = answered or result is _Read.DATA
        state.end_poll(answered, self._clock())
        if state.state is Health.UP and was is not Health.UP:
            log.info("bus %s: device %s is up", self.name, device.id)
        elif state.state is Health.DOWN and was is not Health.DOWN:
            log.warning("bus %s: device %s is down: %s", self.name, device.id, state.last_error)

    async def _read_singly(self, device: PolledDevice, block: ReadBlock) -> tuple[bool, _Read]:
        """Read a refused block point by point and learn from what the device refuses.

        Returns whether any point gave data, and SILENT if the device fell silent.
        """
        plan = self._plans[device.id]
        refused: list[ReadBlock] = []
        answered, complete = False, True
        for single in plan.singles(block):
            result = await self._read(device, single)
            if result is _Read.SILENT:
                return answered, result
            if result is _Read.DATA:
                answered = True
            elif result is _Read.REFUSED:
                refused.append(single)
                self._point_refused(device, single)
            else:
                complete = False
        # Learn only from clean answers: a point failing for another reason says
        # nothing about which reads the device refuses.
        if complete:
            self._log_split(device, block, plan.isolate(block, refused))
        return answered, _Read.DATA if answered else _Read.FAILED

    async def _read(self, device: PolledDevice, block: ReadBlock) -> _Read:
        await self._run_writes()
        if self._stop.is_set():
            return _Read.SILENT
        state = self._states[device.id]
        request = pdu.read_request(block.function.read_code, block.address, block.count)
        # Errors name the device and the registers, not just the bus.
        where = f"{device.id} ({block.span})"
        loop = asyncio.get_running_loop()
        state.record_request()
        sent = loop.time()
        try:
            response = await self._client.request(device.unit, request)
        except (RequestTimeoutError, TransportError) as exc:
            if not self._stop.is_set():
                kind = (
                    ErrorKind.TIMEOUT
                    if isinstance(exc, RequestTimeoutError)
                    else ErrorKind.TRANSPORT
                )
                state.record_error(kind, f"{where}: {exc}", self._clock())
            return _Read.SILENT
        except FrameError as exc:
            state.record_error(ErrorKind.FRAME, f"{where}: {exc}", self._clock())
            return _Read.FAILED
        received = self._clock()
        state.record_latency(loop.time() - sent)
        try:
            values = _values(block, request, response)
        except ModbusException as exc:
            if exc.code == ILLEGAL_DATA_ADDRESS:
                return _Read.REFUSED
            state.record_error(ErrorKind.EXCEPTION, f"{where}: {exc}", received)
            return _Read.FAILED
        except FrameError as exc:
            state.record_error(ErrorKind.FRAME, f"{where}: {exc}", received)
            return _Read.FAILED
        for point in block.points:
            registers = block.slice_for(point, values)
            if point.is_absent(registers):
                continue  # this unit has no such point (profile `absent`)
            value, quality = point.decode(registers)
            self._emit(Reading(device.id, point.name, received, value, point.unit, quality))
        return _Read.DATA

    def _point_refused(self, device: PolledDevice, block: ReadBlock) -> None:
        names = ", ".join(p.name for p in block.points)
        refusal = ModbusException(block.function.read_code, ILLEGAL_DATA_ADDRESS)
        text = (
            f"{device.id}: point {names} ({block.span}): {refusal}; the device does not "
            f"serve this address, check profile {device.profile.name}"
        )
        self._states[device.id].record_error(ErrorKind.EXCEPTION, text, self._clock())
        key = (device.id, block)
        if key not in self._refused_reported:
            self._refused_reported.add(key)
            log.warning("bus %s: %s", self.name, text)

    def _log_split(
        self, device: PolledDevice, block: ReadBlock, parts: Sequence[ReadBlock]
    ) -> None:
        spans = ", ".join(f"{p.address}..{p.end - 1}" for p in parts)
        log.info(
            "bus %s: device %s refuses reading %s at once (illegal data address); "
            "reading it as %s from now on",
            self.name,
            device.id,
            block.span,
            spans,
        )

    # ---- writing ----

    async def _run_writes(self) -> None:
        self._wake.clear()
        while self._writes and not self._stop.is_set():
            job = self._writes.popleft()
            if job.future.done():
                self._not_sent(job, "withdrawn by the caller before it was sent")
                continue
            await self._execute(job)

    async def _execute(self, job: _QueuedWrite) -> WriteResult:
        try:
            result = await self._send(job)
        except Exception as exc:
            # A bug here must neither stop the bus nor leave the caller waiting.
            log.exception("bus %s: write to %s failed unexpectedly", self.name, job.device.id)
            result = self._result(job, WriteOutcome.FAILED, error=f"internal error: {exc!r}")
        state = self._states[job.device.id]
        state.record_write(result.ok, result.ts, result.error)
        return self._finish(job, result)

    async def _send(self, job: _QueuedWrite) -> WriteResult:
        sent = await send_write(
            self._client,
            job.device.unit,
            job.device.id,
            job.point,
            job.registers,
            verify=job.verify,
            on_request=self._states[job.device.id].record_request,
        )
        return self._result(job, sent.outcome, sent.registers, sent.read_back, sent.error)

    def _result(
        self,
        job: _QueuedWrite,
        outcome: WriteOutcome,
        registers: Sequence[int] = (),
        read_back: Value = None,
        error: str = "",
    ) -> WriteResult:
        return WriteResult(
            job.device.id,
            job.point.name,
            job.value,
            outcome,
            self._clock(),
            tuple(registers),
            read_back,
            error,
        )

    def _not_sent(self, job: _QueuedWrite, reason: str) -> WriteResult:
        error = f"device {job.device.id}: point {job.point.name}: not sent: {reason}"
        return self._finish(
            job, self._result(job, WriteOutcome.NOT_SENT, job.registers, None, error)
        )

    def _finish(self, job: _QueuedWrite, result: WriteResult) -> WriteResult:
        self._audit(result, job.actor)
        if result.ok:
            log.info(
                "bus %s: device %s: point %s set to %r by %s",
                self.name,
                result.device,
                result.point,
                result.value,
                job.actor,
            )
        else:
            log.warning(
                "bus %s: write by %s %s: %s", self.name, job.actor, result.outcome, result.error
            )
        if not job.future.done():
            job.future.set_result(result)
        return result

    def _audit(self, result: WriteResult, actor: str) -> None:
        if self._on_audit is None:
            return
        try:
            self._on_audit(WriteAudit.of(result, bus=self.name, actor=actor))
        except Exception:
            # The audit sink is the service's; its failure must not fail the write.
            log.exception("bus %s: audit callback failed", self.name)


def _values(block: ReadBlock, request: bytes, response: bytes) -> Sequence[int]:
    if block.function.is_bits:
        return [int(b) for b in pdu.parse_bits(request, response)]
    return pdu.parse_registers(request, response)
