"""RTU framing: ADUs byte for byte, reply lengths, and replies checked against requests."""

from __future__ import annotations

import pytest

from drivers.modbus import rtu
from drivers.modbus.crc import crc_bytes
from drivers.modbus.errors import FrameError
from drivers.modbus.pdu import (
    read_request,
    write_multiple_coils,
    write_multiple_registers,
    write_single_coil,
    write_single_register,
)

DFROBOT_REPLY = bytes.fromhex("01 03 08 02 92 FF 9B 03 E8 00 38 57 B6")
READ_4 = read_request(3, 0, 4)
# Sonbest's manual (same template on its SR8857B page) shows the valid reply
# 01 03 0A 00 7D 00 00 ... 19 E4, then relabels its data as 00 79 .. 00 7D and
# keeps the CRC; the relabelled frame's real CRC is 15 10.
SONBEST_GENUINE = bytes.fromhex("01 03 0A 00 7D 00 00 00 00 00 00 00 00 19 E4")
SONBEST_RELABELLED = bytes.fromhex("01 03 0A 00 79 00 7A 00 7B 00 7C 00 7D 19 E4")
READ_5 = read_request(3, 0, 5)


def adu(hex_body: str) -> bytes:
    body = bytes.fromhex(hex_body)
    return body + crc_bytes(body)


# ---- building ----


@pytest.mark.parametrize(
    ("unit", "pdu", "golden"),
    [
        (1, READ_4, "01 03 00 00 00 04 44 09"),
        (1, read_request(3, 0, 1), "01 03 00 00 00 01 84 0A"),
        (1, read_request(3, 0x1E, 1), "01 03 00 1E 00 01 E4 0C"),
    ],
)
def test_encode_matches_the_documented_requests(unit: int, pdu: bytes, golden: str) -> None:
    assert rtu.encode(unit, pdu) == bytes.fromhex(golden)


def test_encode_refuses_bad_units_and_sizes() -> None:
    with pytest.raises(ValueError, match=r"unit: expected 0\.\.255, found 256"):
        rtu.encode(256, READ_4)
    with pytest.raises(ValueError, match=r"PDU: expected 1\.\.253 bytes, found 254"):
        rtu.encode(1, bytes(254))
    with pytest.raises(ValueError, match="found 0"):
        rtu.encode(1, b"")


# ---- lengths ----


@pytest.mark.parametrize(
    ("pdu", "length"),
    [
        (READ_4, 13),
        (read_request(4, 0, 125), 255),
        (read_request(1, 0, 10), 7),  # 10 coils in 2 bytes
        (read_request(2, 0, 8), 6),
        (write_single_coil(3, True), 8),
        (write_single_register(3, 9), 8),
        (write_multiple_coils(0, [True] * 10), 8),
        (write_multiple_registers(0, [1, 2, 3]), 8),
        (bytes([0x2B, 0x0E, 0x01, 0x00]), None),  # device identification: variable
    ],
)
def test_expected_response_length(pdu: bytes, length: int | None) -> None:
    assert rtu.expected_response_length(pdu) == length


@pytest.mark.parametrize(
    ("head", "length"),
    [
        ("01 03 08", 13),
        ("01 01 02", 7),
        ("01 83 02", 5),  # an exception reply, whatever the request was
        ("01 06 00", 8),
        ("01 10 00", 8),
        ("01 2B 0E", None),
    ],
)
def test_response_length_from_the_first_three_bytes(head: str, length: int | None) -> None:
    assert rtu.response_length(bytes.fromhex(head)) == length


def test_silent_interval_is_3_5_characters_up_to_19200_then_fixed() -> None:
    assert rtu.silent_interval_s(9600, 10 / 9600) == pytest.approx(3.5 * 10 / 9600)
    assert rtu.silent_interval_s(19200, 11 / 19200) == pytest.approx(3.5 * 11 / 19200)
    assert rtu.silent_interval_s(38400, 10 / 38400) == 0.00175
    assert rtu.silent_interval_s(115200, 10 / 115200) == 0.00175


# ---- checking replies ----


def test_dfrobot_documented_reply_decodes() -> None:
    pdu = rtu.decode_response(1, READ_4, DFROBOT_REPLY)
    assert pdu == bytes.fromhex("03 08 02 92 FF 9B 03 E8 00 38")


def test_xunchip_documented_reply_decodes() -> None:
    pdu = rtu.decode_response(1, read_request(3, 0, 1), bytes.fromhex("01 03 02 00 79 79 A6"))
    assert pdu == bytes.fromhex("03 02 00 79")


def test_sonbest_relabelled_frame_is_rejected_by_its_real_crc() -> None:
    assert rtu.decode_response(1, READ_5, SONBEST_GENUINE)[2:4] == b"\x00\x7d"
    with pytest.raises(FrameError, match=r"^CRC 0xE419 != computed 0x1015$"):
        rtu.decode_response(1, READ_5, SONBEST_RELABELLED)


@pytest.mark.parametrize("position", range(len(DFROBOT_REPLY)))
def test_any_flipped_byte_of_the_documented_reply_is_a_crc_error(position: int) -> None:
    damaged = bytearray(DFROBOT_REPLY)
    damaged[position] ^= 0x10
    with pytest.raises(FrameError, match=r"^CRC 0x[0-9A-F]{4} != computed 0x[0-9A-F]{4}$"):
        rtu.decode_response(1, READ_4, bytes(damaged))


def test_flipped_crc_names_both_values() -> None:
    damaged = DFROBOT_REPLY[:-2] + bytes.fromhex("34 12")
    with pytest.raises(FrameError, match=r"^CRC 0x1234 != computed 0xB657$"):
        rtu.decode_response(1, READ_4, damaged)


def test_reply_from_another_unit_is_named() -> None:
    frame = adu("02 03 08 02 92 FF 9B 03 E8 00 38")
    with pytest.raises(FrameError, match=r"^unit 2 answered, expected unit 1$"):
        rtu.decode_response(1, READ_4, frame)


def test_reply_to_another_function_is_named() -> None:
    frame = adu("01 04 08 02 92 FF 9B 03 E8 00 38")
    with pytest.raises(FrameError, match=r"^function 4 answered, expected function 3$"):
        rtu.decode_response(1, READ_4, frame)


def test_wrong_byte_count_is_named() -> None:
    frame = adu("01 03 06 02 92 FF 9B 03 E8")
    with pytest.raises(FrameError, match=r"^function 3: byte count 6, expected 8$"):
        rtu.decode_response(1, READ_4, frame)


def test_exception_reply_is_returned_as_its_pdu() -> None:
    assert rtu.decode_response(1, READ_4, adu("01 83 02")) == bytes([0x83, 0x02])


def test_exception_reply_of_the_wrong_length_is_refused() -> None:
    with pytest.raises(FrameError, match="exception reply must be 5 bytes, found 6"):
        rtu.decode_response(1, READ_4, adu("01 83 02 00"))


def test_write_echo_of_the_wrong_length_is_refused() -> None:
    request = write_single_register(1, 7)
    assert rtu.decode_response(1, request, adu("01 06 00 01 00 07")) == request
    with pytest.raises(FrameError, match="function 6: reply of 7 bytes, expected 8"):
        rtu.decode_response(1, request, adu("01 06 00 01 00"))


def test_short_frame_is_named() -> None:
    with pytest.raises(FrameError, match=r"short frame: 3 bytes \(01 03 08\)"):
        rtu.decode_response(1, READ_4, bytes.fromhex("01 03 08"))
