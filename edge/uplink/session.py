"""One connected session: announce the gateway, then drain, publish live state and
answer commands until the connection ends.

On connect: ``online`` on the status topic (retained), Sparkplug NBIRTH, Home
Assistant discovery (and removal of entities no longer configured), every
device's latest values and state. Then, side by side until one of them fails:
the outbox drain, live values, device states, the gateway summary, and the
incoming messages (commands, Home Assistant's birth, Sparkplug rebirth requests).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from dataclasses import dataclass

import aiomqtt
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from edge.storage.store import Storage
from edge.uplink.commands import Commands, Incoming, Reply
from edge.uplink.discovery import Discovery
from edge.uplink.drain import Drainer, DrainStats
from edge.uplink.live import DeviceStates, LatestValues
from edge.uplink.meta import read_meta, write_meta
from edge.uplink.payloads import dumps
from edge.uplink.settings import UplinkSettings
from edge.uplink.sparkplug.node import SparkplugNode
from edge.uplink.wire import Publication, Wire

log = logging.getLogger(__name__)

ONLINE = b"online"
OFFLINE = b"offline"
GOODBYE_TIMEOUT_S = 2.0
DISCOVERY_META_KEY = "uplink.ha_discovery.topics"
COMMANDS_AT_ONCE = 4
"""Commands handled concurrently; more wait their turn (the broker holds them)."""


@dataclass(frozen=True, slots=True)
class Parts:
    """What every session of one uplink shares."""

    storage: Storage
    settings: UplinkSettings
    latest: LatestValues
    device_states: DeviceStates | None
    discovery: Discovery | None
    commands: Commands | None
    sparkplug: SparkplugNode | None


class Session:
    def __init__(
        self,
        client: aiomqtt.Client,
        parts: Parts,
        wire: Wire,
        drain_stats: DrainStats,
        receive_maximum: int | None = None,
    ) -> None:
        self._client = client
        self._parts = parts
        settings = parts.settings
        window = settings.max_inflight
        if receive_maximum is not None:
            # Leave room for replies to commands and the odd status message.
            window = max(1, min(window, receive_maximum - COMMANDS_AT_ONCE - 1))
        self.window = window
        self.drainer = Drainer(
            parts.storage,
            wire,
            self.send,
            max_inflight=window,
            backlog_rate=settings.backlog_rate,
            stats=drain_stats,
        )
        self._command_slots = asyncio.Semaphore(COMMANDS_AT_ONCE)
        self._command_tasks: set[asyncio.Task[None]] = set()

    async def send(self, publication: Publication) -> None:
        await self._client.publish(
            publication.topic,
            publication.payload,
            qos=publication.qos,
            retain=publication.retain,
            timeout=self._parts.settings.ack_timeout_s,
        )

    async def run(self) -> None:
        """Serve until the connection fails; raises what ended it."""
        await self._announce()
        await self._subscribe()
        try:
            async with asyncio.TaskGroup() as group:
                group.create_task(self.drainer.run())
                group.create_task(self._publish_latest())
                group.create_task(self._publish_gateway())
                if self._parts.device_states is not None:
                    group.create_task(self._publish_device_states(self._parts.device_states))
                group.create_task(self._receive())
        finally:
            for task in self._command_tasks:
                task.cancel()

    async def goodbye(self) -> None:
        """A clean disconnect sends no will, so say ``offline`` (and NDEATH) ourselves."""
        settings, node = self._parts.settings, self._parts.sparkplug
        farewells = [Publication(settings.topics.status, OFFLINE, qos=1, retain=True)]
        if node is not None:
            farewells.append(node.death(node.bd_seq))
        for publication in farewells:
            try:
                async with asyncio.timeout(GOODBYE_TIMEOUT_S):
                    await self.send(publication)
            except (TimeoutError, aiomqtt.MqttError) as e:
                log.info("could not say goodbye on %s: %s", publication.topic, e)

    async def _announce(self) -> None:
        parts = self._parts
        await self.send(Publication(parts.settings.topics.status, ONLINE, qos=1, retain=True))
        if parts.sparkplug is not None:
            await self.send(parts.sparkplug.birth())
        if parts.discovery is not None:
            await self._discover(parts.discovery)
        for publication in parts.latest.all():
            await self.send(publication)
        if parts.device_states is not None:
            parts.device_states.forget_published()

    async def _discover(self, discovery: Discovery) -> None:
        publications = discovery.publications()
        current = sorted(p.topic for p in publications)
        storage = self._parts.storage
        before = await asyncio.to_thread(read_meta, storage, DISCOVERY_META_KEY)
        previous = set(json.loads(before)) if before else set()
        for topic in sorted(previous - set(current)):
            log.info("home assistant: removing %s (no longer configured)", topic)
            await self.send(discovery.removal(topic))
        for publication in publications:
            await self.send(publication)
        if previous != set(current):
            await asyncio.to_thread(write_meta, storage, DISCOVERY_META_KEY, json.dumps(current))

    async def _subscribe(self) -> None:
        parts = self._parts
        if parts.commands is not None:
            await self._client.subscribe(parts.settings.topics.commands, qos=1)
        if parts.discovery is not None:
            await self._client.subscribe(parts.discovery.birth_topic, qos=1)
        if parts.sparkplug is not None:
            await self._client.subscribe(parts.sparkplug.command_topic, qos=1)

    async def _publish_latest(self) -> None:
        latest = self._parts.latest
        while True:
            await latest.changed.wait()
            for publication in latest.take_changed():
                await self.send(publication)

    async def _publish_device_states(self, states: DeviceStates) -> None:
        while True:
            for publication in states.changed():
                await self.send(publication)
            await asyncio.sleep(self._parts.settings.device_state_period_s)

    async def _publish_gateway(self) -> None:
        storage, topic = self._parts.storage, self._parts.settings.topics.gateway
        while True:
            stats = await asyncio.to_thread(storage.outbox_stats)
            if stats is not None:
                body = {
                    "outbox_pending": stats.pending,
                    "outbox_bytes": stats.pending_bytes,
                    "outbox_budget_bytes": stats.budget_bytes,
                    "outbox_oldest_ts": stats.oldest_ts,
                    "outbox_policy": stats.policy,
                }
                await self.send(Publication(topic, dumps(body), qos=0, retain=True))
            await asyncio.sleep(self._parts.settings.gateway_period_s)

    async def _receive(self) -> None:
        parts = self._parts
        async for message in self._client.messages:
            topic = str(message.topic)
            payload = _payload_bytes(message.payload)
            if parts.discovery is not None and topic == parts.discovery.birth_topic:
                if payload == ONLINE:
                    log.info("home assistant came online: sending discovery again")
                    await self._discover(parts.discovery)
                    for publication in parts.latest.all():
                        await self.send(publication)
            elif parts.sparkplug is not None and topic == parts.sparkplug.command_topic:
                if parts.sparkplug.wants_rebirth(payload):
                    log.info("sparkplug: rebirth requested")
                    await self.send(parts.sparkplug.birth())
            elif parts.commands is not None and parts.settings.topics.command_of(topic):
                incoming = Incoming(topic, payload, *_response_properties(message))
                await self._command_slots.acquire()
                task = asyncio.create_task(self._answer(parts.commands, incoming))
                self._command_tasks.add(task)
                task.add_done_callback(self._command_tasks.discard)
            else:
                # A subscription left in the persistent session by an older setup.
                log.debug("ignoring a message on %s", topic)

    async def _answer(self, commands: Commands, incoming: Incoming) -> None:
        try:
            reply = await commands.handle(incoming)
            await self._reply(reply)
        except aiomqtt.MqttError as e:
            log.warning("reply on %s not sent: %s", incoming.topic, e)
        finally:
            self._command_slots.release()

    async def _reply(self, reply: Reply) -> None:
        properties = None
        if reply.correlation_data is not None:
            properties = Properties(PacketTypes.PUBLISH)  # type: ignore[no-untyped-call]
            properties.CorrelationData = reply.correlation_data
        await self._client.publish(
            reply.topic,
            reply.payload,
            qos=1,
            properties=properties,
            timeout=self._parts.settings.ack_timeout_s,
        )


def _payload_bytes(payload: object) -> bytes:
    if isinstance(payload, bytes | bytearray):
        return bytes(payload)
    if payload is None:
        return b""
    return str(payload).encode()


def _response_properties(message: aiomqtt.Message) -> tuple[str | None, bytes | None]:
    properties = message.properties
    if properties is None:
        return None, None
    topic = getattr(properties, "ResponseTopic", None)
    correlation = getattr(properties, "CorrelationData", None)
    with contextlib.suppress(TypeError):
        correlation = None if correlation is None else bytes(correlation)
    return (topic if isinstance(topic, str) and topic else None), correlation
