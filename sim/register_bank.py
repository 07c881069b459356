"""The register image of one simulated device, laid out by its profile.

The simulator sets values by point name (``bank.set("moisture", 31.4)``) and the
bank stores the registers :meth:`Point.encode` gives, so what the simulator
serves is by construction what the profile says the device sends.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from drivers.profile import Function, Point, Profile

WriteHook = Callable[[Function, int, list[int]], None]


class WriteRefused(Exception):  # noqa: N818 - a refusal, answered with its exception code
    """A device refuses a client's write with a Modbus exception code (03: illegal value)."""

    def __init__(self, code: int, reason: str = "") -> None:
        self.code = code
        super().__init__(reason or f"write refused with exception {code:#04x}")


class RegisterBank:
    def __init__(self, profile: Profile, *, refuse_unmapped: bool = True) -> None:
        self.profile = profile
        self.refuse_unmapped = refuse_unmapped
        """Refuse reads touching registers no point occupies (exception 2), as many
        devices do; False serves them as 0, like a device with a flat memory map."""
        self.before_read: Callable[[], None] | None = None
        """Called before every client read, so a device serves one fresh snapshot."""
        self.check_write: WriteHook | None = None
        """Called before a client's write is stored; raises WriteRefused to refuse it."""
        self.after_write: WriteHook | None = None
        """Called after a client's write is stored (a command the device acts on)."""
        self._points = {p.name: p for p in profile.points}
        self._values: dict[Function, dict[int, int]] = {f: {} for f in Function}
        self._writable: dict[Function, set[int]] = {f: set() for f in Function}
        for point in profile.points:
            for address in range(point.address, point.end):
                self._values[point.function][address] = 0
                if point.writable:
                    self._writable[point.function].add(address)

    def addresses(self, function: Function) -> list[int]:
        """Every address a point of ``function`` occupies, ascending."""
        return sorted(self._values[function])

    def is_writable(self, function: Function, address: int) -> bool:
        return address in self._writable[function]

    def set(self, point_name: str, value: float | str) -> None:
        """Store ``value`` as the point's registers; ValueError if it cannot be encoded."""
        point = self._points.get(point_name)
        if point is None:
            known = ", ".join(self._points) or "none"
            raise KeyError(
                f"profile {self.profile.name}: no point {point_name!r} (points: {known})"
            )
        registers = point.encode(value)
        table = self._values[point.function]
        if point.is_register_bit:
            mask = 1 << (point.bit or 0)
            table[point.address] = (table[point.address] & ~mask) | registers[0]
            return
        for offset, register in enumerate(registers):
            table[point.address + offset] = register

    def get(self, point: Point) -> list[int]:
        table = self._values[point.function]
        return [table[a] for a in range(point.address, point.end)]

    def read(self, function: Function, address: int, count: int) -> list[int]:
        """Registers (or 0/1 bits) from ``address``; unmapped addresses read 0."""
        table = self._values[function]
        return [table.get(a, 0) for a in range(address, address + count)]

    def write(self, function: Function, address: int, values: Sequence[int]) -> None:
        """A client's write; the caller has checked the addresses are writable."""
        table = self._values[function]
        for offset, value in enumerate(values):
            table[address + offset] = int(value)

    def client_read(self, function: Function, address: int, count: int) -> list[int]:
        """A client's read: the device refreshes its snapshot first."""
        if self.before_read is not None:
            self.before_read()
        return self.read(function, address, count)

    def client_write(self, function: Function, address: int, values: Sequence[int]) -> None:
        """A client's write to writable addresses; WriteRefused if the device says no."""
        registers = [int(v) for v in values]
        if self.check_write is not None:
            self.check_write(function, address, registers)
        self.write(function, address, registers)
        if self.after_write is not None:
            self.after_write(function, address, registers)
