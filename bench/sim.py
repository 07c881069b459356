"""Simulator capacity: how many devices and vehicles one simulator process serves in real time.

Scenarios are built in blocks of 100 devices: 80 soil probes and 10 weather
stations on Modbus TCP, and 5 carts, each with its controller on the same
Modbus TCP bus and a GPS sending one fix a second on a pty of its own. Every
cart drives a long mission while it is measured. The simulator runs as its
own process (``python -m sim``) at real-time speed; this process plays the
gateways: it reads every Modbus device once a second (one request each,
Kakashi's own TCP client, one connection per bus) and every GPS line.

A size is served in real time when, over the measuring window, every poll
cycle of every bus finished within its second, every GPS sent its fixes on
time (at least 90 % of the expected), and the simulator used less than 90 %
of one core. Sizes double from 100 devices until one fails, then the size
halfway between the last that passed and the first that failed is tried.

CPU and memory per 100 devices are the slopes of the simulator's CPU share
and resident memory over the sizes that passed (the intercept, printed too,
is what an empty simulator costs: AquaCrop and pymodbus loaded, fields spun up).

The last line is one JSON object:
{"devices_realtime": ..., "vehicles_realtime": ..., "cpu_pct_per_100": ..., "rss_mb_per_100": ...}
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
import tomllib
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import psutil  # noqa: E402

from drivers.modbus.client import ModbusClient  # noqa: E402
from drivers.modbus.clients import open_modbus_client  # noqa: E402
from drivers.modbus.errors import ModbusError  # noqa: E402
from drivers.modbus.pdu import read_request  # noqa: E402
from sim import toml_out  # noqa: E402
from sim.process import SimulatorProcess, start_simulator  # noqa: E402

BLOCK = 100
PROBES, STATIONS, CARTS = 80, 10, 5
CPU_LIMIT_PCT = 90.0
GPS_ON_TIME = 0.9
FIELDS = (("paddy", "rice"), ("garden", "vegetables"), ("terrace", "maize"), ("slope", "potato"))
VILLAGE = ROOT / "examples" / "scenarios" / "mountain_village.toml"


def climate_table() -> str:
    """The mountain village's monthly normals, as a [climate] table."""
    climate = tomllib.loads(VILLAGE.read_text(encoding="utf-8"))["climate"]
    return toml_out.table("climate", climate)


def scenario_text(blocks: int) -> str:
    lines = [
        '[scenario]\nname = "bench"\nseed = 1\n',
        "[clock]\nstart = 2026-07-01T06:00:00\nspeed = 1.0\n",
        '[site]\nid = "bench"\nname = "Bench"\ntimezone = "Asia/Tokyo"',
        "location = { lat = 33.5705, lon = 133.5205 }\nelevation_m = 100.0\n",
    ]
    for i, (field, crop) in enumerate(FIELDS):
        lon = 133.5200 + 0.001 * i
        lines.append(
            f'[site.fields.{field}]\nname = "{field}"\ncrop = "{crop}"\narea_ha = 0.5\n'
            f"planted = 2026-05-10\nboundary = [[{lon}, 33.5700], [{lon + 0.0008}, 33.5700], "
            f"[{lon + 0.0008}, 33.5706], [{lon}, 33.5706]]\n"
        )
    lines.append(
        '[site.depots.hall]\nname = "Hall"\nlocation = { lat = 33.5710, lon = 133.5195 }\n'
    )
    lines.append(climate_table())
    for b in range(blocks):
        lines.append(f'[buses.tcp-{b}]\ntype = "modbus_tcp"\nport = 0\n')
        unit = 0
        for p in range(PROBES):
            unit += 1
            field = FIELDS[p % len(FIELDS)][0]
            lines.append(
                f'[devices.probe-{b}-{p}]\nprofile = "dfrobot_sen0604"\nbus = "tcp-{b}"\n'
                f'unit = {unit}\nfield = "{field}"\ndepth_m = {0.1 + 0.05 * (p % 6):.2f}\n'
            )
        for s in range(STATIONS):
            unit += 1
            lines.append(
                f'[devices.station-{b}-{s}]\nprofile = "seeed_sensecap_one"\n'
                f'bus = "tcp-{b}"\nunit = {unit}\n'
            )
        for c in range(CARTS):
            unit += 1
            cart = f"cart-{b}-{c}"
            lines.append(
                f'[vehicles.{cart}]\ntype = "cart"\nname = "{cart}"\ndepot = "hall"\n'
                "speed_kmh = 6.0\npayload_kg = 30.0\nbattery_wh = 1200.0\n"
            )
            lines.append(
                f'[devices.{cart}-controller]\nprofile = "kakashi_cart_controller"\n'
                f'bus = "tcp-{b}"\nunit = {unit}\nvehicle = "{cart}"\n'
            )
            lines.append(f'[buses.{cart}-gps]\ntype = "serial_lines"\n')
            lines.append(
                f'[devices.{cart}-gps]\nprofile = "nmea_gps"\nbus = "{cart}-gps"\n'
                f'vehicle = "{cart}"\n'
            )
    return "\n".join(lines)


