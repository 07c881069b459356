"""Helpers for the uplink tests: a site configuration, storage with an outbox, a
running uplink, and a subscriber that collects what the broker delivers."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import aiomqtt

from drivers.reading import Quality, Reading
from edge.bus import Bus
from edge.config import Config, parse_config
from edge.storage.store import Storage
from edge.uplink import outbox_policy
from edge.uplink.build import build
from edge.uplink.settings import UplinkSettings
from edge.uplink.uplink import Uplink

SITE = "yamakawa"
BASE = f"kakashi/{SITE}"
T0 = 1_750_000_000.0
"""A fixed past time: readings of complete hours, whatever the clock says."""
WAIT_S = 20.0
"""Upper bound on any wait for the broker; a healthy run takes a fraction."""


def site_config(port: int, extra_mqtt: str = "", *, devices: bool = True) -> Config:
    text = f"""
[site]
id = "{SITE}"
name = "Yamakawa village"

[site.depots.village-hall]
name = "Village hall"
location = {{ lat = 33.5710, lon = 133.5190 }}

[site.collection_points.ja-coop]
name = "JA co-op"
location = {{ lat = 33.5650, lon = 133.5300 }}

[vehicles.cart-1]
type = "cart"
name = "Cart 1"
depot = "village-hall"
speed_kmh = 6.0
payload_kg = 30.0
battery_wh = 1200.0

[mqtt]
enabled = true
host = "127.0.0.1"
port = {port}
{extra_mqtt}
"""
    if devices:
        text += """
[buses.sim-tcp]
type = "modbus_tcp"
host = "127.0.0.1"
port = 5020

[devices.soil-1]
profile = "dfrobot_sen0604"
bus = "sim-tcp"
unit = 1
poll_interval_s = 10.0
"""
    return parse_config(text, "site.toml")


def fast_settings(config: Config, **changes: Any) -> UplinkSettings:
    """The configured settings with reconnects quick enough for a test."""
    settings = UplinkSettings.from_config(config)
    defaults: dict[str, Any] = {
        "reconnect_initial_s": 0.05,
        "reconnect_max_s": 0.5,
        "ack_timeout_s": 5.0,
    }
    return dataclasses.replace(settings, **{**defaults, **changes})


def open_storage(path: Path, config: Config, budget_bytes: int | None = None) -> Storage:
    policy = outbox_policy(config)
    if budget_bytes is not None:
        policy = dataclasses.replace(policy, budget_bytes=budget_bytes)
    return Storage.open(path, outbox=policy)


def soil_batch(n: int, start: float = T0, device: str = "soil-1") -> list[Reading]:
    """Reading ``i`` of a run has moisture ``i`` at ``start + i`` seconds: easy to check."""
    return [Reading(device, "moisture", start + i, float(i), "%", Quality.GOOD) for i in range(n)]


@contextlib.asynccontextmanager
async def running(
    config: Config,
    storage: Storage,
    bus: Bus[Reading] | None = None,
    **changes: Any,
) -> AsyncIterator[Uplink]:
    uplink = build(
        config,
        storage,
        bus,
        device_states=changes.pop("device_states", None),
        settings=fast_settings(config, **changes),
    )
    task = asyncio.create_task(uplink.run())
    try:
        yield uplink
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


@dataclasses.dataclass
class Received:
    topic: str
    payload: bytes
    retain: bool
    qos: int

    def json(self) -> Any:
        return json.loads(self.payload)


class Subscriber:
    """Collects every message on ``filters``; reconnects when the broker restarts.

    With ``persistent`` the broker keeps its session and queues QoS 1 messages
    for it while it is away (or while the broker itself restarts).
    """

    def __init__(
        self,
        port: int,
        filters: Sequence[str],
        *,
        client_id: str = "test-subscriber",
        persistent: bool = True,
        **client_args: Any,
    ) -> None:
        self.port = port
        self.filters = list(filters)
        self.client_id = client_id
        self.persistent = persistent
        self.client_args = client_args
        self.messages: list[Received] = []
        self._arrived = asyncio.Event()
        self._subscribed = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self.client: aiomqtt.Client | None = None

    async def __aenter__(self) -> Subscriber:
        self._task = asyncio.create_task(self._run())
        await self.wait_subscribed()
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._task is not None
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task

    async def wait_subscribed(self) -> None:
        async with asyncio.timeout(WAIT_S):
            await self._subscribed.wait()

    async def _run(self) -> None:
        while True:
            try:
                client = aiomqtt.Client(
                    "127.0.0.1",
                    self.port,
                    identifier=self.client_id,
                    clean_session=not self.persistent,
                    **self.client_args,
                )
                async with client:
                    self.client = client
                    for topic_filter in self.filters:
                        await client.subscribe(topic_filter, qos=1)
                    self._subscribed.set()
                    async for message in client.messages:
                        payload = message.payload
                        raw = payload if isinstance(payload, bytes) else str(payload).encode()
                        self.messages.append(
                            Received(str(message.topic), raw, message.retain, message.qos)
                        )
                        self._arrived.set()
            except aiomqtt.MqttError:
                self._subscribed.clear()
                self.client = None
                await asyncio.sleep(0.05)  # between reconnect attempts, not a synchronisation

    def on(self, prefix: str) -> list[Received]:
        return [m for m in self.messages if m.topic.startswith(prefix)]

    async def wait_for(
        self, condition: Callable[[list[Received]], bool], limit_s: float = WAIT_S
    ) -> list[Received]:
        """Wait until ``condition(messages)`` holds (checked on every arrival)."""
        async with asyncio.timeout(limit_s):
            while not condition(self.messages):
                self._arrived.clear()
                await self._arrived.wait()
        return self.messages


def moisture_values(messages: Sequence[Received], device: str = "soil-1") -> Iterator[float]:
    for m in messages:
        if m.topic == f"{BASE}/devices/{device}/readings":
            for r in m.json()["readings"]:
                yield r["value"]


async def until(condition: Callable[[], bool], limit_s: float = WAIT_S) -> None:
    """Poll a condition of the code under test in a bounded loop (it offers no event)."""
    async with asyncio.timeout(limit_s):
        while not condition():  # noqa: ASYNC110 - state of another component, no event to await
            await asyncio.sleep(0.02)
