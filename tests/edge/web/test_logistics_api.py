"""The logistics API: every endpoint read by every role and changed only by
coordinators and admins, malformed input refused naming the field, unknown ids
404, wrong states 409, every change in the audit log with its actor."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from starlette.testclient import TestClient

from edge.logistics import plans
from edge.service import Service
from edge.storage import Storage
from edge.web.access import Role
from tests.edge.logistics.synthetic import solution
from tests.edge.web.conftest import ClientAs

HOUSE = [33.5690, 133.5215]
# The window is wide enough to be plannable whenever the test runs (the shift starts now).
ORDER: dict[str, Any] = {
    "name": "Mrs Tanaka",
    "location": HOUSE,
    "kg": 4,
    "windows": ["06:00-22:00"],
}
READERS = (Role.VIEWER, Role.OPERATOR, Role.COORDINATOR, Role.ADMIN)
CHANGERS = (Role.COORDINATOR, Role.ADMIN)
REFUSED = (Role.VIEWER, Role.OPERATOR)


@dataclass
class Scene:
    """A new order, a planned order (in the dispatched plan) and a proposed plan."""

    order: str
    planned: str
    dispatched: str
    plan: str


def storage_of(gateway: Service) -> Storage:
    assert gateway.storage is not None
    return gateway.storage


def solve_by_hand(storage: Storage, plan_id: str) -> None:
    """The cart takes every stop but the drone's first (so both vehicles have a route)."""
    record = plans.get_plan(storage, plan_id)
    stops = [s["id"] for s in record.problem["stops"]]
    routes = {"drone-1": stops[:1], "cart-1": stops[1:]} if len(stops) > 1 else {"cart-1": stops}
    assert plans.store_solved(storage, plan_id, solution(record.problem, routes)) == "proposed"


def scene(gateway: Service, coordinator: TestClient) -> Scene:
    storage = storage_of(gateway)
    first = [coordinator.post("/api/orders", json=ORDER | {"kg": 2}).json()["id"] for _ in range(2)]
    dispatched = coordinator.post("/api/plans", json={"budget_s": 5}).json()["id"]
    solve_by_hand(storage, dispatched)
    assert coordinator.post(f"/api/plans/{dispatched}/dispatch").status_code == 200
    order = coordinator.post("/api/orders", json=ORDER).json()["id"]
    plan = coordinator.post("/api/plans", json={"budget_s": 5}).json()["id"]
    solve_by_hand(storage, plan)
    return Scene(order, first[0], dispatched, plan)


@pytest.fixture
def coordinator(client_as: ClientAs) -> TestClient:
    return client_as(Role.COORDINATOR)


# -- reads -------------------------------------------------------------------------


def test_every_read_is_open_to_every_role_and_closed_to_strangers(
    web_gateway: Service, client_as: ClientAs, coordinator: TestClient
) -> None:
    s = scene(web_gateway, coordinator)
    reads = [
        "/api/orders",
        f"/api/orders/{s.order}",
        "/api/plans",
        f"/api/plans/{s.plan}",
        f"/api/plans/{s.plan}/geojson",
        f"/api/plans/{s.dispatched}/qgc/drone-1",
        f"/api/plans/{s.plan}/runsheet/cart-1",
        "/api/vehicles",
    ]
    for role in READERS:
        client = client_as(role)
        for path in reads:
            assert client.get(path).status_code == 200, (role, path)
    stranger = client_as(None)
    for path in reads:
        assert stranger.get(path).status_code == 401, path


def test_orders_and_plans_read_back_what_was_stored(
    web_gateway: Service, coordinator: TestClient
) -> None:
    s = scene(web_gateway, coordinator)
    orders = {o["id"]: o for o in coordinator.get("/api/orders").json()}
    assert orders[s.order]["status"] == "new"
    assert orders[s.planned]["status"] == "planned"
    assert orders[s.order]["data"]["windows"] == [["06:00", "22:00"]]
    only_new = coordinator.get("/api/orders", params={"status": "new"}).json()
    assert [o["id"] for o in only_new] == [s.order]
    listed = coordinator.get("/api/plans").json()
    assert [(p["id"], p["status"]) for p in listed] == [
        (s.plan, "proposed"),
        (s.dispatched, "dispatched"),
    ]
    plan = coordinator.get(f"/api/plans/{s.plan}").json()
    # The new order, and those still on the road (their missions are replaced).
    assert s.order in plan["orders"]
    assert s.planned in plan["orders"]
    assert plan["budget_s"] == 5
    assert plan["plan"]["solver"] == "synthetic"
    assert plan["problem"]["no_fly_zones"][0]["id"] == "school"