def long_mission(cart: str) -> bytes:
    stops = []
    for i in range(40):
        lat = 33.5700 + 0.0006 * (i % 7)
        lon = 133.5190 + 0.0007 * (i % 5)
        stops.append({"id": f"s{i}", "location": [lat, lon], "service_s": 5})
    return json.dumps({"mission_id": f"bench-{cart}", "stops": stops}).encode()


@dataclass
class Result:
    client_cpu_pct: float
    """This process (the pollers): it shares the machine with the simulator."""
    devices: int
    vehicles: int
    cpu_pct: float
    rss_mb: float
    late_cycles: int
    cycles: int
    failed_polls: int
    gps_fixes: int
    gps_expected: int

    @property
    def realtime(self) -> bool:
        return (
            self.late_cycles == 0
            and self.failed_polls == 0
            and self.gps_fixes >= GPS_ON_TIME * self.gps_expected
            and self.cpu_pct < CPU_LIMIT_PCT
        )


async def poll_bus(
    client: ModbusClient, units: list[tuple[int, bytes]], stop: float, stats: dict[str, int]
) -> None:
    loop = asyncio.get_running_loop()
    due = loop.time()
    while due < stop:
        started = loop.time()
        for unit, pdu in units:
            try:
                await client.request(unit, pdu)
            except ModbusError:
                stats["failed"] += 1
        stats["cycles"] += 1
        if loop.time() - started > 1.0:
            stats["late"] += 1
        due += 1.0
        await asyncio.sleep(max(0.0, due - loop.time()))


class GpsReader:
    def __init__(self, path: str) -> None:
        self.fd = os.open(path, os.O_RDONLY | os.O_NOCTTY | os.O_NONBLOCK)
        self.fixes = 0
        self.counting = False
        asyncio.get_running_loop().add_reader(self.fd, self._read)

    def _read(self) -> None:
        try:
            data = os.read(self.fd, 65536)
        except (BlockingIOError, OSError):
            return
        if self.counting:
            self.fixes += data.count(b"$GPGGA")

    def close(self) -> None:
        asyncio.get_running_loop().remove_reader(self.fd)
        os.close(self.fd)


def post(url: str, body: bytes) -> None:
    request = urllib.request.Request(url, data=body, method="POST")
    with urllib.request.urlopen(request, timeout=10) as response:
        response.read()


