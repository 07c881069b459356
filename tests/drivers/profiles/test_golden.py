"""Documented frames and vendor examples, decoded through the shipped profiles.

Each documented request must be exactly what Kakashi sends (the read plan's
request, framed for the documented unit), and each documented response must
decode to the values the vendor states. Frames come from
/work/shared/reference/README.md; vendor worked examples name their document.
"""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from drivers.modbus import pdu
from drivers.modbus.plan import plan_reads
from drivers.profile import Profile, load_profile
from drivers.reading import Quality, Value
from tests.drivers.profiles.rtu_frames import parse_rtu, rtu

Decoded = dict[str, tuple[Value, Quality]]


def decode_exchange(
    profile: Profile, request_hex: str, response_hex: str, points: Sequence[str] = ()
) -> Decoded:
    """Decode a documented RTU exchange with the block the read plan would send.

    The plan covers the whole profile, or only ``points`` when the documented
    request reads fewer registers than the profile maps.
    """
    request, response = parse_rtu(request_hex), parse_rtu(response_hex)
    assert request.unit == response.unit
    planned = [profile.point(n) for n in points] if points else profile.points
    blocks = {
        pdu.read_request(b.function.read_code, b.address, b.count): b for b in plan_reads(planned)
    }
    assert request.pdu in blocks, f"{profile.name} never sends {request_hex}"
    block = blocks[request.pdu]
    registers = pdu.parse_registers(request.pdu, response.pdu)
    return {p.name: p.decode(block.slice_for(p, registers)) for p in block.points}


def decode_registers(
    profile: Profile, function_code: int, start: int, words: Sequence[int]
) -> Decoded:
    """Decode registers as the response to the plan block starting at ``start``."""
    block = next(
        b
        for b in plan_reads(profile.points)
        if b.function.read_code == function_code and b.address == start
    )
    assert len(words) == block.count, f"the plan reads {block.count} registers from {start}"
    request = pdu.read_request(function_code, start, block.count)
    response = bytes([function_code, 2 * len(words)]) + b"".join(
        w.to_bytes(2, "big") for w in words
    )
    registers = pdu.parse_registers(request, response)
    return {p.name: p.decode(block.slice_for(p, registers)) for p in block.points}


GOOD = Quality.GOOD

# ---- DFRobot ----

DFROBOT_REQUEST = "01 03 00 00 00 04 44 09"
DFROBOT_RESPONSE = "01 03 08 02 92 FF 9B 03 E8 00 38 57 B6"
DFROBOT_VALUES = {
    "moisture": (65.8, GOOD),
    "temperature": (-10.1, GOOD),
    "ec": (1000.0, GOOD),
    "ph": (5.6, GOOD),
}


@pytest.mark.parametrize("name", ["dfrobot_sen0604", "dfrobot_sen0605"])
def test_dfrobot_documented_frame_decodes_to_the_documented_values(name: str) -> None:
    decoded = decode_exchange(load_profile(name), DFROBOT_REQUEST, DFROBOT_RESPONSE)
    assert decoded == DFROBOT_VALUES


def test_dfrobot_sen0601_frame_reads_three_values_and_no_ph() -> None:
    # The documented request stops at EC; the full plan also reads salinity and TDS.
    decoded = decode_exchange(
        load_profile("dfrobot_sen0601"),
        "01 03 00 00 00 03 05 CB",
        "01 03 06 02 92 FF 9B 03 E8 D8 0F",
        points=("moisture", "temperature", "ec"),
    )
    assert decoded == {
        "moisture": (65.8, GOOD),
        "temperature": (-10.1, GOOD),
        "ec": (1000.0, GOOD),
    }


def test_dfrobot_sen0601_full_plan_reads_salinity_and_tds_too() -> None:
    (block,) = plan_reads(load_profile("dfrobot_sen0601").points)
    request = pdu.read_request(block.function.read_code, block.address, block.count)
    assert rtu(1, request) == bytes.fromhex("01 03 00 00 00 05 85 C9")


