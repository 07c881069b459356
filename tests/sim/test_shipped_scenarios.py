"""The shipped scenarios load, play the place examples/village.toml describes, and produce
gateway configurations the service accepts."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest

from edge.config import parse_config
from sim.gateway_config import gateway_config_text
from sim.scenario import BusType, Scenario
from sim.scenario_load import load_scenario
from tests.sim.scenarios import REPO, SCENARIOS

SHIPPED = sorted(SCENARIOS.glob("*.toml"))
GATEWAY_FIELD_KEYS = ("name", "crop", "area_ha", "boundary", "planted")
GATEWAY_VEHICLE_KEYS = ("type", "name", "depot", "speed_kmh", "payload_kg", "battery_wh")
GATEWAY_DEVICE_KEYS = ("profile", "unit", "field", "vehicle", "poll_interval_s")


def fake_endpoints(scenario: Scenario) -> dict[str, Any]:
    buses: dict[str, Any] = {}
    for i, bus in enumerate(scenario.buses.values()):
        if bus.type is BusType.MODBUS_TCP:
            buses[bus.id] = {"host": "127.0.0.1", "port": 15000 + i}
        else:
            buses[bus.id] = {"port": f"/tmp/kakashi-sim-test/{bus.id}"}
    return {"buses": buses}


def test_both_scenarios_are_shipped() -> None:
    assert {p.name for p in SHIPPED} == {"mountain_village.toml", "island.toml"}


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_a_shipped_scenario_makes_a_configuration_the_gateway_accepts(path: Path) -> None:
    scenario = load_scenario(path)
    text = gateway_config_text(scenario, fake_endpoints(scenario), {"web": {"port": 0}})
    config = parse_config(text, f"<{path.name}>")
    assert set(config.devices) == set(scenario.devices)
    assert set(config.vehicles) == set(scenario.vehicles)
    assert config.web.port == 0
    # The gateway plans carts on the lanes the simulated carts drive: a stop the
    # simulator would refuse as off-road is one the planner leaves out first.
    assert scenario.roads is not None
    assert config.site.roads == scenario.roads.geojson
    assert set(config.site.no_fly_zones) == set(scenario.site.no_fly_zones)


def test_the_mountain_village_is_the_place_of_the_village_example() -> None:
    village = tomllib.loads((REPO / "examples" / "village.toml").read_text(encoding="utf-8"))
    scenario = tomllib.loads((SCENARIOS / "mountain_village.toml").read_text(encoding="utf-8"))
    for key in ("id", "name", "timezone", "location"):
        assert scenario["site"][key] == village["site"][key], key
    for kind in ("depots", "collection_points"):
        assert scenario["site"][kind] == village["site"][kind]
    for fid, field in village["site"]["fields"].items():
        simulated = scenario["site"]["fields"][fid]
        for key in GATEWAY_FIELD_KEYS:
            if key in field:
                assert simulated[key] == field[key], f"{fid}.{key}"
    for vid, vehicle in village["vehicles"].items():
        for key in GATEWAY_VEHICLE_KEYS:
            assert scenario["vehicles"][vid][key] == vehicle[key], f"{vid}.{key}"
    for did, device in village["devices"].items():
        simulated = scenario["devices"][did]
        for key in GATEWAY_DEVICE_KEYS:
            assert simulated.get(key) == device.get(key), f"{did}.{key}"
        assert (
            scenario["buses"][simulated["bus"]]["type"] == village["buses"][device["bus"]]["type"]
        )