def test_exports_geojson_qgc_and_run_sheet(web_gateway: Service, coordinator: TestClient) -> None:
    s = scene(web_gateway, coordinator)
    geo = coordinator.get(f"/api/plans/{s.dispatched}/geojson")
    assert geo.headers["content-type"].startswith("application/geo+json")
    kinds = [f["properties"]["kind"] for f in geo.json()["features"]]
    assert kinds.count("route") == 2
    assert "no_fly_zone" in kinds
    qgc = coordinator.get(f"/api/plans/{s.dispatched}/qgc/drone-1")
    assert qgc.json()["fileType"] == "Plan"
    assert "attachment" in qgc.headers["content-disposition"]
    assert qgc.json()["geoFence"]["polygons"][0]["inclusion"] is False
    assert coordinator.get(f"/api/plans/{s.dispatched}/qgc/cart-1").status_code == 422
    assert coordinator.get(f"/api/plans/{s.dispatched}/qgc/tractor").status_code == 404
    sheet = coordinator.get(f"/api/plans/{s.dispatched}/runsheet/cart-1")
    assert sheet.headers["content-type"].startswith("text/html")
    assert "Run sheet: Cart 1" in sheet.text
    assert "Mrs Tanaka" in sheet.text
    assert "@media print" in coordinator.get("/static/logistics.css").text
    assert coordinator.get(f"/api/plans/{s.dispatched}/runsheet/drone-9").status_code == 404


def test_vehicles_report_their_progress_on_the_dispatched_plan(
    web_gateway: Service, coordinator: TestClient
) -> None:
    s = scene(web_gateway, coordinator)
    vehicles = {v["id"]: v for v in coordinator.get("/api/vehicles").json()}
    assert set(vehicles) == {"cart-1", "drone-1"}
    cart = vehicles["cart-1"]
    assert cart["plan"] == s.dispatched
    assert (cart["stops_reached"], cart["stops_total"]) == (0, 1)
    assert cart["next_stop_name"] == "Mrs Tanaka"
    assert cart["eta_s"] is not None
    assert cart["position"] is None, "the village's vehicles have no GPS configured"


# -- writes and roles --------------------------------------------------------------

Write = Callable[[TestClient, Scene], Any]
WRITES: dict[str, tuple[Write, int]] = {
    "create order": (lambda c, s: c.post("/api/orders", json=ORDER), 201),
    "edit order": (lambda c, s: c.patch(f"/api/orders/{s.order}", json={"kg": 5}), 200),
    "cancel order": (lambda c, s: c.delete(f"/api/orders/{s.order}"), 200),
    "confirm order": (lambda c, s: c.post(f"/api/orders/{s.order}/confirm"), 200),
    "order done": (lambda c, s: c.post(f"/api/orders/{s.planned}/done"), 200),
    "request plan": (lambda c, s: c.post("/api/plans", json={"budget_s": 5}), 202),
    "dispatch plan": (lambda c, s: c.post(f"/api/plans/{s.plan}/dispatch"), 200),
    "cancel plan": (lambda c, s: c.post(f"/api/plans/{s.plan}/cancel"), 200),
}


@pytest.mark.parametrize("name", WRITES)
def test_writes_are_for_coordinators_and_admins_and_audited(
    name: str, web_gateway: Service, client_as: ClientAs, coordinator: TestClient
) -> None:
    write, ok = WRITES[name]
    storage = storage_of(web_gateway)
    s = scene(web_gateway, coordinator)
    before = [(o["id"], o["status"]) for o in coordinator.get("/api/orders").json()]
    for role in REFUSED:
        answer = write(client_as(role), s)
        assert answer.status_code == 403, (name, role)
        assert "coordinator" in answer.json()["detail"]
    assert write(client_as(None), s).status_code == 401
    after = [(o["id"], o["status"]) for o in coordinator.get("/api/orders").json()]
    assert after == before, "a refused write changes nothing"
    for role in CHANGERS:
        if role is Role.ADMIN:
            s = scene(web_gateway, coordinator)  # the coordinator's write used it up
        answer = write(client_as(role), s)
        assert answer.status_code == ok, (name, role, answer.text)
        newest = storage.events(1)[0]
        assert newest.kind in ("order", "plan")
        assert newest.actor == f"{role.label} (token)"
        assert newest.source == "web"


