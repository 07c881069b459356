"""One simulated RS-485 slave: answers request PDUs from its registers, misbehaves on demand.

The checks follow the Modbus application protocol: an unknown function is
exception 01, an address outside the device's map 02, a quantity or byte
count that does not add up 03. ``refuse_holes`` makes the slave refuse any
read touching a register no point occupies, as some devices do, so the
gateway's handling of merged reads over holes can be exercised.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from drivers.profile import Function
from sim.register_bank import RegisterBank, WriteRefused

ILLEGAL_FUNCTION = 0x01
ILLEGAL_DATA_ADDRESS = 0x02
ILLEGAL_DATA_VALUE = 0x03

_READ_TABLES = {
    1: Function.COIL,
    2: Function.DISCRETE_INPUT,
    3: Function.HOLDING,
    4: Function.INPUT,
}
_READ_LIMITS = {1: 2000, 2: 2000, 3: 125, 4: 125}


@dataclass
class SlaveFaults:
    """Ways a real slave misbehaves on a line; all off by default."""

    silent: bool = False
    """Never answers (dead, unpowered, wrong address)."""
    late_s: float | None = None
    """Answers after this delay instead of its latency: after the master gave up."""
    wrong_unit: int | None = None
    """Answers with this unit id (valid CRC), like a misconfigured twin on the bus."""
    corrupt_crc: bool = False
    """Answers with the CRC bytes inverted, like a reply hit by noise."""
    truncate_to: int | None = None
    """Stops after this many bytes of the reply, like a slave browning out."""
    exception_code: int | None = None
    """Refuses every request with this exception code (a device reporting a failure)."""


class _RefusedError(Exception):
    def __init__(self, code: int) -> None:
        self.code = code


@dataclass
class SimSlave:
    unit: int
    bank: RegisterBank
    latency_s: float = 0.005
    """Time from the end of the request (after its trailing silence) to the first reply byte."""
    refuse_holes: bool = False
    faults: SlaveFaults = field(default_factory=SlaveFaults)
    requests: int = 0
    """Requests addressed to this slave with a good CRC (broadcasts included)."""

    def __post_init__(self) -> None:
        if not 1 <= self.unit <= 247:
            raise ValueError(f"a slave's unit id is 1..247, found {self.unit}")

    def answer(self, pdu: bytes) -> bytes:
        """The reply PDU to ``pdu``: the normal response or an exception response."""
        if not pdu:
            return bytes((0x80, ILLEGAL_FUNCTION))
        function = pdu[0]
        if self.faults.exception_code is not None:
            return bytes(((function | 0x80) & 0xFF, self.faults.exception_code & 0xFF))
        try:
            return self._dispatch(function, pdu[1:])
        except _RefusedError as refused:
            return bytes(((function | 0x80) & 0xFF, refused.code))
        except WriteRefused as refused:
            return bytes(((function | 0x80) & 0xFF, refused.code & 0xFF))

    def _dispatch(self, function: int, data: bytes) -> bytes:
        if function in _READ_TABLES:
            return self._read(function, data)
        if function == 5:
            return self._write_coil(data)
        if function == 6:
            return self._write_register(data)
        if function == 15:
            return self._write_coils(data)
        if function == 16:
            return self._write_registers(data)
        raise _RefusedError(ILLEGAL_FUNCTION)

    def _read(self, function: int, data: bytes) -> bytes:
        address, count = _two_words(data)
        if not 1 <= count <= _READ_LIMITS[function]:
            raise _RefusedError(ILLEGAL_DATA_VALUE)
        table = _READ_TABLES[function]
        self._check_readable(table, address, count)
        values = self.bank.client_read(table, address, count)
        if table.is_bits:
            packed = bytearray((count + 7) // 8)
            for i, value in enumerate(values):
                if value:
                    packed[i // 8] |= 1 << (i % 8)
            payload = bytes(packed)
        else:
            payload = b"".join(v.to_bytes(2, "big") for v in values)
        return bytes((function, len(payload))) + payload

    def _check_readable(self, table: Function, address: int, count: int) -> None:
        mapped = self.bank.addresses(table)
        if not mapped or address + count > 0x10000:
            raise _RefusedError(ILLEGAL_DATA_ADDRESS)
        wanted = range(address, address + count)
        if self.refuse_holes:
            present = set(mapped)
            if any(a not in present for a in wanted):
                raise _RefusedError(ILLEGAL_DATA_ADDRESS)
        elif address < mapped[0] or wanted[-1] > mapped[-1]:
            raise _RefusedError(ILLEGAL_DATA_ADDRESS)

    def _check_writable(self, table: Function, address: int, count: int) -> None:
        if not all(self.bank.is_writable(table, a) for a in range(address, address + count)):
            raise _RefusedError(ILLEGAL_DATA_ADDRESS)

    def _write_coil(self, data: bytes) -> bytes:
        address, value = _two_words(data)
        if value not in (0x0000, 0xFF00):
            raise _RefusedError(ILLEGAL_DATA_VALUE)
        self._check_writable(Function.COIL, address, 1)
        self.bank.client_write(Function.COIL, address, [1 if value else 0])
        return bytes((5,)) + data

    def _write_register(self, data: bytes) -> bytes:
        address, value = _two_words(data)
        self._check_writable(Function.HOLDING, address, 1)
        self.bank.client_write(Function.HOLDING, address, [value])
        return bytes((6,)) + data

    def _write_coils(self, data: bytes) -> bytes:
        address, count = _two_words(data[:4])
        if not 1 <= count <= 1968 or len(data) < 5:
            raise _RefusedError(ILLEGAL_DATA_VALUE)
        packed = data[5:]
        if data[4] != (count + 7) // 8 or len(packed) != data[4]:
            raise _RefusedError(ILLEGAL_DATA_VALUE)
        self._check_writable(Function.COIL, address, count)
        bits = [packed[i // 8] >> (i % 8) & 1 for i in range(count)]
        self.bank.client_write(Function.COIL, address, bits)
        return bytes((15,)) + data[:4]

    def _write_registers(self, data: bytes) -> bytes:
        address, count = _two_words(data[:4])
        if not 1 <= count <= 123 or len(data) < 5:
            raise _RefusedError(ILLEGAL_DATA_VALUE)
        payload = data[5:]
        if data[4] != 2 * count or len(payload) != data[4]:
            raise _RefusedError(ILLEGAL_DATA_VALUE)
        self._check_writable(Function.HOLDING, address, count)
        values = [int.from_bytes(payload[i : i + 2], "big") for i in range(0, len(payload), 2)]
        self.bank.client_write(Function.HOLDING, address, values)
        return bytes((16,)) + data[:4]


def _two_words(data: bytes) -> tuple[int, int]:
    if len(data) != 4:
        raise _RefusedError(ILLEGAL_DATA_VALUE)
    return int.from_bytes(data[0:2], "big"), int.from_bytes(data[2:4], "big")
