"""The logistics page without scripts: every action is a form post that comes back
to the page, with validation messages next to the field; what each role sees."""

from __future__ import annotations

import re
from typing import Any

import pytest
from starlette.testclient import TestClient

from edge.logistics import orders as ops
from edge.logistics import plans
from edge.service import Service
from edge.storage import Storage
from edge.web.access import Role
from tests.edge.logistics.synthetic import solution
from tests.edge.web.conftest import ClientAs

FORM: dict[str, str] = {
    "name": "Mrs Tanaka",
    "kind": "delivery",
    "place": "",
    "lat": "33.5690",
    "lon": "133.5215",
    "kg": "4",
    # Wide enough to be plannable whenever the test runs (the shift starts now).
    "w0_from": "06:00",
    "w0_to": "22:00",
    "w1_from": "",
    "w1_to": "",
    "service_min": "5",
    "vehicle": "",
    "site": "",
    "notes": "Leave at the back door",
    "required": "on",
}
PAGE_BUDGET_BYTES = 200_000


def storage_of(gateway: Service) -> Storage:
    assert gateway.storage is not None
    return gateway.storage


@pytest.fixture
def coordinator(client_as: ClientAs) -> TestClient:
    return client_as(Role.COORDINATOR)


def error_next_to(html: str, field: str) -> str:
    match = re.search(rf'<p class="field-error" id="err-{field}"[^>]*>([^<]*)</p>', html)
    assert match, f"no error shown for {field}"
    return match.group(1)


def test_viewers_and_operators_see_the_page_but_no_forms(client_as: ClientAs) -> None:
    for role in (Role.VIEWER, Role.OPERATOR):
        page = client_as(role).get("/logistics")
        assert page.status_code == 200
        assert "<h1>Logistics</h1>" in page.text
        assert 'id="plan-map"' in page.text, "the map shows the site even without a plan"
        assert 'id="order-form"' not in page.text
        assert 'id="plan-now"' not in page.text
        posted = client_as(role).post("/logistics/orders", data=FORM)
        assert posted.status_code == 403
    assert client_as(None).get("/logistics").status_code in (302, 303, 401)


def test_an_order_with_errors_comes_back_with_the_message_next_to_each_field(
    coordinator: TestClient, web_gateway: Service
) -> None:
    answer = coordinator.post("/logistics/orders", data=FORM | {"kg": "-3"})
    assert answer.status_code == 422
    assert "greater than 0" in error_next_to(answer.text, "kg")
    assert 'id="o-kg" name="kg" inputmode="decimal" value="-3"' in answer.text
    assert 'value="Mrs Tanaka"' in answer.text, "what was typed is kept"

    answer = coordinator.post(
        "/logistics/orders", data=FORM | {"w0_from": "18:00", "w0_to": "08:00"}
    )
    assert answer.status_code == 422
    assert "18:00" in error_next_to(answer.text, "windows-0")

    answer = coordinator.post("/logistics/orders", data=FORM | {"kg": "lots", "w1_from": "13:00"})
    assert "number" in error_next_to(answer.text, "kg")
    assert "both" in error_next_to(answer.text, "windows-1")

    answer = coordinator.post("/logistics/orders", data=FORM | {"lat": "", "lon": ""})
    assert "latitude" in error_next_to(answer.text, "location")
    assert ops.list_orders(storage_of(web_gateway)) == []

    answer = coordinator.post("/logistics/orders", data=FORM)
    assert answer.status_code == 303
    assert answer.headers["location"].startswith("/logistics?msg=order_created")
    [order] = ops.list_orders(storage_of(web_gateway))
    assert order.data["notes"] == "Leave at the back door"
    page = coordinator.get("/logistics?msg=order_created")
    assert "Order created." in page.text
    assert f'id="order-{order.id}"' in page.text


def test_an_order_is_edited_confirmed_and_cancelled_through_the_forms(
    coordinator: TestClient, web_gateway: Service
) -> None:
    storage = storage_of(web_gateway)
    coordinator.post("/logistics/orders", data=FORM)
    [order] = ops.list_orders(storage)
    form = coordinator.get(f"/logistics?edit={order.id}").text
    assert f"Edit order {order.id}" in form
    assert 'value="22:00"' in form
    answer = coordinator.post(f"/logistics/orders/{order.id}", data=FORM | {"kg": "6"})
    assert answer.status_code == 303
    assert ops.get_order(storage, order.id).data["kg"] == 6.0
    answer = coordinator.post(f"/logistics/orders/{order.id}", data=FORM | {"kg": "99"})
    assert answer.status_code == 422
    assert "Cart 1, 30 kg" in error_next_to(answer.text, "kg")
    assert coordinator.post(f"/logistics/orders/{order.id}/confirm").status_code == 303
    assert ops.get_order(storage, order.id).status == "confirmed"
    assert coordinator.post(f"/logistics/orders/{order.id}/cancel").status_code == 303
    assert ops.get_order(storage, order.id).status == "cancelled"
    refused = coordinator.post(f"/logistics/orders/{order.id}", data=FORM)
    assert refused.status_code == 409
    assert "cancelled" in refused.text
    assert coordinator.post(f"/logistics/orders/{order.id}/fly").status_code == 404


