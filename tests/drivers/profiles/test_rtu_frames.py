"""The test helper's CRC, against the published check value and a known-bad frame."""

from __future__ import annotations

import pytest

from tests.drivers.profiles.rtu_frames import crc16_modbus, parse_rtu, rtu


def test_crc_matches_the_catalogued_check_value() -> None:
    # CRC RevEng catalogue, CRC-16/MODBUS: check = 0x4B37 over "123456789".
    assert crc16_modbus(b"123456789") == 0x4B37


def test_a_frame_with_a_wrong_crc_is_refused() -> None:
    # Sonbest SY0291B's manual relabels a response without changing its CRC; the
    # real CRC of the relabelled bytes differs. Any corrupted byte must be caught.
    good = "01 03 02 00 79 79 A6"
    assert parse_rtu(good).pdu == bytes.fromhex("03 02 00 79")
    with pytest.raises(AssertionError, match="CRC"):
        parse_rtu("01 03 02 00 7A 79 A6")


def test_rtu_appends_the_crc_low_byte_first() -> None:
    assert rtu(1, bytes.fromhex("03 00 00 00 01")) == bytes.fromhex("01 03 00 00 00 01 84 0A")
