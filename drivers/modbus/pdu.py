"""Modbus PDUs: building requests and checking responses against them.

A PDU is the function code and its data, the part shared by Modbus TCP and RTU.
Responses are parsed *against the request that asked for them*: the function
code, byte count and echoed fields must agree, otherwise the reply belongs to
something else and is rejected with a :class:`FrameError`.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import IntEnum

from drivers.modbus.errors import FrameError, ModbusException

EXCEPTION_FLAG = 0x80
MAX_READ_REGISTERS = 125
MAX_READ_BITS = 2000
MAX_WRITE_REGISTERS = 123
MAX_WRITE_BITS = 1968


class FunctionCode(IntEnum):
    READ_COILS = 1
    READ_DISCRETE_INPUTS = 2
    READ_HOLDING_REGISTERS = 3
    READ_INPUT_REGISTERS = 4
    WRITE_SINGLE_COIL = 5
    WRITE_SINGLE_REGISTER = 6
    WRITE_MULTIPLE_COILS = 15
    WRITE_MULTIPLE_REGISTERS = 16


_BIT_READS = (FunctionCode.READ_COILS, FunctionCode.READ_DISCRETE_INPUTS)
_REGISTER_READS = (FunctionCode.READ_HOLDING_REGISTERS, FunctionCode.READ_INPUT_REGISTERS)


def read_request(function: int, address: int, count: int) -> bytes:
    """FC 1-4: read ``count`` bits or registers from ``address``."""
    code = FunctionCode(function)
    if code in _BIT_READS:
        limit = MAX_READ_BITS
    elif code in _REGISTER_READS:
        limit = MAX_READ_REGISTERS
    else:
        raise ValueError(f"function {function} is not a read function (1-4)")
    _check_span(address, count, limit)
    return bytes([code]) + _u16(address) + _u16(count)


def write_single_coil(address: int, on: bool) -> bytes:
    _check_span(address, 1, 1)
    return (
        bytes([FunctionCode.WRITE_SINGLE_COIL])
        + _u16(address)
        + (b"\xff\x00" if on else b"\x00\x00")
    )


def write_single_register(address: int, value: int) -> bytes:
    _check_span(address, 1, 1)
    return bytes([FunctionCode.WRITE_SINGLE_REGISTER]) + _u16(address) + _u16(_register(value))


def write_multiple_coils(address: int, values: Sequence[bool]) -> bytes:
    _check_span(address, len(values), MAX_WRITE_BITS)
    packed = bytearray((len(values) + 7) // 8)
    for i, on in enumerate(values):
        if on:
            packed[i // 8] |= 1 << (i % 8)
    return (
        bytes([FunctionCode.WRITE_MULTIPLE_COILS])
        + _u16(address)
        + _u16(len(values))
        + bytes([len(packed)])
        + bytes(packed)
    )


def write_multiple_registers(address: int, values: Sequence[int]) -> bytes:
    _check_span(address, len(values), MAX_WRITE_REGISTERS)
    data = b"".join(_u16(_register(v)) for v in values)
    return (
        bytes([FunctionCode.WRITE_MULTIPLE_REGISTERS])
        + _u16(address)
        + _u16(len(values))
        + bytes([len(data)])
        + data
    )


def check_exception(request: bytes, response: bytes) -> None:
    """Raise :class:`ModbusException` if ``response`` is an exception response."""
    if not response:
        raise FrameError("empty response PDU")
    if not request:
        raise ValueError("empty request PDU")
    if response[0] == request[0] | EXCEPTION_FLAG:
        if len(response) != 2:
            raise FrameError(
                f"function {request[0]}: exception response must be 2 bytes, found {len(response)}"
            )
        raise ModbusException(request[0], response[1])
    if response[0] != request[0]:
        raise FrameError(f"expected function {request[0]} in response, found {response[0]}")


def parse_registers(request: bytes, response: bytes) -> list[int]:
    """Registers of an FC 3/4 response to ``request``."""
    count = _read_count(request, _REGISTER_READS)
    data = _read_data(request, response, 2 * count)
    return [int.from_bytes(data[i : i + 2], "big") for i in range(0, len(data), 2)]


def parse_bits(request: bytes, response: bytes) -> list[bool]:
    """Bits of an FC 1/2 response to ``request``, least significant bit first."""
    count = _read_count(request, _BIT_READS)
    data = _read_data(request, response, (count + 7) // 8)
    return [bool(data[i // 8] >> (i % 8) & 1) for i in range(count)]


def parse_write(request: bytes, response: bytes) -> None:
    """Check the echo of a write (FC 5/6 echo everything; FC 15/16 address and count)."""
    check_exception(request, response)
    code = request[0]
    if code in (FunctionCode.WRITE_SINGLE_COIL, FunctionCode.WRITE_SINGLE_REGISTER):
        expected = request
    elif code in (FunctionCode.WRITE_MULTIPLE_COILS, FunctionCode.WRITE_MULTIPLE_REGISTERS):
        expected = request[:5]
    else:
        raise ValueError(f"function {code} is not a write function (5, 6, 15, 16)")
    if response != expected:
        raise FrameError(
            f"function {code}: expected echo {expected.hex(' ')}, found {response.hex(' ')}"
        )


def _read_count(request: bytes, allowed: tuple[FunctionCode, ...]) -> int:
    if len(request) != 5 or request[0] not in allowed:
        names = "/".join(str(int(c)) for c in allowed)
        raise ValueError(f"expected an FC {names} read request, found {request.hex(' ')}")
    return int.from_bytes(request[3:5], "big")


def _read_data(request: bytes, response: bytes, expected_bytes: int) -> bytes:
    check_exception(request, response)
    code = request[0]
    if len(response) < 2:
        raise FrameError(f"function {code}: response has no byte count")
    if response[1] != expected_bytes:
        raise FrameError(
            f"function {code}: expected byte count {expected_bytes}, found {response[1]}"
        )
    if len(response) != 2 + expected_bytes:
        raise FrameError(
            f"function {code}: byte count says {expected_bytes} data bytes, "
            f"found {len(response) - 2}"
        )
    return response[2:]


def _check_span(address: int, count: int, limit: int) -> None:
    if not 0 <= address <= 0xFFFF:
        raise ValueError(f"address: expected 0..65535, found {address}")
    if not 1 <= count <= limit:
        raise ValueError(f"count: expected 1..{limit}, found {count}")
    if address + count > 0x10000:
        raise ValueError(f"address {address} + count {count} runs past 65535")


def _register(value: int) -> int:
    if not 0 <= value <= 0xFFFF:
        raise ValueError(f"register value: expected 0..65535, found {value}")
    return value


def _u16(value: int) -> bytes:
    return value.to_bytes(2, "big")