# -- refusals ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "field", "words"),
    [
        (ORDER | {"kg": -3}, "kg", "greater than 0"),
        (ORDER | {"kg": "heavy"}, "kg", "number"),
        (ORDER | {"kg": 45}, "kg", "more than any vehicle"),
        (ORDER | {"windows": ["18:00-08:00"]}, "windows", "18:00"),
        (ORDER | {"windows": ["9 to 5"]}, "windows", "09:00-11:00"),
        (ORDER | {"windows": "09:00-10:00"}, "windows", "list"),
        (ORDER | {"location": [91, 0]}, "location", "-90 to 90"),
        (ORDER | {"location": "here"}, "location", "tuple"),
        ({k: v for k, v in ORDER.items() if k != "location"}, "location", "place"),
        (ORDER | {"place": "moon"}, "place", "north-paddy"),
        (ORDER | {"vehicles": ["tractor"]}, "vehicles", "cart-1"),
        (ORDER | {"site": "harbour"}, "site", "village-hall"),
        (ORDER | {"kind": "teleport"}, "kind", "delivery"),
        (ORDER | {"service_min": -1}, "service_min", "greater than or equal to 0"),
        ({k: v for k, v in ORDER.items() if k != "name"}, "name", "required"),
        (ORDER | {"price": 3}, "price", "not permitted"),
    ],
)
def test_a_malformed_order_is_refused_naming_its_field(
    coordinator: TestClient, body: dict[str, Any], field: str, words: str
) -> None:
    answer = coordinator.post("/api/orders", json=body)
    assert answer.status_code == 422, answer.text
    errors = answer.json()["detail"]
    matching = [e for e in errors if field in e["loc"]]
    assert matching, errors
    assert any(words in e["msg"] for e in matching), errors
    assert coordinator.get("/api/orders").json() == []


@pytest.mark.parametrize(
    "raw",
    [b"", b"not json", b"[1, 2]", b'{"name": ', b"null", b'"text"'],
)
def test_bodies_that_are_not_an_order_object_get_422(coordinator: TestClient, raw: bytes) -> None:
    answer = coordinator.post(
        "/api/orders", content=raw, headers={"Content-Type": "application/json"}
    )
    assert answer.status_code == 422


def test_malformed_edits_budgets_and_queries_are_refused_naming_the_field(
    web_gateway: Service, coordinator: TestClient
) -> None:
    s = scene(web_gateway, coordinator)
    answer = coordinator.patch(f"/api/orders/{s.order}", json={"windows": ["12:00-11:00"]})
    assert answer.status_code == 422
    assert "windows" in answer.json()["detail"][0]["loc"]
    answer = coordinator.patch(f"/api/orders/{s.order}", json={"kg": 0})
    assert answer.json()["detail"][0]["loc"] == ["body", "kg"]
    for budget in (0, 301, "soon", 2.5):
        answer = coordinator.post("/api/plans", json={"budget_s": budget})
        assert answer.status_code == 422, budget
        assert answer.json()["detail"][0]["loc"] == ["body", "budget_s"]
    answer = coordinator.post("/api/plans", json={"budget": 5})
    assert answer.status_code == 422
    answer = coordinator.get("/api/orders", params={"status": "lost"})
    assert answer.status_code == 422
    assert "status" in answer.json()["detail"][0]["loc"]
    assert coordinator.get("/api/orders", params={"limit": 0}).status_code == 422


def test_unknown_ids_are_404(coordinator: TestClient) -> None:
    for method, path in [
        ("get", "/api/orders/o-none"),
        ("patch", "/api/orders/o-none"),
        ("delete", "/api/orders/o-none"),
        ("post", "/api/orders/o-none/confirm"),
        ("post", "/api/orders/o-none/done"),
        ("get", "/api/plans/p-none"),
        ("get", "/api/plans/p-none/geojson"),
        ("get", "/api/plans/p-none/qgc/drone-1"),
        ("get", "/api/plans/p-none/runsheet/cart-1"),
        ("post", "/api/plans/p-none/dispatch"),
        ("post", "/api/plans/p-none/cancel"),
    ]:
        kwargs: dict[str, Any] = {"json": {"kg": 2}} if method == "patch" else {}
        answer = getattr(coordinator, method)(path, **kwargs)
        assert answer.status_code == 404, (method, path)
        assert "none" in answer.json()["detail"]


