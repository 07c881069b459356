"""``kakashi sim --scenario FILE`` (and ``python -m sim``): run a scenario as its own process.

Once every bus is listening it prints exactly one line to stdout,
``ready {...}``, the endpoints as JSON (buses, control API, runtime
directory); a parent reads it to learn where to connect. Diagnostics go to
stderr. SIGTERM and SIGINT stop it with exit status 0; a scenario with
errors exits 2 after listing them.

``--write-config PATH`` writes the gateway configuration for the running
simulator before ``ready`` is printed (``--set TABLE.KEY=VALUE`` overrides
keys in it, e.g. ``--set web.port=8081``); ``--check`` only reads the scenario.
``--align-to-today`` moves the written planting dates (and the history's
timestamps) by the whole days from the scenario clock's start date to today;
``--write-history FILE`` writes the sensors' readings before the clock's start
as JSON lines (``sim.history``).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import signal
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

EXIT_USAGE = 2

log = logging.getLogger("sim")


def configure_parser(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--scenario", required=True, type=Path, help="the scenario's TOML file")
    parser.add_argument("--seed", type=int, help="override the scenario's seed")
    parser.add_argument(
        "--speed", type=float, help="simulated seconds per real second (1440: a day a minute)"
    )
    parser.add_argument(
        "--write-config", type=Path, metavar="PATH", help="write the gateway configuration here"
    )
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="TABLE.KEY=VALUE",
        help="override a key of the written configuration (repeatable)",
    )
    parser.add_argument(
        "--align-to-today",
        action="store_true",
        help="start the clock at the wall clock's time of day and move the written planting "
        "dates and history by the days from the clock's start date to today (site time), "
        "so a gateway's wall clock sees the same season",
    )
    parser.add_argument(
        "--write-history",
        type=Path,
        metavar="FILE",
        help="write the soil probes' and weather stations' hourly readings from the "
        "season's planting to the clock's start here, as JSON lines",
    )
    parser.add_argument("--endpoints", type=Path, metavar="PATH", help="also write endpoints JSON")
    parser.add_argument(
        "--runtime-dir", type=Path, help="where ptys are linked (default: a temp dir)"
    )
    parser.add_argument(
        "--no-mqtt", action="store_true", help="ignore the scenario's [mqtt] broker"
    )
    parser.add_argument(
        "--check", action="store_true", help="read and check the scenario, then exit"
    )
    parser.add_argument(
        "--log-level", default="warning", choices=("debug", "info", "warning", "error")
    )


def add_sim_command(subparsers: Any) -> None:
    """Register ``sim`` on the ``kakashi`` command's subparsers (``args.func(args)`` runs it)."""
    parser = subparsers.add_parser(
        "sim", help="run the hardware simulator for a scenario (devices on real transports)"
    )
    configure_parser(parser)
    parser.set_defaults(func=run_command)


def run_command(args: argparse.Namespace) -> int:
    logging.basicConfig(
        level=getattr(logging, args.log_level.upper()),
        stream=sys.stderr,
        format="%(asctime)s %(name)s: %(message)s",
    )
    from sim.gateway_config import parse_setting
    from sim.scenario_load import ScenarioError, load_scenario

    if args.speed is not None and not args.speed > 0:
        print(f"kakashi sim: --speed: expected > 0, found {args.speed}", file=sys.stderr)
        return EXIT_USAGE
    settings: dict[str, dict[str, Any]] = {}
    for text in args.set:
        try:
            table, key, value = parse_setting(text)
        except ValueError as exc:
            print(f"kakashi sim: --set: {exc}", file=sys.stderr)
            return EXIT_USAGE
        settings.setdefault(table, {})[key] = value
    try:
        scenario = load_scenario(args.scenario)
    except ScenarioError as exc:
        for issue in exc.issues:
            print(issue, file=sys.stderr)
        return EXIT_USAGE
    if args.check:
        counts = (
            f"{len(scenario.site.fields)} fields, {len(scenario.buses)} buses, "
            f"{len(scenario.devices)} devices, {len(scenario.vehicles)} vehicles, "
            f"{len(scenario.faults)} faults"
        )
        print(f"{args.scenario}: ok — {counts}")
        return 0
    ready = _stdout_for_ready_only()
    try:
        return asyncio.run(_serve(args, scenario, settings, ready))
    except RuntimeError as exc:  # AquaCrop missing, a link path taken...
        print(f"kakashi sim: {exc}", file=sys.stderr)
        return 1
    finally:
        sys.stdout = ready


async def _serve(
    args: argparse.Namespace, scenario: Any, settings: dict[str, dict[str, Any]], ready: Any
) -> int:
    from sim.gateway_config import gateway_config_text
    from sim.history import date_offset_to_today, start_at_time_of_day, write_history_file
    from sim.runtime import Simulation

    if args.align_to_today:
        scenario = start_at_time_of_day(scenario, time.time())
    offset_days = date_offset_to_today(scenario, time.time()) if args.align_to_today else 0
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    simulation = Simulation(
        scenario,
        seed=args.seed,
        speed=args.speed,
        runtime_dir=args.runtime_dir,
        use_mqtt=not args.no_mqtt,
    )
    try:
        endpoints = await simulation.start()
    except OSError as exc:
        print(f"kakashi sim: {exc}", file=sys.stderr)
        return 1
    try:
        if args.align_to_today:
            endpoints["date_offset_days"] = offset_days
        if args.write_config is not None:
            text = gateway_config_text(scenario, endpoints, settings, date_offset_days=offset_days)
            _write_atomically(args.write_config, text)
            endpoints["config"] = str(args.write_config)
        if args.write_history is not None:
            began = time.perf_counter()
            count = write_history_file(
                args.write_history,
                scenario,
                seed=args.seed,
                offset_days=offset_days,
                # Aligned, the start's hour of day may still be ahead of the wall clock.
                not_after=time.time() if args.align_to_today else None,
            )
            log.info(
                "history: %d readings written to %s in %.1f s",
                count,
                args.write_history,
                time.perf_counter() - began,
            )
            endpoints["history"] = str(args.write_history)
        if args.endpoints is not None:
            _write_atomically(args.endpoints, json.dumps(endpoints, indent=1) + "\n")
        print("ready " + json.dumps(endpoints, separators=(",", ":")), file=ready, flush=True)
        await simulation.run(stop)
    finally:
        await simulation.close()
    return 0


def _stdout_for_ready_only() -> Any:
    """Keep stdout for the ``ready`` line: whatever a library prints goes to stderr."""
    ready = sys.stdout
    sys.stdout = sys.stderr
    return ready


def _write_atomically(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}")
    temporary.write_text(text, encoding="utf-8")
    temporary.replace(path)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m sim", description="Run the Kakashi hardware simulator for a scenario."
    )
    configure_parser(parser)
    return run_command(parser.parse_args(argv))
