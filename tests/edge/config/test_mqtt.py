"""The ``[mqtt]`` keys the uplink added: outbox share, drain, Sparkplug, credentials."""

from __future__ import annotations

import pytest

from edge.config import parse_config
from tests.edge.config.support import FILE, SITE, line_of, only_issue


def test_defaults() -> None:
    config = parse_config(SITE, FILE)
    mqtt = config.mqtt
    assert (mqtt.outbox_share, mqtt.backlog_rate, mqtt.max_inflight) == (0.25, 50.0, 32)
    assert (mqtt.reconnect_max_s, mqtt.commands, mqtt.ha_discovery_prefix) == (
        60.0,
        True,
        "homeassistant",
    )
    assert mqtt.sparkplug.enabled is False
    assert config.sparkplug_node_id == "yamakawa"


def test_sparkplug_table() -> None:
    text = SITE + '[mqtt.sparkplug]\nenabled = true\ngroup_id = "Farms"\nnode_id = "gw-7"\n'
    config = parse_config(text, FILE)
    assert config.mqtt.sparkplug.enabled
    assert (config.mqtt.sparkplug.group_id, config.sparkplug_node_id) == ("Farms", "gw-7")


@pytest.mark.parametrize(
    ("line", "key", "message"),
    [
        (
            "outbox_share = 0.95",
            "mqtt.outbox_share",
            "expected a number greater than 0 and at most 0.9, found 0.95 (float)",
        ),
        (
            "outbox_share = 0",
            "mqtt.outbox_share",
            "expected a number greater than 0 and at most 0.9, found 0 (integer)",
        ),
        (
            'backlog_rate = "fast"',
            "mqtt.backlog_rate",
            "expected a number greater than 0, found 'fast' (string)",
        ),
        (
            "max_inflight = 0",
            "mqtt.max_inflight",
            "expected an integer from 1 to 1000, found 0 (integer)",
        ),
        (
            'ha_discovery_prefix = "ha/#"',
            "mqtt.ha_discovery_prefix",
            "expected a topic like 'kakashi' or 'farm/kakashi' (no '+', '#', or '/' at the ends), "
            "found 'ha/#' (string)",
        ),
        (
            'sparkplug = { enabled = true, group_id = "a/b" }',
            "mqtt.sparkplug.group_id",
            "expected a Sparkplug id: a non-empty string without '/', '+' or '#', "
            "found 'a/b' (string)",
        ),
    ],
)
def test_bad_values_are_named(line: str, key: str, message: str) -> None:
    text = SITE + "[mqtt]\n" + line + "\n"
    issue = only_issue(text)
    assert (issue.key, issue.message) == (key, message)
    assert issue.line == line_of(text, line.split(" ")[0])


def test_a_misspelt_sparkplug_key_is_suggested() -> None:
    issue = only_issue(SITE + "[mqtt.sparkplug]\nenable = true\n")
    assert issue.key == "mqtt.sparkplug.enable"
    assert issue.message.endswith("did you mean 'enabled'?")


def test_a_password_needs_a_user_name() -> None:
    text = SITE + '[mqtt]\npassword_file = "/etc/kakashi/mqtt-password"\n'
    issue = only_issue(text)
    assert issue.key == "mqtt"
    assert issue.message == "password_file needs a username: MQTT sends no password without one"
    config = parse_config(text + 'username = "gw"\n', FILE)
    assert config.mqtt.username == "gw"
