"""A minimal Modbus RTU slave for the probe's serial paths, independent of Kakashi's RTU code.

It answers FC 1-4 reads from :class:`sim.register_bank.RegisterBank` images,
framing with the test suite's own CRC, over a real pty (as an RS-485 adapter
would appear) or a TCP socket (as a serial server would). It is deliberately
small: the RTU client itself is tested elsewhere; here it only has to be a
correct peer.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import pty
import tty
from collections.abc import Mapping

from drivers.profile import Function
from sim.register_bank import RegisterBank
from tests.drivers.profiles.rtu_frames import parse_rtu, rtu

REQUEST_LEN = 8
TURNAROUND_S = 0.05
"""A device's own latency before it answers. A pty or socket carries the request
in no time, but on a real line no reply can start before the request's last byte
has left the master, and the client rightly discards bytes that do as stale."""
_TABLES = {1: Function.COIL, 2: Function.DISCRETE_INPUT, 3: Function.HOLDING, 4: Function.INPUT}


def answer(banks: Mapping[int, RegisterBank], frame: bytes) -> bytes | None:
    """The reply to one read request frame; None for units nobody serves."""
    request = parse_rtu(frame.hex(" "))
    bank = banks.get(request.unit)
    if bank is None:
        return None
    function = request.pdu[0]
    address = int.from_bytes(request.pdu[1:3], "big")
    count = int.from_bytes(request.pdu[3:5], "big")
    values = bank.read(_TABLES[function], address, count)
    if function in (1, 2):
        packed = bytearray((count + 7) // 8)
        for i, bit in enumerate(values):
            packed[i // 8] |= (1 if bit else 0) << (i % 8)
        data = bytes(packed)
    else:
        data = b"".join(v.to_bytes(2, "big") for v in values)
    return rtu(request.unit, bytes([function, len(data)]) + data)


class PtySlave:
    """Answers on the master side of a pty; clients open :attr:`path`."""

    def __init__(self, banks: Mapping[int, RegisterBank]) -> None:
        self._banks = banks
        self._master, self._slave = pty.openpty()
        tty.setraw(self._slave)
        os.set_blocking(self._master, False)
        self.path = os.ttyname(self._slave)
        self._pending = b""
        asyncio.get_running_loop().add_reader(self._master, self._readable)

    def _readable(self) -> None:
        with contextlib.suppress(BlockingIOError):
            self._pending += os.read(self._master, 256)
        while len(self._pending) >= REQUEST_LEN:
            frame, self._pending = self._pending[:REQUEST_LEN], self._pending[REQUEST_LEN:]
            reply = answer(self._banks, frame)
            if reply is not None:
                asyncio.get_running_loop().call_later(TURNAROUND_S, self._send, reply)

    def _send(self, reply: bytes) -> None:
        with contextlib.suppress(OSError):  # closed at the end of the test
            os.write(self._master, reply)

    def close(self) -> None:
        asyncio.get_running_loop().remove_reader(self._master)
        os.close(self._master)
        os.close(self._slave)


async def serve_tcp(banks: Mapping[int, RegisterBank]) -> asyncio.Server:
    """RTU frames over TCP, like a serial device server in transparent mode."""

    async def session(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(asyncio.IncompleteReadError, ConnectionError):
            while True:
                reply = answer(banks, await reader.readexactly(REQUEST_LEN))
                if reply is not None:
                    await asyncio.sleep(TURNAROUND_S)
                    writer.write(reply)
                    await writer.drain()
        writer.close()

    return await asyncio.start_server(session, "127.0.0.1", 0)
