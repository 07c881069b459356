"""Plans: requested from the open orders, proposed when solved, dispatched by a
coordinator (orders planned, the older plan superseded, missions queued in the
same transaction), cancelled; and the refusals."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from edge.config import Config
from edge.logistics import orders as ops
from edge.logistics import plans
from edge.logistics.errors import Conflict, Rejected
from edge.storage import Storage
from edge.uplink import outbox_policy
from tests.edge.logistics.conftest import site_time
from tests.edge.logistics.synthetic import solution


def order(storage: Storage, village: Config, name: str, kg: float = 4) -> str:
    draft = ops.validated_draft({"name": name, "location": (33.5690, 133.5215), "kg": kg})
    return ops.create_order(storage, village, draft, actor="hana", today=dt.date(2026, 11, 26)).id


def proposed(storage: Storage, village: Config, routes: dict[str, list[str]] | None = None) -> str:
    """A plan requested for the open orders and solved (by hand), awaiting dispatch."""
    record = plans.request_plan(storage, village, budget_s=5, actor="hana", now=site_time(8))
    stops = [s["id"] for s in record.problem["stops"]]
    status = plans.store_solved(
        storage, record.id, solution(record.problem, routes or {"cart-1": stops})
    )
    assert status == "proposed"
    return record.id


def status_of(storage: Storage, order_id: str) -> str:
    return ops.get_order(storage, order_id).status


def test_a_request_holds_the_problem_its_budget_and_its_orders(
    storage: Storage, village: Config
) -> None:
    a = order(storage, village, "Mrs Tanaka")
    b = order(storage, village, "Mr Sato")
    record = plans.request_plan(storage, village, budget_s=30, actor="hana", now=site_time(8))
    assert record.status == "requested"
    assert record.id.startswith("p-20261126-080000-")
    assert record.budget_s == 30.0
    assert record.data["dispatch"] == "confirm"
    assert sorted(record.orders) == sorted([a, b])
    assert record.requested_by == "hana"
    assert [s["id"] for s in record.problem["stops"]] == [a, b], "oldest order first"
    [event] = [e for e in storage.events(5) if e.kind == "plan"]
    assert (event.actor, event.data and event.data["action"]) == ("hana", "request")


def test_nothing_to_plan_and_budgets_out_of_range_are_refused(
    storage: Storage, village: Config
) -> None:
    with pytest.raises(Conflict, match="no new or confirmed orders"):
        plans.request_plan(storage, village, budget_s=5, actor="hana", now=site_time(8))
    order(storage, village, "Mrs Tanaka")
    for budget in (0, 301, float("nan")):
        with pytest.raises(Rejected, match="budget_s"):
            plans.request_plan(storage, village, budget_s=budget, actor="hana", now=site_time(8))


def test_dispatch_plans_the_orders_and_supersedes_the_plan_before(
    storage: Storage, village: Config
) -> None:
    a = order(storage, village, "Mrs Tanaka")
    b = order(storage, village, "Mr Sato")
    first = proposed(storage, village)
    assert status_of(storage, a) == "new", "a proposal changes no order"
    record = plans.dispatch_plan(storage, first, actor="ken")
    assert record.status == "dispatched"
    assert record.data["dispatched_by"] == "ken"
    assert (status_of(storage, a), status_of(storage, b)) == ("planned", "planned")
    assert plans.current_plan(storage) is not None

    # The next request covers the new order c and the orders still on the road (a
    # and b): dispatching it replaces the vehicles' missions, and a stop left out
    # would be served by nobody. Solved without a (say it no longer fits): b stays
    # planned, c is planned, a goes back to confirmed for a later plan.
    c = order(storage, village, "Ito household")
    request = plans.request_plan(storage, village, budget_s=5, actor="hana", now=site_time(9))
    assert sorted(request.orders) == sorted([a, b, c])
    plans.store_solved(storage, request.id, solution(request.problem, {"cart-1": [b, c]}))
    second = request.id
    plans.dispatch_plan(storage, second, actor="ken")
    assert plans.get_plan(storage, first).status == "superseded"
    assert plans.get_plan(storage, second).status == "dispatched"
    assert (status_of(storage, a), status_of(storage, b), status_of(storage, c)) == (
        "confirmed",
        "planned",
        "planned",
    )
    messages = [e.message for e in storage.events(10) if e.kind == "plan"]
    assert f"superseded {first}" in messages[0]


def test_only_a_proposed_plan_is_dispatched_and_only_an_open_one_cancelled(
    storage: Storage, village: Config
) -> None:
    order(storage, village, "Mrs Tanaka")
    requested = plans.request_plan(storage, village, budget_s=5, actor="hana", now=site_time(8))
    with pytest.raises(Conflict, match="requested; only a proposed plan"):
        plans.dispatch_plan(storage, requested.id, actor="ken")
    assert plans.cancel_plan(storage, requested.id, actor="ken").status == "cancelled"
    late = solution(requested.problem, {"cart-1": [requested.orders[0]]})
    assert plans.store_solved(storage, requested.id, late) == "cancelled", "stays cancelled"
    assert not plans.mark_failed(storage, requested.id, "too late")
    with pytest.raises(Conflict):
        plans.cancel_plan(storage, requested.id, actor="ken")
    dispatched = proposed(storage, village)
    plans.dispatch_plan(storage, dispatched, actor="ken")
    with pytest.raises(Conflict, match="dispatched"):
        plans.cancel_plan(storage, dispatched, actor="ken")
    with pytest.raises(Conflict, match="dispatched"):
        plans.dispatch_plan(storage, dispatched, actor="ken")


def test_a_request_from_another_system_is_dispatched_as_soon_as_it_is_solved(
    tmp_path: Path, village: Config
) -> None:
    mqtt = village.mqtt.model_copy(update={"enabled": True})
    config = village.model_copy(update={"mqtt": mqtt})
    problem: dict[str, Any] = {
        "sites": [{"id": "village-hall", "location": [33.571, 133.5195]}],
        "stops": [{"id": "r1", "kind": "delivery", "location": [33.569, 133.5215], "kg": 2}],
        "vehicles": [
            {"id": "cart-1", "kind": "cart", "start": "village-hall", "speed_kmh": 6,
             "capacity": {"kg": 30}, "shift": [28800, 68400]}
        ],
    }  # fmt: skip
    with Storage.open(tmp_path / "k.db", outbox=outbox_policy(config)) as storage:
        stored = plans.store_plan_request(storage, "req-7", problem)
        assert (stored.status, stored.duplicate) == ("requested", False)
        assert plans.store_plan_request(storage, "req-7", problem).duplicate
        with pytest.raises(Rejected, match="other content"):
            plans.store_plan_request(storage, "req-7", {**problem, "stops": []})
        assert plans.store_solved(storage, "req-7", solution(problem, {"cart-1": ["r1"]})) == (
            "dispatched"
        )
        with storage.locked() as db:
            topics = [r[0] for r in db.conn.execute("SELECT topic FROM outbox WHERE kind = 'plan'")]
            mission = json.loads(
                db.conn.execute(
                    "SELECT payload FROM outbox WHERE topic LIKE '%cart-1/mission'"
                ).fetchone()[0]
            )
    assert sorted(t.rsplit("/", 2)[-2] for t in topics) == ["cart-1", "drone-1"]
    assert mission["plan"] == "req-7"
    assert [s["id"] for s in mission["stops"]] == ["village-hall", "r1"]
