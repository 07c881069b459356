from __future__ import annotations

from pathlib import Path

import pytest

from edge.config import parse_config
from tests.edge.config.support import (
    CART,
    FILE,
    FULL,
    PLACES,
    SITE,
    SOIL_PROBE,
    TCP_BUS,
    issues_of,
    line_of,
    only_issue,
)

GPS_BUS = """\
[buses.gps-port]
type = "serial_lines"
port = "/dev/ttyUSB0"
baudrate = 4800
"""

NMEA_PROFILE = """\
[device]
manufacturer = "Generic"
model = "NMEA GPS"
protocol = "nmea"
"""


@pytest.fixture
def profile_dir(tmp_path: Path) -> Path:
    directory = tmp_path / "profiles"
    directory.mkdir()
    (directory / "test_gps.toml").write_text(NMEA_PROFILE, encoding="utf-8")
    (directory / "broken_probe.toml").write_text("[device]\nmodel = 3\n", encoding="utf-8")
    return directory


def with_profiles(text: str, directory: Path) -> str:
    return text + f"\n[profiles]\nextra_dirs = [{str(directory)!r}]\n"


def test_a_correct_file_has_no_reference_issues() -> None:
    config = parse_config(FULL, FILE)
    assert config.devices["soil-1"].bus == "sim-tcp"


def test_device_bus_must_exist_with_a_suggestion() -> None:
    text = FULL.replace('bus = "sim-tcp"', 'bus = "sim-tpc"') + GPS_BUS
    issue = only_issue(text)
    assert issue.key == "devices.soil-1.bus"
    assert issue.line == line_of(text, '"sim-tpc"')
    assert issue.message == (
        "no bus named 'sim-tpc'; buses are: gps-port, sim-tcp; did you mean 'sim-tcp'?"
    )


def test_a_reference_when_nothing_of_that_kind_is_declared() -> None:
    text = SITE + TCP_BUS + SOIL_PROBE + 'field = "north-paddy"\n'
    issue = only_issue(text)
    assert issue.key == "devices.soil-1.field"
    assert issue.message == "no field named 'north-paddy'; none are declared in [site.fields]"


def test_device_field_and_vehicle_must_exist() -> None:
    text = FULL.replace("unit = 1", 'unit = 1\nfield = "east-orchard"') + (
        '\n[devices.tracker]\nprofile = "dfrobot_sen0604"\nbus = "sim-tcp"\nunit = 2\n'
        'vehicle = "cart-2"\n'
    )
    field_issue, vehicle_issue = issues_of(text)
    assert (field_issue.key, field_issue.message) == (
        "devices.soil-1.field",
        "no field named 'east-orchard'; fields are: north-paddy",
    )
    assert (vehicle_issue.key, vehicle_issue.line) == (
        "devices.tracker.vehicle",
        line_of(text, 'vehicle = "cart-2"'),
    )
    assert vehicle_issue.message == (
        "no vehicle named 'cart-2'; vehicles are: cart-1; did you mean 'cart-1'?"
    )


def test_a_device_belongs_to_a_field_or_a_vehicle_not_both() -> None:
    text = FULL.replace("unit = 1", 'unit = 1\nfield = "north-paddy"\nvehicle = "cart-1"')
    issue = only_issue(text)
    assert issue.key == "devices.soil-1.vehicle"
    assert issue.message == (
        "a device belongs to a field or to a vehicle, not both (it also has field = 'north-paddy')"
    )


def test_vehicle_depot_must_exist() -> None:
    text = FULL.replace('depot = "village-hall"', 'depot = "village hall"')
    issue = only_issue(text)
    assert issue.key == "vehicles.cart-1.depot"
    assert issue.line == line_of(text, "depot =")
    assert issue.message == (
        "no depot named 'village hall'; depots are: village-hall; did you mean 'village-hall'?"
    )


def test_device_profile_must_be_available() -> None:
    text = FULL.replace('"dfrobot_sen0604"', '"dfrobot_sen604"')
    issue = only_issue(text)
    assert issue.key == "devices.soil-1.profile"
    assert issue.message.startswith("no profile named 'dfrobot_sen604'; profiles are: ")
    assert "victron_gx_battery" in issue.message
    assert issue.message.endswith("did you mean 'dfrobot_sen0604'?")


def test_a_profile_that_fails_to_load_names_the_device_and_the_profile_error(
    profile_dir: Path,
) -> None:
    text = with_profiles(FULL.replace('"dfrobot_sen0604"', '"broken_probe"'), profile_dir)
    issue = only_issue(text)
    assert issue.key == "devices.soil-1.profile"
    assert issue.message.startswith("profile 'broken_probe' cannot be used: ")
    assert "broken_probe.toml" in issue.message
    assert "device.model" in issue.message


