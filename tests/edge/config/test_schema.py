from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from edge.config import (
    ModbusRtuBus,
    ModbusRtuOverTcpBus,
    ModbusTcpBus,
    SerialLinesBus,
    parse_config,
)
from tests.edge.config.support import (
    FILE,
    FULL,
    SITE,
    TCP_BUS,
    issues_of,
    line_of,
    only_issue,
)


def test_a_minimal_file_gets_every_default() -> None:
    config = parse_config(SITE, FILE)
    assert config.site.timezone == "UTC"
    assert config.site.location is None
    assert dict(config.buses) == {}
    assert config.mqtt.enabled is False
    assert config.mqtt_client_id == "kakashi-yamakawa"
    assert config.web.port == 8080
    assert config.storage.path == Path("var/kakashi.db")
    assert config.storage.batch_max == 500
    assert config.profiles.extra_dirs == ()
    assert config.logging.level == "info"


def test_values_come_through_typed() -> None:
    text = FULL.replace('crop = "rice"', 'crop = "rice"\nplanted = 2026-05-12')
    config = parse_config(text + '\n[mqtt]\nclient_id = "gw-7"\n', FILE)
    field = config.site.fields["north-paddy"]
    assert field.planted == dt.date(2026, 5, 12)
    assert field.boundary[0] == (133.5201, 33.5702)
    bus = config.buses["sim-tcp"]
    assert isinstance(bus, ModbusTcpBus)
    assert (bus.host, bus.port, bus.timeout_s) == ("127.0.0.1", 5020, 1.0)
    device = config.devices["soil-1"]
    assert (device.unit, device.poll_interval_s, device.enabled) == (1, 10.0, True)
    assert config.vehicles["cart-1"].depot == "village-hall"
    assert config.mqtt_client_id == "gw-7"


def test_integers_are_accepted_where_numbers_are_expected() -> None:
    config = parse_config(FULL.replace("speed_kmh = 6.0", "speed_kmh = 6"), FILE)
    speed = config.vehicles["cart-1"].speed_kmh
    assert speed == 6.0
    assert isinstance(speed, float)


def test_wrong_type_names_file_line_key_expectation_and_value() -> None:
    text = FULL.replace("unit = 1", 'unit = "one"')
    issue = only_issue(text)
    assert issue.file == FILE
    assert issue.line == line_of(text, 'unit = "one"')
    assert issue.key == "devices.soil-1.unit"
    assert issue.message == "expected an integer from 1 to 247, found 'one' (string)"
    assert str(issue) == (
        f"{FILE}:{issue.line}: devices.soil-1.unit: "
        "expected an integer from 1 to 247, found 'one' (string)"
    )


@pytest.mark.parametrize(
    ("replace", "by", "key", "message"),
    [
        (
            "area_ha = 0.6",
            'area_ha = "ten"',
            "site.fields.north-paddy.area_ha",
            "expected a number greater than 0, found 'ten' (string)",
        ),
        (
            "area_ha = 0.6",
            "area_ha = 0",
            "site.fields.north-paddy.area_ha",
            "expected a number greater than 0, found 0 (integer)",
        ),
        (
            "speed_kmh = 6.0",
            "speed_kmh = nan",
            "vehicles.cart-1.speed_kmh",
            "expected a number greater than 0, found nan (float)",
        ),
        (
            "unit = 1",
            "unit = 248",
            "devices.soil-1.unit",
            "expected an integer from 1 to 247, found 248 (integer)",
        ),
        (
            "unit = 1",
            "unit = true",
            "devices.soil-1.unit",
            "expected an integer from 1 to 247, found true (boolean)",
        ),
        (
            "port = 5020",
            "port = 5020.0",
            "buses.sim-tcp.port",
            "expected an integer from 1 to 65535, found 5020.0 (float)",
        ),
        (
            'type = "cart"',
            'type = "truck"',
            "vehicles.cart-1.type",
            "expected one of 'cart', 'drone', found 'truck' (string)",
        ),
        (
            'crop = "rice"',
            'crop = "ryce"',
            "site.fields.north-paddy.crop",
            "expected one of 'rice', 'maize', 'wheat', 'soybean', 'potato', 'vegetables', "
            "found 'ryce' (string); did you mean 'rice'?",
        ),
        (
            'name = "Cart 1"',
            "name = ''",
            "vehicles.cart-1.name",
            "expected a non-empty string, found '' (string)",
        ),
        (
            'name = "Cart 1"',
            "name = { first = 'Cart' }",
            "vehicles.cart-1.name",
            "expected a non-empty string, found a table",
        ),
        (
            "lat = 33.5710",
            "lat = 91.0",
            "site.depots.village-hall.location.lat",
            "expected a latitude from -90 to 90, found 91.0 (float)",
        ),
    ],
)
def test_value_errors(replace: str, by: str, key: str, message: str) -> None:
    assert replace in FULL
    issue = only_issue(FULL.replace(replace, by, 1))
    assert (issue.key, issue.message) == (key, message)