@pytest.mark.parametrize(
    ("profile_name", "point", "documented"),
    [
        ("dfrobot_sen0605", "nitrogen", "01 03 00 1E 00 01 E4 0C"),
        ("jxct_soil_7in1", "nitrogen", "01 03 00 1E 00 01 E4 0C"),
        ("jxct_soil_7in1", "phosphorus", "01 03 00 1F 00 01 B5 CC"),
        ("jxct_soil_7in1", "potassium", "01 03 00 20 00 01 85 C0"),
    ],
)
def test_npk_points_live_where_the_documented_requests_read(
    profile_name: str, point: str, documented: str
) -> None:
    p = load_profile(profile_name).point(point)
    frame = parse_rtu(documented)  # also checks the documented CRC
    assert frame.pdu == pdu.read_request(p.function.read_code, p.address, p.register_count)
    assert p.unit == "mg/kg"


def test_jxct_npk_decode_from_one_merged_read() -> None:
    profile = load_profile("jxct_soil_7in1")
    words = [0] * 15  # the plan reads 0x0012..0x0020 in one request
    words[0x12 - 0x12] = 0x0181  # 38.5 %
    words[0x13 - 0x12] = 0xFF9B  # -10.1 °C
    words[0x15 - 0x12] = 0x03E8  # 1000 µS/cm
    words[0x1E - 0x12], words[0x1F - 0x12], words[0x20 - 0x12] = 32, 17, 120
    assert decode_registers(profile, 3, 0x12, words) == {
        "moisture": (38.5, GOOD),
        "temperature": (-10.1, GOOD),
        "ec": (1000.0, GOOD),
        "nitrogen": (32.0, GOOD),
        "phosphorus": (17.0, GOOD),
        "potassium": (120.0, GOOD),
    }
    assert decode_registers(profile, 3, 0x06, [0x0271]) == {"ph": (6.25, GOOD)}


# ---- wind ----


def test_xunchip_documented_frame_is_12_1_metres_per_second() -> None:
    decoded = decode_exchange(
        load_profile("xunchip_xm8589"), "01 03 00 00 00 01 84 0A", "01 03 02 00 79 79 A6"
    )
    assert decoded == {"wind_speed": (12.1, GOOD)}


def test_renke_guide_example_is_sector_2_east_90_degrees() -> None:
    # Renke RS-FX-N01 user's guide, 4.5: the answer's data 00 02 00 5A.
    profile = load_profile("renke_rs_fx_n01")
    assert decode_registers(profile, 3, 0, [0x0002, 0x005A]) == {
        "direction_sector": (2.0, GOOD),
        "direction": (90.0, GOOD),
    }
    assert decode_registers(profile, 3, 0, [0x0008, 0x0169])["direction_sector"] == (
        8.0,
        Quality.OUT_OF_RANGE,
    )


def test_adtek_integer_and_float_copies_agree() -> None:
    profile = load_profile("adtek_wsa")
    # 12.1 m/s as x0.1 integer and as IEEE 754 float32 0x4141999A, high word first.
    decoded = decode_registers(profile, 3, 0, [0x0079, 0x0000, 0x4141, 0x999A])
    assert decoded["wind_speed"] == (12.1, GOOD)
    value, quality = decoded["wind_speed_float"]
    assert quality is GOOD
    assert value == pytest.approx(12.1, abs=1e-6)


# ---- Lambrecht: the -9999 sentinel ----


def test_lambrecht_sentinel_in_every_register_is_missing_never_a_number() -> None:
    profile = load_profile("lambrecht_meteo_pro")
    decoded: Decoded = {}
    for block in plan_reads(profile.points):
        # 0xD8F1 is -9999 in one register; the int32 -9999 is FFFF D8F1.
        words = [0xD8F1] if block.count == 1 else [0xFFFF, 0xD8F1]
        decoded |= decode_registers(profile, 4, block.address, words)
    assert set(decoded) == {p.name for p in profile.points}
    assert all(result == (None, Quality.INVALID) for result in decoded.values())


def test_lambrecht_real_values_next_to_the_sentinel() -> None:
    profile = load_profile("lambrecht_meteo_pro")
    assert decode_registers(profile, 4, 0, [0x0079]) == {"wind_speed": (12.1, GOOD)}
    assert decode_registers(profile, 4, 400, [0xFF9B]) == {"air_temperature": (-10.1, GOOD)}
    # 1234.567 mm = 1234567 = 0x0012D687, high word first.
    assert decode_registers(profile, 4, 1100, [0x0012, 0xD687]) == {
        "precipitation": (1234.567, GOOD)
    }


