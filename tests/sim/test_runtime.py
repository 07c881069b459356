"""The whole simulation: endpoints, buses that vanish and return, GPS lines, missions."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
from collections.abc import Awaitable, Callable
from pathlib import Path

import pynmea2
import pytest

from drivers.modbus.errors import RequestTimeoutError, TransportError
from drivers.modbus.pdu import parse_registers, read_request
from drivers.nmea.counts import Ignored, Rejected
from drivers.nmea.stream import NmeaStream
from sim.runtime import Simulation
from tests.rtu_support import RawPort
from tests.sim.running import clear_faults, inject, manual, rtu_client, running, tcp_client

SOIL_READ = read_request(3, 0x0000, 4)
COOP = [33.5655, 133.5238]


class Line:
    """A client on one of the simulator's serial lines, reading whole lines."""

    def __init__(self, path: str) -> None:
        self.raw = RawPort.open(path)
        self.buffer = b""

    async def line(self) -> bytes:
        while b"\n" not in self.buffer:
            self.buffer += await self.raw.read_exact(1)
            self.buffer += self.raw.pending()
        line, _, self.buffer = self.buffer.partition(b"\n")
        return line + b"\n"

    async def sentence(self, prefix: str) -> pynmea2.NMEASentence:
        async with asyncio.timeout(5):
            while not (text := (await self.line()).decode()).startswith(prefix):
                pass
        return pynmea2.parse(text.strip(), check=True)

    def restart(self, sim: Simulation, device: str) -> None:
        """Drop what was sent so far: what is read next was made after this call."""
        tty = sim.gps[device]._tty
        assert tty is not None
        tty.drop_unread()
        self.buffer = b""

    def close(self) -> None:
        self.raw.close()


async def retry(call: Callable[[], Awaitable[bytes]], attempts: int = 50) -> bytes:
    """Call until the link is back; each failed attempt waits out the client's own backoff."""
    for _ in range(attempts - 1):
        try:
            return await call()
        except (TransportError, RequestTimeoutError):
            continue
    return await call()


async def test_every_bus_is_reported_where_it_listens(tmp_path: Path) -> None:
    async with running(tmp_path) as sim:
        endpoints = sim.endpoints()
        assert set(endpoints["buses"]) == set(sim.scenario.buses)
        assert endpoints["buses"]["tcp"]["port"] > 0
        for name in ("rs485", "dock", "cart-gps", "drone-gps"):
            where = os.readlink(endpoints["buses"][name]["port"])
            assert where.startswith("/dev/pts/")
        assert endpoints["control"]["port"] > 0
        assert endpoints["seed"] == 3
        assert endpoints["start"] == "2026-07-01T09:00:00+09:00"


@pytest.mark.parametrize("bus", ["rs485", "tcp"])
async def test_a_bus_that_goes_down_is_a_transport_error_and_comes_back(
    tmp_path: Path, bus: str
) -> None:
    async with running(tmp_path) as sim:
        client = rtu_client(sim) if bus == "rs485" else tcp_client(sim)
        unit = 2 if bus == "rs485" else 1
        try:
            assert len(parse_registers(SOIL_READ, await client.request(unit, SOIL_READ))) == 4
            await inject(sim, "bus_down", bus)
            with pytest.raises(TransportError):
                await client.request(unit, SOIL_READ)
            await clear_faults(sim)
            reply = await retry(lambda: client.request(unit, SOIL_READ))
            assert len(parse_registers(SOIL_READ, reply)) == 4
        finally:
            await client.close()


