"""Sparkplug B: Kakashi's encoder read by Google's protobuf runtime, and the node's
birth, data, death and rebirth over a real broker."""

from __future__ import annotations

import asyncio
import struct
from collections.abc import Callable
from pathlib import Path

from drivers.reading import Quality, Reading
from edge.storage.outbox import OutboxRow
from edge.uplink.messages import JsonMessages
from edge.uplink.sparkplug.node import MetricSpec, SparkplugNode, spec_for_unit
from edge.uplink.sparkplug.payload import DataType, Metric, decode_metrics, encode_payload
from edge.uplink.sparkplug.protobuf import varint
from edge.uplink.topics import Topics
from tests.conftest import Mosquitto
from tests.edge.uplink.processes import gateway, kill9, read_until
from tests.edge.uplink.sparkplug_schema import PAYLOAD, decode, metrics_by_name
from tests.edge.uplink.support import (
    T0,
    Received,
    Subscriber,
    open_storage,
    running,
    site_config,
    until,
)

SPARKPLUG = 'sparkplug = { enabled = true, group_id = "farms" }\n'
NODE = "yamakawa"


def test_varints_match_protobuf() -> None:
    message = PAYLOAD(timestamp=300, seq=255)
    ours = encode_payload(300, [], 255)
    assert ours == message.SerializeToString()
    assert varint(2**64 - 1) == b"\xff" * 9 + b"\x01"
    assert varint(-1) == varint(2**64 - 1)


def test_metrics_decode_with_protobufs_own_runtime() -> None:
    metrics = [
        Metric("bdSeq", DataType.INT64, 7, 1000),
        Metric(
            "soil-1/moisture",
            DataType.DOUBLE,
            65.8,
            2000,
            is_historical=True,
            properties={"engUnit": "%"},
        ),
        Metric("cart/estop", DataType.BOOLEAN, True, 3000),
        Metric("gps/fix", DataType.STRING, "3D", 4000),
        Metric("soil-1/ph", DataType.DOUBLE, None, 5000),
    ]
    decoded = decode(encode_payload(9999, metrics, 3))
    assert (decoded.timestamp, decoded.seq) == (9999, 3)
    bd, moisture, estop, fix, ph = decoded.metrics
    assert (bd.name, bd.datatype, bd.long_value, bd.timestamp) == ("bdSeq", 4, 7, 1000)
    assert moisture.double_value == 65.8
    assert moisture.is_historical
    assert list(moisture.properties.keys) == ["engUnit"]
    assert moisture.properties.values[0].string_value == "%"
    assert moisture.properties.values[0].type == 12
    assert (estop.datatype, estop.boolean_value) == (11, True)
    assert fix.string_value == "3D"
    assert ph.is_null
    assert ph.WhichOneof("value") is None


def test_a_rebirth_request_encoded_by_protobuf_is_understood() -> None:
    request = PAYLOAD(timestamp=1)
    metric = request.metrics.add()
    metric.name = "Node Control/Rebirth"
    metric.datatype = 11
    metric.boolean_value = True
    node = SparkplugNode("farms", NODE, {})
    assert node.wants_rebirth(request.SerializeToString())
    metric.boolean_value = False
    assert not node.wants_rebirth(request.SerializeToString())
    assert not node.wants_rebirth(b"\xff\xff\xff")  # garbage is ignored, not fatal
    double = PAYLOAD()
    double.metrics.add(name="x", double_value=2.5)
    assert decode_metrics(double.SerializeToString())[0].value == 2.5
    assert struct.pack("<d", 2.5) in double.SerializeToString()


def test_ndata_carries_each_reading_with_its_time_and_the_next_seq() -> None:
    topics = Topics.for_site("kakashi", NODE)
    (message,) = JsonMessages(topics).readings(
        [
            Reading("soil-1", "moisture", T0, 31.5, "%"),
            Reading("soil-1", "ph", T0 + 1, None, "pH", Quality.INVALID),
        ]
    )
    row = OutboxRow(1, message.created_ms, "reading", message.topic, message.payload, 1, False)
    node = SparkplugNode(
        "farms",
        NODE,
        {"soil-1/moisture": spec_for_unit("%"), "soil-1/ph": spec_for_unit("pH")},
        clock=lambda: T0 + 5,
    )
    birth = node.birth()
    assert (birth.topic, birth.qos, birth.retain) == ("spBv1.0/farms/NBIRTH/yamakawa", 0, False)
    assert decode(birth.payload).seq == 0
    first = node.data(row, historical=False)
    second = node.data(row, historical=True)
    assert first.topic == "spBv1.0/farms/NDATA/yamakawa"
    assert (decode(first.payload).seq, decode(second.payload).seq) == (1, 2)
    metrics = metrics_by_name(second.payload)
    assert metrics["soil-1/moisture"].double_value == 31.5
    assert metrics["soil-1/moisture"].timestamp == round(T0 * 1000)
    assert metrics["soil-1/moisture"].is_historical
    assert metrics["soil-1/ph"].is_null
    # The next birth reports the last live value, not the historical one.
    reborn = metrics_by_name(node.birth().payload)
    assert reborn["soil-1/moisture"].double_value == 31.5
    assert reborn["soil-1/moisture"].properties.values[0].string_value == "%"
    assert decode(node.birth().payload).seq == 0
    seqs = [decode(node.data(row, historical=False).payload).seq for _ in range(256)]
    assert seqs[254:] == [255, 0]


