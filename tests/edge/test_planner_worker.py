"""Stored plan requests become plans, solved by `kakashi plan` in a child process."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from edge.planner_worker import pending_requests, solve_request
from edge.storage import Storage
from edge.uplink.orders import store_plan_request

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
    with Storage.open(tmp_path / "k.db") as storage:
        store_plan_request(storage, "req-1", PROBLEM)
        [request] = pending_requests(storage)
        assert await solve_request(storage, request, budget_s=1.0)
        status, plan = _plan_row(storage, "req-1")
        assert pending_requests(storage) == []
        events = [e for e in storage.events(10) if e.kind == "plan"]
    assert status == "dispatched"
    [route] = plan["routes"]
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
