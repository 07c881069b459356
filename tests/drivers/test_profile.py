"""Device profiles: loading, validation messages, and decoding of real frames."""

from __future__ import annotations

import math
import textwrap
from pathlib import Path

import pytest

from drivers.modbus.pdu import parse_registers, read_request
from drivers.modbus.registers import Order, RegisterType
from drivers.profile import (
    PROFILE_DIR,
    Function,
    Point,
    PointError,
    ProfileError,
    Protocol,
    available_profiles,
    load_profile,
)
from drivers.reading import Quality

HEADER = """\
[device]
manufacturer = "Acme"
model = "P1"
protocol = "modbus"
"""


def write_profile(tmp_path: Path, body: str, name: str = "acme_p1") -> Path:
    path = tmp_path / f"{name}.toml"
    path.write_text(HEADER + textwrap.dedent(body), encoding="utf-8")
    return path


def load_error(path: Path) -> ProfileError:
    with pytest.raises(ProfileError) as info:
        load_profile(path)
    return info.value


# ---- shipped profiles ----


@pytest.mark.parametrize("name", sorted(available_profiles()))
def test_every_shipped_profile_loads(name: str) -> None:
    profile = load_profile(name)
    assert profile.name == name
    assert profile.path.parent == PROFILE_DIR
    assert profile.points or profile.nmea_points or profile.ascii_points


def test_the_three_first_profiles_are_shipped() -> None:
    assert {"dfrobot_sen0604", "lambrecht_meteo_pro", "victron_gx_battery"} <= set(
        available_profiles()
    )


def test_dfrobot_reference_frame_decodes_to_the_documented_values() -> None:
    # Documented RTU exchange: 01 03 00 00 00 04 44 09 -> 01 03 08 02 92 FF 9B 03 E8 00 38 57 B6
    request_adu = bytes.fromhex("01 03 00 00 00 04 44 09")
    response_adu = bytes.fromhex("01 03 08 02 92 FF 9B 03 E8 00 38 57 B6")
    request, response = request_adu[1:-2], response_adu[1:-2]  # strip address and CRC
    profile = load_profile("dfrobot_sen0604")
    assert request == read_request(3, 0, 4)
    registers = parse_registers(request, response)
    decoded = {p.name: p.decode(registers[p.address : p.end]) for p in profile.points}
    assert decoded == {
        "moisture": (65.8, Quality.GOOD),
        "temperature": (-10.1, Quality.GOOD),
        "ec": (1000.0, Quality.GOOD),
        "ph": (5.6, Quality.GOOD),
    }
    assert [profile.point(n).unit for n in ("moisture", "temperature", "ec", "ph")] == [
        "%",
        "°C",
        "µS/cm",
        "pH",
    ]


def test_dfrobot_values_encode_back_to_the_reference_registers() -> None:
    profile = load_profile("dfrobot_sen0604")
    values = {"moisture": 65.8, "temperature": -10.1, "ec": 1000.0, "ph": 5.6}
    registers = [r for p in profile.points for r in p.encode(values[p.name])]
    assert registers == [0x0292, 0xFF9B, 0x03E8, 0x0038]


def test_lambrecht_sentinel_is_a_missing_value_not_a_number() -> None:
    profile = load_profile("lambrecht_meteo_pro")
    assert profile.point("air_temperature").function is Function.INPUT
    assert profile.point("air_temperature").address == 400  # 30401 - 30001
    assert profile.point("air_temperature").decode([0xD8F1]) == (None, Quality.INVALID)
    assert profile.point("air_temperature").decode([0xFF9B]) == (-10.1, Quality.GOOD)
    precipitation = profile.point("precipitation")
    assert precipitation.register_count == 2
    assert precipitation.decode([0x0001, 0x86A0]) == (100.0, Quality.GOOD)  # 100000 x 0.001
    assert precipitation.decode([0xFFFF, 0xD8F1]) == (None, Quality.INVALID)


def test_victron_battery_current_is_signed() -> None:
    profile = load_profile("victron_gx_battery")
    assert profile.defaults.port == 502
    assert profile.point("current").decode([0xFFEC]) == (-2.0, Quality.GOOD)
    assert profile.point("voltage").decode([5210]) == (52.1, Quality.GOOD)


# ---- lookup ----


def test_unknown_name_lists_what_exists() -> None:
    with pytest.raises(ProfileError) as info:
        load_profile("no_such_probe")
    message = str(info.value)
    assert "'no_such_probe'" in message
    assert "dfrobot_sen0604" in message
    assert "lambrecht_meteo_pro" in message


