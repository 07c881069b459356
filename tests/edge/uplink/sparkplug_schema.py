"""The Sparkplug B payload schema for Google's protobuf runtime: an independent
decoder for Kakashi's own encoder. Field numbers follow sparkplug_b.proto
(Eclipse Tahu); only the messages Kakashi sends are declared."""

from __future__ import annotations

from typing import Any

from google.protobuf import (
    descriptor_pb2,
    descriptor_pool,
    message_factory,
)

F = descriptor_pb2.FieldDescriptorProto
OPTIONAL, REPEATED = F.LABEL_OPTIONAL, F.LABEL_REPEATED


def _add(message: Any, name: str, number: int, kind: int, **extra: Any) -> None:
    message.field.add(
        name=name, number=number, type=kind, label=extra.pop("label", OPTIONAL), **extra
    )


def payload_class() -> Any:
    file = descriptor_pb2.FileDescriptorProto(
        name="sparkplug_b_test.proto", package="spb", syntax="proto2"
    )
    payload = file.message_type.add(name="Payload")
    _add(payload, "timestamp", 1, F.TYPE_UINT64)
    _add(payload, "metrics", 2, F.TYPE_MESSAGE, label=REPEATED, type_name=".spb.Payload.Metric")
    _add(payload, "seq", 3, F.TYPE_UINT64)
    _add(payload, "uuid", 4, F.TYPE_STRING)

    value = payload.nested_type.add(name="PropertyValue")
    _add(value, "type", 1, F.TYPE_UINT32)
    _add(value, "is_null", 2, F.TYPE_BOOL)
    value.oneof_decl.add(name="value")
    for name, number, kind in (
        ("int_value", 3, F.TYPE_UINT32),
        ("long_value", 4, F.TYPE_UINT64),
        ("float_value", 5, F.TYPE_FLOAT),
        ("double_value", 6, F.TYPE_DOUBLE),
        ("boolean_value", 7, F.TYPE_BOOL),
        ("string_value", 8, F.TYPE_STRING),
    ):
        _add(value, name, number, kind, oneof_index=0)

    props = payload.nested_type.add(name="PropertySet")
    _add(props, "keys", 1, F.TYPE_STRING, label=REPEATED)
    _add(props, "values", 2, F.TYPE_MESSAGE, label=REPEATED, type_name=".spb.Payload.PropertyValue")

    metric = payload.nested_type.add(name="Metric")
    _add(metric, "name", 1, F.TYPE_STRING)
    _add(metric, "alias", 2, F.TYPE_UINT64)
    _add(metric, "timestamp", 3, F.TYPE_UINT64)
    _add(metric, "datatype", 4, F.TYPE_UINT32)
    _add(metric, "is_historical", 5, F.TYPE_BOOL)
    _add(metric, "is_transient", 6, F.TYPE_BOOL)
    _add(metric, "is_null", 7, F.TYPE_BOOL)
    _add(metric, "properties", 9, F.TYPE_MESSAGE, type_name=".spb.Payload.PropertySet")
    metric.oneof_decl.add(name="value")
    for name, number, kind in (
        ("int_value", 10, F.TYPE_UINT32),
        ("long_value", 11, F.TYPE_UINT64),
        ("float_value", 12, F.TYPE_FLOAT),
        ("double_value", 13, F.TYPE_DOUBLE),
        ("boolean_value", 14, F.TYPE_BOOL),
        ("string_value", 15, F.TYPE_STRING),
        ("bytes_value", 16, F.TYPE_BYTES),
    ):
        _add(metric, name, number, kind, oneof_index=0)

    pool = descriptor_pool.DescriptorPool()
    pool.Add(file)
    return message_factory.GetMessageClass(pool.FindMessageTypeByName("spb.Payload"))


PAYLOAD = payload_class()


def decode(data: bytes) -> Any:
    message = PAYLOAD()
    message.ParseFromString(data)
    return message


def metrics_by_name(data: bytes) -> dict[str, Any]:
    return {m.name: m for m in decode(data).metrics}
