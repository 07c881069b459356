"""A simulated RS-485 multi-drop bus: many slaves on one serial line, with real wire timing.

Like a real line, a request is a burst of characters ended by 3.5 character
times of silence (1.75 ms above 19200 baud); every slave hears it, the one it
addresses answers, the others stay silent, and a frame with a bad CRC is
ignored by all. A pty delivers bytes instantly, so the wire is modelled: a
request occupies the line for its length in character times, the addressed
slave waits its own latency after the trailing silence, and the reply is
written one character time per byte, so 13 bytes at 9600 8N1 take 13.5 ms
just as on copper. Faults (silent, late, wrong unit id, bad CRC, truncated)
are set per slave; overlapping replies are written as they would collide.

    python -m sim.rtu_bus --link /tmp/kakashi-rs485 --baud 9600 --probes 4

prints ``listening <path>`` once the line is up; clients open ``<path>``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import math
import os
import signal
import sys
import time
from collections.abc import Iterable, Sequence
from pathlib import Path

from drivers.profile import Profile, ProfileError, load_profile
from sim.register_bank import RegisterBank
from sim.rtu_codec import crc_ok, with_crc
from sim.rtu_slave import SimSlave, SlaveFaults
from sim.rtu_tty import SimTty
from sim.soil_probe import SoilProbe

log = logging.getLogger("sim.rtu_bus")

EXIT_USAGE = 2
_WRITE_FUNCTIONS = frozenset({5, 6, 15, 16})


class RtuBus:
    def __init__(
        self,
        slaves: Iterable[SimSlave],
        *,
        baudrate: int = 9600,
        parity: str = "N",
        stopbits: int = 1,
        bytesize: int = 8,
    ) -> None:
        self.slaves: dict[int, SimSlave] = {}
        for slave in slaves:
            if slave.unit in self.slaves:
                raise ValueError(f"two slaves with unit id {slave.unit} on one bus")
            self.slaves[slave.unit] = slave
        self.baudrate = baudrate
        bits = 1 + bytesize + (parity != "N") + stopbits
        self.char_time_s = bits / baudrate
        self.silence_s = 3.5 * self.char_time_s if baudrate <= 19200 else 0.00175
        self.frames = 0
        """Frames seen on the line (ended by silence)."""
        self.bad_frames = 0
        """Frames too short or with a bad CRC: ignored, as every slave would."""
        self.ignored = 0
        """Good frames for a unit no slave has."""
        self.replies = 0
        """Replies completely written to the line."""
        self.collisions = 0
        """Times a transmission started while another one (or a request) was on the line."""
        self.shortest_gap_s = math.inf
        """Shortest silence seen between the end of a reply and the next request."""
        self._tx_end: float | None = None
        self._tty: SimTty | None = None
        self._frame = bytearray()
        self._rx_end = 0.0
        self._frame_timer: asyncio.TimerHandle | None = None
        self._transmitting = 0
        self._tasks: set[asyncio.Task[None]] = set()
        self._stopping: asyncio.Task[None] | None = None
        self.stopped = asyncio.Event()

    @property
    def path(self) -> str:
        if self._tty is None:
            raise RuntimeError("the bus is not started")
        return self._tty.path

    def start(self, line: SimTty) -> None:
        self._tty = line
        asyncio.get_running_loop().add_reader(line.fd, self._on_readable)

    async def stop(self) -> None:
        line, self._tty = self._tty, None
        if line is not None:
            asyncio.get_running_loop().remove_reader(line.fd)
            line.close()
        if self._frame_timer is not None:
            self._frame_timer.cancel()
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
        self.stopped.set()

    # ---- receiving ----

    def _on_readable(self) -> None:
        line = self._tty
        if line is None:
            return
        try:
            data = os.read(line.fd, 4096)
        except BlockingIOError:
            return
        except OSError as exc:
            self._lost(f"read failed: {exc.strerror}")
            return
        if not data:
            self._lost("the line hung up")
            return
        loop = asyncio.get_running_loop()
        now = loop.time()
        if self._transmitting:
            self.collisions += 1
        elif not self._frame and self._tx_end is not None:
            self.shortest_gap_s = min(self.shortest_gap_s, now - self._tx_end)
            self._tx_end = None
        # The bytes were sent back to back, so the last one leaves the wire
        # len(data) character times after the line was free to carry them.
        self._rx_end = max(self._rx_end, now) + len(data) * self.char_time_s
        self._frame += data
        if self._frame_timer is not None:
            self._frame_timer.cancel()
        self._frame_timer = loop.call_at(self._rx_end + self.silence_s, self._frame_ended)

    def _lost(self, reason: str) -> None:
        log.error("%s: %s; the bus stops", self.path, reason)
        # Held so it is not garbage collected; not in _tasks, which stop() cancels.
        self._stopping = asyncio.get_running_loop().create_task(self.stop())

    def _frame_ended(self) -> None:
        self._frame_timer = None
        frame = bytes(self._frame)
        self._frame.clear()
        self.frames += 1
        if not crc_ok(frame):
            self.bad_frames += 1
            log.debug("ignored a frame with a bad CRC or too short: %s", frame.hex(" "))
            return
        unit, pdu = frame[0], frame[1:-2]
        if unit == 0:
            if pdu[0] in _WRITE_FUNCTIONS:
                for each in self.slaves.values():
                    each.requests += 1
                    each.answer(pdu)
            return
        addressed = self.slaves.get(unit)
        if addressed is None:
            self.ignored += 1
            return
        self._respond(addressed, unit, pdu)

    def _respond(self, slave: SimSlave, unit: int, pdu: bytes) -> None:
        slave.requests += 1
        faults = slave.faults
        if faults.silent:
            return
        reply = with_crc(bytes((faults.wrong_unit or unit,)) + slave.answer(pdu))
        if faults.corrupt_crc:
            reply = reply[:-2] + bytes(b ^ 0xFF for b in reply[-2:])
        if faults.truncate_to is not None:
            reply = reply[: faults.truncate_to]
        delay = faults.late_s if faults.late_s is not None else slave.latency_s
        loop = asyncio.get_running_loop()
        task = loop.create_task(self._transmit(reply, loop.time() + delay))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # ---- sending ----

    async def _transmit(self, reply: bytes, start: float) -> None:
        """Write ``reply`` starting at ``start``, each byte when its last bit would arrive."""
        loop = asyncio.get_running_loop()
        await asyncio.sleep(max(0.0, start - loop.time()))
        if self._transmitting or self._frame:
            self.collisions += 1
        self._transmitting += 1
        try:
            began = loop.time()
            sent = 0
            while sent < len(reply):
                due = min(len(reply), math.floor((loop.time() - began) / self.char_time_s + 1e-6))
                if due > sent and not self._write(reply[sent:due]):
                    return
                sent = max(sent, due)
                if sent < len(reply):
                    await asyncio.sleep(began + (sent + 1) * self.char_time_s - loop.time())
            self.replies += 1
            self._tx_end = loop.time()
        finally:
            self._transmitting -= 1

    def _write(self, data: bytes) -> bool:
        line = self._tty
        if line is None:
            return False
        try:
            os.write(line.fd, data)
        except BlockingIOError:
            log.warning("%s: nobody reads the line; a reply was dropped", line.path)
            return False
        except OSError as exc:
            self._lost(f"write failed: {exc.strerror}")
            return False
        return True


# ---- command line ----


def fill(bank: RegisterBank, probe: SoilProbe, ts: float) -> None:
    """Soil quantities from the toy soil model; other points sit mid-range."""
    soil = probe.at(ts).as_dict()
    for point in bank.profile.points:
        value: float | None = soil.get(point.name)
        if value is None and point.valid_range is not None:
            value = sum(point.valid_range) / 2
        if value is None:
            continue
        with contextlib.suppress(ValueError):
            bank.set(point.name, value)


def _unit_value(text: str) -> tuple[int, float]:
    unit, _, value = text.partition(":")
    try:
        return int(unit), float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected UNIT:VALUE, found {text!r}") from None


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m sim.rtu_bus",
        description="Run simulated Modbus RTU slaves on one RS-485 line (a pty or a tty).",
    )
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--link", type=Path, help="create a pty and symlink its client end here")
    where.add_argument("--device", help="serve on an existing tty (socat pty end, USB adapter)")
    parser.add_argument("--baud", type=int, default=9600)
    parser.add_argument("--parity", choices=("N", "E", "O"), default="N")
    parser.add_argument("--stopbits", type=int, choices=(1, 2), default=1)
    parser.add_argument("--probes", type=int, default=1, help="number of slaves, units from 1")
    parser.add_argument(
        "--profile",
        action="append",
        help="profile name or path; several are given to the units in turn "
        "(default dfrobot_sen0604)",
    )
    parser.add_argument("--latency-ms", type=float, default=5.0, help="each slave's reply latency")
    parser.add_argument("--refuse-holes", action="store_true", help="refuse reads over holes")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--update-s", type=float, default=1.0)
    parser.add_argument("--silent", type=int, action="append", default=[], metavar="UNIT")
    parser.add_argument("--late", type=_unit_value, action="append", default=[], metavar="UNIT:MS")
    parser.add_argument(
        "--wrong-unit", type=_unit_value, action="append", default=[], metavar="UNIT:AS"
    )
    parser.add_argument("--corrupt-crc", type=int, action="append", default=[], metavar="UNIT")
    args = parser.parse_args(argv)
    if not 1 <= args.probes <= 247:
        parser.error(f"--probes: expected 1..247, found {args.probes}")
    if not args.latency_ms >= 0:
        parser.error(f"--latency-ms: expected >= 0, found {args.latency_ms}")
    if not args.update_s > 0:
        parser.error(f"--update-s: expected > 0, found {args.update_s}")
    if not 50 <= args.baud <= 4_000_000:
        parser.error(f"--baud: expected 50..4000000, found {args.baud}")
    units = set(range(1, args.probes + 1))
    named = [*args.silent, *args.corrupt_crc, *(u for u, _ in args.late + args.wrong_unit)]
    stray = sorted(set(named) - units)
    if stray:
        parser.error(f"fault given for units {stray}, but the bus has units 1..{args.probes}")
    return args


def build_slaves(args: argparse.Namespace, profiles: Sequence[Profile]) -> list[SimSlave]:
    late = dict(args.late)
    wrong = dict(args.wrong_unit)
    slaves = []
    for unit in range(1, args.probes + 1):
        faults = SlaveFaults(
            silent=unit in args.silent,
            late_s=late[unit] / 1000 if unit in late else None,
            wrong_unit=int(wrong[unit]) if unit in wrong else None,
            corrupt_crc=unit in args.corrupt_crc,
        )
        bank = RegisterBank(profiles[(unit - 1) % len(profiles)])
        slaves.append(
            SimSlave(unit, bank, args.latency_ms / 1000, args.refuse_holes, faults=faults)
        )
    return slaves


async def serve(args: argparse.Namespace, slaves: list[SimSlave]) -> int:
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    probes = {s.unit: SoilProbe(args.seed + s.unit) for s in slaves}
    for slave in slaves:
        fill(slave.bank, probes[slave.unit], time.time())
    try:
        if args.link is not None:
            line = SimTty.create_pty(args.link)
        else:
            line = SimTty.open_device(
                args.device, baudrate=args.baud, parity=args.parity, stopbits=args.stopbits
            )
    except (OSError, ValueError) as exc:
        print(f"sim.rtu_bus: {exc}", file=sys.stderr)
        return 1
    bus = RtuBus(slaves, baudrate=args.baud, parity=args.parity, stopbits=args.stopbits)
    bus.start(line)
    print(f"listening {bus.path}", flush=True)
    try:
        while not stop.is_set() and not bus.stopped.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), args.update_s)
            for slave in slaves:
                fill(slave.bank, probes[slave.unit], time.time())
    finally:
        lost = bus.stopped.is_set()
        await bus.stop()
    return 1 if lost else 0


def main(argv: Sequence[str] | None = None) -> int:
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr, format="%(name)s: %(message)s")
    args = parse_args(argv)
    try:
        profiles = [load_profile(name) for name in (args.profile or ["dfrobot_sen0604"])]
    except ProfileError as exc:
        print(f"sim.rtu_bus: {exc}", file=sys.stderr)
        return EXIT_USAGE
    return asyncio.run(serve(args, build_slaves(args, profiles)))


if __name__ == "__main__":
    sys.exit(main())
