"""Sparkplug B payloads: ``Payload { timestamp, metrics, seq }`` and its ``Metric``.

Field numbers are those of the Sparkplug B schema (``sparkplug_b.proto``):
Payload 1 timestamp, 2 metrics, 3 seq; Metric 1 name, 3 timestamp, 4 datatype,
5 is_historical, 7 is_null, 9 properties, 11 long_value, 13 double_value,
14 boolean_value, 15 string_value; PropertySet 1 keys, 2 values; PropertyValue
1 type, 8 string_value.
"""

from __future__ import annotations

import struct
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import IntEnum

from edge.uplink.sparkplug.protobuf import (
    DecodeError,
    bool_field,
    bytes_field,
    double_field,
    fields,
    string_field,
    uint_field,
)

MetricValue = int | float | bool | str | None


class DataType(IntEnum):
    """The Sparkplug data types Kakashi sends."""

    INT64 = 4
    UINT64 = 8
    DOUBLE = 10
    BOOLEAN = 11
    STRING = 12


@dataclass(frozen=True, slots=True)
class Metric:
    name: str
    datatype: DataType
    value: MetricValue
    timestamp_ms: int
    is_historical: bool = False
    properties: Mapping[str, str] = field(default_factory=dict)


def encode_payload(timestamp_ms: int, metrics: Sequence[Metric], seq: int | None) -> bytes:
    out = bytearray(uint_field(1, timestamp_ms))
    for metric in metrics:
        out += bytes_field(2, _metric(metric))
    if seq is not None:
        out += uint_field(3, seq)
    return bytes(out)


def _metric(m: Metric) -> bytes:
    out = bytearray(string_field(1, m.name))
    out += uint_field(3, m.timestamp_ms)
    out += uint_field(4, int(m.datatype))
    if m.is_historical:
        out += bool_field(5, True)
    if m.properties:
        out += bytes_field(9, _property_set(m.properties))
    if m.value is None:
        return bytes(out + bool_field(7, True))
    if m.datatype is DataType.BOOLEAN:
        out += bool_field(14, bool(m.value))
    elif m.datatype is DataType.STRING:
        out += string_field(15, str(m.value))
    elif m.datatype in (DataType.INT64, DataType.UINT64):
        out += uint_field(11, int(m.value))
    else:
        out += double_field(13, float(m.value))
    return bytes(out)


def _property_set(properties: Mapping[str, str]) -> bytes:
    out = bytearray()
    for key in properties:
        out += string_field(1, key)
    for value in properties.values():
        out += bytes_field(2, uint_field(1, int(DataType.STRING)) + string_field(8, value))
    return bytes(out)


@dataclass(frozen=True, slots=True)
class ReceivedMetric:
    name: str
    value: MetricValue


def decode_metrics(payload: bytes) -> list[ReceivedMetric]:
    """The named metrics of a payload (an NCMD); raises DecodeError if it is not one."""
    metrics = []
    for number, _, value in fields(payload):
        if number == 2 and isinstance(value, bytes):
            metrics.append(_received(value))
    return metrics


def _received(data: bytes) -> ReceivedMetric:
    name = ""
    value: MetricValue = None
    for number, _, raw in fields(data):
        if number == 1 and isinstance(raw, bytes):
            try:
                name = raw.decode()
            except UnicodeDecodeError as e:
                raise DecodeError(f"metric name is not UTF-8: {e}") from None
        elif number == 14 and isinstance(raw, int):
            value = bool(raw)
        elif number in (10, 11) and isinstance(raw, int):
            value = raw
        elif number == 13 and isinstance(raw, bytes):
            value = struct.unpack("<d", raw)[0]
        elif number == 15 and isinstance(raw, bytes):
            value = raw.decode(errors="replace")
    return ReceivedMetric(name, value)
