"""The line device reader on real pseudo-terminals: logs in, readings and health out.

Epochs are completed by the next epoch's time (each written log ends with one
more sentence of a later time), not by silence, so a test machine that stalls
the writer cannot split an epoch; silence is tested on its own.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from drivers.device_state import ErrorKind, Health
from drivers.lines.reader import LineDeviceReader
from drivers.lines.serial_source import serial_source_factory
from drivers.lines.source import ByteSource, LinkLostError
from drivers.nmea.counts import Rejected
from drivers.nmea.recording import decode_recording
from drivers.nmea.stream import NmeaStream
from drivers.profile import load_profile
from drivers.reading import Quality, Reading
from drivers.serial_settings import SerialSettings
from tests.drivers.lines.ptys import PtyPort
from tests.drivers.nmea.sentences import nmea

DATA = Path(__file__).parents[1] / "nmea" / "data"
TS = 1_700_000_000.0
LATER = nmea("GPGGA,235959.000,,,,,0,0,,,M,,M,,")
"""A sentence of another time, completing the epoch before it."""


async def eventually(condition: Callable[[], bool], timeout_s: float = 10.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    while not condition():
        if loop.time() > deadline:
            raise AssertionError(f"condition not met within {timeout_s} s")
        await asyncio.sleep(0.005)


def log_body(name: str) -> bytes:
    """The receiver output of a reference log, without its # header."""
    return b"".join(
        line
        for line in (DATA / name).read_bytes().splitlines(keepends=True)
        if not line.startswith(b"#")
    )


@dataclass
class Device:
    reader: LineDeviceReader
    port: PtyPort
    readings: list[Reading] = field(default_factory=list)

    def health(self) -> Health:
        return self.reader.state.state

    def values(self, point: str) -> list[tuple[float | str | None, Quality]]:
        return [(r.value, r.quality) for r in self.readings if r.point == point]


@pytest.fixture
async def device(tmp_path: Path) -> AsyncIterator[Callable[..., Device]]:
    running: list[tuple[LineDeviceReader, asyncio.Task[None], PtyPort]] = []

    def make(profile: str, *, plugged: bool = True, **options: float) -> Device:
        port = PtyPort(tmp_path / "ttyGPS")
        if plugged:
            port.plug()
        readings: list[Reading] = []
        factory = serial_source_factory(str(port.path), SerialSettings(9600), name="gps")
        settings = {"idle_s": 5.0, "backoff_initial_s": 0.01, "backoff_max_s": 0.05}
        settings.update(options)
        reader = LineDeviceReader(
            "gps-1",
            load_profile(profile),
            factory,
            readings.append,
            clock=lambda: TS,
            rng=random.Random(1),
            **settings,
        )
        running.append((reader, asyncio.create_task(reader.run()), port))
        return Device(reader, port, readings)

    yield make
    for reader, task, port in running:
        await reader.close()
        await asyncio.wait_for(task, 5.0)
        port.unplug()


def expected_latitudes(body: bytes) -> list[tuple[float | None, Quality]]:
    fixes = decode_recording(body).fixes
    return [(f.lat, Quality.GOOD if f.has_position else Quality.INVALID) for f in fixes]


async def test_a_receiver_log_becomes_readings_per_fix(device: Callable[..., Device]) -> None:
    gps = device("nmea_gps")
    await eventually(lambda: gps.reader.link_open)
    body = log_body("bu353-glonass.log")
    await gps.port.write(body + LATER)
    expected = expected_latitudes(body)
    await eventually(lambda: len(gps.values("latitude")) >= len(expected))

    assert gps.values("latitude") == expected
    assert len([q for _, q in expected if q is Quality.GOOD]) == 9
    first = next(r for r in gps.readings if r.value is not None)
    assert (first.device, first.point, first.ts, first.unit) == ("gps-1", "latitude", TS, "°")
    assert gps.values("fix_quality")[-1] == (0.0, Quality.GOOD)
    state = gps.reader.state
    assert state.state is Health.UP
    assert state.requests == 112 + 1
    assert state.errors[ErrorKind.FRAME] == 0
    assert state.last_success_ts == TS


async def test_garbage_nul_bytes_and_cut_sentences_cost_only_themselves(
    device: Callable[..., Device],
) -> None:
    gps = device("nmea_gps")
    await eventually(lambda: gps.reader.link_open)
    body = log_body("com-1289.log")
    rng = random.Random(5)
    damaged = bytearray()
    for line in body.splitlines(keepends=True):
        damaged += rng.choice([b"", b"\x00\x00\x00", b"\xff\xfe\x13\x11noise\r\n", b"$GPGGA,14"])
        damaged += line
    await gps.port.write(bytes(damaged) + LATER)
    expected = expected_latitudes(body)
    await eventually(lambda: len(gps.values("latitude")) >= len(expected))

    assert gps.values("latitude") == expected
    oracle = NmeaStream()
    oracle.feed(bytes(damaged) + LATER)
    assert dict(gps.reader.rejected) == dict(oracle.counts.rejected)
    assert gps.reader.rejected[Rejected.GARBAGE] > 10
    assert gps.reader.rejected[Rejected.TRUNCATED] > 5
    assert gps.reader.rejected[Rejected.BAD_CHECKSUM] == 1
    assert gps.reader.state.errors[ErrorKind.FRAME] == sum(oracle.counts.rejected.values())
    assert gps.health() is Health.UP


