"""The `kakashi` command."""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
from collections.abc import Sequence
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from edge.config import ConfigError, check_config_main, load_config
from edge.logs import setup_logging


def _version() -> str:
    try:
        return version("kakashi")
    except PackageNotFoundError:
        return "unknown"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kakashi",
        description="Edge controller for rural farms and last-mile logistics.",
    )
    parser.add_argument("--version", action="version", version=f"kakashi {_version()}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = sub.add_parser("run", help="run the gateway service")
    run.add_argument("--config", required=True, type=Path, help="the site's TOML file")

    check = sub.add_parser("check-config", help="validate a configuration file, list every error")
    check.add_argument("file", type=Path)

    demo = sub.add_parser(
        "demo", help="run the service against the simulated mountain village (no hardware)"
    )
    demo.add_argument("--port", type=int, default=8080, help="web port (default 8080)")
    demo.add_argument("--data-dir", type=Path, default=Path("var"), help="default ./var")

    # Subcommands owned by other packages register themselves; their heavy
    # libraries (ortools) load only when the command runs.
    from drivers.tools.decode_nmea import add_decode_command
    from drivers.tools.probe import add_probe_command
    from edge.users_cli import add_user_command
    from firmware_stubs.cli import add_firmware_command
    from models.cli import add_model_command
    from planner.cli import add_plan_command
    from sim.cli import add_sim_command

    add_plan_command(sub)
    add_probe_command(sub)
    add_decode_command(sub)
    add_model_command(sub)
    add_firmware_command(sub)
    add_sim_command(sub)
    add_user_command(sub)
    return parser


async def _run_service(config_path: Path) -> int:
    from edge.service import Service

    config = load_config(config_path)
    setup_logging(config.logging.level)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    clean = await Service(config).run(stop)
    return 0 if clean else 1


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "check-config":
        return check_config_main(args.file, sys.stdout)
    if args.command == "run":
        try:
            return asyncio.run(_run_service(args.config))
        except ConfigError as exc:
            for issue in exc.issues:
                print(issue, file=sys.stderr)
            return 2
    if args.command == "demo":
        from edge.demo import run_demo

        setup_logging("info")
        args.data_dir.mkdir(parents=True, exist_ok=True)
        return asyncio.run(run_demo(args.port, args.data_dir))
    func = getattr(args, "func", None)
    if func is not None:
        code: int = func(args)
        return code
    raise AssertionError(f"unhandled command {args.command!r}")


if __name__ == "__main__":
    sys.exit(main())
