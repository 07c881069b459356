"""Stored plan requests become plans, solved by `kakashi plan` in a child process
within each request's own budget: proposed when the request asks a coordinator to
confirm (no missions queued), dispatched at once otherwise (missions queued)."""

from __future__ import annotations

import asyncio
import contextlib
import json
from pathlib import Path
from typing import Any

from edge.config import load_config
from edge.planner_worker import pending_requests, run_planner_worker, solve_pending, solve_request
from edge.storage import Storage
from edge.uplink import outbox_policy
from edge.uplink.orders import store_plan_request

VILLAGE = Path(__file__).resolve().parents[2] / "examples" / "village.toml"

PROBLEM: dict[str, Any] = {
    "name": "two deliveries",
    "sites": [{"id": "depot", "kind": "depot", "location": [35.36, 139.25]}],
    "stops": [
        {"id": "r-tanaka", "location": [35.3635, 139.2545], "kg": 6, "service_s": 120},
        {"id": "r-sato", "location": [35.3570, 139.2470], "kg": 4, "service_s": 120},
    ],
    "vehicles": [
        {
            "id": "cart-1",
            "kind": "cart",
            "start": "depot",
            "capacity": {"kg": 150},
            "speed_kmh": 12,
            "shift": ["08:00", "17:00"],
        }
    ],
}


def _plan_row(storage: Storage, plan_id: str) -> tuple[str, dict[str, Any]]:
    with storage.locked() as db:
        status, data = db.conn.execute(
            "SELECT status, data FROM plans WHERE id = ?", (plan_id,)
        ).fetchone()
    return str(status), json.loads(data)


async def test_a_request_is_solved_and_stored_as_a_dispatched_plan(tmp_path: Path) -> None:
    with _storage_with_uplink(tmp_path) as storage:
        store_plan_request(storage, "req-1", PROBLEM)
        [request] = pending_requests(storage)
        assert await solve_request(storage, request, budget_s=1.0)
        status, data = _plan_row(storage, "req-1")
        assert pending_requests(storage) == []
        events = [e for e in storage.events(10) if e.kind == "plan"]
        missions = _missions(storage)
    assert status == "dispatched"
    assert sorted(missions) == ["cart-1", "drone-1"], "one retained mission per vehicle"
    assert data["problem"] == PROBLEM, "the request is kept with its plan"
    [route] = data["plan"]["routes"]
    assert route["vehicle"] == "cart-1"
    visited = json.dumps(route)
    assert "r-tanaka" in visited
    assert "r-sato" in visited
    assert "dispatched" in events[0].message


async def test_a_request_the_planner_refuses_is_marked_failed_with_its_reason(
    tmp_path: Path,
) -> None:
    too_heavy = json.loads(json.dumps(PROBLEM))
    too_heavy["stops"][0]["kg"] = 900
    with Storage.open(tmp_path / "k.db") as storage:
        store_plan_request(storage, "req-2", too_heavy)
        [request] = pending_requests(storage)
        assert not await solve_request(storage, request, budget_s=1.0)
        status, data = _plan_row(storage, "req-2")
    assert status == "failed"
    assert "r-tanaka" in data["error"]
    assert data["problem"]["stops"][0]["kg"] == 900, "the request is kept for the coordinator"


def _storage_with_uplink(tmp_path: Path) -> Storage:
    config = load_config(VILLAGE)
    config = config.model_copy(update={"mqtt": config.mqtt.model_copy(update={"enabled": True})})
    return Storage.open(tmp_path / "k.db", outbox=outbox_policy(config))


def _missions(storage: Storage) -> list[str]:
    with storage.locked() as db:
        topics = db.conn.execute("SELECT topic FROM outbox WHERE kind = 'plan'").fetchall()
    return [str(t[0]).rsplit("/", 2)[-2] for t in topics]


async def test_the_worker_honours_the_requests_budget_and_proposes_when_asked_to_confirm(
    tmp_path: Path,
) -> None:
    with _storage_with_uplink(tmp_path) as storage:
        store_plan_request(storage, "req-3", PROBLEM, dispatch="confirm", budget_s=1)
        [request] = pending_requests(storage)
        assert request.budget_s == 1.0
        assert await solve_pending(storage, 10.0) == 1
        status, data = _plan_row(storage, "req-3")
        missions = _missions(storage)
        [event] = [e for e in storage.events(10) if e.kind == "plan"]
    assert status == "proposed"
    assert data["solved_budget_s"] == 1.0, "the request's budget, not the worker's 10 s"
    assert len(data["plan"]["routes"]) == 1
    assert missions == [], "nothing goes to the vehicles before a coordinator dispatches"
    assert "proposed" in event.message


async def test_a_request_without_a_budget_gets_the_workers_and_is_dispatched(
    tmp_path: Path,
) -> None:
    with _storage_with_uplink(tmp_path) as storage:
        store_plan_request(storage, "req-4", PROBLEM)
        assert pending_requests(storage)[0].budget_s is None
        assert await solve_pending(storage, 1.0) == 1
        status, data = _plan_row(storage, "req-4")
        missions = _missions(storage)
    assert status == "dispatched"
    assert data["solved_budget_s"] == 1.0
    assert sorted(missions) == ["cart-1", "drone-1"]


async def test_a_wake_starts_the_solve_at_once_instead_of_at_the_next_poll(
    tmp_path: Path,
) -> None:
    async def solved(plan_id: str) -> str:
        # Polls the stored status (the worker tells nothing else), bounded above.
        async with asyncio.timeout(120):
            while (status := _plan_row(storage, plan_id)[0]) == "requested":  # noqa: ASYNC110
                await asyncio.sleep(0.1)
        return status

    with Storage.open(tmp_path / "k.db") as storage:
        wake = asyncio.Event()
        store_plan_request(storage, "req-a", PROBLEM, budget_s=1)
        worker = asyncio.create_task(
            run_planner_worker(storage, budget_s=1.0, poll_s=3600.0, wake=wake)
        )
        try:
            # The first pass solved req-a; the next poll is an hour away, so only
            # the wake can make the worker see req-b.
            assert await solved("req-a") == "dispatched"
            store_plan_request(storage, "req-b", PROBLEM, budget_s=1)
            wake.set()
            assert await solved("req-b") == "dispatched"
        finally:
            worker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await worker