def test_a_date_must_be_a_toml_date_not_a_string() -> None:
    text = FULL.replace('crop = "rice"', 'crop = "rice"\nplanted = "2026-05-12"')
    issue = only_issue(text)
    assert issue.key == "site.fields.north-paddy.planted"
    assert issue.message.startswith("expected a date like 2026-05-12 (not quoted), found '2026")


def test_unknown_key_lists_the_keys_and_suggests_the_closest() -> None:
    text = FULL.replace("unit = 1", "unit = 1\npoll_intervall_s = 5")
    issue = only_issue(text)
    assert issue.key == "devices.soil-1.poll_intervall_s"
    assert issue.line == line_of(text, "poll_intervall_s")
    assert issue.message == (
        "unknown key 'poll_intervall_s'; expected one of bus, depth_m, enabled, field, "
        "poll_interval_s, profile, unit, vehicle; did you mean 'poll_interval_s'?"
    )


def test_unknown_top_level_section() -> None:
    issue = only_issue(SITE + "\n[mqtt_broker]\nhost = 'x'\n")
    assert issue.key == "mqtt_broker"
    assert issue.line == 5
    assert "unknown key 'mqtt_broker'" in issue.message
    assert issue.message.endswith("did you mean 'mqtt'?")


def test_missing_key_names_the_table_and_the_key() -> None:
    text = FULL.replace('profile = "dfrobot_sen0604"\n', "")
    issue = only_issue(text)
    assert issue.key == "devices.soil-1"
    assert issue.line == line_of(text, "[devices.soil-1]")
    assert issue.message == "missing required key 'profile'"


def test_missing_site_is_reported_for_the_file() -> None:
    issue = only_issue("[web]\nport = 8081\n")
    assert (issue.key, issue.line) == ("", None)
    assert str(issue) == f"{FILE}: missing required key 'site'"


def test_a_table_where_a_value_belongs_and_the_reverse() -> None:
    issues = issues_of("web = 8080\n" + SITE + "[devices]\nsoil = 3\n")
    assert [(i.key, i.message) for i in issues] == [
        ("web", "expected a table, found 8080 (integer)"),
        ("devices.soil", "expected a table, found 3 (integer)"),
    ]


@pytest.mark.parametrize(
    ("bad_id", "key"),
    [("Soil-1", "Soil-1"), ("-soil", "-soil"), ("soil.1", '"soil.1"'), ("x" * 64, "x" * 64)],
)
def test_ids_are_lowercase_and_short(bad_id: str, key: str) -> None:
    issue = only_issue(
        FULL
        + f'\n[vehicles."{bad_id}"]\n'
        + "\n".join(
            [
                'type = "drone"',
                'name = "D"',
                'depot = "village-hall"',
                "speed_kmh = 30",
                "payload_kg = 2",
                "battery_wh = 500",
            ]
        )
    )
    assert issue.key == f"vehicles.{key}"
    assert issue.message.startswith("expected an id: 1 to 63 of a-z, 0-9, '_' and '-'")
    assert issue.message.endswith(f"found '{bad_id}' (string)" if len(bad_id) < 40 else "(string)")


