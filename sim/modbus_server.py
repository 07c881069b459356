"""A Modbus TCP server for simulated devices, built on pymodbus's async server.

pymodbus changes its server API between minor releases (contexts became
``SimDevice``/``SimData`` in 3.x), so it is used here and nowhere else in the
simulator. Register values live in :class:`RegisterBank` objects and are copied
into pymodbus's store on every access, so the simulation may change them at any
time. Units the server does not serve stay silent, like an absent device on an
RS-485 line behind a gateway, and a served unit can be silenced to play dead.

Like many real devices, a unit refuses with "illegal data address" any read
that touches a register no point of its profile occupies, unless its bank says
otherwise (``RegisterBank(refuse_unmapped=False)``). For tests of the bus
itself, the server logs every request it answers, can hold a unit's answers
until a gate opens (a slow device whose pace the test controls), and can make
a unit acknowledge writes it then forgets.

Faults a scenario injects are set per unit: ``late`` (answer after a delay),
``exceptions`` (refuse everything with an exception code), ``wrong_unit``
(answer with another unit id) and ``truncate`` (send only the first bytes of
the reply frame); ``silent`` plays a unit that is gone. ``stop`` and a second
``start`` close and reopen the listening port, as when a Modbus TCP device
loses power.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, cast

from pymodbus.constants import ExcCodes
from pymodbus.server import ModbusTcpServer
from pymodbus.simulator import DataType, SimData, SimDevice

from drivers.profile import Function
from sim.register_bank import RegisterBank, WriteRefused

_TABLE_BY_FUNCTION_CODE: dict[int, Function] = {
    1: Function.COIL,
    5: Function.COIL,
    15: Function.COIL,
    2: Function.DISCRETE_INPUT,
    3: Function.HOLDING,
    6: Function.HOLDING,
    16: Function.HOLDING,
    23: Function.HOLDING,
    4: Function.INPUT,
}
_WRITE_CODES = frozenset({5, 6, 15, 16, 23})
# pymodbus's order of the four tables in a SimDevice with separate blocks.
_BLOCK_ORDER = (Function.COIL, Function.DISCRETE_INPUT, Function.HOLDING, Function.INPUT)


@dataclass(frozen=True, slots=True)
class SimRequest:
    """One request a served unit received, as the server decoded it."""

    unit: int
    function: int
    address: int
    count: int
    values: tuple[int, ...] = ()
    """What a write request carried (registers, or 0/1 for coils)."""


class SimModbusServer:
    def __init__(
        self, units: Mapping[int, RegisterBank], *, host: str = "127.0.0.1", port: int = 0
    ) -> None:
        for unit in units:
            # pymodbus reserves unit 0 for "every unit not listed".
            if not 1 <= unit <= 255:
                raise ValueError(f"simulated unit ids are 1..255, found {unit}")
        if not units:
            raise ValueError("a simulated Modbus server needs at least one unit")
        self._units = dict(units)
        self._host = host
        self._port = port
        self._server: Any = None
        self.silent: set[int] = set()
        """Served units that currently ignore every request."""
        self.requests: list[SimRequest] = []
        """Every request to a served, non-silent unit, in the order received."""
        self.gates: dict[int, asyncio.Event] = {}
        """Units that answer only once their event is set."""
        self.ignore_writes: set[int] = set()
        """Units that acknowledge writes but keep their registers unchanged."""
        self.late: dict[int, float] = {}
        """Units that answer only after this many seconds."""
        self.exceptions: dict[int, int] = {}
        """Units that refuse every request with this exception code."""
        self.wrong_unit: dict[int, int] = {}
        """Units that answer with this unit id instead of their own."""
        self.truncate: dict[int, int] = {}
        """Units whose reply frames are cut to this many bytes."""
        self.address: tuple[str, int] | None = None

    async def start(self) -> tuple[str, int]:
        """Listen and return the bound (host, port), the real port when given 0."""
        devices = [_sim_device(self, unit, bank) for unit, bank in self._units.items()]
        # A restarted server listens where it listened before, as a device that rebooted.
        port = self.address[1] if self.address is not None else self._port
        server = ModbusTcpServer(
            devices,
            address=(self._host, port),
            trace_pdu=self._filter,
            trace_packet=self._cut,
        )
        try:
            await server.serve_forever(background=True)
        except RuntimeError as exc:
            raise OSError(f"cannot listen on {self._host}:{self._port}: {exc}") from None
        self._server = server
        # After listen() pymodbus keeps the asyncio.Server in ``transport``.
        listener = cast(asyncio.Server, server.transport)
        host, port = listener.sockets[0].getsockname()[:2]
        self.address = (str(host), int(port))
        return self.address

    async def stop(self) -> None:
        if self._server is not None:
            await self._server.shutdown()
            self._server = None

    def _filter(self, sending: bool, pdu: Any) -> Any:
        # Returning None for a received request makes pymodbus drop it unanswered.
        if sending:
            wrong = self.wrong_unit.get(pdu.dev_id)
            if wrong is not None:
                pdu.dev_id = wrong
            return pdu
        if pdu.dev_id not in self._units or pdu.dev_id in self.silent:
            return None
        values = tuple(int(v) for v in (pdu.registers or pdu.bits))
        count = len(values) if values else pdu.count
        self.requests.append(SimRequest(pdu.dev_id, pdu.function_code, pdu.address, count, values))
        return pdu

    def _cut(self, sending: bool, packet: bytes) -> bytes:
        # The unit id is byte 6 of the MBAP header (after a wrong_unit rewrite, the
        # id sent: a truncation is set on the unit that answers, so look both up).
        if not sending or len(packet) < 7 or not self.truncate:
            return packet
        unit = packet[6]
        keep = self.truncate.get(unit)
        if keep is None:
            keep = next(
                (
                    self.truncate[u]
                    for u, w in self.wrong_unit.items()
                    if w == unit and u in self.truncate
                ),
                None,
            )
        return packet if keep is None else packet[:keep]


def _sim_device(server: SimModbusServer, unit: int, bank: RegisterBank) -> SimDevice:
    coils, discrete_inputs, holding, inputs = (_block(bank, f) for f in _BLOCK_ORDER)

    async def action(
        function_code: int,
        start_address: int,
        address: int,
        count: int,
        registers: list[int],
        set_values: list[int] | list[bool] | None,
    ) -> ExcCodes | None:
        gate = server.gates.get(unit)
        if gate is not None:
            await gate.wait()
        delay = server.late.get(unit)
        if delay:
            await asyncio.sleep(delay)
        code = server.exceptions.get(unit)
        if code is not None:
            # pymodbus sends any code it is given; the enum is only its type.
            return cast(ExcCodes, code)
        function = _TABLE_BY_FUNCTION_CODE.get(function_code)
        if function is None or not bank.addresses(function):
            return ExcCodes.ILLEGAL_ADDRESS
        if set_values is not None:
            if not all(bank.is_writable(function, a) for a in range(address, address + count)):
                return ExcCodes.ILLEGAL_ADDRESS
            if unit not in server.ignore_writes:
                try:
                    bank.client_write(function, address, [int(v) for v in set_values])
                except WriteRefused as refused:
                    return cast(ExcCodes, refused.code)
            return None
        if function_code in _WRITE_CODES:
            # pymodbus reads back what it just stored to build the echo; a unit
            # that ignores writes still echoes the request, as real ones do.
            return None
        values = bank.client_read(function, address, count)
        if function.is_bits:
            # Bit tables reach us packed 16 to a register, bit 0 first.
            for bit_address, value in zip(range(address, address + count), values, strict=True):
                index = bit_address // 16 - start_address
                mask = 1 << (bit_address % 16)
                registers[index] = (
                    (registers[index] | mask) if value else (registers[index] & ~mask)
                )
        else:
            registers[address - start_address : address - start_address + count] = values
        return None

    return SimDevice(unit, simdata=(coils, discrete_inputs, holding, inputs), action=action)


def _block(bank: RegisterBank, function: Function) -> list[SimData]:
    addresses = bank.addresses(function)
    if function.is_bits:
        if not addresses:
            # pymodbus needs one entry per table; the action refuses access to it.
            return [SimData(0, values=[False], datatype=DataType.BITS)]
        return [SimData(a, values=[False], datatype=DataType.BITS) for a in addresses]
    if not addresses:
        return [SimData(0, datatype=DataType.INVALID)]
    if not bank.refuse_unmapped:
        # Registers between points read as 0, like a device with a flat memory map.
        addresses = list(range(addresses[0], addresses[-1] + 1))
    return [
        SimData(
            a, values=0, datatype=DataType.REGISTERS, readonly=not bank.is_writable(function, a)
        )
        for a in addresses
    ]