async def test_a_pulled_and_replugged_port_is_read_again(device: Callable[..., Device]) -> None:
    gps = device("nmea_gps")
    await eventually(lambda: gps.reader.link_open)
    first = log_body("quectel-L70.log")
    await gps.port.write(first + LATER)
    await eventually(lambda: len(gps.values("latitude")) >= 16)

    gps.port.unplug()
    await eventually(lambda: not gps.reader.link_open)
    await eventually(lambda: gps.reader.state.errors[ErrorKind.TRANSPORT] >= 2)
    assert gps.reader.opens == 1  # the vanished port cannot be opened meanwhile
    assert "cannot open" in gps.reader.state.last_error

    gps.port.plug()
    await eventually(lambda: gps.reader.link_open and gps.reader.opens == 2)
    second = log_body("com-1289.log")
    await gps.port.write(second + LATER)
    expected = expected_latitudes(first + LATER) + expected_latitudes(second)
    await eventually(lambda: len(gps.values("latitude")) >= len(expected))
    assert gps.values("latitude") == expected
    assert gps.health() is Health.UP


async def test_a_port_that_is_not_there_yet_is_retried(device: Callable[..., Device]) -> None:
    gps = device("nmea_gps", plugged=False)
    await eventually(lambda: gps.reader.state.errors[ErrorKind.TRANSPORT] >= 3)
    assert not gps.reader.link_open
    assert "gps-1: cannot open" in gps.reader.state.last_error
    gps.port.plug()
    await eventually(lambda: gps.reader.link_open)
    await gps.port.write(log_body("com-1289.log")[:400] + LATER)
    await eventually(lambda: gps.health() is Health.UP)


async def test_silence_ends_an_epoch_and_a_long_silence_is_down(
    device: Callable[..., Device],
) -> None:
    gps = device("nmea_gps", idle_s=0.05, stale_after_s=0.3)
    await eventually(lambda: gps.reader.link_open)
    await gps.port.write(nmea("GPGGA,143748.77,4806.3731,N,00138.6217,W,1,10,1.1,42.2,M,48.5,M,,"))
    await eventually(lambda: len(gps.values("latitude")) == 1)  # no later sentence needed
    assert gps.values("altitude") == [(42.2, Quality.GOOD)]
    assert gps.health() is Health.UP

    await eventually(lambda: gps.health() is Health.DOWN)
    assert gps.reader.state.errors[ErrorKind.TIMEOUT] >= 1
    assert gps.reader.state.last_error == "no valid data for 0.3 s"

    await gps.port.write(b"\x00junk only\r\n")
    await eventually(lambda: gps.reader.rejected[Rejected.GARBAGE] == 1)
    assert gps.health() is Health.DOWN  # garbage is not a sign of life

    await gps.port.write(nmea("GPGSA,A,3,05,06,07,10,16,21,23,24,30,31,,,1.7,1.1,1.2"))
    await eventually(lambda: gps.health() is Health.UP)


async def test_an_ascii_logger_line_by_line(device: Callable[..., Device]) -> None:
    logger = device("ascii_weather_logger")
    await eventually(lambda: logger.reader.link_open)
    await logger.port.write(
        b"T=21.4,RH=55.2,P=1013.2,WS=3.1,WD=270,RAIN=0.2\r\n"
        b"\x00\x00boot\r\n"
        b"T=---,RH=101.0,P=1013.1,WS=2.9,WD=265,RAIN=0.0\r\n"
    )
    await eventually(lambda: len(logger.readings) == 12)
    assert logger.values("air_temperature") == [(21.4, Quality.GOOD), (None, Quality.INVALID)]
    assert logger.values("humidity") == [(55.2, Quality.GOOD), (101.0, Quality.OUT_OF_RANGE)]
    assert logger.reader.rejected == {"bad_character": 1}
    assert logger.reader.state.requests == 3
    assert logger.health() is Health.UP
    assert logger.reader.as_dict()["rejected"] == {"bad_character": 1}


def test_only_line_protocol_profiles_can_be_read() -> None:
    async def never() -> ByteSource:
        raise AssertionError("not called")

    with pytest.raises(ValueError, match="speaks modbus, not a line protocol"):
        LineDeviceReader("x", load_profile("dfrobot_sen0604"), never, lambda _: None)


async def test_a_reader_closed_before_it_runs_returns_at_once(tmp_path: Path) -> None:
    opened: list[str] = []

    async def factory() -> ByteSource:
        opened.append("x")
        raise LinkLostError("not reached")

    reader = LineDeviceReader("gps-1", load_profile("nmea_gps"), factory, lambda _: None)
    await reader.close()
    await asyncio.wait_for(reader.run(), 5.0)
    assert opened == []