def test_wrong_states_are_409(web_gateway: Service, coordinator: TestClient) -> None:
    s = scene(web_gateway, coordinator)
    answer = coordinator.post(f"/api/plans/{s.dispatched}/dispatch")
    assert answer.status_code == 409
    assert "only a proposed plan" in answer.json()["detail"]
    assert coordinator.post(f"/api/plans/{s.dispatched}/cancel").status_code == 409
    assert coordinator.post(f"/api/orders/{s.order}/done").status_code == 409
    assert coordinator.delete(f"/api/orders/{s.order}").json()["status"] == "cancelled"
    assert coordinator.patch(f"/api/orders/{s.order}", json={"kg": 2}).status_code == 409
    assert coordinator.post(f"/api/orders/{s.order}/confirm").status_code == 409
    # Nothing left to plan: the new order is cancelled, the others delivered.
    for planned in coordinator.get("/api/orders", params={"status": "planned"}).json():
        assert coordinator.post(f"/api/orders/{planned['id']}/done").status_code == 200
    answer = coordinator.post("/api/plans", json={"budget_s": 5})
    assert answer.status_code == 409
    assert "no new or confirmed orders" in answer.json()["detail"]
    requested = plans.store_plan_request(storage_of(web_gateway), "req-1", {"stops": []})
    geo = coordinator.get(f"/api/plans/{requested.id}/geojson")
    assert geo.status_code == 409
    assert "no routes yet" in geo.json()["detail"]


def test_dispatch_supersedes_the_plan_before_and_plans_its_orders(
    web_gateway: Service, coordinator: TestClient
) -> None:
    s = scene(web_gateway, coordinator)
    answer = coordinator.post(f"/api/plans/{s.plan}/dispatch")
    assert answer.json()["status"] == "dispatched"
    assert coordinator.get(f"/api/plans/{s.dispatched}").json()["status"] == "superseded"
    assert coordinator.get(f"/api/orders/{s.order}").json()["status"] == "planned"
    assert coordinator.get(f"/api/orders/{s.planned}").json()["status"] == "planned", (
        "an order still on the road is in the new plan, which replaces the missions"
    )
    done = coordinator.post(f"/api/orders/{s.order}/done")
    assert done.json()["status"] == "done"
    [event] = [e for e in storage_of(web_gateway).events(3) if e.kind == "order"][:1]
    assert (event.actor, event.data and event.data["action"]) == ("coordinator (token)", "done")


def test_the_openapi_schema_lists_every_logistics_route(coordinator: TestClient) -> None:
    paths = coordinator.get("/openapi.json").json()["paths"]
    for path in [
        "/api/orders",
        "/api/orders/{order_id}",
        "/api/orders/{order_id}/confirm",
        "/api/orders/{order_id}/done",
        "/api/plans",
        "/api/plans/{plan_id}",
        "/api/plans/{plan_id}/geojson",
        "/api/plans/{plan_id}/qgc/{vehicle}",
        "/api/plans/{plan_id}/runsheet/{vehicle}",
        "/api/plans/{plan_id}/dispatch",
        "/api/plans/{plan_id}/cancel",
        "/api/vehicles",
    ]:
        assert path in paths, path
    assert set(paths["/api/orders/{order_id}"]) == {"get", "patch", "delete"}
    assert not [p for p in paths if p.startswith("/logistics")], "pages stay out of the API"


def test_timestamps_are_seconds(web_gateway: Service, coordinator: TestClient) -> None:
    before = time.time()
    created = coordinator.post("/api/orders", json=ORDER).json()
    assert before - 5 < created["created"] < time.time() + 5


@pytest.mark.parametrize(
    ("path", "raw", "field"),
    [
        ("/api/orders", b'{"name": "x", "location": [33.5, 133.5], "kg": NaN}', "kg"),
        ("/api/orders", b'{"name": "x", "location": [Infinity, 133.5], "kg": 2}', "location"),
        ("/api/plans", b'{"budget_s": -Infinity}', "budget_s"),
    ],
)
def test_numbers_json_cannot_hold_are_refused_not_a_server_error(
    coordinator: TestClient, path: str, raw: bytes, field: str
) -> None:
    answer = coordinator.post(path, content=raw, headers={"Content-Type": "application/json"})
    assert answer.status_code == 422
    assert field in answer.json()["detail"][0]["loc"]
