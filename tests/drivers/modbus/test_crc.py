"""CRC-16/MODBUS against the frames documented in the reference device manuals."""

from __future__ import annotations

import random

import pytest

from drivers.modbus.crc import crc16, crc_bytes
from sim.rtu_codec import crc16_modbus

# Frames whose CRC the reference README says was checked (body, CRC bytes as sent).
GOLDEN = [
    ("01 03 00 00 00 04", "44 09"),  # DFRobot SEN0604 request
    ("01 03 08 02 92 FF 9B 03 E8 00 38", "57 B6"),  # its response
    ("01 03 00 00 00 01", "84 0A"),  # XUNCHIP XM8589 request
    ("01 03 02 00 79", "79 A6"),  # its response
    ("01 03 00 00 00 03", "05 CB"),  # DFRobot SEN0601 request
    ("01 03 06 02 92 FF 9B 03 E8", "D8 0F"),  # its response
    ("01 03 00 1E 00 01", "E4 0C"),  # SEN0605 / JXCT nitrogen
    ("01 03 00 1F 00 01", "B5 CC"),  # JXCT phosphorus
    ("01 03 00 20 00 01", "85 C0"),  # JXCT potassium
]


@pytest.mark.parametrize(("body", "crc"), GOLDEN)
def test_golden_frames(body: str, crc: str) -> None:
    assert crc_bytes(bytes.fromhex(body)) == bytes.fromhex(crc)


def test_value_is_sent_low_byte_first() -> None:
    assert crc16(bytes.fromhex("01 03 08 02 92 FF 9B 03 E8 00 38")) == 0xB657


def test_a_frame_followed_by_its_crc_leaves_no_remainder() -> None:
    frame = bytes.fromhex("01 03 00 00 00 04 44 09")
    assert crc16(frame) == 0


def test_continuing_over_pieces_equals_one_pass() -> None:
    data = bytes(range(200))
    assert crc16(data[120:], crc16(data[:120])) == crc16(data)


def test_empty_input_is_the_initial_value() -> None:
    assert crc16(b"") == 0xFFFF


def test_agrees_with_the_simulators_bitwise_implementation() -> None:
    rng = random.Random(7)
    for size in (1, 2, 7, 64, 255):
        data = bytes(rng.randrange(256) for _ in range(size))
        assert crc16(data) == crc16_modbus(data), data.hex(" ")
