from __future__ import annotations

from edge.uplink.topics import Topics, level

TOPICS = Topics.for_site("farm/kakashi", "yamakawa")


def test_the_site_tree() -> None:
    assert TOPICS.status == "farm/kakashi/yamakawa/status"
    assert TOPICS.readings("soil-1") == "farm/kakashi/yamakawa/devices/soil-1/readings"
    assert TOPICS.latest("soil-1") == "farm/kakashi/yamakawa/devices/soil-1/latest"
    assert TOPICS.mission("cart-1") == "farm/kakashi/vehicles/cart-1/mission"
    assert TOPICS.forecast("north") == "farm/kakashi/yamakawa/fields/north/forecast"
    assert TOPICS.commands == "farm/kakashi/yamakawa/commands/+"


def test_events_split_into_events_and_alerts_by_severity() -> None:
    assert TOPICS.event("write", "info") == "farm/kakashi/yamakawa/events/write"
    assert TOPICS.event("write", "warning") == "farm/kakashi/yamakawa/alerts/write"
    assert TOPICS.event("disk", "critical") == "farm/kakashi/yamakawa/alerts/disk"


def test_outside_names_cannot_add_levels_or_wildcards() -> None:
    assert level("a/b+#") == "a_b__"
    assert level("") == "_"
    assert TOPICS.mission("x/#") == "farm/kakashi/vehicles/x__/mission"


def test_commands_and_devices_are_read_back_from_topics() -> None:
    assert TOPICS.command_of("farm/kakashi/yamakawa/commands/order") == "order"
    assert TOPICS.command_of("farm/kakashi/yamakawa/commands/order/x") is None
    assert TOPICS.command_of("elsewhere/commands/order") is None
    assert TOPICS.device_of_readings(TOPICS.readings("soil-1")) == "soil-1"
    assert TOPICS.device_of_readings(TOPICS.rollups("soil-1")) is None