def test_extra_dirs_add_and_override_profiles(tmp_path: Path) -> None:
    write_profile(
        tmp_path,
        """
        [points.level]
        function = "input"
        address = 7
        type = "u16"
        """,
        name="dfrobot_sen0604",
    )
    write_profile(tmp_path, '[points.x]\nfunction = "input"\naddress = 0\ntype = "u16"\n')
    found = available_profiles([tmp_path])
    assert found["dfrobot_sen0604"] == tmp_path / "dfrobot_sen0604.toml"
    assert found["acme_p1"] == tmp_path / "acme_p1.toml"
    assert found["victron_gx_battery"].parent == PROFILE_DIR
    assert load_profile("dfrobot_sen0604", [tmp_path]).point("level").address == 7


def test_missing_extra_dir_is_named(tmp_path: Path) -> None:
    with pytest.raises(ProfileError, match="nowhere: profile directory does not exist"):
        available_profiles([tmp_path / "nowhere"])


def test_missing_file_is_named(tmp_path: Path) -> None:
    error = load_error(tmp_path / "absent.toml")
    assert str(error) == f"{tmp_path / 'absent.toml'}: file not found"


# ---- validation messages ----


def test_bad_type_names_file_point_key_expected_and_found(tmp_path: Path) -> None:
    path = write_profile(
        tmp_path,
        """
        [points.moisture]
        function = "holding"
        address = 0
        type = "u17"
        """,
    )
    assert str(load_error(path)) == (
        f"{path}: points.moisture.type: expected one of u16, s16, u32, s32, u64, s64, "
        "f32, f64, string, bit, found 'u17'"
    )


def test_unknown_key_is_reported(tmp_path: Path) -> None:
    path = write_profile(
        tmp_path,
        """
        [points.moisture]
        function = "holding"
        address = 0
        type = "u16"
        scal = 0.1
        """,
    )
    message = str(load_error(path))
    assert message.startswith(f"{path}: points.moisture.scal: unknown key; expected one of")
    assert "scale" in message


def test_missing_key_is_reported(tmp_path: Path) -> None:
    path = write_profile(tmp_path, '[points.ec]\nfunction = "holding"\ntype = "u16"\n')
    assert str(load_error(path)) == f"{path}: points.ec.address: required key is missing"


def test_bad_enum_is_reported(tmp_path: Path) -> None:
    path = write_profile(tmp_path, '[points.ec]\nfunction = "holdng"\naddress = 2\ntype = "u16"\n')
    assert str(load_error(path)) == (
        f"{path}: points.ec.function: expected one of coil, discrete_input, holding, input, "
        "found 'holdng'"
    )


def test_wrong_value_type_is_reported(tmp_path: Path) -> None:
    path = write_profile(
        tmp_path,
        '[points.ec]\nfunction = "holding"\naddress = "0x02"\ntype = "u16"\nscale = true\n',
    )
    assert load_error(path).problems == (
        "points.ec.address: expected an integer, found '0x02'",
        "points.ec.scale: expected a number, found a boolean (true)",
    )


def test_all_problems_of_a_file_are_reported_together(tmp_path: Path) -> None:
    path = tmp_path / "broken.toml"
    path.write_text(
        textwrap.dedent(
            """
            [device]
            manufacturer = "Acme"
            protocol = "modbusx"
            colour = "red"

            [points.a]
            function = "holding"
            address = 0
            type = "u17"

            [points.b]
            function = "input"
            type = "u16"
            """
        ),
        encoding="utf-8",
    )
    problems = load_error(path).problems
    assert set(problems) == {
        "device.colour: unknown key; expected one of defaults, description, manufacturer, "
        "model, protocol",
        "device.model: required key is missing",
        "device.protocol: expected one of modbus, nmea, ascii, found 'modbusx'",
        "points.a.type: expected one of u16, s16, u32, s32, u64, s64, f32, f64, string, bit, "
        "found 'u17'",
        "points.b.address: required key is missing",
    }
    assert all(line.startswith(f"{path}: ") for line in str(load_error(path)).splitlines())


def test_toml_syntax_error_gives_line_and_column(tmp_path: Path) -> None:
    path = write_profile(tmp_path, "[points.a]\nfunction = holding\n")
    message = str(load_error(path))
    assert message.startswith(f"{path}: TOML syntax error:")
    assert "line 6" in message
    assert "column" in message


