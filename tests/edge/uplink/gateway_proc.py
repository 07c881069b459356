"""A gateway process for the kill -9 tests: storage with an outbox, and the uplink.

``python -m tests.edge.uplink.gateway_proc DB PORT WRITE RATE [MQTT]`` stores
WRITE readings (moisture ``i`` at ``T0 + i``, one batch each), printing
``stored i`` once each is durable, then runs the uplink with a backlog rate of
RATE messages a second, printing ``draining`` when connected, until it is
killed. MQTT is more of the ``[mqtt]`` table, in TOML.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from drivers.reading import Reading
from edge.uplink.build import build
from tests.edge.uplink.support import T0, fast_settings, open_storage, site_config


async def main(db: Path, port: int, write: int, rate: float, mqtt: str) -> None:
    config = site_config(port, mqtt)
    storage = open_storage(db, config)
    for i in range(write):
        storage.write_readings([Reading("soil-1", "moisture", T0 + i, float(i), "%")])
        print(f"stored {i}", flush=True)
    settings = fast_settings(config, backlog_rate=rate)
    uplink = build(config, storage, None, device_states=None, settings=settings)
    task = asyncio.create_task(uplink.run())
    while not uplink.drain_stats.draining:  # noqa: ASYNC110 - the uplink offers no event
        await asyncio.sleep(0.02)
    print("draining", flush=True)
    await task


if __name__ == "__main__":
    db, port, write, rate = sys.argv[1:5]
    mqtt = sys.argv[5] if len(sys.argv) > 5 else ""
    asyncio.run(main(Path(db), int(port), int(write), float(rate), mqtt))