# ---- SenseCAP ----


def test_sensecap_one_int32_values_are_high_word_first() -> None:
    profile = load_profile("seeed_sensecap_one")
    words = [0] * 20
    words[0:2] = [0xFFFF, 0xF632]  # -2510 -> -2.51 °C
    words[2:4] = [0x0001, 0x0AF4]  # 68340 -> 68.34 %
    words[4:6] = [0x05FA, 0x9808]  # 100309000 -> 100309 Pa
    words[6:8] = [0x0000, 0x3039]  # 12345 -> 12.345 lux
    words[0x0C:0x0E] = [0x0004, 0x248C]  # 271500 -> 271.5 °
    words[0x12:0x14] = [0x0000, 0x3039]  # 12345 -> 12.345 m/s
    decoded = decode_registers(profile, 4, 0, words)
    assert decoded["air_temperature"] == (-2.51, GOOD)
    assert decoded["humidity"] == (68.34, GOOD)
    assert decoded["pressure"] == (100309.0, Quality.GOOD)
    assert decoded["light"] == (12.345, GOOD)
    assert decoded["wind_direction_avg"] == (271.5, GOOD)
    assert decoded["wind_speed_avg"] == (12.345, GOOD)
    assert decoded["wind_speed_min"] == (0.0, GOOD)


def test_sensecap_one_word_swapped_reading_is_flagged_not_trusted() -> None:
    # A gateway reading the low word first would see 809041.92 m/s: the range catches it.
    point = load_profile("seeed_sensecap_one").point("wind_speed_avg")
    assert point.decode([0x3039, 0x0000]) == (809041.92, Quality.OUT_OF_RANGE)


def test_sensecap_one_reads_every_point_in_one_fc04_request() -> None:
    (block,) = plan_reads(load_profile("seeed_sensecap_one").points)
    assert (block.function.read_code, block.address, block.count) == (4, 0, 20)


def test_orch_s4_vendor_examples() -> None:
    # SenseCAP ORCH S4 User Guide V1.0, 4.3: the worked examples, whatever the stated ranges.
    profile = load_profile("seeed_sensecap_orch_s4")
    decoded = decode_registers(
        profile, 3, 0, [0x0AEE, 0x1AB2, 0x0001, 0x87D5, 0x0005, 0xFA00, 0x0004]
    )
    assert decoded == {
        "air_temperature": (27.98, GOOD),
        "humidity": (68.34, GOOD),
        "pressure": (100309.0, GOOD),
        "light": (391.68, GOOD),
        "device_type": (4.0, GOOD),
    }
    assert profile.point("air_temperature").decode([0xFF05]) == (-2.51, GOOD)


def test_orch_s4_description_warns_about_the_vendor_ranges() -> None:
    description = load_profile("seeed_sensecap_orch_s4").description
    assert "contradict" in description
    assert "6834" in description


def test_mtec02_temperature_is_the_first_register_in_hundredths() -> None:
    profile = load_profile("seeed_sensecap_mtec02")
    # Reading a DFRobot-ordered frame as MTEC-02 would swap the two: values must not.
    decoded = decode_registers(profile, 3, 0, [0xFC18, 0x1A0A, 0x03E8, 500, 500, 0x0960])
    assert decoded == {
        "temperature": (-10.0, GOOD),
        "moisture": (66.66, GOOD),
        "ec": (1000.0, GOOD),
        "salinity": (500.0, GOOD),
        "tds": (500.0, GOOD),
        "permittivity": (24.0, GOOD),
    }
    assert decode_registers(profile, 3, 0x20, [2]) == {"soil_type": (2.0, GOOD)}


# ---- Victron ----


def test_victron_system_state_and_signed_power() -> None:
    profile = load_profile("victron_gx_system")
    assert profile.defaults.unit == 100
    decoded = decode_registers(profile, 3, 840, [0x0201, 0xFF38, 0xF830, 87, 2])
    assert decoded == {
        "battery_voltage": (51.3, GOOD),
        "battery_current": (-20.0, GOOD),
        "battery_power": (-2000.0, GOOD),
        "battery_soc": (87.0, GOOD),
        "battery_state": (2.0, GOOD),
    }
