"""`kakashi firmware`: what the firmware needs from the gateway's side.

``kakashi firmware header PROFILE`` prints the C register header generated
from a device profile; ``--out FILE`` writes it, ``--check FILE`` compares a
committed header with what the profile generates now (exit 1 and the reason
when it differs, so a build or CI step can refuse a stale header).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from drivers.profile import ProfileError, load_profile
from firmware_stubs.header import FirmwareMapError, check_header, generate_header


def add_firmware_command(subparsers: Any) -> None:
    """Registers ``firmware`` on the ``kakashi`` command's subparsers."""
    firmware = subparsers.add_parser(
        "firmware", help="reference firmware: register headers generated from profiles"
    )
    sub = firmware.add_subparsers(dest="firmware_command", required=True, metavar="COMMAND")
    header = sub.add_parser(
        "header",
        help="the C register header of a profile (print, --out FILE, or --check FILE)",
        description="Generate the C register header of a Modbus profile for node firmware.",
    )
    header.add_argument("profile", help="a profile name (kakashi_soil_node) or a .toml path")
    where = header.add_mutually_exclusive_group()
    where.add_argument("--out", type=Path, metavar="FILE", help="write the header to FILE")
    where.add_argument(
        "--check",
        type=Path,
        metavar="FILE",
        help="exit 1 if FILE is not exactly what the profile generates",
    )
    header.set_defaults(func=header_command)


def header_command(args: argparse.Namespace) -> int:
    """0 done (or FILE up to date), 1 FILE stale or unreadable, 2 the profile is unusable."""
    try:
        profile = load_profile(args.profile)
        text = generate_header(profile)
    except (ProfileError, FirmwareMapError) as exc:
        print(exc, file=sys.stderr)
        return 2
    if args.check is not None:
        try:
            current = args.check.read_text(encoding="ascii")
        except (OSError, UnicodeDecodeError) as exc:
            print(f"{args.check}: cannot read: {exc}", file=sys.stderr)
            return 1
        result = check_header(profile, current)
        if not result.ok:
            print(f"{args.check}: {result.reason}", file=sys.stderr)
            return 1
        print(f"{args.check}: up to date with {profile.path.name}")
        return 0
    if args.out is not None:
        args.out.write_text(text, encoding="ascii")
        print(f"{args.out}: written from {profile.path.name}")
        return 0
    sys.stdout.write(text)
    return 0
