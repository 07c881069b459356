"""The MQTT uplink: a durable outbox drained to a broker, Home Assistant discovery,
commands with replies, and optional Sparkplug B output (docs/mqtt.md).

Wiring, in the service::

    policy = outbox_policy(config) if config.mqtt.enabled else None
    storage = Storage.open(path, ..., outbox=policy)
    if policy is not None:
        uplink = build_uplink(config, storage, bus, device_states=...)
        supervisor.add("uplink", uplink.run, stage=2)

``build_uplink`` imports the MQTT client only when called, so a gateway with
the uplink off never loads it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from edge.config import Config
from edge.storage.outbox import OutboxPolicy
from edge.uplink.messages import JsonMessages
from edge.uplink.settings import outbox_budget_bytes
from edge.uplink.topics import Topics

if TYPE_CHECKING:
    from drivers.reading import Reading
    from edge.bus import Bus
    from edge.storage.store import Storage
    from edge.uplink.live import DeviceStatesSource
    from edge.uplink.uplink import Uplink

__all__ = ["build_uplink", "outbox_policy"]


def outbox_policy(config: Config) -> OutboxPolicy:
    """What storage needs to queue messages for this site's uplink."""
    topics = Topics.for_site(config.mqtt.base_topic, config.site.id)
    return OutboxPolicy(JsonMessages(topics, config.vehicles), outbox_budget_bytes(config))


def build_uplink(
    config: Config,
    storage: Storage,
    bus: Bus[Reading] | None = None,
    *,
    device_states: DeviceStatesSource | None = None,
) -> Uplink:
    """The uplink for ``config``; run it with ``await uplink.run()``."""
    from edge.uplink.build import build

    return build(config, storage, bus, device_states=device_states)
