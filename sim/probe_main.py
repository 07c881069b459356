"""Run one simulated soil probe as a Modbus TCP server.

    python -m sim.probe_main --host 127.0.0.1 --port 0 --profile dfrobot_sen0604 \\
        --unit 1 --seed 1 --update-s 1.0

Once listening it prints exactly one line, ``listening <host>:<port>``, to
stdout (the real port when ``--port 0``); a parent process reads the port from
it. Diagnostics go to stderr. SIGTERM and SIGINT stop it with exit status 0.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal
import sys
import time
from collections.abc import Sequence

from drivers.profile import ProfileError, load_profile
from sim.modbus_server import SimModbusServer
from sim.register_bank import RegisterBank
from sim.soil_probe import QUANTITIES, SoilProbe

log = logging.getLogger("sim.probe")

EXIT_USAGE = 2


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m sim.probe_main",
        description="Run one simulated soil probe as a Modbus TCP server.",
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--profile", default="dfrobot_sen0604", help="profile name or path")
    parser.add_argument("--unit", type=int, default=1, help="Modbus unit id, 1..255")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--update-s", type=float, default=1.0, help="seconds between updates")
    args = parser.parse_args(argv)
    if not args.update_s > 0:
        parser.error(f"--update-s: expected > 0, found {args.update_s}")
    if not 1 <= args.unit <= 255:
        parser.error(f"--unit: expected 1..255, found {args.unit}")
    if not 0 <= args.port <= 65535:
        parser.error(f"--port: expected 0..65535, found {args.port}")
    return args


def update(bank: RegisterBank, probe: SoilProbe, ts: float) -> None:
    values = probe.at(ts).as_dict()
    for point in bank.profile.points:
        if point.name in values:
            try:
                bank.set(point.name, values[point.name])
            except ValueError as exc:
                log.warning("%s; keeping the previous value", exc)


async def serve(args: argparse.Namespace, bank: RegisterBank) -> int:
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    probe = SoilProbe(args.seed)
    update(bank, probe, time.time())
    server = SimModbusServer({args.unit: bank}, host=args.host, port=args.port)
    try:
        host, port = await server.start()
    except OSError as exc:
        print(f"sim.probe_main: {exc}", file=sys.stderr)
        return 1
    print(f"listening {host}:{port}", flush=True)
    try:
        while not stop.is_set():
            # Waiting on the stop event paces updates and still exits at once on a signal.
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), args.update_s)
            update(bank, probe, time.time())
    finally:
        await server.stop()
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr, format="%(name)s: %(message)s")
    args = parse_args(argv)
    try:
        profile = load_profile(args.profile)
    except ProfileError as exc:
        print(f"sim.probe_main: {exc}", file=sys.stderr)
        return EXIT_USAGE
    modelled = [p.name for p in profile.points if p.name in QUANTITIES]
    if not modelled:
        print(
            f"sim.probe_main: profile {profile.name} has none of the points the soil "
            f"probe simulates ({', '.join(QUANTITIES)})",
            file=sys.stderr,
        )
        return EXIT_USAGE
    for point in profile.points:
        if point.name not in QUANTITIES:
            log.warning("point %s is not simulated; it reads 0", point.name)
    return asyncio.run(serve(args, RegisterBank(profile)))


if __name__ == "__main__":
    sys.exit(main())
