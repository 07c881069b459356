"""Orders: the form's input checked by the planner's rules with each error naming
its field, and the lifecycle's transitions and refusals, each audited."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import pytest

from edge.config import Config
from edge.logistics import orders as ops
from edge.logistics.errors import Conflict, Invalid, NotFound
from edge.logistics.orders import OrderDraft, OrderPatch
from edge.storage import Storage

TODAY = dt.date(2026, 11, 26)


def draft(**values: Any) -> OrderDraft:
    base: dict[str, Any] = {"name": "Mrs Tanaka", "location": (33.5690, 133.5215), "kg": 4}
    return ops.validated_draft(base | values)


def create(storage: Storage, village: Config, **values: Any) -> ops.Order:
    return ops.create_order(storage, village, draft(**values), actor="hana", today=TODAY)


def refused(village: Config, **values: Any) -> dict[str, str]:
    with pytest.raises(Invalid) as caught:
        ops.stop_of(village, draft(**values), "o-1")
    return caught.value.by_field()


def test_a_web_order_becomes_a_planner_stop_with_a_dated_id(
    storage: Storage, village: Config
) -> None:
    order = create(storage, village, windows=["09:00-11:30", "14:00 〜 16:00"], service_min=3)
    assert re.fullmatch(r"o-20261126-[0-9a-f]{4}", order.id)
    assert order.status == "new"
    assert order.stop == {
        "id": order.id,
        "name": "Mrs Tanaka",
        "kind": "delivery",
        "location": [33.569, 133.5215],
        "kg": 4.0,
        "service_s": 180.0,
        "windows": [["09:00", "11:30"], ["14:00", "16:00"]],
        "required": True,
    }
    [event] = [e for e in storage.events(10) if e.kind == "order"]
    assert event.actor == "hana"
    assert order.id in event.message


def test_a_place_gives_the_location_and_a_pickup_goes_to_the_collection_point(
    storage: Storage, village: Config
) -> None:
    order = create(storage, village, kind="pickup", place="terrace-maize", location=None, kg=2)
    lat, lon = order.data["location"]
    assert 33.5711 < lat < 33.5716, "the field's centre"
    assert 133.5186 < lon < 133.5191
    assert order.data["site"] == "ja-coop"
    assert order.data["place"] == "terrace-maize"


@pytest.mark.parametrize(
    ("values", "field", "words"),
    [
        ({"kg": -3}, "kg", "greater than 0"),
        ({"kg": 40}, "kg", "Cart 1, 30 kg"),
        ({"kg": 8, "vehicles": ["drone-1"]}, "kg", "Drone 1, 5 kg"),
        ({"windows": ["18:00-08:00"]}, "windows[0]", "08:00, not after it starts at 18:00"),
        ({"windows": ["09:00-10:00", "nine to five"]}, "windows[1]", "09:00-11:00"),
        ({"windows": ["09:00-25:30"]}, "windows[0]", "25:30"),
        ({"place": "moon"}, "place", "north-paddy"),
        ({"location": None}, "location", "latitude and longitude"),
        ({"location": (95.0, 133.5)}, "location", "-90 to 90"),
        ({"vehicles": ["tractor-9"]}, "vehicles", "cart-1, drone-1"),
        ({"site": "harbour"}, "site", "ja-coop"),
        ({"name": ""}, "name", "at least 1"),
        ({"kind": "teleport"}, "kind", "delivery"),
        ({"colour": "red"}, "colour", "Extra inputs"),
    ],
)
def test_bad_input_is_refused_naming_the_field(
    village: Config, values: dict[str, Any], field: str, words: str
) -> None:
    errors = refused(village, **values)
    assert field in errors, errors
    assert words in errors[field]


def test_a_new_order_is_confirmed_edited_and_cancelled_and_then_stays_cancelled(
    storage: Storage, village: Config
) -> None:
    order = create(storage, village)
    assert ops.confirm_order(storage, village, order.id, actor="hana").status == "confirmed"
    edited = ops.update_order(
        storage,
        village,
        order.id,
        OrderPatch.model_validate(dict(kg=6, windows=["10:00-12:00"])),
        actor="ken",
    )
    assert (edited.status, edited.data["kg"], edited.data["windows"]) == (
        "confirmed",
        6.0,
        [["10:00", "12:00"]],
    )
    assert edited.data["location"] == [33.569, 133.5215], "what the patch leaves alone stays"
    assert ops.cancel_order(storage, order.id, actor="ken").status == "cancelled"
    with pytest.raises(Conflict, match="cancelled"):
        ops.update_order(
            storage, village, order.id, OrderPatch.model_validate(dict(kg=2)), actor="ken"
        )
    with pytest.raises(Conflict):
        ops.confirm_order(storage, village, order.id, actor="ken")
    with pytest.raises(Conflict, match="only planned"):
        ops.mark_done(storage, order.id, actor="ken")
    with pytest.raises(NotFound):
        ops.get_order(storage, "o-nothing")
    actions = [e.data and e.data.get("action") for e in storage.events(10) if e.kind == "order"]
    assert actions == ["cancelled", "edit", "confirm", "create"]
    assert [e.actor for e in storage.events(10) if e.kind == "order"][:2] == ["ken", "ken"]


def _suggest(storage: Storage, quantity_kg: int = 3600) -> str:
    """A harvest pickup as the forecaster stores it."""
    suggestion = {
        "kind": "pickup",
        "status": "suggested",
        "source": "forecast",
        "field": "north-paddy",
        "crop": "rice",
        "quantity_kg": quantity_kg,
        "quantity_band_kg": [3000, 4200],
        "earliest": "2026-11-27",
        "latest": "2026-12-03",
        "expected_date": "2026-11-30",
        "model_version": "test",
        "forecast_ts": 0.0,
    }
    with storage.transaction() as db:
        db.conn.execute(
            "INSERT INTO orders (id, kind, status, data, created, updated) "
            "VALUES ('pickup-north-paddy-2026-05-12', 'pickup', 'suggested', ?, 1, 1)",
            (json.dumps(suggestion),),
        )
    return "pickup-north-paddy-2026-05-12"


def test_a_confirmed_suggestion_is_a_pickup_at_the_field_capped_to_the_biggest_vehicle(
    storage: Storage, village: Config
) -> None:
    order_id = _suggest(storage)
    order = ops.confirm_order(storage, village, order_id, actor="hana")
    assert order.status == "confirmed"
    assert order.data["kind"] == "pickup"
    assert order.data["kg"] == 30.0, "3.6 t is many trips; one cart load is planned"
    assert order.data["site"] == "ja-coop"
    assert order.data["suggestion"]["quantity_kg"] == 3600
    ops.check_order(order.stop, ops.configured_sites(village), set(village.vehicles))


def test_a_suggestion_cancelled_is_rejected_and_one_edited_is_confirmed(
    storage: Storage, village: Config
) -> None:
    order_id = _suggest(storage)
    assert ops.cancel_order(storage, order_id, actor="hana").status == "rejected"
    with storage.transaction() as db:
        db.conn.execute("DELETE FROM orders")
    order_id = _suggest(storage)
    edited = ops.update_order(
        storage, village, order_id, OrderPatch.model_validate(dict(kg=12)), actor="hana"
    )
    assert (edited.status, edited.data["kg"]) == ("confirmed", 12.0)
    assert edited.data["source"] == "forecast"
