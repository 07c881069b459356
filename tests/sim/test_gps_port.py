"""A vehicle's serial link on a real pty: NMEA out (checked by pynmea2), missions in."""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import AsyncIterator
from pathlib import Path

import pynmea2
import pytest

from sim.geo import Point
from sim.gps_port import BACKLOG_BYTES, MAX_LINE, GpsPort
from sim.gps_receiver import GpsReceiver
from sim.scenario import VehicleScenario, VehicleType
from sim.vehicle import Vehicle
from tests.rtu_support import RawPort, eventually

HALL = Point(33.5710, 133.5195)


class Link:
    def __init__(self, port: GpsPort) -> None:
        self.port = port
        self.raw = RawPort.open(port.path)
        self.buffer = b""
        self.missions: list[bytes] = []

    async def line(self, timeout_s: float = 3.0) -> str:
        while b"\n" not in self.buffer:
            self.buffer += await self.raw.read_exact(1, timeout_s)
            self.buffer += self.raw.pending()
        line, _, self.buffer = self.buffer.partition(b"\n")
        return line.decode("ascii").strip()

    async def line_starting(self, prefix: str) -> str:
        while not (text := await self.line()).startswith(prefix):
            pass
        return text

    async def write_all(self, data: bytes) -> None:
        """Write more than a pty holds, as fast as the simulator reads it."""
        while data:
            try:
                data = data[os.write(self.raw.fd, data) :]
            except BlockingIOError:
                await asyncio.sleep(0.001)

    def restart_reading(self) -> None:
        """Forget everything sent so far: what arrives next was made after this call."""
        assert self.port._tty is not None
        self.port._tty.drop_unread()
        self.buffer = b""


@pytest.fixture
async def link(tmp_path: Path) -> AsyncIterator[Link]:
    spec = VehicleScenario("cart", VehicleType.CART, "Cart", "hall", 6.0, 30.0, 1200.0)
    vehicle = Vehicle(spec, HALL, seed=1)
    received: list[bytes] = []

    def on_mission(data: bytes) -> tuple[str | None, str | None]:
        received.append(data)
        message = json.loads(data)
        return message.get("mission_id"), None if message.get(
            "ok"
        ) else "stops: expected a non-empty array"

    port = GpsPort(
        "cart-gps",
        GpsReceiver("cart-gps", vehicle, seed=1, ground_m=100.0),
        rate_hz=20.0,
        link=tmp_path / "gps",
        now=lambda: 1.8e9,
        on_mission=on_mission,
        seed=1,
    )
    port.start()
    opened = Link(port)
    opened.missions = received
    yield opened
    opened.raw.close()
    await port.stop()


async def test_fixes_arrive_as_valid_nmea(link: Link) -> None:
    kinds = []
    for _ in range(8):
        sentence = pynmea2.parse(await link.line(), check=True)
        kinds.append(sentence.sentence_type)
        if sentence.sentence_type == "GGA":
            assert sentence.latitude == pytest.approx(HALL.lat, abs=1e-4)
    assert {"GGA", "GSA", "RMC", "VTG"} <= set(kinds)


async def test_a_mission_line_is_handed_over_and_acknowledged(link: Link) -> None:
    link.raw.write(b'{"mission_id": "m-7", "ok": true}\n')
    ack = pynmea2.parse(await link.line_starting("$PKKSA"), check=True)
    assert (ack.manufacturer, ack.data) == ("KKS", ["A", "m-7", "OK", ""])
    link.raw.write(b'{"mission_id": "m-8"}\r\n')
    refused = pynmea2.parse(await link.line_starting("$PKKSA"), check=True)
    assert refused.data[:4] == ["A", "m-8", "ERR", "stops: expected a non-empty array"]
    assert link.missions == [b'{"mission_id": "m-7", "ok": true}', b'{"mission_id": "m-8"}']


async def test_an_endless_line_is_refused_without_reading_it_all(link: Link) -> None:
    await link.write_all(b"{" + b"x" * (MAX_LINE + 10) + b"\n")
    refused = pynmea2.parse(await link.line_starting("$PKKSA"), check=True)
    assert refused.data[:4] == ["A", "-", "ERR", "line too long"]
    assert link.missions == []


async def test_garbled_sentences_fail_their_checksum(link: Link) -> None:
    link.port.garble_rate = 1.0
    link.restart_reading()
    # Noise hits anywhere: a damaged address cannot even be parsed, any other
    # damaged character fails the checksum. Either way pynmea2 refuses it.
    for _ in range(8):
        with pytest.raises(pynmea2.ParseError):
            pynmea2.parse(await link.line(), check=True)


async def test_truncated_sentences_lose_their_tail(link: Link) -> None:
    link.port.truncate_rate = 1.0
    link.restart_reading()
    received = (await link.raw.read_exact(600)).decode("ascii")
    assert "*" not in received
    assert "\n" not in received
    assert received.count("$GP") >= 8


async def test_a_share_of_sentences_is_garbled_at_a_rate(link: Link) -> None:
    link.port.garble_rate = 0.5
    link.restart_reading()
    bad = 0
    for _ in range(80):
        try:
            pynmea2.parse(await link.line(), check=True)
        except pynmea2.ParseError:
            bad += 1
    assert 20 < bad < 60


async def test_an_offline_receiver_is_silent(link: Link) -> None:
    await link.line()
    link.port.offline = True
    link.restart_reading()
    link.raw.pending()
    ticks = link.port.ticks
    await eventually(lambda: link.port.ticks > ticks + 3)
    assert link.raw.pending() == b""
    link.port.offline = False
    assert (await link.line()) != ""


async def test_an_unplugged_line_vanishes_and_comes_back_at_the_same_path(link: Link) -> None:
    path = link.port.path
    link.port.close()
    assert not os.path.lexists(path)  # noqa: ASYNC240 - one stat of a symlink
    link.raw.close()
    link.port.open()
    link.raw = RawPort.open(path)
    link.buffer = b""
    await link.line()
    assert pynmea2.parse(await link.line(), check=True) is not None


async def test_a_line_nobody_reads_does_not_pile_up_old_fixes(link: Link) -> None:
    link.raw.close()  # no client: the simulator keeps its own end open
    for _ in range(100):
        link.port.send(link.port.epoch_text(1.8e9))
    assert link.port._tty is not None
    # The kernel moves pty bytes to the reader's queue asynchronously, so the
    # count may lag behind the writes: only the upper bound is exact.
    assert link.port._tty.unread() <= BACKLOG_BYTES + 1024
    assert link.port.dropped > 0
