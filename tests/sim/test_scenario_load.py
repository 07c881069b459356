"""Reading scenario files: what is accepted, and every problem named at once."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from sim.crops import Irrigation
from sim.scenario import BusType, DeviceRole, VehicleType
from sim.scenario_load import ScenarioError, load_scenario
from tests.sim.scenarios import SMALL, small, write


def issues(tmp_path: Path, text: str) -> list[str]:
    with pytest.raises(ScenarioError) as caught:
        load_scenario(write(tmp_path, text))
    return caught.value.issues


def test_a_small_scenario_reads_into_typed_data(tmp_path: Path) -> None:
    s = small(tmp_path)
    assert s.seed == 3
    assert s.clock.start == dt.datetime(2026, 7, 1, 9, tzinfo=s.clock.start.tzinfo)
    assert s.clock.start.utcoffset() == dt.timedelta(hours=9)  # local time of the site
    field = s.site.fields["paddy"]
    assert (field.soil, field.irrigation) == ("Paddy", Irrigation.FLOODED)  # rice defaults
    assert s.buses["rs485"].type is BusType.MODBUS_RTU
    assert s.buses["rs485"].baudrate == 19200
    roles = {d.id: d.role for d in s.devices.values()}
    assert roles == {
        "soil-1": DeviceRole.SOIL_PROBE,
        "soil-2": DeviceRole.SOIL_PROBE,
        "weather": DeviceRole.WEATHER_STATION,
        "cart-controller": DeviceRole.CART_CONTROLLER,
        "cart-gps": DeviceRole.GPS,
        "drone-battery": DeviceRole.DRONE_BATTERY,
        "drone-gps": DeviceRole.GPS,
    }
    assert s.devices["soil-2"].depth_m == 0.4
    assert s.vehicles["drone"].type is VehicleType.DRONE


def test_every_problem_is_reported_with_its_key(tmp_path: Path) -> None:
    text = (
        SMALL.replace('crop = "rice"', 'crop = "rye"')
        .replace("area_ha = 0.5", 'area_ha = "half"')
        .replace('bus = "rs485"\nunit = 2', 'bus = "rs458"\nunit = 2')
        .replace(
            'vehicle = "drone"\n\n[devices.drone-gps]', 'vehicle = "dron"\n\n[devices.drone-gps]'
        )
        .replace("speed_kmh = 6.0", "speed_kmh = 6.0\ncolour = 'red'")
    )
    found = issues(tmp_path, text)
    file = str(tmp_path / "scenario.toml")
    assert all(i.startswith(f"{file}: ") for i in found)
    joined = "\n".join(found)
    assert "site.fields.paddy.crop: expected one of rice, maize" in joined
    assert "site.fields.paddy.area_ha: expected a number, found 'half' (string)" in joined
    assert "devices.soil-2.bus: no bus named 'rs458'; buses are: tcp, rs485" in joined
    assert "devices.drone-battery.vehicle: no vehicle named 'dron'" in joined
    assert "vehicles.cart: unknown key 'colour'" in joined
    assert len(found) >= 5


def test_units_must_be_unique_per_bus_and_devices_must_suit_their_bus(tmp_path: Path) -> None:
    text = SMALL.replace('bus = "rs485"\nunit = 3', 'bus = "rs485"\nunit = 2').replace(
        'profile = "nmea_gps"\nbus = "cart-gps"', 'profile = "nmea_gps"\nbus = "tcp"'
    )
    joined = "\n".join(issues(tmp_path, text))
    assert "devices.weather.unit: unit 2 on bus rs485 is already device soil-2's" in joined
    assert (
        "devices.cart-gps.bus: an nmea device needs a serial_lines bus, tcp is modbus_tcp" in joined
    )


def test_a_profile_the_simulator_cannot_play_is_refused(tmp_path: Path) -> None:
    text = SMALL + '\n[devices.gx]\nprofile = "victron_gx_system"\nbus = "tcp"\nunit = 100\n'
    joined = "\n".join(issues(tmp_path, text))
    assert "devices.gx.profile: the simulator has no model for profile victron_gx_system" in joined


def test_faults_are_checked_against_their_kind_and_target(tmp_path: Path) -> None:
    extra = """
[[faults]]
kind = "crc_error"
target = "soil-1"
after_s = 10

[[faults]]
kind = "exception"
target = "soil-2"
after_s = 10

[[faults]]
kind = "melt"
target = "soil-2"
after_s = 10

[[faults]]
kind = "offline"
target = "weather"
after_s = 5

[[faults]]
kind = "spike"
target = "weather"
point = "snow"
value = 3.0
duration_s = 5
at = 2026-07-01T10:00:00
"""
    joined = "\n".join(issues(tmp_path, SMALL + extra))
    assert (
        "faults[0].target: crc_error needs a device on a modbus_rtu bus; soil-1 is on tcp" in joined
    )
    assert "faults[1]: code: required by exception" in joined
    assert "faults[2].kind: expected one of no_reply" in joined
    assert "faults[3].duration_s: offline needs a duration" in joined
    assert "faults[4].point: device weather has no point 'snow'" in joined


def test_fault_times_are_seconds_after_the_start(tmp_path: Path) -> None:
    extra = """
[[faults]]
kind = "stuck"
target = "soil-1"
at = 2026-07-01T10:30:00
duration_s = 60

[[faults]]
kind = "bus_down"
target = "rs485"
after_s = 7
"""
    s = small(tmp_path, extra)
    assert [(f.kind, f.at_s, f.duration_s) for f in s.faults] == [
        ("stuck", 5400.0, 60.0),
        ("bus_down", 7.0, None),
    ]


def test_syntax_errors_and_missing_files_are_one_clear_issue(tmp_path: Path) -> None:
    assert "TOML syntax error" in issues(tmp_path, "[scenario\n")[0]
    with pytest.raises(ScenarioError, match="cannot read the file"):
        load_scenario(tmp_path / "missing.toml")
