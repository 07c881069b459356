"""Live state: the newest value of each point and each device's health, retained."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from drivers.reading import Quality, Reading
from edge.bus import Bus
from edge.uplink.catalog import DeviceInfo, PointInfo
from edge.uplink.live import DeviceStates, LatestValues
from edge.uplink.topics import Topics
from tests.conftest import Mosquitto
from tests.edge.uplink.support import BASE, T0, Subscriber, open_storage, running, site_config

TOPICS = Topics.for_site("kakashi", "yamakawa")
CATALOG = {
    "soil-1": DeviceInfo(
        "soil-1", "p", "m", "m", 10.0, (PointInfo("moisture", "%"), PointInfo("ph", "pH"))
    )
}


def test_latest_values_move_forward_only_and_keep_every_point() -> None:
    latest = LatestValues(TOPICS, CATALOG)
    latest.update([Reading("soil-1", "moisture", T0 + 10, 30.0, "%")])
    latest.update([Reading("soil-1", "moisture", T0, 99.0, "%")])  # a replay: history
    latest.update([Reading("soil-1", "ph", T0 + 11, 6.5, "pH", Quality.OUT_OF_RANGE)])
    (publication,) = latest.take_changed()
    assert publication.topic == f"{BASE}/devices/soil-1/latest"
    assert (publication.qos, publication.retain) == (0, True)
    assert publication.payload == b'{"ts":1750000011.0,"points":{"moisture":30.0,"ph":null}}'
    assert latest.take_changed() == []
    assert not latest.changed.is_set()


def test_device_states_are_published_when_they_change() -> None:
    state: dict[str, dict[str, Any]] = {"soil-1": {"state": "probing", "polls": 1}}
    states = DeviceStates(TOPICS, lambda: state)
    (first,) = states.changed()
    assert first.topic == f"{BASE}/devices/soil-1/state"
    state["soil-1"]["polls"] = 2  # not a published field
    assert states.changed() == []
    state["soil-1"]["state"] = "up"
    assert len(states.changed()) == 1
    states.forget_published()
    assert len(states.changed()) == 1


async def test_values_from_the_bus_and_device_states_reach_the_broker(
    mosquitto: Mosquitto, tmp_path: Path
) -> None:
    config = site_config(mosquitto.port)
    bus: Bus[Reading] = Bus()
    state = {"soil-1": {"state": "up", "consecutive_failures": 0}}
    with open_storage(tmp_path / "k.db", config) as storage:
        async with (
            Subscriber(mosquitto.port, [f"{BASE}/devices/soil-1/#"], persistent=False) as sub,
            running(config, storage, bus, device_states=lambda: state),
        ):
            bus.publish(Reading("soil-1", "moisture", T0, 42.0, "%"))
            await sub.wait_for(lambda ms: bool(sub.on(f"{BASE}/devices/soil-1/latest")))
            await sub.wait_for(lambda ms: bool(sub.on(f"{BASE}/devices/soil-1/state")))
            latest = sub.on(f"{BASE}/devices/soil-1/latest")[-1].json()
            assert latest["points"]["moisture"] == 42.0
            assert sub.on(f"{BASE}/devices/soil-1/state")[0].json()["state"] == "up"
