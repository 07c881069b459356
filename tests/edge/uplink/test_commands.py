"""Commands over MQTT: each malformed one gets an error reply naming what is wrong,
valid orders and plan requests are stored, and the uplink never falls over."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiomqtt
import pytest
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from edge.storage.store import Storage
from edge.uplink.uplink import Uplink
from tests.conftest import Mosquitto
from tests.edge.uplink.support import BASE, Subscriber, open_storage, running, site_config, until

ORDER = {
    "id": "r-tanaka",
    "kind": "delivery",
    "location": [33.5702, 133.5201],
    "kg": 6,
    "windows": [["09:00", "11:00"]],
    "site": "village-hall",
}
PROBLEM: dict[str, Any] = {
    "sites": [{"id": "depot", "kind": "depot", "location": [35.36, 139.25]}],
    "stops": [{"id": "r1", "kind": "delivery", "location": [35.3635, 139.2545], "kg": 2}],
    "vehicles": [
        {"id": "cart-1", "kind": "cart", "start": "depot", "speed_kmh": 6, "capacity": {"kg": 30}}
    ],
}


@dataclass
class Gateway:
    storage: Storage
    uplink: Uplink
    replies: Subscriber

    async def ask(self, command: str, payload: bytes) -> dict[str, Any]:
        client = self.replies.client
        assert client is not None
        before = len(self.replies.messages)
        await client.publish(f"{BASE}/commands/{command}", payload, qos=1)
        await self.replies.wait_for(lambda ms: len(ms) > before)
        reply = self.replies.messages[before]
        assert reply.topic == f"{BASE}/responses/{command}"
        body: dict[str, Any] = reply.json()
        return body


@pytest.fixture
async def gateway(mosquitto: Mosquitto, tmp_path: Path) -> AsyncIterator[Gateway]:
    config = site_config(mosquitto.port)
    with open_storage(tmp_path / "k.db", config) as storage:
        async with (
            Subscriber(mosquitto.port, [f"{BASE}/responses/#"], persistent=False) as replies,
            running(config, storage) as uplink,
        ):
            await until(lambda: uplink.drain_stats.draining)
            yield Gateway(storage, uplink, replies)


@pytest.mark.parametrize(
    ("command", "payload", "error"),
    [
        ("order", b"not json", "payload is not JSON: Expecting value at line 1 column 1"),
        ("order", b"\xff\xfe", "payload is not UTF-8 text (byte 0)"),
        ("order", b"[1, 2]", "payload must be a JSON object, found list"),
        ("order", b'{"order": {"kg": NaN}}', "payload is not JSON: NaN is not a JSON value"),
        ("order", b"{" * 100_000, "payload is not JSON"),
        ("order", b" " * 300_000, "payload is 300000 bytes; at most 262144 accepted"),
        ("launch", b"{}", "unknown command 'launch'; expected one of order, plan_request"),
        ("order", b"{}", "missing key 'order'"),
        ("order", b'{"oder": {}}', "oder: unknown key; expected one of order, request_id"),
        ("order", b'{"order": 5}', "order: expected an object, found a number"),
        ("order", b'{"request_id": 7, "order": {}}', "request_id: expected a string"),
        ("plan_request", b'{"problem": []}', "problem: expected an object, found an array"),
    ],
)
async def test_a_malformed_command_gets_an_error_reply(
    gateway: Gateway, command: str, payload: bytes, error: str
) -> None:
    reply = await gateway.ask(command, payload)
    assert reply["ok"] is False
    assert reply["result"] is None
    assert any(e.startswith(error) for e in reply["errors"]), reply["errors"]
    assert gateway.uplink.state == "connected"
    health = gateway.uplink.health()
    assert health["commands"]["rejected"] == 1


async def test_an_invalid_order_is_refused_with_every_reason(gateway: Gateway) -> None:
    order = {**ORDER, "kg": "heavy", "site": "moon-base", "vehicles": ["cart-9"], "colour": "red"}
    del order["location"]
    reply = await gateway.ask("order", json.dumps({"request_id": "q1", "order": order}).encode())
    assert reply["request_id"] == "q1"
    assert reply["command"] == "order"
    assert sorted(reply["errors"]) == sorted(
        [
            "order.colour: unknown key; expected one of id, kg, kind, location, m3, name, penalty, "
            "required, service_s, site, vehicles, windows",
            "order: missing 'location'",
            "order.kg: expected a number, got 'heavy'",
            "order.site: no depot or collection point 'moon-base'; known: ja-coop, village-hall",
            "order.vehicles: no vehicle 'cart-9'; known: cart-1",
        ]
    )
    with gateway.storage.locked() as db:
        assert db.conn.execute("SELECT count(*) FROM orders").fetchone() == (0,)


async def test_an_order_is_stored_once_and_a_changed_repeat_is_refused(gateway: Gateway) -> None:
    payload = json.dumps({"request_id": "q1", "order": ORDER}).encode()
    reply = await gateway.ask("order", payload)
    assert reply == {
        "request_id": "q1",
        "command": "order",
        "ok": True,
        "errors": [],
        "result": {"order": "r-tanaka", "status": "new", "duplicate": False},
    }
    again = await gateway.ask("order", payload)
    assert again["result"]["duplicate"] is True
    changed = await gateway.ask("order", json.dumps({"order": {**ORDER, "kg": 7}}).encode())
    assert changed["errors"] == [
        "order.id: order 'r-tanaka' exists with other content (status new); use a new id"
    ]
    with gateway.storage.locked() as db:
        rows = db.conn.execute("SELECT id, kind, status, data FROM orders").fetchall()
    assert [(r[0], r[1], r[2], json.loads(r[3])) for r in rows] == [
        ("r-tanaka", "delivery", "new", ORDER)
    ]


async def test_a_plan_request_is_checked_by_the_planner_and_stored(gateway: Gateway) -> None:
    reply = await gateway.ask(
        "plan_request", json.dumps({"plan_id": "p-1", "problem": PROBLEM}).encode()
    )
    assert reply["ok"] is True, reply["errors"]
    assert reply["result"] == {"plan": "p-1", "status": "requested", "duplicate": False}
    with gateway.storage.locked() as db:
        assert db.conn.execute("SELECT id, status FROM plans").fetchall() == [("p-1", "requested")]
    broken = {**PROBLEM, "vehicles": [{**PROBLEM["vehicles"][0], "start": "nowhere"}]}
    refused = await gateway.ask("plan_request", json.dumps({"problem": broken}).encode())
    assert refused["errors"] == [
        "problem: vehicle 'cart-1': start site 'nowhere' does not exist",
        "problem: vehicle 'cart-1': end site 'nowhere' does not exist",
    ]
    roads = await gateway.ask(
        "plan_request", json.dumps({"problem": {**PROBLEM, "roads": "/etc/passwd"}}).encode()
    )
    assert roads["errors"] == [
        "problem.roads: give the road network inline (GeoJSON), not a file name"
    ]


async def test_a_plan_request_may_ask_for_a_budget_and_a_coordinators_confirmation(
    gateway: Gateway,
) -> None:
    body = {"plan_id": "p-2", "problem": PROBLEM, "budget_s": 30, "dispatch": "confirm"}
    reply = await gateway.ask("plan_request", json.dumps(body).encode())
    assert reply["ok"] is True, reply["errors"]
    with gateway.storage.locked() as db:
        [(data,)] = db.conn.execute("SELECT data FROM plans WHERE id = 'p-2'").fetchall()
    stored = json.loads(data)
    assert (stored["budget_s"], stored["dispatch"]) == (30, "confirm")
    bad = {"problem": PROBLEM, "budget_s": 0, "dispatch": "later"}
    refused = await gateway.ask("plan_request", json.dumps(bad).encode())
    assert refused["ok"] is False
    assert refused["errors"][0].startswith("budget_s:")
    refused = await gateway.ask(
        "plan_request", json.dumps({"problem": PROBLEM, "dispatch": "later"}).encode()
    )
    assert refused["errors"] == ["dispatch: expected 'auto' or 'confirm', found 'later'"]


async def test_an_mqtt5_request_is_answered_on_its_response_topic(
    gateway: Gateway, mosquitto: Mosquitto
) -> None:
    async with aiomqtt.Client(
        "127.0.0.1", mosquitto.port, identifier="coordinator", protocol=aiomqtt.ProtocolVersion.V5
    ) as client:
        await client.subscribe("coordinator/replies", qos=1)
        properties = Properties(PacketTypes.PUBLISH)  # type: ignore[no-untyped-call]
        properties.ResponseTopic = "coordinator/replies"
        properties.CorrelationData = b"req-42"
        await client.publish(
            f"{BASE}/commands/order",
            json.dumps({"order": ORDER}).encode(),
            qos=1,
            properties=properties,
        )
        async for message in client.messages:
            assert message.properties is not None
            assert getattr(message.properties, "CorrelationData", None) == b"req-42"
            assert isinstance(message.payload, bytes)
            assert json.loads(message.payload)["ok"] is True
            break
