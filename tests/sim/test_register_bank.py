"""Register images laid out by a profile."""

from __future__ import annotations

from pathlib import Path

import pytest

from drivers.profile import Function, load_profile
from sim.register_bank import RegisterBank

FIELD_NODE = """\
[device]
manufacturer = "Kakashi"
model = "field node"
protocol = "modbus"

[points.pump_on]
function = "holding"
address = 10
type = "bit"
bit = 0
[points.valve_open]
function = "holding"
address = 10
type = "bit"
bit = 2
[points.setpoint]
function = "holding"
address = 11
type = "u16"
scale = 0.1
writable = true
min = 0
max = 100
[points.level]
function = "input"
address = 0
type = "u32"
word_order = "little"
[points.relay]
function = "coil"
address = 3
type = "bit"
[points.door]
function = "discrete_input"
address = 17
type = "bit"
"""


@pytest.fixture
def field_node(tmp_path: Path) -> RegisterBank:
    path = tmp_path / "field_node.toml"
    path.write_text(FIELD_NODE, encoding="utf-8")
    return RegisterBank(load_profile(path))


def test_values_are_stored_as_the_profile_encodes_them() -> None:
    bank = RegisterBank(load_profile("dfrobot_sen0604"))
    bank.set("moisture", 65.8)
    bank.set("temperature", -10.1)
    assert bank.read(Function.HOLDING, 0, 4) == [0x0292, 0xFF9B, 0, 0]
    assert bank.addresses(Function.HOLDING) == [0, 1, 2, 3]
    assert bank.addresses(Function.INPUT) == []


def test_bit_fields_sharing_a_register_are_merged(field_node: RegisterBank) -> None:
    field_node.set("pump_on", 1)
    field_node.set("valve_open", 1)
    assert field_node.read(Function.HOLDING, 10, 1) == [0b101]
    field_node.set("pump_on", 0)
    assert field_node.read(Function.HOLDING, 10, 1) == [0b100]


def test_wide_values_and_bit_tables(field_node: RegisterBank) -> None:
    field_node.set("level", 0x00012345)
    assert field_node.read(Function.INPUT, 0, 2) == [0x2345, 0x0001]
    field_node.set("relay", 1)
    field_node.set("door", 1)
    assert field_node.read(Function.COIL, 2, 3) == [0, 1, 0]
    assert field_node.read(Function.DISCRETE_INPUT, 17, 1) == [1]


def test_writability_follows_the_profile(field_node: RegisterBank) -> None:
    assert field_node.is_writable(Function.HOLDING, 11)
    assert not field_node.is_writable(Function.HOLDING, 10)
    field_node.write(Function.HOLDING, 11, [425])
    assert field_node.get(field_node.profile.point("setpoint")) == [425]


def test_unknown_point_and_unencodable_value_are_named() -> None:
    bank = RegisterBank(load_profile("dfrobot_sen0604"))
    with pytest.raises(KeyError, match="no point 'salinity'"):
        bank.set("salinity", 1.0)
    with pytest.raises(ValueError, match="point moisture"):
        bank.set("moisture", -5.0)