def test_a_plan_is_requested_shown_on_the_map_dispatched_and_followed(
    coordinator: TestClient, web_gateway: Service
) -> None:
    storage = storage_of(web_gateway)
    nothing = coordinator.post("/logistics/plans", data={"budget_s": "10"})
    assert nothing.status_code == 409
    assert "no new or confirmed orders" in nothing.text
    coordinator.post("/logistics/orders", data=FORM)
    coordinator.post(
        "/logistics/orders",
        data=FORM | {"name": "Maize", "kind": "pickup", "place": "terrace-maize", "kg": "2"},
    )
    assert coordinator.post("/logistics/plans", data={"budget_s": "9000"}).status_code == 422
    answer = coordinator.post("/logistics/plans", data={"budget_s": "30"})
    assert answer.status_code == 303
    plan_id = re.search(r"plan=([^&#]+)", answer.headers["location"]).group(1)  # type: ignore[union-attr]
    planning = coordinator.get(f"/logistics?plan={plan_id}").text
    assert 'id="planning"' in planning
    assert "up to 30 s" in planning
    assert '<noscript><meta http-equiv="refresh" content="5"></noscript>' in planning

    record = plans.get_plan(storage, plan_id)
    stops = [s["id"] for s in record.problem["stops"]]
    routes = {"cart-1": stops[1:], "drone-1": stops[:1]}
    plans.store_solved(storage, plan_id, solution(record.problem, routes))
    page = coordinator.get(f"/logistics?plan={plan_id}").text
    assert page.count('class="route route-') == 2
    assert 'class="route route-drone"' in page
    assert page.count('<g class="stop"') == 3
    assert 'fill="url(#hatch)"' in page, "the school's no-fly zone, hatched"
    assert re.search(r"<text [^>]*>\d+ (m|km)</text>", page), "a scale bar"
    assert '<g class="north"' in page
    assert f'href="/api/plans/{plan_id}/runsheet/cart-1"' in page
    assert f'href="/api/plans/{plan_id}/qgc/drone-1"' in page
    assert "Send 2 mission(s) to Drone 1 and Cart 1?" in page or (
        "Send 2 mission(s) to Cart 1 and Drone 1?" in page
    )

    dispatched = coordinator.post(f"/logistics/plans/{plan_id}/dispatch")
    assert dispatched.status_code == 303, dispatched.text[-3000:]
    page = coordinator.get(f"/logistics?plan={plan_id}").text
    assert 'data-status="dispatched"' in page
    assert page.count('<tr data-vehicle="') == 2, "progress per vehicle"
    assert "0 / 2" in page
    assert "0 / 1" in page
    again = coordinator.post(f"/logistics/plans/{plan_id}/dispatch")
    assert again.status_code == 409


def test_the_page_speaks_japanese_to_a_japanese_browser(client_as: ClientAs) -> None:
    client = client_as(Role.COORDINATOR)
    page = client.get("/logistics", headers={"Accept-Language": "ja-JP,ja;q=0.9"})
    assert '<html lang="ja">' in page.text
    for text in ("<h1>配送</h1>", "配送計画", "新しい注文", "今すぐ計画", "重さ (kg)"):
        assert text in page.text


def test_the_page_and_its_assets_stay_light(coordinator: TestClient, web_gateway: Service) -> None:
    storage = storage_of(web_gateway)
    for i in range(20):
        draft = ops.validated_draft(
            {"name": f"House {i}", "location": (33.569 - i * 1e-4, 133.5215), "kg": 1}
        )
        ops.create_order(storage, web_gateway.config, draft, actor="t", today=_today())
    page = coordinator.get("/logistics")
    assets = re.findall(r'(?:href|src)="(?:http://testserver)?(/static/[^"]+)"', page.text)
    sizes: dict[str, Any] = {"/logistics": len(page.content)}
    for asset in assets:
        sizes[asset] = len(coordinator.get(asset).content)
    assert "/static/logistics.js" in sizes
    assert sum(sizes.values()) < PAGE_BUDGET_BYTES, sizes
    elsewhere = re.findall(r'(?:href|src)="((?:https?:)?//[^"]*)"', page.text)
    assert all(url.startswith("http://testserver/") for url in elsewhere), "all from the gateway"


def _today() -> Any:
    import datetime as dt

    return dt.date(2026, 11, 26)
