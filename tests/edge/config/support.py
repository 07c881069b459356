"""Small valid configurations for the tests to break one key at a time."""

from __future__ import annotations

import pytest

from edge.config import ConfigError, ConfigIssue, parse_config

FILE = "site.toml"

SITE = """\
[site]
id = "yamakawa"
name = "Yamakawa village"
"""

PLACES = """\
[site.fields.north-paddy]
name = "North paddy"
crop = "rice"
area_ha = 0.6
boundary = [[133.5201, 33.5702], [133.5209, 33.5702], [133.5209, 33.5707]]

[site.depots.village-hall]
name = "Village hall"
location = { lat = 33.5710, lon = 133.5190 }
"""

TCP_BUS = """\
[buses.sim-tcp]
type = "modbus_tcp"
host = "127.0.0.1"
port = 5020
"""

SOIL_PROBE = """\
[devices.soil-1]
profile = "dfrobot_sen0604"
bus = "sim-tcp"
unit = 1
"""

CART = """\
[vehicles.cart-1]
type = "cart"
name = "Cart 1"
depot = "village-hall"
speed_kmh = 6.0
payload_kg = 30.0
battery_wh = 1200.0
"""

FULL = "\n".join([SITE, PLACES, TCP_BUS, SOIL_PROBE, CART])


def issues_of(text: str) -> list[ConfigIssue]:
    with pytest.raises(ConfigError) as caught:
        parse_config(text, FILE)
    return caught.value.issues


def only_issue(text: str) -> ConfigIssue:
    issues = issues_of(text)
    assert len(issues) == 1, "\n".join(str(i) for i in issues)
    return issues[0]


def line_of(text: str, fragment: str) -> int:
    """The 1-based line of the first line of ``text`` that contains ``fragment``."""
    for number, line in enumerate(text.splitlines(), start=1):
        if fragment in line:
            return number
    raise AssertionError(f"{fragment!r} is not in the text")
