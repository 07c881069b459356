"""The latest value of a point that stopped updating is shown as stale."""

from __future__ import annotations

import time
from pathlib import Path

from drivers.reading import Quality, Reading
from edge.config import parse_config
from edge.service import Service, _stale_after_s
from edge.storage import Storage

CONFIG = """
[site]
id = "t"
name = "T"

[buses.b]
type = "modbus_tcp"
host = "127.0.0.1"
port = 5020

[devices.soil-1]
profile = "dfrobot_sen0604"
bus = "b"
unit = 1
poll_interval_s = 10.0
"""


async def test_old_values_are_flagged_stale_and_fresh_ones_keep_their_quality(
    tmp_path: Path,
) -> None:
    service = Service(parse_config(CONFIG, "t.toml"))
    now = time.time()
    old = now - _stale_after_s(10.0) - 60
    with Storage.open(tmp_path / "k.db") as storage:
        storage.write_readings(
            [
                Reading("soil-1", "moisture", old, 31.0, "%", Quality.GOOD),
                Reading("soil-1", "ph", now, None, "pH", Quality.INVALID),
                Reading("soil-1", "temperature", now, 18.5, "°C", Quality.GOOD),
            ]
        )
        service.storage = storage
        latest = {r["point"]: r for r in await service.latest_readings()}
    assert latest["moisture"]["quality"] == "stale"
    assert latest["moisture"]["value"] == 31.0, "a stale value is still shown"
    assert latest["ph"]["quality"] == "invalid"
    assert latest["temperature"]["quality"] == "good"