def test_a_metric_missing_from_birth_is_declared_in_the_next() -> None:
    topics = Topics.for_site("kakashi", NODE)
    (message,) = JsonMessages(topics).readings([Reading("new", "code", T0, "E7", "")])
    row = OutboxRow(1, message.created_ms, "reading", message.topic, message.payload, 1, False)
    node = SparkplugNode("farms", NODE, {})
    node.data(row, historical=False)
    assert metrics_by_name(node.birth().payload)["new/code"].datatype == 12
    assert MetricSpec(DataType.STRING) == spec_for_unit("text")


async def test_birth_data_and_rebirth_over_the_broker(mosquitto: Mosquitto, tmp_path: Path) -> None:
    config = site_config(mosquitto.port, SPARKPLUG)
    with open_storage(tmp_path / "k.db", config) as storage:
        storage.write_readings([Reading("soil-1", "moisture", T0, 30.0, "%")])  # backlog
        async with (
            Subscriber(mosquitto.port, ["spBv1.0/farms/#"], persistent=False) as sub,
            running(config, storage) as up,
        ):
            await until(lambda: up.drain_stats.draining)
            await asyncio.to_thread(
                storage.write_readings, [Reading("soil-1", "moisture", T0 + 60, 31.0, "%")]
            )
            await sub.wait_for(lambda ms: len([m for m in ms if "/NDATA/" in m.topic]) >= 2)
            birth = decode(sub.on("spBv1.0/farms/NBIRTH/yamakawa")[0].payload)
            names = {m.name for m in birth.metrics}
            assert {"bdSeq", "Node Control/Rebirth", "soil-1/moisture", "soil-1/ph"} <= names
            assert birth.seq == 0
            data = [decode(m.payload) for m in sub.on("spBv1.0/farms/NDATA/yamakawa")]
            by_value = {d.metrics[0].double_value: d for d in data}
            assert by_value[30.0].metrics[0].is_historical
            assert not by_value[31.0].metrics[0].is_historical
            assert sorted(d.seq for d in data) == [1, 2]

            request = PAYLOAD(timestamp=1)
            request.metrics.add(name="Node Control/Rebirth", datatype=11, boolean_value=True)
            assert sub.client is not None
            await sub.client.publish(
                "spBv1.0/farms/NCMD/yamakawa", request.SerializeToString(), qos=1
            )
            await sub.wait_for(lambda ms: len(sub.on("spBv1.0/farms/NBIRTH/")) >= 2)
        # A clean stop sends NDEATH itself (a clean disconnect fires no will).
        await sub.wait_for(lambda ms: bool(sub.on("spBv1.0/farms/NDEATH/")))
        death = metrics_by_name(sub.on("spBv1.0/farms/NDEATH/")[0].payload)
        assert (
            death["bdSeq"].long_value
            == metrics_by_name(birth.SerializeToString())["bdSeq"].long_value
        )


def births_more_than(sub: Subscriber, n: int) -> Callable[[list[Received]], bool]:
    return lambda ms: len(sub.on("spBv1.0/farms/NBIRTH/")) > n


def deaths_more_than(sub: Subscriber, n: int) -> Callable[[list[Received]], bool]:
    return lambda ms: len(sub.on("spBv1.0/farms/NDEATH/")) > n


async def test_the_will_is_ndeath_with_the_births_bdseq(
    mosquitto: Mosquitto, tmp_path: Path
) -> None:
    db = tmp_path / "gateway.db"
    async with Subscriber(mosquitto.port, ["spBv1.0/farms/#"]) as sub:
        for run in range(2):
            with gateway(db, mosquitto.port, 0, 100.0, SPARKPLUG) as proc:
                await asyncio.to_thread(read_until, proc, "draining")
                await sub.wait_for(births_more_than(sub, run))
                kill9(proc)
            await sub.wait_for(deaths_more_than(sub, run))
        births = [
            metrics_by_name(m.payload)["bdSeq"].long_value for m in sub.on("spBv1.0/farms/NBIRTH/")
        ]
        deaths = [
            metrics_by_name(m.payload)["bdSeq"].long_value for m in sub.on("spBv1.0/farms/NDEATH/")
        ]
        assert births == deaths == [0, 1]
