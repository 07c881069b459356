"""`kakashi probe modbus`: read a field device once through its profile and show every point.

The commissioning question is "is this wired right, is this the unit I think it
is, and does the profile match the device?". The probe answers it the way the
poller will see the device: the same read plan, the same decoding, the same
splitting of merged reads the device refuses, once. Every request that fails is
named with its table, registers and error, so a wrong function code or an
unmapped register shows as such rather than as silence.

Exit status: 0 when every point was read, 1 when some failed, 2 for bad
arguments (an unknown profile lists the available ones).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from drivers.modbus import pdu
from drivers.modbus.client import ModbusClient
from drivers.modbus.clients import ClientKind, open_modbus_client
from drivers.modbus.errors import ModbusError, ModbusException
from drivers.modbus.holes import LearnedPlan
from drivers.modbus.plan import DEFAULT_MAX_GAP, ReadBlock
from drivers.profile import Point, Profile, ProfileError, Protocol, load_profile
from drivers.reading import Value

EXIT_OK = 0
EXIT_SOME_FAILED = 1
EXIT_USAGE = 2

DEFAULT_TCP_PORT = 502
DEFAULT_BAUDRATE = 9600
FAILED = "failed"
"""The quality shown for a point whose request got no usable answer."""
ILLEGAL_DATA_ADDRESS = 0x02


class UsageError(Exception):
    """Arguments that cannot work together; the message says which and why."""


@dataclass(frozen=True, slots=True)
class PointResult:
    point: Point
    value: Value
    quality: str
    """A :class:`drivers.reading.Quality` value, or :data:`FAILED`."""
    raw: tuple[int, ...]
    """The point's registers (0/1 for coils and discrete inputs); empty if failed."""
    error: str = ""


@dataclass(frozen=True, slots=True)
class Request:
    """One read request of the round and what became of it."""

    number: int
    block: ReadBlock
    error: str = ""
    """Empty if the device answered with data."""
    split_into: tuple[ReadBlock, ...] = ()
    """Refused as a whole, then read as these (the poller learns the same split)."""

    def describe(self) -> str:
        b = self.block
        unit = "bit" if b.function.is_bits else "register"
        where = (
            f"request {self.number} (FC{b.function.read_code:02d} {b.function} "
            f"{b.address:#06x}..{b.end - 1:#06x}, {_count(b.count, unit)})"
        )
        if not self.split_into:
            return f"{where}: {self.error}"
        parts = ", ".join(_span(p) for p in self.split_into)
        # Only a split at unmapped registers is avoidable by never merging across them.
        hint = " (max_gap = 0 would avoid the refused request)" if b.gap_ends() else ""
        return f"{where}: {self.error}; read as {parts} instead, as the service will{hint}"


def _span(block: ReadBlock) -> str:
    if block.count == 1:
        return f"{block.address:#06x}"
    return f"{block.address:#06x}..{block.end - 1:#06x}"


@dataclass(frozen=True, slots=True)
class ProbeResult:
    points: list[PointResult]
    requests: list[Request]

    @property
    def failures(self) -> list[Request]:
        """Requests whose points got no value (refused-and-split ones are not)."""
        return [r for r in self.requests if r.error and not r.split_into]

    @property
    def splits(self) -> list[Request]:
        return [r for r in self.requests if r.split_into]


async def probe_device(
    client: ModbusClient, profile: Profile, unit: int, *, max_gap: int = DEFAULT_MAX_GAP
) -> ProbeResult:
    """Read every point of ``profile`` from ``unit`` once, as the poller would.

    A merged read the device refuses ("illegal data address") is split the way
    the poller learns to split it (:class:`drivers.modbus.holes.LearnedPlan`), so
    the result says whether the service will get every point. Unlike the
    poller, a request that times out does not end the round: the result tells
    which parts of the map the device answers.
    """
    return await _Round(client, profile, unit, max_gap).run()