def test_a_modbus_profile_needs_a_modbus_bus() -> None:
    text = FULL + GPS_BUS + '\n[devices.soil-2]\nprofile = "dfrobot_sen0604"\nbus = "gps-port"\n'
    issue = only_issue(text)
    assert issue.key == "devices.soil-2.bus"
    assert issue.message == (
        "profile 'dfrobot_sen0604' speaks modbus, which needs a bus of type modbus_rtu or "
        "modbus_rtu_over_tcp or modbus_tcp; bus 'gps-port' is serial_lines"
    )


def test_a_line_profile_needs_a_serial_lines_bus(profile_dir: Path) -> None:
    text = with_profiles(
        FULL + '\n[devices.gps]\nprofile = "test_gps"\nbus = "sim-tcp"\nunit = 9\n', profile_dir
    )
    issue = only_issue(text)
    assert issue.key == "devices.gps.bus"
    assert issue.message == (
        "profile 'test_gps' speaks nmea, which needs a bus of type serial_lines; "
        "bus 'sim-tcp' is modbus_tcp"
    )


def test_a_line_device_on_its_serial_bus_is_accepted(profile_dir: Path) -> None:
    text = with_profiles(
        FULL + GPS_BUS + '\n[devices.gps]\nprofile = "test_gps"\nbus = "gps-port"\n', profile_dir
    )
    config = parse_config(text, FILE)
    assert config.devices["gps"].unit is None
    assert config.profiles.extra_dirs == (profile_dir,)


def test_unit_is_required_on_a_modbus_bus() -> None:
    text = FULL.replace("unit = 1\n", "")
    issue = only_issue(text)
    assert issue.key == "devices.soil-1"
    assert issue.line == line_of(text, "[devices.soil-1]")
    assert issue.message == (
        "missing required key 'unit' (the Modbus unit address, 1 to 247): "
        "bus 'sim-tcp' is modbus_tcp"
    )


def test_unit_is_not_allowed_on_a_serial_lines_bus(profile_dir: Path) -> None:
    text = with_profiles(
        FULL + GPS_BUS + '\n[devices.gps]\nprofile = "test_gps"\nbus = "gps-port"\nunit = 1\n',
        profile_dir,
    )
    issue = only_issue(text)
    assert issue.key == "devices.gps.unit"
    assert issue.message == (
        "not allowed here: bus 'gps-port' is serial_lines, whose devices have no unit"
    )


def test_a_serial_lines_bus_carries_one_device(profile_dir: Path) -> None:
    gps = '\n[devices.gps]\nprofile = "test_gps"\nbus = "gps-port"\n'
    text = with_profiles(
        FULL + GPS_BUS + gps + gps.replace("devices.gps", "devices.gps-2"), profile_dir
    )
    issue = only_issue(text)
    assert issue.key == "devices.gps-2.bus"
    assert issue.message == (
        "bus 'gps-port' is a serial line already used by device 'gps'; "
        "a serial_lines bus carries exactly one device"
    )


def test_two_devices_with_one_unit_on_one_bus_are_both_named() -> None:
    second = SOIL_PROBE.replace("soil-1", "soil-2")
    other_bus = TCP_BUS.replace("sim-tcp", "gx").replace("5020", "502")
    third = SOIL_PROBE.replace("soil-1", "soil-3").replace("sim-tcp", "gx")
    text = "\n".join([SITE, PLACES, TCP_BUS, other_bus, SOIL_PROBE, second, third, CART])
    issue = only_issue(text)
    assert issue.key == "devices.soil-2.unit"
    assert issue.line == line_of(text, "[devices.soil-2]") + 3
    assert issue.message == "unit 1 on bus 'sim-tcp' is already used by device 'soil-1'"


def test_profile_directories_must_exist(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere"
    text = with_profiles(FULL, missing)
    issue = only_issue(text)
    assert issue.key == "profiles.extra_dirs[0]"
    assert issue.line == line_of(text, "extra_dirs")
    assert issue.message.startswith(f"no directory {str(missing)!r}")


def test_a_malformed_device_still_has_its_references_checked() -> None:
    text = FULL.replace("unit = 1", "unit = 1\npoll_interval_s = -1").replace(
        'bus = "sim-tcp"', 'bus = "rs485"'
    )
    issues = issues_of(text)
    assert [i.key for i in issues] == ["devices.soil-1.bus", "devices.soil-1.poll_interval_s"]


def test_a_malformed_bus_still_counts_as_declared() -> None:
    text = FULL.replace("port = 5020", 'port = "5020"')
    issue = only_issue(text)
    assert issue.key == "buses.sim-tcp.port"


def test_schema_and_reference_errors_come_together_in_file_order() -> None:
    text = (
        FULL.replace('name = "Cart 1"', 'name = "Cart 1"\ncolour = "red"')
        .replace('depot = "village-hall"', 'depot = "garage"')
        .replace('bus = "sim-tcp"', 'bus = "rs485"')
        .replace("lat = 33.5710", "lat = 333.5710")
    )
    issues = issues_of(text)
    assert [i.key for i in issues] == [
        "site.depots.village-hall.location.lat",
        "devices.soil-1.bus",
        "vehicles.cart-1.colour",
        "vehicles.cart-1.depot",
    ]
