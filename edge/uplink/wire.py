"""An outbox row as it is published: topic, payload with its envelope, QoS, retain."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from edge.storage.outbox import OutboxRow
from edge.uplink.payloads import envelope

if TYPE_CHECKING:
    from edge.uplink.sparkplug.node import SparkplugNode

RETAINED_KINDS = frozenset({"plan", "forecast"})
"""A vehicle's mission and a field's forecast are state: a subscriber that joins
later must find the newest one on the topic."""


@dataclass(frozen=True, slots=True)
class Publication:
    topic: str
    payload: bytes
    qos: int = 1
    retain: bool = False


class Wire:
    """JSON on Kakashi's topics; raw readings as Sparkplug NDATA when that is on."""

    def __init__(self, sparkplug: SparkplugNode | None = None) -> None:
        self.sparkplug = sparkplug

    def publication(self, row: OutboxRow, historical: bool) -> Publication:
        historical = historical or row.historical
        if self.sparkplug is not None and row.kind == "reading" and not row.historical:
            return self.sparkplug.data(row, historical)
        payload = envelope(row.payload, row.id, historical)
        return Publication(row.topic, payload, row.qos, row.kind in RETAINED_KINDS)
