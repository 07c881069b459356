from __future__ import annotations

from edge.config.keypath import format_key_path, resolve
from edge.config.schema import Config, Device, ModbusRtuBus


def test_key_paths_are_spelled_as_in_toml() -> None:
    assert format_key_path(("devices", "soil-1", "unit")) == "devices.soil-1.unit"
    assert format_key_path(("devices", "soil 1", "unit")) == 'devices."soil 1".unit'
    assert format_key_path(("a", 'say "hi"')) == 'a."say \\"hi\\""'
    assert format_key_path(("profiles", "extra_dirs", 0)) == "profiles.extra_dirs[0]"
    assert format_key_path(("x", "")) == 'x.""'


def test_union_tags_leave_the_path_and_name_the_kind() -> None:
    resolved = resolve(Config, ("buses", "rs485", "modbus_rtu", "baud"))
    assert resolved.path == ("buses", "rs485", "baud")
    assert resolved.kind == "modbus_rtu"
    assert resolve(Config, ("buses", "rs485", "modbus_rtu")).node is ModbusRtuBus


def test_mappings_and_failing_keys() -> None:
    assert resolve(Config, ("devices", "soil-1")).node is Device
    assert resolve(Config, ("devices", "Soil 1", "[key]")).path == ("devices", "Soil 1")


def test_a_path_outside_the_schema_keeps_its_parts() -> None:
    resolved = resolve(Config, ("nothing", "here", 3))
    assert resolved.path == ("nothing", "here", 3)
    assert resolved.node is None
