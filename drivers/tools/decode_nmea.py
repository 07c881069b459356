"""`kakashi decode nmea FILE`: the fixes in a recorded NMEA log, one JSON line each.

For checking a receiver's output (or a log sent by a user) without running the
service: what the gateway would make of it, and what it would throw away and
why. Each fix with a position is one JSON object; the last line is a summary
of every sentence accepted, ignored and rejected, by type and reason.

Exit status: 0 when the file was read (whatever it held), 2 when it cannot be.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, BinaryIO, TextIO

from drivers.nmea.fix import Fix
from drivers.nmea.recording import RecordingDecoder

EXIT_OK = 0
EXIT_UNREADABLE = 2
CHUNK = 64 * 1024


def add_decode_command(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``decode`` (and its ``nmea`` subcommand) on the ``kakashi`` parser."""
    decode = subparsers.add_parser("decode", help="decode a recorded device log to JSON lines")
    _add_protocols(decode.add_subparsers(dest="decode_protocol", required=True, metavar="PROTOCOL"))


def _add_protocols(protocols: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    nmea = protocols.add_parser(
        "nmea",
        help="NMEA 0183 (GNSS receivers): one JSON line per fix, then a summary",
        description="Print each fix of a recorded NMEA 0183 log as one JSON line, then a "
        "summary of the sentences accepted, ignored and rejected. Exit 0 if the file was "
        "read, 2 if it cannot be.",
    )
    nmea.add_argument("file", type=Path, help="the log (CR LF, LF or CR; # lines are comments)")
    nmea.set_defaults(func=decode_nmea_main)


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m drivers.tools.decode_nmea nmea FILE``, for when the service is not installed."""
    parser = argparse.ArgumentParser(
        prog="python -m drivers.tools.decode_nmea",
        description="Decode a recorded device log to JSON lines.",
    )
    _add_protocols(parser.add_subparsers(dest="decode_protocol", required=True, metavar="PROTOCOL"))
    args = parser.parse_args(argv)
    status: int = args.func(args)
    return status


def decode_nmea_main(
    args: argparse.Namespace, out: TextIO | None = None, err: TextIO | None = None
) -> int:
    out = out or sys.stdout
    err = err or sys.stderr
    path: Path = args.file
    try:
        source = path.open("rb")
    except OSError as exc:
        print(f"kakashi decode nmea: cannot read {path}: {exc.strerror or exc}", file=err)
        return EXIT_UNREADABLE
    decoder = RecordingDecoder()
    positions = without = 0
    with source:
        try:
            for fixes in _decoded(source, decoder):
                for fix in fixes:
                    if fix.has_position:
                        positions += 1
                        print(json.dumps(fix_json(fix)), file=out)
                    else:
                        without += 1
        except OSError as exc:
            print(f"kakashi decode nmea: cannot read {path}: {exc.strerror or exc}", file=err)
            return EXIT_UNREADABLE
    summary = {"fixes": positions, "epochs_without_position": without, **decoder.counts.as_dict()}
    print(json.dumps({"summary": summary}), file=out)
    return EXIT_OK


def _decoded(source: BinaryIO, decoder: RecordingDecoder) -> Iterator[list[Fix]]:
    for line in _lines(source):
        yield decoder.line(line)
    yield decoder.end()


def _lines(source: BinaryIO) -> Iterator[bytes]:
    """Lines ending in LF, CR LF or CR, read in chunks; a line with no end for a
    whole chunk (binary junk) is passed on in pieces rather than held."""
    rest = b""
    while chunk := source.read(CHUNK):
        lines = (rest + chunk).splitlines(keepends=True)
        rest = b""
        if lines and not lines[-1].endswith((b"\n", b"\r")) and len(lines[-1]) < CHUNK:
            rest = lines.pop()
        yield from lines
    if rest:
        yield rest


def fix_json(fix: Fix) -> dict[str, Any]:
    return {
        "time": _iso(fix),
        "lat": _round(fix.lat, 9),
        "lon": _round(fix.lon, 9),
        "alt": fix.alt,
        "quality": fix.quality,
        "mode": fix.mode,
        "satellites": fix.satellites,
        "hdop": fix.hdop,
        "speed_mps": _round(fix.speed_mps, 3),
        "course": fix.course,
    }


def _iso(fix: Fix) -> str:
    """ISO 8601 in UTC; only the time of day (``14:37:48.770Z``) while the date is unknown."""
    moment = fix.time or fix.time_of_day
    spec = "milliseconds" if moment.microsecond % 1000 == 0 else "microseconds"
    return moment.replace(tzinfo=None).isoformat(timespec=spec) + "Z"


def _round(value: float | None, digits: int) -> float | None:
    return None if value is None else round(value, digits)


if __name__ == "__main__":
    sys.exit(main())
