"""Missions in and progress out over MQTT, when the scenario names a broker.

Topics (``<base>`` is the scenario's ``mqtt.base_topic``, ``kakashi`` by default):

- ``<base>/vehicles/<id>/mission`` (subscribed, QoS 1): a mission, JSON;
- ``<base>/vehicles/<id>/mission/ack`` (QoS 1): ``{"mission_id", "accepted", "error"}``;
- ``<base>/vehicles/<id>/progress`` (QoS 1): one JSON object per progress event;
- ``<base>/vehicles/<id>/state`` (QoS 0, retained): position, battery, load, every second.

The connection is re-made after a broker outage (1 s doubling to 30 s);
events queued meanwhile are kept up to a bound, the oldest dropped first and counted.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections import deque
from collections.abc import Callable
from typing import Any

import aiomqtt

from sim.scenario import MqttScenario

log = logging.getLogger(__name__)

QUEUE_LIMIT = 10_000

MissionHandler = Callable[[str, bytes], tuple[str | None, str | None]]


class MqttLink:
    def __init__(
        self, spec: MqttScenario, vehicles: list[str], on_mission: MissionHandler, client_id: str
    ) -> None:
        self.spec = spec
        self.vehicles = set(vehicles)
        self._on_mission = on_mission
        self.client_id = client_id
        self._outbox: deque[tuple[str, bytes, int, bool]] = deque()
        self._wake = asyncio.Event()
        self.connected = asyncio.Event()
        self.dropped = 0
        self.received = 0
        self._task: asyncio.Task[None] | None = None

    def topic(self, vehicle: str, leaf: str) -> str:
        return f"{self.spec.base_topic}/vehicles/{vehicle}/{leaf}"

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run(), name="mqtt")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    def publish(
        self, topic: str, payload: dict[str, Any], *, qos: int = 1, retain: bool = False
    ) -> None:
        if len(self._outbox) >= QUEUE_LIMIT:
            self._outbox.popleft()
            self.dropped += 1
        self._outbox.append(
            (topic, json.dumps(payload, separators=(",", ":")).encode(), qos, retain)
        )
        self._wake.set()

    async def _run(self) -> None:
        backoff = 1.0
        while True:
            try:
                async with aiomqtt.Client(
                    self.spec.host, self.spec.port, identifier=self.client_id
                ) as client:
                    await client.subscribe(f"{self.spec.base_topic}/vehicles/+/mission", qos=1)
                    self.connected.set()
                    backoff = 1.0
                    sender = asyncio.get_running_loop().create_task(self._send(client))
                    try:
                        async for message in client.messages:
                            self._receive(client, message)
                    finally:
                        sender.cancel()
                        with contextlib.suppress(asyncio.CancelledError, aiomqtt.MqttError):
                            await sender
            except aiomqtt.MqttError as exc:
                log.warning(
                    "MQTT %s:%d: %s; retrying in %.0f s",
                    self.spec.host,
                    self.spec.port,
                    exc,
                    backoff,
                )
            self.connected.clear()
            await asyncio.sleep(backoff)
            backoff = min(30.0, backoff * 2)

    def _receive(self, client: aiomqtt.Client, message: aiomqtt.Message) -> None:
        parts = message.topic.value.split("/")
        vehicle = parts[-2] if len(parts) >= 3 else ""
        if vehicle not in self.vehicles:
            return
        self.received += 1
        payload = (
            message.payload if isinstance(message.payload, bytes) else str(message.payload).encode()
        )
        mission_id, error = self._on_mission(vehicle, payload)
        self.publish(
            self.topic(vehicle, "mission/ack"),
            {"mission_id": mission_id, "accepted": error is None, "error": error},
        )

    async def _send(self, client: aiomqtt.Client) -> None:
        while True:
            while self._outbox:
                topic, payload, qos, retain = self._outbox[0]
                await client.publish(topic, payload, qos=qos, retain=retain)
                self._outbox.popleft()
            self._wake.clear()
            await self._wake.wait()
