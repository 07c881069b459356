"""Real serial lines for RTU tests: pty peers, socat pty pairs and simulated buses.

Shared by the driver tests (the gateway's side of the line) and the simulator
tests (the slaves' side). Nothing here mocks a line: bytes go through the
kernel's pty driver, and through socat where a test needs a line that can be
unplugged or a serial server.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import pty
import signal
import socket
import tty
from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import asynccontextmanager
from pathlib import Path

from drivers.profile import Profile, load_profile
from sim.register_bank import RegisterBank
from sim.rtu_bus import RtuBus
from sim.rtu_slave import SimSlave
from sim.rtu_tty import SimTty

# The DFRobot documented exchange and the values it carries.
DFROBOT_REQUEST = bytes.fromhex("01 03 00 00 00 04 44 09")
DFROBOT_REPLY = bytes.fromhex("01 03 08 02 92 FF 9B 03 E8 00 38 57 B6")
REFERENCE = {"moisture": 65.8, "temperature": -10.1, "ec": 1000.0, "ph": 5.6}
REFERENCE_REGISTERS = [0x0292, 0xFF9B, 0x03E8, 0x0038]

SOCAT_READY = b"starting data transfer loop"

ALL_TABLES_TOML = """
[device]
manufacturer = "Kakashi"
model = "RTU test device"
protocol = "modbus"

[points.relay]
function = "coil"
address = 0
type = "bit"
writable = true

[points.pump]
function = "coil"
address = 1
type = "bit"
writable = true

[points.door]
function = "discrete_input"
address = 3
type = "bit"

[points.level]
function = "input"
address = 10
type = "u16"

[points.setpoint]
function = "holding"
address = 20
type = "u16"
writable = true
min = 0
max = 1000

[points.limit]
function = "holding"
address = 21
type = "u16"
writable = true
min = 0
max = 1000

[points.serial]
function = "holding"
address = 30
type = "u16"
"""


def all_tables_profile(directory: Path) -> Profile:
    """A device with every table, writable coils and holding registers, and a hole
    (holding 22..29) between the writable registers and a read-only one."""
    path = directory / "all_tables.toml"
    path.write_text(ALL_TABLES_TOML, encoding="utf-8")
    return load_profile(path)


async def eventually(condition: Callable[[], bool], timeout_s: float = 5.0) -> None:
    """Poll ``condition`` until it holds; fail after ``timeout_s``."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    while not condition():
        if loop.time() > deadline:
            raise AssertionError(f"condition not met within {timeout_s} s")
        await asyncio.sleep(0.005)


def dfrobot_bank(values: dict[str, float] | None = None) -> RegisterBank:
    bank = RegisterBank(load_profile("dfrobot_sen0604"))
    for name, value in (values or REFERENCE).items():
        bank.set(name, value)
    return bank


class RawPort:
    """One end of a line driven byte by byte from a test: a hand-made slave or master."""

    def __init__(self, fd: int) -> None:
        self.fd = fd

    @classmethod
    def open(cls, path: str) -> RawPort:
        fd = os.open(path, os.O_RDWR | os.O_NOCTTY | os.O_NONBLOCK)
        tty.setraw(fd)
        return cls(fd)

    async def read_exact(self, count: int, timeout_s: float = 2.0) -> bytes:
        out = bytearray()
        async with asyncio.timeout(timeout_s):
            while len(out) < count:
                await self._readable()
                with contextlib.suppress(BlockingIOError):
                    out += os.read(self.fd, count - len(out))
        return bytes(out)

    async def read_frame(self, silence_s: float = 0.05, timeout_s: float = 2.0) -> bytes:
        """Bytes up to the first silence of ``silence_s`` after at least one byte."""
        out = bytearray(await self.read_exact(1, timeout_s))
        while True:
            try:
                async with asyncio.timeout(silence_s):
                    await self._readable()
            except TimeoutError:
                return bytes(out)
            with contextlib.suppress(BlockingIOError):
                out += os.read(self.fd, 4096)

    def write(self, data: bytes) -> None:
        os.write(self.fd, data)

    def pending(self) -> bytes:
        """Whatever has arrived and not been read, without waiting."""
        try:
            return os.read(self.fd, 4096)
        except BlockingIOError:
            return b""

    def close(self) -> None:
        if self.fd >= 0:
            with contextlib.suppress(OSError):
                os.close(self.fd)
        self.fd = -1

    async def _readable(self) -> None:
        loop = asyncio.get_running_loop()
        ready: asyncio.Future[None] = loop.create_future()

        def wake() -> None:
            if not ready.done():
                ready.set_result(None)

        loop.add_reader(self.fd, wake)
        try:
            await ready
        finally:
            loop.remove_reader(self.fd)


class PtyPeer(RawPort):
    """A pty whose master the test drives; the code under test opens ``path``."""

    def __init__(self) -> None:
        master, self._slave = pty.openpty()
        tty.setraw(self._slave)
        os.set_blocking(master, False)
        super().__init__(master)
        self.path = os.ttyname(self._slave)

    @property
    def master(self) -> int:
        return self.fd

    def hang_up(self) -> None:
        """Close both ends, as when a USB adapter is pulled: the node goes away."""
        self.close()
        with contextlib.suppress(OSError):
            os.close(self._slave)
        self._slave = -1


@asynccontextmanager
async def simulated_bus(
    slaves: Iterable[SimSlave],
    *,
    baudrate: int = 9600,
    parity: str = "N",
    stopbits: int = 1,
    link: Path | None = None,
    device: str | None = None,
) -> AsyncIterator[RtuBus]:
    """A simulated RS-485 bus in this event loop, on a pty of its own or on ``device``."""
    if device is not None:
        line = SimTty.open_device(device, baudrate=baudrate, parity=parity, stopbits=stopbits)
    else:
        line = SimTty.create_pty(link)
    bus = RtuBus(slaves, baudrate=baudrate, parity=parity, stopbits=stopbits)
    bus.start(line)
    try:
        yield bus
    finally:
        await bus.stop()


class Socat:
    """``socat`` joining two ptys (a null-modem cable) or a TCP port and a pty (a
    serial server). Stopped with SIGTERM, socat removes its symlinks, exactly
    like a device node vanishing when an adapter is unplugged."""

    def __init__(self, *addresses: str) -> None:
        self.addresses = addresses
        self.proc: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        self.proc = await asyncio.create_subprocess_exec(
            "socat",
            "-d",
            "-d",
            *self.addresses,
            stdin=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE,
        )
        assert self.proc.stderr is not None
        seen = b""
        async with asyncio.timeout(5):
            while True:
                line = await self.proc.stderr.readline()
                seen += line
                if not line:
                    raise RuntimeError(f"socat exited before it was ready: {seen.decode()}")
                if SOCAT_READY in line or b"listening on" in line:
                    return

    async def stop(self) -> None:
        proc, self.proc = self.proc, None
        if proc is None or proc.returncode is not None:
            return
        proc.send_signal(signal.SIGTERM)
        async with asyncio.timeout(5):
            await proc.wait()


def pty_pair_addresses(a: Path, b: Path) -> tuple[str, str]:
    return (f"pty,raw,echo=0,link={a}", f"pty,raw,echo=0,link={b}")


@asynccontextmanager
async def socat(*addresses: str) -> AsyncIterator[Socat]:
    running = Socat(*addresses)
    await running.start()
    try:
        yield running
    finally:
        await running.stop()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port
