"""Bus benchmark: one poll cycle of 32 soil probes on an emulated RS-485 line vs the wire minimum.

The simulated bus (``python -m sim.rtu_bus``, a separate process) serves the
probes on a pty with real character timing: requests occupy the line for
their length, replies are written one character time per byte, each slave
answers after its own latency. The gateway side is the real thing: the
ModbusPoller with the RTU client over a SerialLink, reads planned by
``drivers.modbus.plan`` (fewest requests).

The wire minimum for the same requests is what the line itself needs:
every request and reply byte at 10 bits per character (8N1; 11 with
``--stopbits 2``), the 3.5-character silence after each request (the slave's end
of frame) and after each reply (the master's gap), and each slave's latency.
The same cycle is then polled one request per point.

Prints a table, then one JSON object per baud rate, the last for 9600:
{"baud": ..., "devices": ..., "cycle_s": ..., "wire_min_s": ..., "per_point_cycle_s": ...}
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import statistics
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from drivers.modbus.plan import DEFAULT_MAX_GAP, ReadBlock, plan_reads  # noqa: E402
from drivers.modbus.poller import ModbusPoller, PolledDevice  # noqa: E402
from drivers.modbus.rtu import silent_interval_s  # noqa: E402
from drivers.modbus.rtu_client import ModbusRtuClient  # noqa: E402
from drivers.profile import Profile, load_profile  # noqa: E402
from drivers.reading import Reading  # noqa: E402
from drivers.serial_link import SerialLink  # noqa: E402
from drivers.serial_settings import SerialSettings  # noqa: E402

PROFILES = ("dfrobot_sen0604", str(ROOT / "bench" / "profiles" / "soil_8in1.toml"))
"""Given to units 1, 2, 3 ... in turn: 4-point and 8-point probes, half each."""
REQUEST_BYTES = 8  # unit, function, address, count, CRC
REPLY_OVERHEAD = 5  # unit, function, byte count, CRC
CYCLE_TIMEOUT_S = 120.0


@dataclass(frozen=True)
class Cycle:
    strategy: str
    requests: int
    points: int
    cycle_s: float
    wire_min_s: float


def reply_bytes(block: ReadBlock) -> int:
    data = (block.count + 7) // 8 if block.function.is_bits else 2 * block.count
    return REPLY_OVERHEAD + data


def wire_min_s(blocks: Sequence[ReadBlock], settings: SerialSettings, latency_s: float) -> float:
    silence = silent_interval_s(settings.baudrate, settings.char_time_s)
    per_byte = settings.char_time_s
    return sum(
        (REQUEST_BYTES + reply_bytes(b)) * per_byte + 2 * silence + latency_s for b in blocks
    )


def planned_devices(profiles: Sequence[Profile]) -> list[PolledDevice]:
    return [
        PolledDevice(f"probe{unit:02d}", profile, unit, 3600.0, DEFAULT_MAX_GAP)
        for unit, profile in enumerate(profiles, start=1)
    ]


def per_point_devices(profiles: Sequence[Profile]) -> list[PolledDevice]:
    """One device per point, so the same poller sends one request per point."""
    return [
        PolledDevice(
            f"probe{unit:02d}.{point.name}",
            dataclasses.replace(profile, points=(point,)),
            unit,
            3600.0,
            0,
        )
        for unit, profile in enumerate(profiles, start=1)
        for point in profile.points
    ]


async def poll_once(path: str, settings: SerialSettings, devices: Sequence[PolledDevice]) -> float:
    """Seconds from the start of the poller until every point of every device was read."""
    expected = sum(len(d.profile.points) for d in devices)
    link = SerialLink(
        path,
        baudrate=settings.baudrate,
        parity=settings.parity,
        stopbits=settings.stopbits,
        name="bench",
    )
    client = ModbusRtuClient(link, name="bench", timeout_s=1.0)
    await link.open()  # the cycle measures polling, not opening the port
    readings: list[Reading] = []
    done = asyncio.Event()

    def emit(reading: Reading) -> None:
        readings.append(reading)
        if len(readings) == expected:
            done.set()

    poller = ModbusPoller("bench", client, devices, emit)
    loop = asyncio.get_running_loop()
    started = loop.time()
    task = asyncio.create_task(poller.run())
    try:
        await asyncio.wait_for(done.wait(), CYCLE_TIMEOUT_S)
        elapsed = loop.time() - started
    finally:
        await poller.close()
        await task
    failed = {d: s.last_error for d, s in poller.states().items() if s.last_error}
    if failed:
        raise RuntimeError(f"devices failed during the cycle: {failed}")
    return elapsed


async def start_bus(
    link: Path, settings: SerialSettings, devices: int, latency_ms: float
) -> asyncio.subprocess.Process:
    args = [
        "-m",
        "sim.rtu_bus",
        "--link",
        str(link),
        "--baud",
        str(settings.baudrate),
        "--parity",
        settings.parity,
        "--stopbits",
        str(settings.stopbits),
        "--probes",
        str(devices),
        "--latency-ms",
        str(latency_ms),
        "--update-s",
        "3600",
    ]
    for profile in PROFILES:
        args += ["--profile", profile]
    proc = await asyncio.create_subprocess_exec(
        sys.executable, *args, cwd=ROOT, stdout=asyncio.subprocess.PIPE
    )
    assert proc.stdout is not None
    async with asyncio.timeout(30):
        line = (await proc.stdout.readline()).decode().strip()
    if line != f"listening {link}":
        proc.kill()
        await proc.wait()
        raise RuntimeError(f"sim.rtu_bus did not start: {line!r}")
    return proc


async def bench_baud(
    settings: SerialSettings, devices: int, latency_ms: float, repeats: int
) -> tuple[Cycle, Cycle]:
    profiles = [load_profile(PROFILES[i % len(PROFILES)]) for i in range(devices)]
    planned = planned_devices(profiles)
    single = per_point_devices(profiles)
    latency_s = latency_ms / 1000
    planned_blocks = [b for d in planned for b in plan_reads(d.profile.points, max_gap=d.max_gap)]
    single_blocks = [b for d in single for b in plan_reads(d.profile.points, max_gap=d.max_gap)]
    with tempfile.TemporaryDirectory(prefix="kakashi-bus-") as tmp:
        link = Path(tmp) / "rs485"
        proc = await start_bus(link, settings, devices, latency_ms)
        try:
            planned_s = [await poll_once(str(link), settings, planned) for _ in range(repeats)]
            single_s = await poll_once(str(link), settings, single)
        finally:
            proc.terminate()
            await proc.wait()
    points = sum(len(p.points) for p in profiles)
    return (
        Cycle(
            "planned",
            len(planned_blocks),
            points,
            statistics.median(planned_s),
            wire_min_s(planned_blocks, settings, latency_s),
        ),
        Cycle(
            "per point",
            len(single_blocks),
            points,
            single_s,
            wire_min_s(single_blocks, settings, latency_s),
        ),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--devices", type=int, default=32)
    parser.add_argument("--latency-ms", type=float, default=10.0, help="each slave's latency")
    # No --parity: a pty refuses parity flags; two stop bits give the same
    # 11-bit characters the specification's 8E1 does.
    parser.add_argument("--stopbits", type=int, choices=(1, 2), default=1)
    parser.add_argument("--repeats", type=int, default=3, help="planned cycles (median)")
    args = parser.parse_args()
    results = []
    print(
        f"{'baud':>6} {'frame':>5} {'devices':>7} {'points':>6}  {'strategy':<9} "
        f"{'requests':>8} {'cycle_s':>8} {'wire_min_s':>10} {'over_min':>8}"
    )
    for baud in (19200, 9600):
        settings = SerialSettings(baud, "N", args.stopbits)
        cycles = asyncio.run(bench_baud(settings, args.devices, args.latency_ms, args.repeats))
        for cycle in cycles:
            over = cycle.cycle_s / cycle.wire_min_s - 1
            print(
                f"{baud:>6} {settings.describe()[-3:]:>5} {args.devices:>7} "
                f"{cycle.points:>6}  {cycle.strategy:<9} {cycle.requests:>8} "
                f"{cycle.cycle_s:>8.3f} {cycle.wire_min_s:>10.3f} {over:>+8.1%}"
            )
        planned, single = cycles
        print(
            f"{baud:>6} planned reads are {single.cycle_s / planned.cycle_s:.1f}x faster than "
            f"one request per point; {settings.bits_per_char} bits/char, "
            f"slave latency {args.latency_ms:g} ms"
        )
        results.append(
            {
                "baud": baud,
                "devices": args.devices,
                "cycle_s": round(planned.cycle_s, 4),
                "wire_min_s": round(planned.wire_min_s, 4),
                "per_point_cycle_s": round(single.cycle_s, 4),
            }
        )
    for result in results:
        print(json.dumps(result))


if __name__ == "__main__":
    main()
