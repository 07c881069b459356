from __future__ import annotations

from pathlib import Path

import pytest

from edge.config import (
    ConfigError,
    ConfigIssue,
    ModbusRtuBus,
    ModbusTcpBus,
    load_config,
    parse_config,
)
from tests.edge.config.support import FULL

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"


def load_issues(path: Path) -> list[ConfigIssue]:
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    return caught.value.issues


def test_the_village_example_loads() -> None:
    config = load_config(EXAMPLES / "village.toml")
    assert config.site.id == "yamakawa"
    assert set(config.site.fields) == {"north-paddy", "river-garden", "terrace-maize"}
    assert {f.crop for f in config.site.fields.values()} == {"rice", "vegetables", "maize"}
    assert list(config.site.depots) == ["village-hall"]
    assert list(config.site.collection_points) == ["ja-coop"]
    bus = config.buses["sim-tcp"]
    assert isinstance(bus, ModbusTcpBus)
    assert (bus.host, bus.port) == ("127.0.0.1", 5020)
    probe = config.devices["soil-north-1"]
    assert (probe.profile, probe.unit, probe.field) == ("dfrobot_sen0604", 1, "north-paddy")
    assert sorted(v.type for v in config.vehicles.values()) == ["cart", "drone"]


def test_the_hardware_example_loads() -> None:
    config = load_config(EXAMPLES / "hardware.toml")
    rs485 = config.buses["rs485"]
    assert isinstance(rs485, ModbusRtuBus)
    assert (rs485.baudrate, rs485.parity, rs485.stopbits, rs485.bytesize) == (9600, "N", 1, 8)
    profiles = sorted(d.profile for d in config.devices.values() if d.bus == "rs485")
    assert profiles == ["dfrobot_sen0604", "dfrobot_sen0604", "lambrecht_meteo_pro"]
    assert config.devices["battery"].unit == 100
    assert config.mqtt.enabled
    assert config.mqtt.password_file == Path("/etc/kakashi/mqtt-password")
    assert config.storage.path.parent == Path("/var/lib/kakashi")


def test_a_file_is_read_and_named_in_issues(tmp_path: Path) -> None:
    path = tmp_path / "kakashi.toml"
    path.write_text(FULL.replace("port = 5020", "port = 0"), encoding="utf-8")
    (issue,) = load_issues(path)
    assert issue.file == str(path)
    assert str(issue).startswith(f"{path}:{issue.line}: buses.sim-tcp.port: ")
    path.write_text(FULL, encoding="utf-8")
    assert load_config(path).site.id == "yamakawa"


def test_a_missing_file_is_one_clean_issue(tmp_path: Path) -> None:
    path = tmp_path / "absent.toml"
    (issue,) = load_issues(path)
    assert str(issue) == f"{path}: cannot read the file: No such file or directory"


def test_a_directory_is_not_a_file(tmp_path: Path) -> None:
    (issue,) = load_issues(tmp_path)
    assert issue.message.startswith("cannot read the file: ")


def test_a_file_that_is_not_utf8_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "latin1.toml"
    path.write_bytes(b'[site]\nid = "x"\nname = "Caf\xe9"\n')
    (issue,) = load_issues(path)
    assert issue.line == 3
    assert issue.message == "not UTF-8 text (byte 27 is 0xe9)"


def test_toml_syntax_error_names_line_and_column() -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config('[site]\nid = "x"\nname = Yamakawa\n', "bad.toml")
    (issue,) = caught.value.issues
    assert (issue.line, issue.column) == (3, 8)
    assert str(issue) == "bad.toml:3:8: TOML syntax error: invalid value"


def test_a_table_declared_twice_is_a_syntax_error() -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config("[devices.a]\nunit = 1\n\n[devices.a]\nunit = 2\n", "twice.toml")
    (issue,) = caught.value.issues
    assert issue.line == 4
    assert "TOML syntax error: cannot declare ('devices', 'a') twice" in str(issue)


def test_a_file_cut_short_is_a_syntax_error_at_its_end() -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config('[site]\nid = "x"\nname = ', "short.toml")
    (issue,) = caught.value.issues
    assert issue.line == 3
    assert issue.message == "TOML syntax error: invalid value at the end of the file"


def test_four_distinct_errors_give_four_issues(tmp_path: Path) -> None:
    path = tmp_path / "four.toml"
    path.write_text(
        FULL.replace("unit = 1", 'unit = "one"')  # wrong type
        .replace('host = "127.0.0.1"', 'hostname = "127.0.0.1"')  # unknown key and missing
        .replace('depot = "village-hall"', 'depot = "garage"'),  # unknown reference
        encoding="utf-8",
    )
    issues = load_issues(path)
    assert [(i.key, i.message.split(";")[0]) for i in issues] == [
        ("buses.sim-tcp", "missing required key 'host'"),
        ("buses.sim-tcp.hostname", "unknown key 'hostname' for type 'modbus_tcp'"),
        ("devices.soil-1.unit", "expected an integer from 1 to 247, found 'one' (string)"),
        ("vehicles.cart-1.depot", "no depot named 'garage'"),
    ]
    assert all(i.line is not None for i in issues)


def test_config_error_text_lists_every_issue() -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config("[site]\n", "s.toml")
    assert str(caught.value).splitlines() == [
        "s.toml:1: site: missing required key 'id'",
        "s.toml:1: site: missing required key 'name'",
    ]
