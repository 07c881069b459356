"""A vehicle's serial link: NMEA fixes out at the receiver's rate, missions in as JSON lines.

The line is a pty whose client end is reached through a stable symlink, so a
gateway configured with that path finds it again after the line was "unplugged"
(a ``bus_down`` fault closes the pty and removes the link; recovery makes a new
pty behind the same link). Each fix is one burst of GGA, GSA, RMC and VTG.
A line the gateway writes that starts with ``{`` is a mission (docs/simulator.md);
the vehicle answers ``$PKKSA`` and reports progress with ``$PKKSP``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import Callable
from pathlib import Path

from sim import rng
from sim.gps_receiver import GpsReceiver
from sim.nmea_out import fix_sentences, mission_ack
from sim.rtu_tty import SimTty

log = logging.getLogger(__name__)

MAX_LINE = 65536
BACKLOG_BYTES = 2048
"""Unread output beyond this is dropped: nobody is listening, and a receiver's
stale fixes must not greet the next client that opens the port."""

MissionHandler = Callable[[bytes], tuple[str | None, str | None]]
"""A received mission line → (mission id, error or None)."""


class GpsPort:
    def __init__(
        self,
        device_id: str,
        receiver: GpsReceiver,
        *,
        rate_hz: float,
        link: Path,
        now: Callable[[], float],
        on_mission: MissionHandler,
        seed: int,
    ) -> None:
        self.id = device_id
        self.receiver = receiver
        self.rate_hz = rate_hz
        self.link = link
        self._now = now
        self._on_mission = on_mission
        self.seed = seed
        self.offline = False
        self.garble_rate = 0.0
        self.truncate_rate = 0.0
        self.epochs = 0
        """Fixes sent (or due while offline: the receiver's clock runs on)."""
        self.ticks = 0
        """Times the output loop ran, sending or not."""
        self.dropped = 0
        """Bursts the pty refused (nobody reading and its buffer full)."""
        self.missions_received = 0
        self._tty: SimTty | None = None
        self._buffer = bytearray()
        self._discarding = False
        self._task: asyncio.Task[None] | None = None

    @property
    def path(self) -> str:
        return str(self.link)

    @property
    def up(self) -> bool:
        return self._tty is not None

    def open(self) -> None:
        if self._tty is not None:
            return
        self.link.parent.mkdir(parents=True, exist_ok=True)
        self._tty = SimTty.create_pty(self.link)
        asyncio.get_running_loop().add_reader(self._tty.fd, self._on_readable)

    def close(self) -> None:
        tty, self._tty = self._tty, None
        if tty is not None:
            with contextlib.suppress(ValueError, OSError):
                asyncio.get_running_loop().remove_reader(tty.fd)
            tty.close()
        self._buffer.clear()

    def start(self) -> None:
        self.open()
        self._task = asyncio.get_running_loop().create_task(self._run(), name=f"gps:{self.id}")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        self.close()

    def send(self, text: str) -> None:
        """Write sentences (already framed with CR LF) to the line, if it is up."""
        tty = self._tty
        if tty is None or self.offline:
            return
        if tty.unread() > BACKLOG_BYTES:
            tty.drop_unread()
            self.dropped += 1
        try:
            os.write(tty.fd, text.encode("ascii"))
        except BlockingIOError:
            self.dropped += 1
        except OSError as exc:
            log.warning("%s: write failed: %s", self.id, exc.strerror)

    def epoch_text(self, ts: float) -> str:
        """The sentences of the fix at ``ts``, with any garbling or truncation applied."""
        out = []
        for index, text in enumerate(fix_sentences(self.receiver.fix(ts))):
            if (
                self.garble_rate
                and rng.uniform(self.seed, "garble", self.id, self.epochs, index) < self.garble_rate
            ):
                text = _garble(text, rng.uniform(self.seed, "where", self.id, self.epochs, index))
            elif (
                self.truncate_rate
                and rng.uniform(self.seed, "cut", self.id, self.epochs, index) < self.truncate_rate
            ):
                text = _truncate(
                    text, rng.uniform(self.seed, "cut-at", self.id, self.epochs, index)
                )
            out.append(text)
        self.epochs += 1
        return "".join(out)

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        period = 1.0 / self.rate_hz
        due = loop.time()
        while True:
            if self._tty is not None and not self.offline:
                self.send(self.epoch_text(self._now()))
            self.ticks += 1
            due += period
            delay = due - loop.time()
            if delay < -period:
                due = loop.time()  # fell behind (a stalled loop): skip, do not burst
                delay = 0.0
            await asyncio.sleep(max(0.0, delay))

    def _on_readable(self) -> None:
        tty = self._tty
        if tty is None:
            return
        try:
            data = os.read(tty.fd, 4096)
        except BlockingIOError:
            return
        except OSError:
            return  # EIO while no client holds the line open: nothing to read
        for byte in data:
            if byte == 0x0A:
                line = bytes(self._buffer).strip()
                self._buffer.clear()
                if self._discarding:
                    self._discarding = False
                    self._answer(b"", "line too long")
                elif line.startswith(b"{"):
                    self._handle(line)
            elif not self._discarding:
                self._buffer.append(byte)
                if len(self._buffer) > MAX_LINE:
                    self._buffer.clear()
                    self._discarding = True

    def _handle(self, line: bytes) -> None:
        self.missions_received += 1
        mission_id, error = self._on_mission(line)
        self._answer(line, error, mission_id)

    def _answer(self, line: bytes, error: str | None, mission_id: str | None = None) -> None:
        self.send(mission_ack(mission_id, error))


def _garble(text: str, where: float) -> str:
    """One body character changed, so the checksum no longer matches (noise on the line)."""
    star = text.index("*")
    i = 1 + int(where * (star - 1))
    replacement = "#" if text[i] != "#" else "%"
    return text[:i] + replacement + text[i + 1 :]


def _truncate(text: str, where: float) -> str:
    """The sentence's tail lost before its checksum (bytes dropped by the UART): the
    next sentence's ``$`` follows straight on, as a reader would receive it."""
    star = text.index("*")
    return text[: 2 + int(where * (star - 2))]
