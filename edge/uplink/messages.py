"""What each kind of stored data says on MQTT: topics and JSON bodies.

This is the :class:`edge.storage.outbox.MessageFactory` the service hands to
storage. Bodies are stored as they are built here; the envelope (``id``,
``historical``) is added when they are sent (see ``payloads.envelope``). The
formats are documented in docs/mqtt.md.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from drivers.reading import Reading
from edge.storage.events import Event
from edge.storage.outbox import OutboxMessage
from edge.storage.rollup import HourlyRollup
from edge.storage.timestamps import hour_floor_ms, to_ms
from edge.uplink.mission import fleet_missions
from edge.uplink.payloads import dumps, json_value, seconds
from edge.uplink.topics import Topics
from models.forecast import Forecast

FORECAST_UNIT = "t/ha"


class JsonMessages:
    """Builds outbox messages for one site."""

    def __init__(self, topics: Topics, vehicles: Iterable[str] = ()) -> None:
        self.topics = topics
        self._vehicles = tuple(vehicles)
        """Configured vehicles: each gets a mission message with every plan, an
        empty one when the plan leaves it idle, so no stale mission stays retained."""

    def readings(self, readings: Sequence[Reading]) -> list[OutboxMessage]:
        # One message per device and clock hour: a device's poll arrives as one
        # message, and the outbox budget can fold a whole hour exactly.
        groups: dict[tuple[str, int], list[Reading]] = {}
        for reading in readings:
            key = (reading.device, hour_floor_ms(to_ms(reading.ts)))
            groups.setdefault(key, []).append(reading)
        messages = []
        for (device, _), group in groups.items():
            body = {
                "device": device,
                "readings": [
                    {
                        "point": r.point,
                        "ts": seconds(to_ms(r.ts)),
                        "value": json_value(r.value),
                        "unit": r.unit,
                        "quality": str(r.quality),
                    }
                    for r in group
                ],
            }
            created = min(to_ms(r.ts) for r in group)
            messages.append(
                OutboxMessage("reading", self.topics.readings(device), dumps(body), created)
            )
        return messages

    def device_of(self, readings_topic: str) -> str | None:
        return self.topics.device_of_readings(readings_topic)

    def rollup(
        self, device: str, hour_ms: int, points: Mapping[str, HourlyRollup]
    ) -> OutboxMessage:
        body = {
            "device": device,
            "hour": seconds(hour_ms),
            "reason": "outbox_budget",
            "points": {
                point: {
                    "n": r.n,
                    "n_good": r.n_good,
                    "min": json_value(r.min),
                    "max": json_value(r.max),
                    "mean": json_value(r.mean),
                }
                for point, r in points.items()
            },
        }
        return OutboxMessage(
            "reading", self.topics.rollups(device), dumps(body), hour_ms, historical=True
        )

    def event(self, event: Event) -> OutboxMessage:
        body = {
            "event": event.id,
            "ts": event.ts,
            "kind": event.kind,
            "severity": event.severity,
            "source": event.source,
            "actor": event.actor,
            "message": event.message,
            "data": _plain(event.data),
        }
        topic = self.topics.event(event.kind, event.severity)
        return OutboxMessage("event", topic, dumps(body), to_ms(event.ts))

    def forecast(self, forecast: Forecast) -> OutboxMessage:
        body = {
            "field": forecast.field,
            "ts": forecast.ts,
            "unit": FORECAST_UNIT,
            "p10": json_value(forecast.p10),
            "p50": json_value(forecast.p50),
            "p90": json_value(forecast.p90),
            "model_version": forecast.model_version,
            "features_used": list(forecast.features_used),
            "progress": json_value(forecast.progress),
            "expected_harvest": forecast.expected_harvest.isoformat(),
            "notes": list(forecast.notes),
        }
        topic = self.topics.forecast(forecast.field)
        return OutboxMessage("forecast", topic, dumps(body), to_ms(forecast.ts))

    def plan(self, plan_id: str, created_ms: int, plan: Mapping[str, Any]) -> list[OutboxMessage]:
        messages = []
        for mission in fleet_missions(plan_id, plan, self._vehicles):
            body = {
                **mission,
                "plan": plan_id,
                "created": seconds(created_ms),
                "feasible": plan.get("feasible"),
            }
            topic = self.topics.mission(mission["vehicle"])
            messages.append(OutboxMessage("plan", topic, dumps(body), created_ms))
        return messages


def _plain(data: Any) -> Any:
    """Event details and routes as JSON: unknown types (a Path) as text, NaN as null."""
    if isinstance(data, Mapping):
        return {str(k): _plain(v) for k, v in data.items()}
    if isinstance(data, list | tuple):
        return [_plain(v) for v in data]
    if isinstance(data, float):
        return json_value(data)
    if data is None or isinstance(data, bool | int | str):
        return data
    return str(data)