def test_timezone_must_exist_and_a_city_name_gets_a_suggestion() -> None:
    issue = only_issue(SITE + 'timezone = "Tokyo"\n')
    assert issue.key == "site.timezone"
    assert issue.line == 4
    assert issue.message == (
        "expected a time zone name like 'Asia/Tokyo' or 'UTC', found 'Tokyo' (string); "
        "did you mean 'Asia/Tokyo'?"
    )


def test_timezone_accepts_an_iana_name() -> None:
    assert parse_config(SITE + 'timezone = "Asia/Tokyo"\n', FILE).site.timezone == "Asia/Tokyo"


@pytest.mark.parametrize(
    ("boundary", "key", "message"),
    [
        (
            "[[133.52, 33.57], [133.53, 33.57], [133.52, 33.57]]",
            "site.fields.f.boundary",
            "expected at least 3 distinct [lon, lat] points, found 2",
        ),
        (
            "[[133.52, 33.57], [133.53, 33.57, 1], [133.52, 33.58]]",
            "site.fields.f.boundary[1]",
            "expected a [longitude, latitude] pair of numbers, found an array of 3 items",
        ),
        (
            "[[33.57, 133.52], [133.53, 33.57], [133.52, 33.58]]",
            "site.fields.f.boundary[0]",
            "expected a latitude from -90 to 90 second, found 133.52 (longitude comes first)",
        ),
        (
            "[[200, 33.57], [133.53, 33.57], [133.52, 33.58]]",
            "site.fields.f.boundary[0]",
            "expected a longitude from -180 to 180 first, found 200",
        ),
        ('"north"', "site.fields.f.boundary", "expected an array, found 'north' (string)"),
    ],
)
def test_field_boundary(boundary: str, key: str, message: str) -> None:
    text = (
        SITE + f"[site.fields.f]\nname = 'F'\ncrop = 'rice'\narea_ha = 1\nboundary = {boundary}\n"
    )
    issue = only_issue(text)
    assert (issue.key, issue.message) == (key, message)
    assert issue.line == line_of(text, "boundary")


def test_tls_client_certificate_needs_its_key() -> None:
    issue = only_issue(SITE + '[mqtt]\ntls = { cert_file = "/etc/kakashi/client.crt" }\n')
    assert issue.key == "mqtt.tls"
    assert issue.message == "cert_file and key_file go together: give both or neither"


def test_empty_paths_mean_not_set() -> None:
    text = SITE + '[mqtt]\npassword_file = ""\ntls = { ca_file = "/etc/ca.crt", cert_file = "" }\n'
    mqtt = parse_config(text, FILE).mqtt
    assert mqtt.password_file is None
    assert mqtt.tls is not None
    assert (mqtt.tls.ca_file, mqtt.tls.cert_file) == (Path("/etc/ca.crt"), None)


def test_mqtt_base_topic_has_no_wildcards() -> None:
    issue = only_issue(SITE + '[mqtt]\nbase_topic = "farm/#"\n')
    assert issue.key == "mqtt.base_topic"
    assert "found 'farm/#' (string)" in issue.message


def test_mqtt_protocol_is_a_string() -> None:
    issue = only_issue(SITE + "[mqtt]\nprotocol = 5\n")
    assert issue.message == "expected one of '5', '3.1.1', found 5 (integer)"


def test_serial_bus_settings_and_defaults() -> None:
    text = SITE + "\n".join(
        [
            "[buses.rs485]",
            'type = "modbus_rtu"',
            'port = "/dev/ttyAMA0"',
            "baudrate = 4800",
            "rs485_rts = true",
            "[buses.gps]",
            'type = "serial_lines"',
            'port = "/dev/ttyUSB0"',
            "",
        ]
    )
    buses = parse_config(text, FILE).buses
    rtu, gps = buses["rs485"], buses["gps"]
    assert isinstance(rtu, ModbusRtuBus)
    assert (rtu.port, rtu.baudrate, rtu.parity, rtu.stopbits, rtu.bytesize, rtu.rs485_rts) == (
        "/dev/ttyAMA0",
        4800,
        "N",
        1,
        8,
        True,
    )
    assert isinstance(gps, SerialLinesBus)
    assert gps.baudrate == 9600


