"""Every shipped profile: loads, documents itself, and every point survives encode/decode.

The simulator serves what ``Point.encode`` gives and the service reads it back
with ``Point.decode``, so each point must round-trip exactly, including the ends
of its valid range and of its write limits (a range the register type cannot
hold is a profile bug, found here rather than in the field).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

from drivers.modbus.registers import RegisterType, bytes_to_registers
from drivers.profile import Point, Profile, Protocol, available_profiles, load_profile
from drivers.reading import Quality

NAME_RE = re.compile(r"^[a-z0-9]+(_[a-z0-9]+)+$")


def modbus_profiles() -> list[Profile]:
    profiles = [load_profile(name) for name in sorted(available_profiles())]
    return [p for p in profiles if p.protocol is Protocol.MODBUS]


MODBUS = modbus_profiles()


def points(where: Callable[[Point], bool] = lambda _: True) -> list[Any]:
    """Every point of every shipped Modbus profile that ``where`` selects, named profile.point."""
    return [
        pytest.param(point, id=f"{profile.name}.{point.name}")
        for profile in MODBUS
        for point in profile.points
        if where(point)
    ]


NUMERIC = points(lambda p: p.data_type.is_numeric)


def test_every_reference_and_kakashi_device_has_a_profile() -> None:
    names = {p.name for p in MODBUS}
    assert {
        "dfrobot_sen0601",
        "dfrobot_sen0604",
        "dfrobot_sen0605",
        "seeed_sensecap_mtec02",
        "jxct_soil_7in1",
        "seeed_sensecap_one",
        "seeed_sensecap_orch_s4",
        "lambrecht_meteo_pro",
        "renke_rs_fx_n01",
        "xunchip_xm8589",
        "adtek_wsa",
        "victron_gx_battery",
        "victron_gx_system",
        "kakashi_cart_controller",
        "kakashi_drone_battery",
    } <= names


@pytest.mark.parametrize("profile", MODBUS, ids=lambda p: p.name)
def test_profile_is_named_vendor_model_and_describes_the_device(profile: Profile) -> None:
    assert NAME_RE.match(profile.name), profile.name
    assert profile.description
    assert profile.points


@pytest.mark.parametrize("profile", MODBUS, ids=lambda p: p.name)
def test_serial_defaults_are_complete_when_given(profile: Profile) -> None:
    d = profile.defaults
    if d.baudrate is not None:
        assert None not in (d.unit, d.parity, d.stopbits)
    else:
        assert d.port == 502, "a device with no serial settings is a Modbus TCP device"


@pytest.mark.parametrize("point", points())
def test_every_point_has_a_unit(point: Point) -> None:
    assert point.unit.strip(), f"{point.name} has no unit"


def quantised(point: Point, value: float) -> float:
    """The nearest value the point's register can carry."""
    if point.data_type.is_float:
        return value
    raw = round((value - point.offset) / point.scale)
    decoded, _ = point.decode(point.encode(raw * point.scale + point.offset))
    assert isinstance(decoded, float)
    return decoded


def sample_values(point: Point) -> list[float]:
    values: list[float] = []
    if point.valid_range is not None:
        low, high = point.valid_range
        values += [low, high, quantised(point, (low + high) / 2)]
    if point.write_min is not None and point.write_max is not None:
        values += [point.write_min, point.write_max]
    return values or [point.offset, quantised(point, point.offset + 1234 * point.scale)]


@pytest.mark.parametrize("point", NUMERIC)
def test_numeric_point_round_trips_at_its_limits_and_middle(point: Point) -> None:
    for value in sample_values(point):
        registers = point.encode(value)
        assert len(registers) == point.register_count
        decoded, quality = point.decode(registers)
        assert decoded == pytest.approx(value, abs=1e-6), f"{point.name}: {value}"
        assert quality is Quality.GOOD, f"{point.name}: {value} -> {quality}"


@pytest.mark.parametrize("point", points(lambda p: p.valid_range is not None))
def test_value_outside_the_range_is_flagged(point: Point) -> None:
    assert point.valid_range is not None
    low, high = point.valid_range
    step = point.scale if not point.data_type.is_float else 0.5
    for outside in (low - step, high + step):
        try:
            registers = point.encode(outside)
        except ValueError:
            continue  # the register type itself cannot go further
        assert point.decode(registers)[1] is Quality.OUT_OF_RANGE


@pytest.mark.parametrize("point", points(lambda p: bool(p.invalid)))
def test_sentinels_decode_to_a_missing_value(point: Point) -> None:
    width = point.register_count
    for sentinel in point.invalid:
        assert isinstance(sentinel, int)
        pattern = sentinel % (1 << (16 * width))
        registers = bytes_to_registers(
            pattern.to_bytes(2 * width, "big"), point.byte_order, point.word_order
        )
        assert point.decode(registers) == (None, Quality.INVALID)


@pytest.mark.parametrize("point", points(lambda p: p.data_type is RegisterType.BIT))
def test_bit_point_round_trips_and_ignores_its_neighbours(point: Point) -> None:
    for value in (0.0, 1.0):
        registers = point.encode(value)
        assert point.decode(registers) == (value, Quality.GOOD)
    if point.is_register_bit:
        mask = 1 << (point.bit or 0)
        assert point.decode([0xFFFF & ~mask]) == (0.0, Quality.GOOD)
        assert point.decode([mask]) == (1.0, Quality.GOOD)


@pytest.mark.parametrize("point", points(lambda p: p.data_type is RegisterType.STRING))
def test_string_point_round_trips(point: Point) -> None:
    text = "KKS-DB-0001"
    assert point.decode(point.encode(text)) == (text, Quality.GOOD)
    with pytest.raises(ValueError, match=point.name):
        point.encode("x" * (2 * point.register_count + 1))


@pytest.mark.parametrize("point", points(lambda p: p.writable and p.data_type.is_numeric))
def test_writable_points_have_limits_inside_their_range(point: Point) -> None:
    assert point.write_min is not None
    assert point.write_max is not None
    if point.valid_range is not None:
        assert point.valid_range[0] <= point.write_min <= point.write_max <= point.valid_range[1]
