"""The gateway configuration (docs/configuration.md) for a scenario once its endpoints are known.

The scenario's ``[site]``, ``[buses]``, ``[devices]`` and ``[vehicles]``
become the gateway's, without the keys only the simulator reads; buses get
the real TCP ports and pty paths the simulator opened; ``[gateway.*]``
tables are copied as they are; ``settings`` (``{"web": {"port": 0}}``)
override keys last. ``date_offset_days`` moves the fields' planting dates
by whole days, for a gateway that stamps the simulator's readings with a wall
clock that many days after the scenario's (``kakashi sim --align-to-today``,
``kakashi demo``). ``kakashi sim --write-config`` writes it;
``kakashi check-config`` accepts it.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from collections.abc import Mapping
from typing import Any

from sim import toml_out
from sim.scenario import BusType, DeviceRole, Scenario

# The scenario's AquaCrop soil classes as the gateway's `soil_texture` names
# (docs/configuration.md); the simulator shares nothing with the service but
# device profiles, so the mapping is written out here.
SOIL_TEXTURE: dict[str, str] = {
    "SandyLoam": "sandy_loam",
    "Loam": "loam",
    "ClayLoam": "clay_loam",
    "Clay": "clay",
    "Paddy": "paddy",
}


def gateway_config_text(
    scenario: Scenario,
    endpoints: Mapping[str, Any],
    settings: Mapping[str, Mapping[str, Any]] | None = None,
    *,
    date_offset_days: int = 0,
) -> str:
    site = scenario.site
    shift = dt.timedelta(days=date_offset_days)
    out = [
        f"# Gateway configuration for the simulated scenario {scenario.name!r}\n"
        f"# ({scenario.path}), written by kakashi sim. Endpoints are the simulator's:\n"
        "# regenerate this file whenever the simulator starts on new ports or ptys.\n"
        + (
            f"# Planting dates are the scenario's moved {date_offset_days} days, as the\n"
            "# simulated season is played from today's date (--align-to-today).\n"
            if date_offset_days
            else ""
        )
    ]
    out.append(
        toml_out.table(
            "site",
            {
                "id": site.id,
                "name": site.name,
                "timezone": site.timezone,
                "location": {"lat": site.location.lat, "lon": site.location.lon},
                # The lanes the simulated carts drive, so the gateway plans on them too.
                "roads": None if scenario.roads is None else str(scenario.roads.geojson),
            },
        )
    )
    for field in site.fields.values():
        out.append(
            toml_out.table(
                f"site.fields.{toml_out.key(field.id)}",
                {
                    "name": field.name,
                    "crop": field.crop,
                    "area_ha": field.area_ha,
                    "planted": field.planted + shift,
                    "boundary": [list(p) for p in field.boundary],
                    # What the operator knows and the forecast uses (docs/forecasting.md).
                    "soil_texture": SOIL_TEXTURE.get(field.soil),
                    "irrigation": field.irrigation.value if field.soil in SOIL_TEXTURE else None,
                },
            )
        )
    for kind, places in (("depots", site.depots), ("collection_points", site.collection_points)):
        for place in places.values():
            out.append(
                toml_out.table(
                    f"site.{kind}.{toml_out.key(place.id)}",
                    {
                        "name": place.name,
                        "location": {"lat": place.location.lat, "lon": place.location.lon},
                    },
                )
            )
    for zone in site.no_fly_zones.values():
        out.append(
            toml_out.table(
                f"site.no_fly_zones.{toml_out.key(zone.id)}",
                {"name": zone.name, "polygon": [list(p) for p in zone.polygon]},
            )
        )
    bus_endpoints = endpoints.get("buses", {})
    for bus in scenario.buses.values():
        where = bus_endpoints.get(bus.id)
        if where is None:
            continue  # a bus with no device the simulator serves
        items: dict[str, Any] = {"type": bus.type.value}
        if bus.type is BusType.MODBUS_TCP:
            items |= {"host": where["host"], "port": where["port"]}
        else:
            items |= {
                "port": where["port"],
                "baudrate": bus.baudrate,
                "parity": bus.parity,
                "stopbits": bus.stopbits,
                "bytesize": bus.bytesize,
            }
        items["timeout_s"] = bus.timeout_s
        out.append(toml_out.table(f"buses.{toml_out.key(bus.id)}", items))
    for device in scenario.devices.values():
        if device.bus not in bus_endpoints:
            continue
        out.append(
            toml_out.table(
                f"devices.{toml_out.key(device.id)}",
                {
                    "profile": device.profile_name,
                    "bus": device.bus,
                    "unit": device.unit,
                    "poll_interval_s": device.poll_interval_s,
                    "field": device.field,
                    "vehicle": device.vehicle,
                    "depth_m": device.depth_m if device.role is DeviceRole.SOIL_PROBE else None,
                    "enabled": None if device.enabled else False,
                },
            )
        )
    for vehicle in scenario.vehicles.values():
        out.append(
            toml_out.table(
                f"vehicles.{toml_out.key(vehicle.id)}",
                {
                    "type": vehicle.type.value,
                    "name": vehicle.name,
                    "depot": vehicle.depot,
                    "speed_kmh": vehicle.speed_kmh,
                    "payload_kg": vehicle.payload_kg,
                    "battery_wh": vehicle.battery_wh,
                },
            )
        )
    tables: dict[str, dict[str, Any]] = {}
    for name, given in scenario.gateway.items():
        if isinstance(given, Mapping):
            tables[name] = dict(given)
    for name, overrides in (settings or {}).items():
        tables.setdefault(name, {}).update(overrides)
    for name in ("mqtt", "web", "storage", "profiles", "logging"):
        if name in tables:
            out.append(toml_out.table(name, tables[name]))
    return "\n".join(out)


def parse_setting(text: str) -> tuple[str, str, Any]:
    """``web.port=8081`` → ("web", "port", 8081); the value is read as TOML."""
    name, sep, raw = text.partition("=")
    table, dot, key = name.strip().partition(".")
    if not sep or not dot or not table or not key or "." in key:
        raise ValueError(f"expected TABLE.KEY=VALUE (e.g. web.port=8081), found {text!r}")
    try:
        parsed = tomllib.loads(f"v = {raw.strip()}")["v"]
    except tomllib.TOMLDecodeError:
        parsed = raw.strip()  # a bare word: take it as a string
    return table, key, parsed