class _Round:
    def __init__(self, client: ModbusClient, profile: Profile, unit: int, max_gap: int) -> None:
        self._client = client
        self._profile = profile
        self._unit = unit
        self._plan = LearnedPlan(profile.points, max_gap=max_gap)
        self._results: dict[str, PointResult] = {}
        self._requests: list[Request] = []

    async def run(self) -> ProbeResult:
        queue = deque(self._plan.blocks)
        while queue:
            block = queue.popleft()
            refusal = await self._read(block)
            if refusal is None:
                continue
            if len(block.group_starts()) == 1:
                self._refused_alone(block, refusal)
                continue
            parts = self._plan.split_at_gaps(block)
            if parts:
                self._add(Request(self._next, block, refusal, tuple(parts)))
                queue.extendleft(reversed(parts))
                continue
            await self._read_singly(block, refusal)
        # Profile order is the order its author grouped the points in.
        return ProbeResult([self._results[p.name] for p in self._profile.points], self._requests)

    async def _read_singly(self, block: ReadBlock, refusal: str) -> None:
        """No gap to blame: read point by point and learn which ones the device refuses."""
        singles = self._plan.singles(block)
        index = len(self._requests)
        self._add(Request(self._next, block, refusal, tuple(singles)))
        refused: list[ReadBlock] = []
        for single in singles:
            single_refusal = await self._read(single)
            if single_refusal is not None:
                refused.append(single)
                self._refused_alone(single, single_refusal)
        learned = tuple(self._plan.isolate(block, refused))
        self._requests[index] = Request(index + 1, block, refusal, learned)

    async def _read(self, block: ReadBlock) -> str | None:
        """Read ``block`` and record the outcome; an "illegal data address" is returned."""
        try:
            values = await _read_block(self._client, self._unit, block)
        except ModbusException as exc:
            if exc.code == ILLEGAL_DATA_ADDRESS:
                return str(exc)
            self._failed(block, str(exc))
            return None
        except ModbusError as exc:
            self._failed(block, str(exc))
            return None
        self._add(Request(self._next, block))
        for point in block.points:
            raw = tuple(block.slice_for(point, values))
            value, quality = point.decode(raw)
            self._results[point.name] = PointResult(point, value, quality.value, raw)
        return None

    def _refused_alone(self, block: ReadBlock, refusal: str) -> None:
        self._failed(
            block,
            f"{refusal}: the device does not serve this address; "
            f"check profile {self._profile.name}",
        )

    def _failed(self, block: ReadBlock, error: str) -> None:
        self._add(Request(self._next, block, error))
        for point in block.points:
            self._results[point.name] = PointResult(point, None, FAILED, (), error)

    @property
    def _next(self) -> int:
        return len(self._requests) + 1

    def _add(self, request: Request) -> None:
        self._requests.append(request)


async def _read_block(client: ModbusClient, unit: int, block: ReadBlock) -> list[int]:
    request = pdu.read_request(block.function.read_code, block.address, block.count)
    response = await client.request(unit, request)
    if block.function.is_bits:
        return [int(bit) for bit in pdu.parse_bits(request, response)]
    return pdu.parse_registers(request, response)


# ---- output ----


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def format_value(value: Value) -> str:
    if value is None:
        return "-"
    if isinstance(value, str):
        return value
    return str(int(value)) if value.is_integer() else repr(value)


def format_raw(result: PointResult) -> str:
    if result.point.function.is_bits:
        return " ".join(str(v) for v in result.raw)
    return " ".join(f"{v:04X}" for v in result.raw)


def write_table(results: Sequence[PointResult], out: TextIO) -> None:
    header = ("point", "value", "unit", "quality", "raw")
    rows = [
        (r.point.name, format_value(r.value), r.point.unit, r.quality, format_raw(r))
        for r in results
    ]
    widths = [max(len(row[i]) for row in (header, *rows)) for i in range(len(header))]
    for row in (header, *rows):
        # Values are right-aligned so decimal columns line up.
        cells = [
            cell.rjust(widths[i]) if i == 1 else cell.ljust(widths[i]) for i, cell in enumerate(row)
        ]
        out.write("  ".join(cells).rstrip() + "\n")


def write_json_lines(results: Sequence[PointResult], out: TextIO) -> None:
    for r in results:
        record: dict[str, Any] = {
            "point": r.point.name,
            "value": r.value,
            "unit": r.point.unit,
            "quality": r.quality,
            "raw": [format(v, "04X") if not r.point.function.is_bits else v for v in r.raw],
            "function": r.point.function.value,
            "address": r.point.address,
        }
        if r.error:
            record["error"] = r.error
        out.write(json.dumps(record, ensure_ascii=False) + "\n")


