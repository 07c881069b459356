"""Request PDUs byte for byte, and responses checked against their requests."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from drivers.modbus.errors import FrameError, ModbusException
from drivers.modbus.pdu import (
    check_exception,
    parse_bits,
    parse_registers,
    parse_write,
    read_request,
    write_multiple_coils,
    write_multiple_registers,
    write_single_coil,
    write_single_register,
)

# Examples from the Modbus Application Protocol Specification V1.1b3, section 6.


@pytest.mark.parametrize(
    ("built", "golden"),
    [
        (read_request(1, 19, 19), "01 00 13 00 13"),
        (read_request(2, 196, 22), "02 00 C4 00 16"),
        (read_request(3, 107, 3), "03 00 6B 00 03"),
        (read_request(4, 8, 1), "04 00 08 00 01"),
        (write_single_coil(172, True), "05 00 AC FF 00"),
        (write_single_coil(172, False), "05 00 AC 00 00"),
        (write_single_register(1, 3), "06 00 01 00 03"),
        (
            write_multiple_coils(
                19, [True, False, True, True, False, False, True, True, True, False]
            ),
            "0F 00 13 00 0A 02 CD 01",
        ),
        (write_multiple_registers(1, [0x000A, 0x0102]), "10 00 01 00 02 04 00 0A 01 02"),
    ],
)
def test_requests_match_the_specification_examples(built: bytes, golden: str) -> None:
    assert built == bytes.fromhex(golden)


def test_read_registers_response() -> None:
    request = read_request(3, 107, 3)
    response = bytes.fromhex("03 06 02 2B 00 00 00 64")
    assert parse_registers(request, response) == [0x022B, 0x0000, 0x0064]


def test_read_bits_response_is_lsb_first_and_ignores_padding() -> None:
    request = read_request(1, 19, 19)
    response = bytes.fromhex("01 03 CD 6B 05")
    bits = parse_bits(request, response)
    assert len(bits) == 19
    assert bits[:8] == [True, False, True, True, False, False, True, True]  # 0xCD
    assert bits[16:] == [True, False, True]  # 0x05, upper five bits are padding


@pytest.mark.parametrize(
    ("code", "name"),
    [
        (1, "illegal function"),
        (2, "illegal data address"),
        (3, "illegal data value"),
        (4, "server device failure"),
        (0x0B, "gateway target device failed to respond"),
        (0x42, "unknown exception code"),
    ],
)
def test_exception_response_becomes_modbus_exception(code: int, name: str) -> None:
    request = read_request(4, 0, 1)
    with pytest.raises(ModbusException) as info:
        parse_registers(request, bytes([0x84, code]))
    assert info.value.code == code
    assert info.value.function == 4
    assert info.value.name == name
    assert name in str(info.value)


@pytest.mark.parametrize(
    ("response", "message"),
    [
        ("", "empty response PDU"),
        ("04 02 00 01", "expected function 3 in response, found 4"),
        ("83", "exception response must be 2 bytes, found 1"),
        ("83 02 00", "exception response must be 2 bytes, found 3"),
        ("03", "response has no byte count"),
        ("03 04 00 01 00 02", "expected byte count 6, found 4"),
        ("03 06 00 01 00 02", "byte count says 6 data bytes, found 4"),
        ("03 06 00 01 00 02 00 03 00", "byte count says 6 data bytes, found 7"),
    ],
)
def test_malformed_register_responses_name_the_problem(response: str, message: str) -> None:
    with pytest.raises(FrameError, match=message):
        parse_registers(read_request(3, 0, 3), bytes.fromhex(response))


def test_bit_response_with_wrong_byte_count_is_refused() -> None:
    with pytest.raises(FrameError, match="expected byte count 3, found 2"):
        parse_bits(read_request(2, 0, 19), bytes.fromhex("02 02 FF FF"))


def test_write_echoes_are_checked() -> None:
    single = write_single_register(1, 3)
    parse_write(single, single)
    multiple = write_multiple_registers(1, [10, 258])
    parse_write(multiple, bytes.fromhex("10 00 01 00 02"))
    with pytest.raises(FrameError, match="expected echo 10 00 01 00 02, found 10 00 01 00 01"):
        parse_write(multiple, bytes.fromhex("10 00 01 00 01"))
    with pytest.raises(ModbusException, match="illegal data value"):
        parse_write(single, bytes.fromhex("86 03"))


def test_check_exception_passes_a_normal_response() -> None:
    check_exception(read_request(3, 0, 1), bytes.fromhex("03 02 00 07"))


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: read_request(3, 0, 126), r"count: expected 1\.\.125, found 126"),
        (lambda: read_request(1, 0, 2001), r"count: expected 1\.\.2000, found 2001"),
        (lambda: read_request(3, 0, 0), r"count: expected 1\.\.125, found 0"),
        (lambda: read_request(3, 65535, 2), "address 65535 \\+ count 2 runs past 65535"),
        (lambda: read_request(3, -1, 1), r"address: expected 0\.\.65535, found -1"),
        (lambda: read_request(6, 0, 1), "function 6 is not a read function"),
        (
            lambda: write_single_register(0, 65536),
            r"register value: expected 0\.\.65535, found 65536",
        ),
        (lambda: write_multiple_registers(0, [0] * 124), r"count: expected 1\.\.123, found 124"),
    ],
)
def test_requests_out_of_protocol_limits_are_refused(
    call: Callable[[], bytes], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        call()