def test_non_utf8_file_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "latin.toml"
    path.write_bytes(HEADER.encode() + b'description = "caf\xe9"\n')
    assert "not UTF-8 text" in str(load_error(path))


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        pytest.param(
            '[points.a]\nfunction = "holding"\naddress = 65535\ntype = "u32"\n',
            "points.a.address: 2 registers from 0xffff run past 0xFFFF",
            id="register-overflow",
        ),
        pytest.param(
            '[points.a]\nfunction = "holding"\naddress = 70000\ntype = "u16"\n',
            "points.a.address: expected 0..65535, found 70000",
            id="address-out-of-space",
        ),
        pytest.param(
            '[points.a]\nfunction = "holding"\naddress = 0\ntype = "u32"\n'
            '[points.b]\nfunction = "holding"\naddress = 1\ntype = "u16"\n',
            "points.b.address: overlaps points.a (holding 0x0000..0x0001)",
            id="overlap",
        ),
        pytest.param(
            '[points.a]\nfunction = "holding"\naddress = 4\ntype = "bit"\nbit = 3\n'
            '[points.b]\nfunction = "holding"\naddress = 4\ntype = "bit"\nbit = 3\n',
            "points.b.address: overlaps points.a (holding 0x0004..0x0004)",
            id="same-bit-twice",
        ),
        pytest.param(
            '[points.a]\nfunction = "coil"\naddress = 0\ntype = "u16"\n',
            "points.a.type: expected bit for function coil, found u16",
            id="coil-not-bit",
        ),
        pytest.param(
            '[points.a]\nfunction = "holding"\naddress = 0\ntype = "bit"\n',
            "points.a.bit: required for type bit in holding registers (0..15)",
            id="bit-without-index",
        ),
        pytest.param(
            '[points.a]\nfunction = "holding"\naddress = 0\ntype = "bit"\nbit = 16\n',
            "points.a.bit: expected 0..15, found 16",
            id="bit-index-too-high",
        ),
        pytest.param(
            '[points.a]\nfunction = "holding"\naddress = 0\ntype = "u16"\nwritable = true\n'
            "min = 0\n",
            "points.a.max: required when writable = true",
            id="writable-without-max",
        ),
        pytest.param(
            '[points.a]\nfunction = "input"\naddress = 0\ntype = "u16"\nwritable = true\n'
            "min = 0\nmax = 1\n",
            "points.a.writable: input is read-only in Modbus",
            id="writable-input",
        ),
        pytest.param(
            '[points.a]\nfunction = "holding"\naddress = 0\ntype = "string"\n',
            "points.a.length: required for type string (number of registers)",
            id="string-without-length",
        ),
        pytest.param(
            '[points.a]\nfunction = "holding"\naddress = 0\ntype = "u16"\nrange = [5, 1]\n',
            "points.a.range: expected low <= high, found [5.0, 1.0]",
            id="range-reversed",
        ),
        pytest.param(
            '[points.a]\nfunction = "holding"\naddress = 0\ntype = "u16"\ninvalid = [70000]\n',
            "points.a.invalid: 70000 does not fit in 16 bits",
            id="sentinel-too-wide",
        ),
        pytest.param(
            '[points.a]\nfunction = "holding"\naddress = 0\ntype = "u16"\nabsent = [70000]\n',
            "points.a.absent: 70000 does not fit in 16 bits",
            id="absent-too-wide",
        ),
        pytest.param(
            '[points.a]\nfunction = "holding"\naddress = 0\ntype = "u16"\nword_order = "little"\n',
            "points.a.word_order: has no effect on type u16 (one register or text)",
            id="word-order-on-u16",
        ),
        pytest.param(
            '[points.a]\nfunction = "holding"\naddress = 0\ntype = "u16"\nscale = 0\n',
            "points.a.scale: expected a finite non-zero number, found 0.0",
            id="zero-scale",
        ),
        pytest.param(
            '[points.Moisture]\nfunction = "holding"\naddress = 0\ntype = "u16"\n',
            "points.Moisture: point names are lower case letters, digits and _ starting "
            "with a letter, found 'Moisture'",
            id="bad-point-name",
        ),
        pytest.param("", "points: required key is missing", id="no-points"),
    ],
)
def test_rule_violations_are_named(tmp_path: Path, body: str, expected: str) -> None:
    path = write_profile(tmp_path, body)
    assert expected in load_error(path).problems