async def test_gps_faults_as_the_drivers_nmea_decoder_sees_them(tmp_path: Path) -> None:
    async with running(tmp_path) as sim:
        line = Line(sim.endpoints()["buses"]["drone-gps"]["port"])
        try:
            stream = NmeaStream()
            for _ in range(8):
                stream.feed(await line.line())
            assert stream.counts.total_rejected == 0
            assert stream.counts.accepted["GGA"] >= 1
            await inject(sim, "nmea_garbled", "drone-gps")
            line.restart(sim, "drone-gps")
            garbled = NmeaStream()
            for _ in range(12):
                garbled.feed(await line.line())
            assert garbled.counts.total_accepted == 0
            assert garbled.counts.rejected[Rejected.BAD_CHECKSUM] == 12
            await clear_faults(sim)
            await inject(sim, "nmea_truncated", "drone-gps")
            line.restart(sim, "drone-gps")
            truncated = NmeaStream()
            truncated.feed(await line.raw.read_exact(400))
            assert truncated.counts.total_accepted == 0
            assert truncated.counts.rejected[Rejected.TRUNCATED] >= 4
            await clear_faults(sim)
            await inject(sim, "gps_lost", "drone")
            line.restart(sim, "drone-gps")
            lost = NmeaStream()
            for _ in range(12):
                lost.feed(await line.line())
            assert lost.counts.no_fix >= 6  # GGA, GSA and RMC of each epoch say so
            await clear_faults(sim)
            await inject(sim, "clock_skew", "drone-gps", skew_s=30.0)
            line.restart(sim, "drone-gps")
            rmc = await line.sentence("$GPRMC")
            reported = dt.datetime.combine(rmc.datestamp, rmc.timestamp).timestamp()
            assert reported == pytest.approx(sim.clock.now() + 30.0, abs=0.01)
        finally:
            line.close()


async def test_a_mission_over_the_serial_link_is_acknowledged_and_reported(tmp_path: Path) -> None:
    async with running(tmp_path) as sim:
        line = Line(sim.endpoints()["buses"]["cart-gps"]["port"])
        try:
            mission = {
                "mission_id": "m-1",
                "stops": [{"id": "coop", "location": COOP, "service_s": 60}],
            }
            line.raw.write(json.dumps(mission).encode() + b"\n")
            ack = await line.sentence("$PKKSA")
            assert ack.data[:3] == ["A", "m-1", "OK"]
            accepted = await line.sentence("$PKKSP")
            assert accepted.data[1:4] == ["cart", "m-1", "accepted"]
            manual(sim).advance(3600.0)
            await sim.tick()
            events: list[str] = []
            stream = NmeaStream()  # the gateway's own NMEA decoder reads the same line
            async with asyncio.timeout(5):
                while len(events) < 5:
                    raw = await line.line()
                    stream.feed(raw)
                    if raw.startswith(b"$PKKSP"):
                        events.append(pynmea2.parse(raw.decode().strip(), check=True).data[3])
            assert events == ["departed", "arrived", "serviced", "departed", "completed"]
            assert stream.counts.total_rejected == 0  # progress reports never upset a reader
            assert stream.counts.ignored[Ignored.PROPRIETARY] == 5
            line.raw.write(b'{"mission_id": "m-2", "stops": "none"}\n')
            refused = await line.sentence("$PKKSA")
            assert refused.data[:3] == ["A", "m-2", "ERR"]
        finally:
            line.close()


async def test_the_drone_battery_goes_quiet_while_the_drone_flies(tmp_path: Path) -> None:
    async with running(tmp_path) as sim:
        client = rtu_client(sim, "dock")
        pdu = read_request(4, 0x0000, 28)
        try:
            assert len(parse_registers(pdu, await client.request(1, pdu))) == 28
            mission = {
                "mission_id": "d-1",
                "stops": [{"id": "coop", "location": COOP, "service_s": 30}],
            }
            assert sim.handle_mission("drone", json.dumps(mission).encode()) == ("d-1", None)
            manual(sim).advance(30.0)
            await sim.tick()
            with pytest.raises(RequestTimeoutError):
                await client.request(1, pdu)
            manual(sim).advance(600.0)
            await sim.tick()
            registers = parse_registers(pdu, await client.request(1, pdu))
            assert registers[0x0E] < 1000  # back on the dock, less than full
        finally:
            await client.close()