async def measure(
    blocks: int, warmup_s: float, window_s: float, workdir: Path, args_connections: int
) -> Result:
    path = workdir / f"bench-{blocks}.toml"
    path.write_text(scenario_text(blocks), encoding="utf-8")
    sim: SimulatorProcess = await start_simulator(
        path, runtime_dir=workdir / f"run-{blocks}", cwd=ROOT
    )
    clients: list[ModbusClient] = []
    readers: list[GpsReader] = []
    try:
        for b in range(blocks):
            for c in range(CARTS):
                cart = f"cart-{b}-{c}"
                await asyncio.to_thread(
                    post, f"{sim.control_url}/vehicles/{cart}/mission", long_mission(cart)
                )
        buses = sim.endpoints["buses"]
        for where in buses.values():
            if where["type"] == "serial_lines":
                readers.append(GpsReader(where["port"]))
        process = psutil.Process(sim.proc.pid)
        loop = asyncio.get_running_loop()
        stats = {"cycles": 0, "late": 0, "failed": 0}
        tasks = []
        stop = loop.time() + warmup_s + window_s
        for b in range(blocks):
            where = buses[f"tcp-{b}"]
            units = [(u, read_request(3, 0, 4)) for u in range(1, PROBES + 1)]
            units += [(u, read_request(4, 0, 20)) for u in range(PROBES + 1, PROBES + STATIONS + 1)]
            units += [
                (u, read_request(4, 0, 13))
                for u in range(PROBES + STATIONS + 1, PROBES + STATIONS + CARTS + 1)
            ]
            # Several connections per bus, as several gateways (or a gateway's
            # parallel pollers) would use: round trips overlap.
            for c in range(args_connections):
                client = open_modbus_client(
                    "modbus_tcp",
                    name=f"tcp-{b}-{c}",
                    host=where["host"],
                    port=where["port"],
                    timeout_s=1.0,
                )
                clients.append(client)
                tasks.append(
                    asyncio.create_task(poll_bus(client, units[c::args_connections], stop, stats))
                )
        await asyncio.sleep(warmup_s)
        stats.update(cycles=0, late=0, failed=0)
        for reader in readers:
            reader.counting = True
        me = psutil.Process()
        cpu_before, mine_before = process.cpu_times(), me.cpu_times()
        wall_before = time.monotonic()
        await asyncio.gather(*tasks)
        cpu_after, mine_after = process.cpu_times(), me.cpu_times()
        elapsed = time.monotonic() - wall_before
        used = (cpu_after.user + cpu_after.system) - (cpu_before.user + cpu_before.system)
        mine = (mine_after.user + mine_after.system) - (mine_before.user + mine_before.system)
        rss = process.memory_info().rss / 2**20
        return Result(
            client_cpu_pct=100.0 * mine / elapsed,
            devices=blocks * BLOCK,
            vehicles=blocks * CARTS,
            cpu_pct=100.0 * used / elapsed,
            rss_mb=rss,
            late_cycles=stats["late"],
            cycles=stats["cycles"],
            failed_polls=stats["failed"],
            gps_fixes=sum(r.fixes for r in readers),
            gps_expected=int(len(readers) * elapsed),
        )
    finally:
        for reader in readers:
            reader.close()
        for client in clients:
            await client.close()
        await sim.stop()


def slope(xs: list[float], ys: list[float]) -> tuple[float, float]:
    if len(xs) < 2:
        return ys[0] / xs[0], 0.0
    fit = statistics.linear_regression(xs, ys)
    return fit.slope, fit.intercept


async def run(args: argparse.Namespace) -> None:
    results: list[Result] = []
    with tempfile.TemporaryDirectory(prefix="kakashi-bench-sim-") as tmp:

        async def size(blocks: int) -> Result:
            r = await measure(blocks, args.warmup, args.window, Path(tmp), args.connections)
            results.append(r)
            verdict = "real time" if r.realtime else "NOT real time"
            print(
                f"{r.devices:5d} devices ({r.vehicles:3d} carts): "
                f"simulator CPU {r.cpu_pct:5.1f} %  "
                f"RSS {r.rss_mb:6.1f} MB  (pollers' CPU {r.client_cpu_pct:5.1f} %)  "
                f"poll cycles late {r.late_cycles}/{r.cycles}, failed polls {r.failed_polls}, "
                f"GPS fixes {r.gps_fixes}/{r.gps_expected}  -> {verdict}",
                flush=True,
            )
            return r

        blocks = max(1, args.min_devices // BLOCK)
        good = 0
        while blocks * BLOCK <= args.max_devices:
            if not (await size(blocks)).realtime:
                # One bisection between the last size served and the first one not.
                middle = (good + blocks) // 2
                if good and middle > good:
                    await size(middle)
                break
            good = blocks
            blocks *= 2
    passed = sorted((r for r in results if r.realtime), key=lambda r: r.devices)
    if not passed:
        print(
            json.dumps(
                {
                    "devices_realtime": 0,
                    "vehicles_realtime": 0,
                    "cpu_pct_per_100": None,
                    "rss_mb_per_100": None,
                }
            )
        )
        return
    cpu_slope, cpu_base = slope([r.devices for r in passed], [r.cpu_pct for r in passed])
    rss_slope, rss_base = slope([r.devices for r in passed], [r.rss_mb for r in passed])
    print(f"empty simulator: about {cpu_base:.1f} % CPU and {rss_base:.0f} MB resident")
    print(
        json.dumps(
            {
                "devices_realtime": passed[-1].devices,
                "vehicles_realtime": passed[-1].vehicles,
                "cpu_pct_per_100": round(100 * cpu_slope, 2),
                "rss_mb_per_100": round(100 * rss_slope, 2),
            }
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-devices", type=int, default=6400)
    parser.add_argument("--warmup", type=float, default=3.0, help="seconds before measuring")
    parser.add_argument("--window", type=float, default=8.0, help="seconds measured per size")
    parser.add_argument("--connections", type=int, default=4, help="poller connections per bus")
    parser.add_argument("--min-devices", type=int, default=100)
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
