"""Writing one point: checks against the profile, encoding, requests, and the record kept.

Everything a profile can say about a write is checked before a byte is sent,
so a typo on the operator's page never reaches a pump controller. The poller
(:meth:`drivers.modbus.poller.ModbusPoller.write`) decides when a write goes on
the bus; this module decides whether it may, what is sent (:func:`send_write`)
and what every attempt reports: a :class:`WriteResult` to the caller and a
:class:`WriteAudit` to whoever keeps the audit log (drivers know nothing of
storage).

The read-back that verifies a write follows it at once. A device that applies
writes with a delay (some commit setpoints to EEPROM first) would read back
its old value and be reported as a mismatch: write to it with ``verify=False``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from drivers.modbus import pdu
from drivers.modbus.client import ModbusClient
from drivers.modbus.errors import ModbusError
from drivers.modbus.registers import RegisterType
from drivers.profile import Function, Point, Profile
from drivers.reading import Quality, Value

# How far a decoded integer point may sit from the requested value and still be
# "the same number": far below any scale a profile uses, far above float noise.
_RESOLUTION_SLACK = 1e-9


class WriteRejected(ValueError):  # noqa: N818 - a rejection, not a failure of the code
    """A write refused before anything was sent; ``rule`` says which check it broke."""

    def __init__(self, device: str, point: str, rule: str) -> None:
        self.device = device
        self.point = point
        self.rule = rule
        super().__init__(f"device {device}: point {point}: {rule}")


class WriteOutcome(StrEnum):
    REJECTED = "rejected"
    """Broke a profile rule; nothing was sent."""
    NOT_SENT = "not_sent"
    """Accepted, but withdrawn by the caller or dropped by a stopping bus before sending."""
    FAILED = "failed"
    """Sent, not acknowledged: timeout, lost connection, exception response, bad echo."""
    WRITTEN = "written"
    """Acknowledged, and read back equal when verification was asked."""
    UNVERIFIED = "unverified"
    """Acknowledged, but the read-back itself failed."""
    MISMATCH = "mismatch"
    """Acknowledged, but the device reads back another value."""


@dataclass(frozen=True, slots=True)
class WriteResult:
    device: str
    point: str
    value: float | str
    """The value asked for, in the point's unit."""
    outcome: WriteOutcome
    ts: float
    registers: tuple[int, ...] = ()
    """What was (or would have been) written: registers, or 0/1 for a coil."""
    read_back: Value = None
    """The value the device reported after the write, when verified."""
    error: str = ""

    @property
    def ok(self) -> bool:
        return self.outcome is WriteOutcome.WRITTEN


@dataclass(frozen=True, slots=True)
class WriteAudit:
    """One write attempt, whatever became of it, for the service's audit log."""

    ts: float
    bus: str
    device: str
    point: str
    value: float | str
    registers: tuple[int, ...]
    actor: str
    """Who asked: a user name, an automation rule, the API token's owner."""
    outcome: WriteOutcome
    error: str
    read_back: Value = None

    @classmethod
    def of(cls, result: WriteResult, *, bus: str, actor: str) -> WriteAudit:
        return cls(
            ts=result.ts,
            bus=bus,
            device=result.device,
            point=result.point,
            value=result.value,
            registers=result.registers,
            actor=actor,
            outcome=result.outcome,
            error=result.error,
            read_back=result.read_back,
        )


OnAudit = Callable[[WriteAudit], None]
"""Receives every write attempt; it must not block (hand it to a queue)."""


def check_write(
    device: str, profile: Profile, point_name: str, value: object
) -> tuple[Point, list[int]]:
    """The point and the registers (0/1 for a coil) that write ``value`` to it.

    Raises :class:`WriteRejected` naming the device, the point and the rule:
    unknown or read-only point, a value of the wrong type, outside the point's
    write ``min``/``max``, or one its encoding cannot carry exactly.
    """
    try:
        point = profile.point(point_name)
    except KeyError:
        known = ", ".join(p.name for p in profile.points if p.writable) or "none"
        raise WriteRejected(
            device, point_name, f"no such point in profile {profile.name} (writable: {known})"
        ) from None
    if not point.writable:
        raise WriteRejected(
            device,
            point.name,
            f"is read-only ({point.function} {point.address} is not writable "
            f"in profile {profile.name})",
        )
    return point, _encode(device, point, _check_value(device, point, value))


def _encode(device: str, point: Point, value: float | str) -> list[int]:
    """Registers that carry ``value``, checking it survives the encoding.

    A value the point cannot represent exactly (12.34 into a register scaled by
    0.1) is refused rather than rounded: the device would store something other
    than what the operator asked for. A bit field of a shared register encodes
    with only its own bit set: :func:`merge_bit` puts it into the register read.
    """
    if point.function is Function.COIL:
        return [1 if value else 0]
    try:
        registers = point.encode(value)
    except ValueError as exc:
        reason = str(exc).removeprefix(f"point {point.name}: ")
        raise WriteRejected(device, point.name, f"cannot be encoded: {reason}") from None
    if point.data_type.is_numeric:
        decoded, quality = point.decode(registers)
        if quality is Quality.INVALID:
            raise WriteRejected(
                device, point.name, f"value {value!r} encodes to the device's no-value sentinel"
            )
        if not point.data_type.is_float and not _same_number(decoded, value):
            raise WriteRejected(
                device,
                point.name,
                f"expected a multiple of {_resolution(point)} (the point's resolution), "
                f"found {value!r}; nearest is {decoded}",
            )
    if len(registers) > pdu.MAX_WRITE_REGISTERS:
        raise WriteRejected(
            device,
            point.name,
            f"{len(registers)} registers exceed one write request "
            f"(at most {pdu.MAX_WRITE_REGISTERS})",
        )
    return registers


