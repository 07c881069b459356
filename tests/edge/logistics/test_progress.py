"""Progress from a synthetic GPS track written as readings: stops reached within the
radius, the next stop and its ETA, position and battery from the latest readings."""

from __future__ import annotations

import datetime as dt

from drivers.reading import Quality, Reading
from edge.config import Config
from edge.config.schema import Device
from edge.logistics import orders as ops
from edge.logistics import plans
from edge.logistics.progress import ProgressTracker
from edge.storage import Storage
from tests.edge.logistics.conftest import site_time
from tests.edge.logistics.synthetic import solution

# One degree of latitude is 111 km: 0.0001° is about 11 m.
HOUSE_A = (33.5690, 133.5215)
HOUSE_B = (33.5670, 133.5230)


def with_cart_devices(village: Config) -> Config:
    devices = dict(village.devices)
    devices["cart-1-gps"] = Device(profile="nmea_gps", bus="sim-tcp", vehicle="cart-1")
    devices["cart-1-ctl"] = Device(
        profile="kakashi_cart_controller", bus="sim-tcp", unit=2, vehicle="cart-1"
    )
    return village.model_copy(update={"devices": devices})


def gps(ts: float, lat: float, lon: float) -> list[Reading]:
    return [
        Reading("cart-1-gps", "latitude", ts, lat, "deg", Quality.GOOD),
        Reading("cart-1-gps", "longitude", ts, lon, "deg", Quality.GOOD),
    ]


def dispatched(storage: Storage, config: Config) -> plans.PlanRecord:
    ids = []
    for name, where in (("A", HOUSE_A), ("B", HOUSE_B)):
        draft = ops.validated_draft({"name": f"House {name}", "location": where, "kg": 3})
        ids.append(
            ops.create_order(storage, config, draft, actor="hana", today=dt.date(2026, 11, 26)).id
        )
    record = plans.request_plan(storage, config, budget_s=5, actor="hana", now=site_time(8))
    plans.store_solved(storage, record.id, solution(record.problem, {"cart-1": ids}))
    return plans.dispatch_plan(storage, record.id, actor="hana")


def test_stops_reached_next_stop_eta_position_and_battery(
    storage: Storage, village: Config
) -> None:
    config = with_cart_devices(village)
    record = dispatched(storage, config)
    start = float(record.data["dispatched_at"])
    a, b = record.orders
    storage.write_readings(
        [
            *gps(start - 60, *HOUSE_B),  # before dispatch: does not count
            *gps(start + 10, 33.5705, 133.5200),
            *gps(start + 20, 33.5692, 133.5214),  # ~25 m from house A
            *gps(start + 30, 33.5675, 133.5226),  # ~65 m from house B: not reached
            Reading("cart-1-ctl", "battery_soc", start + 30, 76.0, "%", Quality.GOOD),
        ]
    )
    tracker = ProgressTracker()
    cart, drone = tracker.vehicles(storage, config, record, start + 40)
    assert (cart.id, drone.id) == ("cart-1", "drone-1")
    assert [(s.id, s.reached) for s in cart.stops] == [(a, True), (b, False)]
    assert cart.next_stop is not None
    assert cart.next_stop.id == b
    assert cart.next_stop.name == "House B"
    assert cart.position == (33.5675, 133.5226)
    assert cart.battery_pct == 76.0
    assert cart.last_seen == start + 30
    assert cart.eta_s is not None
    assert cart.eta_s >= cart.next_stop.planned_s
    assert drone.plan is None
    assert drone.stops == []
    assert drone.position is None

    # Only the newer fixes are read next time; the stop reached before stays reached.
    storage.write_readings(gps(start + 50, 33.56705, 133.52302))
    cart, _ = tracker.vehicles(storage, config, record, start + 60)
    assert cart.reached == 2
    assert cart.next_stop is None
    assert cart.eta_s is None
    assert cart.as_json()["stops_reached"] == 2


def test_a_late_cart_gets_an_eta_from_its_distance_not_the_schedule(
    storage: Storage, village: Config
) -> None:
    config = with_cart_devices(village)
    record = dispatched(storage, config)
    start = float(record.data["dispatched_at"])
    storage.write_readings(gps(start + 5, 33.5710, 133.5195))  # still at the hall
    far_later = start + 24 * 3600
    [cart, _] = ProgressTracker().vehicles(storage, config, record, far_later)
    assert cart.next_stop is not None
    # About 290 m × 1.3 at 6 km/h: some 3.8 minutes from now.
    assert 3 * 60 < cart.eta_s - far_later < 5 * 60  # type: ignore[operator]
