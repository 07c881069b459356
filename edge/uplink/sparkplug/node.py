"""The gateway as a Sparkplug B edge node: its births, deaths and data.

Each device point is a node metric named ``<device>/<point>``. Per connection:
the CONNECT carries NDEATH (with ``bdSeq``) as its will, NBIRTH follows with the
same ``bdSeq``, ``seq`` 0 and every metric, then each NDATA takes the next ``seq``
(1..255, then 0 again). A rebirth request (NCMD ``Node Control/Rebirth``)
sends NBIRTH again. Readings drained from the outbox after an outage go out with
``is_historical``, so a host does not take them for current values.

Deviation, on purpose: Sparkplug 3.0 asks for NDATA at QoS 0. Kakashi publishes
NDATA at QoS 1, because a reading leaves the outbox only once the broker has
acknowledged it; a host that subscribes at QoS 0 still receives it at QoS 0.
"""

from __future__ import annotations

import json
import logging
import math
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from edge.storage.outbox import OutboxRow
from edge.uplink.sparkplug.payload import (
    DataType,
    Metric,
    MetricValue,
    decode_metrics,
    encode_payload,
)
from edge.uplink.sparkplug.protobuf import DecodeError
from edge.uplink.wire import Publication

log = logging.getLogger(__name__)

NAMESPACE = "spBv1.0"
BD_SEQ = "bdSeq"
REBIRTH = "Node Control/Rebirth"
UNIT_PROPERTY = "engUnit"
"""The property name SCADA hosts (Ignition among them) read a metric's unit from."""


@dataclass(frozen=True, slots=True)
class MetricSpec:
    datatype: DataType
    unit: str = ""


def spec_for_unit(unit: str) -> MetricSpec:
    """How a profile point is declared: ``bool`` points as booleans, ``text`` as
    strings, everything else as doubles."""
    if unit == "bool":
        return MetricSpec(DataType.BOOLEAN)
    if unit == "text":
        return MetricSpec(DataType.STRING)
    return MetricSpec(DataType.DOUBLE, unit)


class SparkplugNode:
    def __init__(
        self,
        group_id: str,
        node_id: str,
        metrics: Mapping[str, MetricSpec],
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.group_id = group_id
        self.node_id = node_id
        self._specs = dict(metrics)
        self._clock = clock
        self.bd_seq = 0
        self._seq = 0
        self._latest: dict[str, tuple[MetricValue, int]] = {}

    def topic(self, message_type: str) -> str:
        return f"{NAMESPACE}/{self.group_id}/{message_type}/{self.node_id}"

    def _now_ms(self) -> int:
        return round(self._clock() * 1000)

    def death(self, bd_seq: int) -> Publication:
        """NDEATH: the will of the connection that uses ``bd_seq`` (QoS 1, not retained)."""
        metric = Metric(BD_SEQ, DataType.INT64, bd_seq, self._now_ms())
        return Publication(self.topic("NDEATH"), encode_payload(self._now_ms(), [metric], None))

    def birth(self) -> Publication:
        """NBIRTH with ``seq`` 0: every metric, with its last value sent (or null)."""
        now = self._now_ms()
        self._seq = 0
        metrics = [
            Metric(BD_SEQ, DataType.INT64, self.bd_seq, now),
            Metric(REBIRTH, DataType.BOOLEAN, False, now),
        ]
        for name, spec in sorted(self._specs.items()):
            value, ts = self._latest.get(name, (None, now))
            props = {UNIT_PROPERTY: spec.unit} if spec.unit else {}
            metrics.append(Metric(name, spec.datatype, value, ts, properties=props))
        return Publication(self.topic("NBIRTH"), encode_payload(now, metrics, 0), qos=0)

    def data(self, row: OutboxRow, historical: bool) -> Publication:
        """NDATA for one stored reading message (its JSON body)."""
        body = json.loads(row.payload)
        device = str(body["device"])
        metrics = []
        for reading in body["readings"]:
            name = f"{device}/{reading['point']}"
            spec = self._specs.get(name)
            if spec is None:
                spec = _inferred(reading.get("value"), str(reading.get("unit", "")))
                self._specs[name] = spec
                log.info("sparkplug: metric %r was not in NBIRTH; the next birth declares it", name)
            value = _coerce(reading.get("value"), spec.datatype)
            ts = round(float(reading["ts"]) * 1000)
            metrics.append(Metric(name, spec.datatype, value, ts, is_historical=historical))
            if not historical:
                self._latest[name] = (value, ts)
        self._seq = (self._seq + 1) % 256
        payload = encode_payload(self._now_ms(), metrics, self._seq)
        return Publication(self.topic("NDATA"), payload, qos=1)

    @property
    def command_topic(self) -> str:
        return self.topic("NCMD")

    def wants_rebirth(self, payload: bytes) -> bool:
        try:
            metrics = decode_metrics(payload)
        except DecodeError as e:
            log.warning(
                "sparkplug: %s: not a Sparkplug payload (%s); ignored", self.command_topic, e
            )
            return False
        return any(m.name == REBIRTH and m.value is True for m in metrics)


def _inferred(value: Any, unit: str) -> MetricSpec:
    if isinstance(value, str):
        return MetricSpec(DataType.STRING)
    return MetricSpec(DataType.DOUBLE, unit)


def _coerce(value: Any, datatype: DataType) -> MetricValue:
    """The reading's value as the declared type; None (``is_null``) when it has none."""
    if value is None:
        return None
    if datatype is DataType.STRING:
        return str(value)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if datatype is DataType.BOOLEAN:
        return bool(value)
    number = float(value)
    return number if math.isfinite(number) else None