def test_bit_fields_of_one_register_may_share_it(tmp_path: Path) -> None:
    path = write_profile(
        tmp_path,
        """
        [points.alarm]
        function = "holding"
        address = 4
        type = "bit"
        bit = 0
        [points.pump_on]
        function = "holding"
        address = 4
        type = "bit"
        bit = 3
        """,
    )
    profile = load_profile(path)
    assert profile.point("alarm").decode([0b1000]) == (0.0, Quality.GOOD)
    assert profile.point("pump_on").decode([0b1000]) == (1.0, Quality.GOOD)
    assert profile.point("pump_on").encode(1) == [0b1000]


def test_non_modbus_profiles_need_no_points(tmp_path: Path) -> None:
    path = tmp_path / "gps.toml"
    path.write_text(
        '[device]\nmanufacturer = "u-blox"\nmodel = "NEO-6M"\nprotocol = "nmea"\n',
        encoding="utf-8",
    )
    profile = load_profile(path)
    assert profile.protocol is Protocol.NMEA
    assert profile.points == ()


# ---- decoding rules ----


def point(**fields: object) -> Point:
    base: dict[str, object] = {
        "name": "p",
        "function": Function.HOLDING,
        "address": 0,
        "data_type": RegisterType.U16,
    }
    base.update(fields)
    return Point(**base)  # type: ignore[arg-type]


def test_scale_and_offset_apply_and_round_to_the_scale_decimals() -> None:
    p = point(scale=0.01, offset=-40.0)
    assert p.decode([6543]) == (25.43, Quality.GOOD)
    assert p.encode(25.43) == [6543]


def test_out_of_range_keeps_the_value_and_flags_it() -> None:
    p = point(scale=0.1, valid_range=(0.0, 100.0))
    assert p.decode([1001]) == (100.1, Quality.OUT_OF_RANGE)
    assert p.decode([1000]) == (100.0, Quality.GOOD)


def test_sentinel_matches_bit_pattern_or_signed_value() -> None:
    assert point(data_type=RegisterType.S16, invalid=(0xD8F1,)).decode([0xD8F1])[0] is None
    assert point(data_type=RegisterType.S16, invalid=(-9999,)).decode([0xD8F1])[0] is None
    assert point(data_type=RegisterType.S16, invalid=(-9999,)).decode([0xD8F2]) == (
        -9998.0,
        Quality.GOOD,
    )


def test_an_absent_sentinel_marks_a_point_the_unit_lacks_not_a_bad_value() -> None:
    cell = point(scale=0.001, valid_range=(3.0, 4.35), absent=(0xFFFF,))
    assert cell.is_absent([0xFFFF])
    assert not cell.is_absent([3700])
    assert cell.decode([3700]) == (3.7, Quality.GOOD)
    assert not point(invalid=(0xFFFF,)).is_absent([0xFFFF]), "invalid is not absent"


def test_the_drone_battery_map_has_no_cell_7_on_a_6s_pack() -> None:
    battery = load_profile("kakashi_drone_battery")
    cells = {p.name: p for p in battery.points if p.name.startswith("cell_")}
    assert len(cells) == 12
    assert all(p.is_absent([0xFFFF]) for p in cells.values())


def test_float_nan_is_invalid() -> None:
    p = point(data_type=RegisterType.F32, word_order=Order.LITTLE)
    assert p.decode([0x0000, 0x7FC0]) == (None, Quality.INVALID)
    value, quality = p.decode([0x0000, 0x3FC0])
    assert (value, quality) == (1.5, Quality.GOOD)


def test_string_point_decodes_text() -> None:
    p = point(data_type=RegisterType.STRING, length=3)
    assert p.decode([0x5631, 0x2E32, 0x0000]) == ("V1.2", Quality.GOOD)
    assert p.encode("V1.2") == [0x5631, 0x2E32, 0x0000]


def test_encoding_a_value_the_type_cannot_hold_names_the_point() -> None:
    p = point(name="moisture", scale=0.1)
    with pytest.raises(ValueError, match=r"point moisture: value -1\.0: type u16 holds 0\.\.65535"):
        p.encode(-1.0)
    with pytest.raises(ValueError, match="point moisture: cannot encode nan"):
        p.encode(math.nan)


def test_decode_checks_the_register_count() -> None:
    with pytest.raises(ValueError, match="point p: expected 2 registers, found 1"):
        point(data_type=RegisterType.U32).decode([1])


def test_inconsistent_point_cannot_be_built_in_code_either() -> None:
    with pytest.raises(PointError, match=r"points\.p\.bit: only for type bit"):
        point(bit=2)