def test_a_serial_key_on_a_tcp_bus_is_unknown_for_that_kind() -> None:
    text = SITE + TCP_BUS + "baudrate = 9600\n"
    issue = only_issue(text)
    assert issue.key == "buses.sim-tcp.baudrate"
    assert issue.line == line_of(text, "baudrate")
    assert issue.message == (
        "unknown key 'baudrate' for type 'modbus_tcp'; expected one of host, port, timeout_s, type"
    )


def test_rtu_timing_belongs_to_rtu_buses_only() -> None:
    issue = only_issue(SITE + TCP_BUS + "frame_gap_ms = 4.0\n")
    assert issue.key == "buses.sim-tcp.frame_gap_ms"
    assert issue.message.startswith("unknown key 'frame_gap_ms' for type 'modbus_tcp'")
    tunnel = TCP_BUS.replace('"modbus_tcp"', '"modbus_rtu_over_tcp"')
    config = parse_config(SITE + tunnel + "baudrate = 4800\nframe_gap_ms = 9.0\n", FILE)
    bus = config.buses["sim-tcp"]
    assert isinstance(bus, ModbusRtuOverTcpBus)
    assert (bus.baudrate, bus.frame_gap_ms) == (4800, 9.0)


def test_a_serial_bus_port_is_a_device_path_not_a_number() -> None:
    text = SITE + '[buses.rs485]\ntype = "modbus_rtu"\nport = 502\n'
    issue = only_issue(text)
    assert (issue.key, issue.message) == (
        "buses.rs485.port",
        "expected a non-empty string, found 502 (integer)",
    )


def test_bus_type_missing_or_unknown() -> None:
    text = SITE + '[buses.a]\nhost = "x"\n[buses.b]\ntype = "modbus-tcp"\n'
    first, second = issues_of(text)
    assert (first.key, first.line) == ("buses.a", line_of(text, "[buses.a]"))
    assert first.message == (
        "missing required key 'type' "
        "(one of 'modbus_tcp', 'modbus_rtu', 'modbus_rtu_over_tcp', 'serial_lines')"
    )
    assert (second.key, second.line) == ("buses.b.type", line_of(text, '"modbus-tcp"'))
    assert second.message.endswith("found 'modbus-tcp' (string); did you mean 'modbus_tcp'?")


def test_every_schema_error_of_the_file_is_reported_at_once() -> None:
    text = (
        FULL.replace("unit = 1", 'unit = "one"')
        .replace("payload_kg = 30.0", "payload = 30.0")
        .replace('host = "127.0.0.1"\n', "")
        + '\n[logging]\nlevel = "verbose"\n'
    )
    issues = issues_of(text)
    assert [i.key for i in issues] == [
        "buses.sim-tcp",
        "devices.soil-1.unit",
        "vehicles.cart-1",
        "vehicles.cart-1.payload",
        "logging.level",
    ]
    lines = [i.line or 0 for i in issues]
    assert lines == sorted(lines)
    assert 0 not in lines


def test_models_are_frozen() -> None:
    config = parse_config(FULL, FILE)
    with pytest.raises(ValueError, match="frozen"):
        config.devices["soil-1"].unit = 2


def test_web_port_zero_means_any_free_port_but_bus_ports_need_a_real_one() -> None:
    assert parse_config(SITE + "[web]\nport = 0\n", FILE).web.port == 0
    issue = only_issue(SITE + TCP_BUS.replace("5020", "0"))
    assert issue.message == "expected an integer from 1 to 65535, found 0 (integer)"


@pytest.mark.parametrize(
    "name", ["a" * 300, "../../etc/passwd", "/etc/localtime", "Asia", "\\u0000"]
)
def test_a_timezone_that_zoneinfo_cannot_even_open_is_still_an_issue(name: str) -> None:
    issue = only_issue(SITE + f'timezone = "{name}"\n')
    assert issue.key == "site.timezone"
    assert issue.message.startswith("expected a time zone name like 'Asia/Tokyo' or 'UTC'")