@dataclass(frozen=True, slots=True)
class Sent:
    """What became of a write on the bus."""

    outcome: WriteOutcome
    registers: tuple[int, ...]
    read_back: Value = None
    error: str = ""


async def send_write(
    client: ModbusClient,
    unit: int,
    device: str,
    point: Point,
    registers: Sequence[int],
    *,
    verify: bool,
    on_request: Callable[[], None] = lambda: None,
) -> Sent:
    """Write checked ``registers`` (from :func:`check_write`) once, then read them back.

    ``on_request`` is called before each request, for the device's counters.
    Never raises a Modbus error: each one becomes the outcome it stands for.
    """
    where = f"device {device}: point {point.name} ({point.function} {point.address})"

    async def ask(request: bytes) -> bytes:
        on_request()
        return await client.request(unit, request)

    async def read_point() -> list[int]:
        request = read_back_request(point)
        response = await ask(request)
        if point.function.is_bits:
            return [int(b) for b in pdu.parse_bits(request, response)]
        return pdu.parse_registers(request, response)

    written = list(registers)
    try:
        if point.is_register_bit:
            # FC06 replaces the whole register: keep the other bits as the device has them.
            (current,) = await read_point()
            written = [merge_bit(point, current, registers)]
        request = write_request(point, written)
        pdu.parse_write(request, await ask(request))
    except ModbusError as exc:
        return Sent(WriteOutcome.FAILED, tuple(written), error=f"{where}: {exc}")
    if not verify:
        return Sent(WriteOutcome.WRITTEN, tuple(written))
    expected, _ = point.decode(written)
    try:
        read_back, _ = point.decode(await read_point())
    except ModbusError as exc:
        error = f"{where}: written, but reading it back failed: {exc}"
        return Sent(WriteOutcome.UNVERIFIED, tuple(written), error=error)
    if read_back != expected:
        error = f"{where}: wrote {expected!r}, read back {read_back!r}"
        return Sent(WriteOutcome.MISMATCH, tuple(written), read_back, error)
    return Sent(WriteOutcome.WRITTEN, tuple(written), read_back)


def write_request(point: Point, registers: Sequence[int]) -> bytes:
    """FC05 for a coil, FC06 for one register, FC16 for a wider point."""
    if point.function is Function.COIL:
        return pdu.write_single_coil(point.address, bool(registers[0]))
    if len(registers) == 1:
        return pdu.write_single_register(point.address, registers[0])
    return pdu.write_multiple_registers(point.address, registers)


def read_back_request(point: Point) -> bytes:
    """The read that fetches exactly the point's registers (or bit)."""
    return pdu.read_request(point.function.read_code, point.address, point.register_count)


def merge_bit(point: Point, current: int, registers: Sequence[int]) -> int:
    """The register ``current`` with ``point``'s bit taken from its encoded value."""
    mask = 1 << (point.bit or 0)
    return (current & ~mask) | (registers[0] & mask)


def _check_value(device: str, point: Point, value: object) -> float | str:
    """``value`` if its type and limits fit the point."""

    def reject(rule: str) -> WriteRejected:
        return WriteRejected(device, point.name, rule)

    if point.data_type is RegisterType.STRING:
        if not isinstance(value, str):
            raise reject(f"expected text for type string, found {_describe(value)}")
        return value
    if isinstance(value, str) or not isinstance(value, int | float):
        raise reject(f"expected a number for type {point.data_type}, found {_describe(value)}")
    if point.data_type is RegisterType.BIT:
        if value not in (0, 1):
            raise reject(f"expected 0 or 1 for a bit, found {value!r}")
        return value
    if isinstance(value, bool):
        raise reject(f"expected a number for type {point.data_type}, found {_describe(value)}")
    if not math.isfinite(value):
        raise reject(f"expected a finite number, found {value!r}")
    if point.write_min is not None and value < point.write_min:
        raise reject(f"value {value!r} is below the write minimum {point.write_min:g}")
    if point.write_max is not None and value > point.write_max:
        raise reject(f"value {value!r} is above the write maximum {point.write_max:g}")
    return value


def _same_number(decoded: Value, value: float | str) -> bool:
    if not isinstance(decoded, float) or isinstance(value, str):
        return False
    return math.isclose(decoded, value, rel_tol=_RESOLUTION_SLACK, abs_tol=_RESOLUTION_SLACK)


def _resolution(point: Point) -> str:
    return f"{abs(point.scale):g}"


def _describe(value: object) -> str:
    if isinstance(value, bool):
        return f"a boolean ({value})"
    return f"{type(value).__name__} {value!r}"
