"""The RTU slave core on a real line: what a node answers to frames that are wrong.

The soil node's sanitizer build sits on one end of a socat cable; the test
writes raw frames on the other. Silence is proven without timing: the node's
counters say when it has taken a frame, and the next valid request's reply
must be the first bytes on the line, so any answer to the bad frame would
show up in front of it. Frames are built with the gateway's CRC (table
driven, in Python), independent of the node's (a nibble table, in C).
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from drivers.modbus.crc import crc_bytes
from tests.firmware_stubs.conftest import Binaries
from tests.firmware_stubs.node import NodeProcess, cable, running_node
from tests.rtu_support import RawPort

UNIT = 1


def frame(hex_pdu: str, unit: int = UNIT) -> bytes:
    body = bytes([unit]) + bytes.fromhex(hex_pdu)
    return body + crc_bytes(body)


READ_INPUTS = frame("04 0000 0006")
READ_SETTINGS = frame("03 0100 0002")


@dataclass
class Line:
    node: NodeProcess
    port: RawPort

    async def ask(self, request: bytes, reply_len: int) -> bytes:
        self.port.write(request)
        return await self.port.read_exact(reply_len)

    async def silent(self, request: bytes, **counters: int) -> None:
        """The node took ``request`` (its counters reach ``counters``) and said nothing."""
        self.port.write(request)
        await self.node.wait_stats(receiving=0, **counters)
        reply = await self.ask(READ_SETTINGS, 9)
        assert reply[:3] == bytes([UNIT, 0x03, 4]), reply.hex(" ")


@asynccontextmanager
async def line_to(binary: Path, directory: Path) -> AsyncIterator[Line]:
    async with (
        cable(directory) as (gateway_end, node_end),
        running_node(binary, "--port", str(node_end)) as node,
    ):
        port = RawPort.open(str(gateway_end))
        try:
            yield Line(node, port)
        finally:
            port.close()


@pytest.fixture
async def line(tmp_path: Path, firmware: Binaries) -> AsyncIterator[Line]:
    async with line_to(firmware.soil_node, tmp_path) as made:
        yield made


def exception(function: int, code: int) -> bytes:
    return frame(f"{function | 0x80:02X} {code:02X}")


ILLEGAL_FUNCTION, ILLEGAL_ADDRESS, ILLEGAL_VALUE = 1, 2, 3

EXCEPTIONS = [
    # (what, request PDU, function, exception code)
    ("FC02: the node has no discrete inputs", "02 0000 0001", 0x02, ILLEGAL_FUNCTION),
    ("FC15 is not supported", "0F 0000 0001 01 01", 0x0F, ILLEGAL_FUNCTION),
    ("an unknown function", "2B 0E 01 00", 0x2B, ILLEGAL_FUNCTION),
    ("read of 0 registers", "04 0000 0000", 0x04, ILLEGAL_VALUE),
    ("read of 126 registers", "03 0100 007E", 0x03, ILLEGAL_VALUE),
    ("read of 2001 coils", "01 0000 07D1", 0x01, ILLEGAL_VALUE),
    ("FC16 of 0 registers", "10 0100 0000 00", 0x10, ILLEGAL_VALUE),
    # 124 registers cannot fit in a 256-byte frame: only the quantity can say it.
    ("FC16 of 124 registers", "10 0100 007C F8 0001", 0x10, ILLEGAL_VALUE),
    ("FC16 byte count does not match", "10 0100 0002 03 001E 0005", 0x10, ILLEGAL_VALUE),
    ("FC16 frame shorter than its byte count", "10 0100 0002 04 001E", 0x10, ILLEGAL_VALUE),
    ("FC03 one byte too long", "03 0100 0001 00", 0x03, ILLEGAL_VALUE),
    ("FC05 value is neither FF00 nor 0000", "05 0000 1234", 0x05, ILLEGAL_VALUE),
    ("read past the input table", "04 0005 0002", 0x04, ILLEGAL_ADDRESS),
    ("read before the holding table", "03 00FF 0002", 0x03, ILLEGAL_ADDRESS),
    ("read at the top of the address space", "04 FFFF 0002", 0x04, ILLEGAL_ADDRESS),
    ("write to a coil that does not exist", "05 0001 FF00", 0x05, ILLEGAL_ADDRESS),
    ("write past the holding table", "06 0102 0001", 0x06, ILLEGAL_ADDRESS),
    ("sample_interval 0 is below its limit", "06 0100 0000", 0x06, ILLEGAL_VALUE),
    ("sample_interval 3601 is above its limit", "06 0100 0E11", 0x06, ILLEGAL_VALUE),
    ("FC16 with one value out of limits", "10 0100 0002 04 001E 0000", 0x10, ILLEGAL_VALUE),
]


async def test_each_wrong_request_gets_its_exception_and_changes_nothing(line: Line) -> None:
    before = await line.ask(READ_SETTINGS, 9)
    for what, pdu, function, code in EXCEPTIONS:
        reply = await line.ask(frame(pdu), 5)
        assert reply == exception(function, code), f"{what}: {reply.hex(' ')}"
    assert await line.ask(READ_SETTINGS, 9) == before  # FC16 was all or nothing
    stats = await line.node.stats()
    assert stats["exceptions"] == len(EXCEPTIONS)
    assert stats["frame_errors"] == 0


async def test_valid_requests_get_the_specified_replies(line: Line) -> None:
    # FC06 and FC05 echo the request; FC16 answers its address and quantity.
    write_one = frame("06 0101 0258")
    assert await line.ask(write_one, 8) == write_one
    assert await line.ask(frame("10 0100 0002 04 001E 0005"), 8) == frame("10 0100 0002")
    assert await line.ask(READ_SETTINGS, 9) == frame("03 04 001E 0005")
    coil_on = frame("05 0000 FF00")
    assert await line.ask(coil_on, 8) == coil_on
    await line.node.expect("output valve 1")
    assert await line.ask(frame("01 0000 0001"), 6) == frame("01 01 01")
    inputs = await line.ask(READ_INPUTS, 17)
    assert inputs[:3] == bytes([UNIT, 0x04, 12])
    assert inputs[-4:-2] == bytes.fromhex("0005")  # valve_remaining: 5 s of the 5 written


async def test_damaged_frames_and_other_units_get_silence(line: Line) -> None:
    good = READ_SETTINGS
    await line.silent(good[:-1] + bytes([good[-1] ^ 0x01]), frame_errors=1)  # bad CRC
    await line.silent(good[:5], frame_errors=2)  # truncated
    await line.silent(b"\x01\x03", frame_errors=3)  # shorter than any frame
    await line.silent(frame("03 0100 0002", unit=2), other_unit=1)
    await line.silent(frame("03 0100 0002", unit=248), other_unit=2)  # a reserved unit
    await line.silent(bytes(300), overruns=1)  # longer than any RTU frame
    stats = await line.node.stats()
    assert stats["exceptions"] == 0
    assert stats["replies"] == 6  # the six reads that proved each silence


async def test_a_broadcast_write_is_executed_and_never_answered(line: Line) -> None:
    await line.silent(frame("06 0100 0078", unit=0), broadcasts=1)
    assert await line.ask(READ_SETTINGS, 9) == frame("03 04 0078 0708")
    await line.silent(frame("05 0000 FF00", unit=0), broadcasts=2)
    await line.node.expect("output valve 1")
    await line.silent(frame("04 0000 0006", unit=0), broadcasts=3)  # a broadcast read
    await line.silent(frame("06 0100 0000", unit=0), broadcasts=4)  # refused: no reply either
    assert await line.ask(READ_SETTINGS, 9) == frame("03 04 0078 0708")


async def test_random_bytes_for_seconds_never_crash_it(line: Line) -> None:
    """Garbage in bursts of every length, at gaps shorter and longer than a
    frame gap; then a valid request is answered as on a clean line. The
    sanitizers abort the node on any memory error or undefined behaviour,
    and stopping it checks that it exited cleanly with no report."""
    rng = random.Random(9)
    sent = 0
    before = await line.node.stats()
    for burst in range(400):
        chunk = rng.randbytes(rng.choice((1, 3, 8, 64, 255, 256, 257, 600)))
        if burst % 5 == 0:
            # Garbage that passes the CRC for this unit, so the PDU code is hit too.
            body = bytes([UNIT]) + rng.randbytes(rng.randrange(1, 40))
            chunk = body + crc_bytes(body)
        line.port.write(chunk)
        sent += len(chunk)
        # Pacing only (the burst structure), never a wait for the node.
        await asyncio.sleep(rng.choice((0.0, 0.001, 0.006)))
    stats = await line.node.wait_stats(rx_bytes=before["rx_bytes"] + sent, receiving=0)
    # Whatever the garbage provoked is on the line: take exactly that much.
    await line.port.read_exact(stats["tx_bytes"] - before["tx_bytes"])
    reply = await line.ask(READ_SETTINGS, 9)
    # A CRC-valid random write may have changed a setting: the shape is what counts.
    assert reply[:3] == bytes([UNIT, 0x03, 4])
    assert crc_bytes(reply[:-2]) == reply[-2:]
    assert stats["frame_errors"] + stats["overruns"] > 0
