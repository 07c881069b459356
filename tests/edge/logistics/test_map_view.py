"""The plan map's geometry: everything inside the drawing, north up, a round scale
bar of the right length, one line per route and numbered stops."""

from __future__ import annotations

import datetime as dt
import re

from edge.config import Config
from edge.logistics import orders as ops
from edge.logistics import plans
from edge.logistics.map_view import HEIGHT, WIDTH, build_map
from edge.logistics.progress import VehicleProgress
from edge.storage import Storage
from planner.geo import Location, haversine_m
from tests.edge.logistics.conftest import site_time
from tests.edge.logistics.synthetic import solution


def test_the_map_fits_the_village_with_north_up_and_a_true_scale(
    storage: Storage, village: Config
) -> None:
    ids = []
    for name, where in (("A", (33.5690, 133.5215)), ("B", (33.5665, 133.5228))):
        draft = ops.validated_draft({"name": name, "location": where, "kg": 2})
        ids.append(
            ops.create_order(storage, village, draft, actor="t", today=dt.date(2026, 11, 26)).id
        )
    record = plans.request_plan(storage, village, budget_s=5, actor="t", now=site_time(8))
    plans.store_solved(
        storage, record.id, solution(record.problem, {"cart-1": ids[:1], "drone-1": ids[1:]})
    )
    record = plans.get_plan(storage, record.id)
    moving = VehicleProgress("cart-1", "Cart 1", "cart", position=(33.5700, 133.5205))
    view = build_map(village, record, [moving])

    numbers = [float(n) for r in view.routes for n in re.findall(r"-?\d+\.?\d*", r.d)]
    numbers += [c for f in view.fields for p in f.points.split() for c in map(float, p.split(","))]
    numbers += [c for s in view.sites for c in (s.x, s.y)]
    assert all(0 <= n <= max(WIDTH, HEIGHT) for n in numbers)
    hall = next(s for s in view.sites if s.id == "village-hall")
    coop = next(s for s in view.sites if s.id == "ja-coop")
    assert hall.y < coop.y, "the hall is north of the collection point: higher on the map"
    assert hall.x < coop.x, "and west of it"
    assert coop.label_left, "a name at the right edge is drawn to the left of its marker"
    assert [r.vehicle for r in view.routes] == ["cart-1", "drone-1"]
    assert len({r.colour for r in view.routes}) == 2
    assert [(s.vehicle, s.number) for s in view.stops] == [("cart-1", 1), ("drone-1", 1)]
    [zone] = view.zones
    assert zone.name == "Yamakawa primary school"
    # Distances on the drawing are true to 1 % (a local projection over 1 km).
    metres = haversine_m(Location(33.5710, 133.5195), Location(33.5655, 133.5238))
    units = ((hall.x - coop.x) ** 2 + (hall.y - coop.y) ** 2) ** 0.5
    assert abs(units / view.projection.scale - metres) < metres / 100
    assert view.scale_px == round(view.scale_m * view.projection.scale, 1)
    assert view.scale_px <= WIDTH / 4
    cart = next(v for v in view.vehicles if v.id == "cart-1")
    assert cart.x is not None
    assert next(v for v in view.vehicles if v.id == "drone-1").x is None


def test_without_a_plan_the_map_shows_the_site_and_open_orders(village: Config) -> None:
    view = build_map(village, None)
    assert view.routes == []
    assert len(view.fields) == 3
    assert {s.kind for s in view.sites} == {"depot", "collection_point"}
