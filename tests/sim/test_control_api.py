"""The control API over real HTTP: inspect, inject and end faults, irrigate, dispatch."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from drivers.modbus.errors import RequestTimeoutError
from drivers.modbus.pdu import read_request
from sim.runtime import Simulation
from tests.sim.running import running, tcp_client

COOP = [33.5655, 133.5238]


@pytest.fixture
async def api(tmp_path: Path) -> AsyncIterator[tuple[Simulation, httpx.AsyncClient]]:
    async with running(tmp_path) as sim:
        assert sim.control_address is not None
        host, port = sim.control_address
        async with httpx.AsyncClient(base_url=f"http://{host}:{port}") as client:
            yield sim, client


async def test_state_shows_weather_fields_and_vehicles(
    api: tuple[Simulation, httpx.AsyncClient],
) -> None:
    _, client = api
    state = (await client.get("/state")).json()
    assert state["time"] == "2026-07-01T09:00:00+09:00"
    paddy = state["fields"]["paddy"]
    assert paddy["growing"] is True
    assert paddy["days_after_planting"] == 51
    assert state["vehicles"]["cart"]["state"] == "idle"
    assert (await client.get("/endpoints")).json()["buses"]["tcp"]["port"] > 0


async def test_a_fault_injected_at_run_time_is_felt_and_can_be_ended(
    api: tuple[Simulation, httpx.AsyncClient],
) -> None:
    sim, client = api
    modbus = tcp_client(sim)
    pdu = read_request(3, 0, 4)
    try:
        created = await client.post(
            "/faults", json={"kind": "no_reply", "target": "soil-1", "duration_s": 600}
        )
        assert created.status_code == 201
        fault = created.json()
        assert fault["active"] is True
        with pytest.raises(RequestTimeoutError):
            await modbus.request(1, pdu)
        listed = (await client.get("/faults")).json()
        assert [f["id"] for f in listed if f["active"]] == [fault["id"]]
        ended = await client.delete(f"/faults/{fault['id']}")
        assert ended.status_code == 200
        assert len(await modbus.request(1, pdu)) == 10  # function, byte count, 4 registers
    finally:
        await modbus.close()


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            {"kind": "no_reply", "target": "soil-9"},
            "target: no_reply targets a Modbus device; devices are",
        ),
        ({"kind": "slow_reply", "target": "soil-1"}, "delay_s: required by slow_reply"),
        ({"kind": "crc_error", "target": "soil-1"}, "needs a device on a modbus_rtu bus"),
        ({"kind": "offline", "target": "soil-1"}, "offline needs a duration"),
    ],
)
async def test_bad_faults_are_refused_naming_the_key(
    api: tuple[Simulation, httpx.AsyncClient], body: dict[str, object], message: str
) -> None:
    _, client = api
    response = await client.post("/faults", json=body)
    assert response.status_code == 400
    assert message in response.json()["error"]


async def test_irrigation_and_missions_through_the_api(
    api: tuple[Simulation, httpx.AsyncClient],
) -> None:
    _, client = api
    watered = await client.post("/irrigate", json={"field": "paddy", "mm": 25})
    assert watered.json() == {"field": "paddy", "mm": 25, "day": "2026-07-02"}
    assert (await client.post("/irrigate", json={"field": "moon", "mm": 5})).status_code == 400
    mission = {"mission_id": "api-1", "stops": [{"id": "coop", "location": COOP}]}
    accepted = await client.post("/vehicles/cart/mission", json=mission)
    assert accepted.json() == {"mission_id": "api-1", "accepted": True, "error": None}
    await asyncio.sleep(0)  # progress goes out after the answer
    events = (await client.get("/vehicles/cart/events")).json()
    assert [e["event"] for e in events] == ["accepted", "departed"]
    refused = await client.post("/vehicles/cart/mission", json={**mission, "stops": "none"})
    assert refused.status_code == 400
    assert refused.json()["mission_id"] == "api-1"
    assert (await client.post("/vehicles/tractor/mission", json=mission)).status_code == 404


async def test_a_field_report_has_its_season_and_the_harvest_ahead(
    api: tuple[Simulation, httpx.AsyncClient],
) -> None:
    _, client = api
    report = (await client.get("/fields/paddy")).json()
    assert report["crop"] == "rice"
    assert report["season"][0]["day"] == "2026-05-12"
    assert len(report["season"]) == 51
    assert report["outlook"]["planted"] == "2026-05-12"
    assert report["outlook"]["dry_yield_t_ha"] > 0
    assert report["outlook"]["dry_yield_t"] == pytest.approx(
        report["outlook"]["dry_yield_t_ha"] * 0.5, abs=1e-3
    )
    assert (await client.get("/fields/moon")).status_code == 404


async def test_wrong_routes_and_methods(api: tuple[Simulation, httpx.AsyncClient]) -> None:
    _, client = api
    assert (await client.get("/nowhere")).status_code == 404
    assert (await client.put("/state")).status_code == 405
    assert (await client.delete("/faults/abc")).status_code == 400
    assert (await client.delete("/faults/999")).status_code == 404
    assert (
        await client.post("/clock", json={"speed": 60})
    ).status_code == 409  # hand-advanced clock
    assert (await client.post("/clock", json={"speed": -1})).status_code == 400
    assert (await client.post("/faults", content=b"{not json")).status_code == 400


async def test_garbage_on_the_socket_gets_a_400_and_the_server_lives_on(
    api: tuple[Simulation, httpx.AsyncClient],
) -> None:
    sim, client = api
    assert sim.control_address is not None
    for junk in (
        b"\x00\xff\r\n\r\n",
        b"GET / HTTP/1.1\r\nContent-Length: nope\r\n\r\n",
        b"HELLO\r\n\r\n",
    ):
        reader, writer = await asyncio.open_connection(*sim.control_address)
        writer.write(junk)
        await writer.drain()
        reply = await reader.read()
        assert reply.startswith(b"HTTP/1.1 400 Bad Request")
        writer.close()
    reader, writer = await asyncio.open_connection(*sim.control_address)
    writer.write(b"POST /faults HTTP/1.1\r\nContent-Length: 99999999\r\n\r\n")
    assert (await reader.read()).startswith(b"HTTP/1.1 413")
    writer.close()
    assert (await client.get("/state")).status_code == 200