# ---- command line ----


def add_probe_command(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``probe`` (and its ``modbus`` subcommand) on the ``kakashi`` parser."""
    probe = subparsers.add_parser(
        "probe", help="read a field device once through its profile and print every point"
    )
    _add_protocols(probe.add_subparsers(dest="probe_protocol", required=True, metavar="PROTOCOL"))


def _add_protocols(kinds: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    modbus = kinds.add_parser(
        "modbus",
        help="read a Modbus device (TCP with --host, RTU on a serial port with --port)",
        description="Read every point of a Modbus device once, with the service's read plan "
        "and decoding. Exit 0 if every point was read, 1 if some failed, 2 for bad arguments.",
    )
    where = modbus.add_mutually_exclusive_group(required=True)
    where.add_argument(
        "--host",
        metavar="HOST[:PORT]",
        help="Modbus TCP device or gateway (port: profile's or 502)",
    )
    where.add_argument(
        "--port", metavar="DEVICE", help="serial port for Modbus RTU, e.g. /dev/ttyUSB0"
    )
    modbus.add_argument(
        "--rtu",
        action="store_true",
        help="with --host: the address is a TCP serial server passing RTU frames",
    )
    modbus.add_argument("--profile", required=True, help="profile name or path to a .toml file")
    modbus.add_argument(
        "--profile-dir",
        type=Path,
        action="append",
        default=[],
        metavar="DIR",
        help="extra profile directory (repeatable; overrides shipped profiles of the same name)",
    )
    modbus.add_argument(
        "--unit", type=_unit_id, help="unit (slave) id 0..255; default: the profile's"
    )
    modbus.add_argument(
        "--baud", type=_baudrate, help="serial: baud rate (default: profile's, or 9600)"
    )
    modbus.add_argument(
        "--parity", choices=("N", "E", "O"), help="serial: parity (default: profile's, or N)"
    )
    modbus.add_argument(
        "--stopbits", type=int, choices=(1, 2), help="serial: stop bits (default: profile's, or 1)"
    )
    modbus.add_argument(
        "--timeout", type=_positive_seconds, default=1.0, help="seconds per request (default 1)"
    )
    modbus.add_argument(
        "--max-gap",
        type=_non_negative,
        default=DEFAULT_MAX_GAP,
        help=f"merge points at most this many registers apart (default {DEFAULT_MAX_GAP}; "
        "0 for devices that refuse reads of unmapped registers)",
    )
    modbus.add_argument("--json", action="store_true", help="one JSON object per point and line")
    modbus.set_defaults(func=probe_modbus_main)


def probe_modbus_main(args: argparse.Namespace) -> int:
    try:
        profile = _profile(args.profile, args.profile_dir)
        unit = _resolve_unit(args.unit, profile)
        if unit == 0 and (args.port is not None or args.rtu):
            raise UsageError("unit 0 is the RTU broadcast address: no device answers a read")
        client = _open_client(args, profile)
    except (UsageError, ProfileError) as exc:
        print(f"kakashi probe modbus: {exc}", file=sys.stderr)
        return EXIT_USAGE
    result = asyncio.run(_probe_and_close(client, profile, unit, args.max_gap))
    if args.json:
        write_json_lines(result.points, sys.stdout)
    else:
        write_table(result.points, sys.stdout)
    for request in result.requests:
        if request.error:
            print(request.describe(), file=sys.stderr)
    read = sum(r.quality != FAILED for r in result.points)
    print(
        f"{profile.name} unit {unit} on {client.name}: {read} of "
        f"{_count(len(result.points), 'point')} read in {_count(len(result.requests), 'request')}",
        file=sys.stderr,
    )
    return EXIT_SOME_FAILED if result.failures else EXIT_OK


async def _probe_and_close(
    client: ModbusClient, profile: Profile, unit: int, max_gap: int
) -> ProbeResult:
    try:
        return await probe_device(client, profile, unit, max_gap=max_gap)
    finally:
        await client.close()


def _profile(name: str, extra_dirs: Sequence[Path]) -> Profile:
    profile = load_profile(name, extra_dirs)
    if profile.protocol is not Protocol.MODBUS:
        raise UsageError(f"profile {profile.name} speaks {profile.protocol}, not modbus")
    return profile


def _resolve_unit(given: int | None, profile: Profile) -> int:
    if given is not None:
        return given
    if profile.defaults.unit is None:
        raise UsageError(
            f"profile {profile.name} has no default unit id (it depends on the installation): "
            "give --unit"
        )
    return profile.defaults.unit


def _open_client(args: argparse.Namespace, profile: Profile) -> ModbusClient:
    d = profile.defaults
    serial = _serial_settings(args, profile)
    if args.port is not None:
        if args.rtu:
            raise UsageError("--rtu is for a TCP serial server (--host); --port is RTU already")
        kind: ClientKind = "modbus_rtu"
        host, port, name = None, args.port, args.port
    else:
        if not args.rtu:
            given = [
                f"--{n}" for n in ("baud", "parity", "stopbits") if getattr(args, n) is not None
            ]
            if given:
                raise UsageError(
                    f"{', '.join(given)}: serial settings apply to --port, or to --host with --rtu"
                )
        kind = "modbus_rtu_over_tcp" if args.rtu else "modbus_tcp"
        host, port = parse_host(args.host, d.port or DEFAULT_TCP_PORT)
        name = f"{host}:{port}"
    try:
        return open_modbus_client(
            kind, name=name, host=host, port=port, timeout_s=args.timeout, **serial
        )
    except ValueError as exc:
        raise UsageError(str(exc)) from None


def _serial_settings(args: argparse.Namespace, profile: Profile) -> dict[str, Any]:
    """Line settings: as given, else the profile's factory settings, else 9600 8N1."""
    d = profile.defaults
    return {
        "baudrate": args.baud or d.baudrate or DEFAULT_BAUDRATE,
        "parity": args.parity or d.parity or "N",
        "stopbits": args.stopbits or d.stopbits or 1,
    }


def parse_host(text: str, default_port: int) -> tuple[str, int]:
    """``host``, ``host:port``, ``[v6]`` or ``[v6]:port``."""
    host, port_text = text, ""
    if text.startswith("["):
        close = text.find("]")
        if close < 0 or (close + 1 < len(text) and text[close + 1] != ":"):
            raise UsageError(f"--host {text!r}: expected [IPv6] or [IPv6]:PORT")
        host, port_text = text[1:close], text[close + 2 :]
    elif text.count(":") == 1:
        host, port_text = text.split(":")
    elif ":" in text:
        raise UsageError(f"--host {text!r}: write an IPv6 address in brackets, [::1]:502")
    if not host:
        raise UsageError(f"--host {text!r}: no host name")
    if not port_text:
        return host, default_port
    if not port_text.isdigit() or not 1 <= int(port_text) <= 65535:
        raise UsageError(f"--host {text!r}: port must be 1..65535, found {port_text!r}")
    return host, int(port_text)


def _unit_id(text: str) -> int:
    try:
        value = int(text, 0)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an integer 0..255, found {text!r}") from None
    if not 0 <= value <= 255:
        raise argparse.ArgumentTypeError(f"expected 0..255, found {value}")
    return value


def _positive_seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected seconds, found {text!r}") from None
    if not 0 < value < float("inf"):
        raise argparse.ArgumentTypeError(f"expected a positive number of seconds, found {text}")
    return value


def _baudrate(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a baud rate, found {text!r}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"expected a positive baud rate, found {value}")
    return value


def _non_negative(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an integer >= 0, found {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected an integer >= 0, found {value}")
    return value


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m drivers.tools.probe modbus ...``, for when the service is not installed."""
    parser = argparse.ArgumentParser(
        prog="python -m drivers.tools.probe",
        description="Read a field device once through its profile and print every point.",
    )
    _add_protocols(parser.add_subparsers(dest="probe_protocol", required=True, metavar="PROTOCOL"))
    args = parser.parse_args(argv)
    status: int = args.func(args)
    return status


if __name__ == "__main__":
    sys.exit(main())
