"""Small scenarios for tests, written to a temporary directory.

``SMALL`` is a whole site in miniature: one field, a soil probe on Modbus TCP,
a weather station on an RS-485 pty, a cart with its controller and GPS, a drone
with its battery dock and GPS. Tests append tables (faults, MQTT) or replace
lines to make what they need.
"""

from __future__ import annotations

from pathlib import Path

from sim.scenario import Scenario
from sim.scenario_load import load_scenario

REPO = Path(__file__).resolve().parents[2]
SCENARIOS = REPO / "examples" / "scenarios"

CLIMATE = """
[climate]
tmax_c = [12.3, 13.5, 16.6, 21.1, 24.9, 27.3, 31.2, 32.3, 29.6, 25.1, 19.9, 14.5]
tmin_c = [1.7, 2.8, 6.3, 10.8, 15.3, 19.6, 23.6, 24.2, 21.3, 15.7, 9.4, 3.9]
rain_mm = [59, 106, 190, 244, 292, 358, 340, 283, 395, 193, 140, 80]
wet_days = [5.3, 7.4, 10.2, 10.4, 10.9, 14.3, 11.9, 11.9, 12.7, 8.4, 7.2, 5.6]
rh_pct = [59, 60, 63, 67, 72, 79, 80, 78, 76, 71, 67, 62]
wind_ms = [1.7, 1.8, 1.8, 1.7, 1.6, 1.4, 1.5, 1.6, 1.6, 1.6, 1.6, 1.6]
sunshine = [0.60, 0.55, 0.52, 0.52, 0.49, 0.35, 0.47, 0.53, 0.46, 0.52, 0.55, 0.60]
"""

SMALL = (
    """
[scenario]
name = "test hamlet"
seed = 3

[clock]
start = 2026-07-01T09:00:00
speed = 1.0

[site]
id = "testhamlet"
name = "Test hamlet"
timezone = "Asia/Tokyo"
location = { lat = 33.5705, lon = 133.5205 }
elevation_m = 100.0

[site.fields.paddy]
name = "Paddy"
crop = "rice"
area_ha = 0.5
planted = 2026-05-12
boundary = [[133.5200, 33.5700], [133.5209, 33.5700], [133.5209, 33.57065], [133.5200, 33.57065]]

[site.depots.hall]
name = "Hall"
location = { lat = 33.5710, lon = 133.5195 }

[site.collection_points.coop]
name = "Co-op"
location = { lat = 33.5655, lon = 133.5238 }
"""
    + CLIMATE
    + """
[buses.tcp]
type = "modbus_tcp"
port = 0

[buses.rs485]
type = "modbus_rtu"
baudrate = 19200
latency_ms = 2.0
timeout_s = 0.3

[buses.cart-radio]
type = "modbus_tcp"
port = 0

[buses.dock]
type = "modbus_rtu"
baudrate = 19200
stopbits = 2

[buses.cart-gps]
type = "serial_lines"

[buses.drone-gps]
type = "serial_lines"

[devices.soil-1]
profile = "dfrobot_sen0604"
bus = "tcp"
unit = 1
field = "paddy"
poll_interval_s = 5.0

[devices.soil-2]
profile = "dfrobot_sen0605"
bus = "rs485"
unit = 2
field = "paddy"
depth_m = 0.4

[devices.weather]
profile = "seeed_sensecap_one"
bus = "rs485"
unit = 3

[devices.cart-controller]
profile = "kakashi_cart_controller"
bus = "cart-radio"
unit = 1
vehicle = "cart"

[devices.cart-gps]
profile = "nmea_gps"
bus = "cart-gps"
vehicle = "cart"
rate_hz = 5.0

[devices.drone-battery]
profile = "kakashi_drone_battery"
bus = "dock"
unit = 1
vehicle = "drone"

[devices.drone-gps]
profile = "nmea_gps"
bus = "drone-gps"
vehicle = "drone"
rate_hz = 5.0

[vehicles.cart]
type = "cart"
name = "Cart"
depot = "hall"
speed_kmh = 6.0
payload_kg = 30.0
battery_wh = 1200.0

[vehicles.drone]
type = "drone"
name = "Drone"
depot = "hall"
speed_kmh = 36.0
payload_kg = 5.0
battery_wh = 600.0
"""
)


def write(directory: Path, text: str = SMALL, name: str = "scenario.toml") -> Path:
    path = directory / name
    path.write_text(text, encoding="utf-8")
    return path


def small(directory: Path, extra: str = "", *, replace: dict[str, str] | None = None) -> Scenario:
    text = SMALL
    for old, new in (replace or {}).items():
        assert old in text, old
        text = text.replace(old, new)
    return load_scenario(write(directory, text + extra))
