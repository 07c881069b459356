"""A drone or a cart: it takes a mission, moves along it, carries goods, drains its battery.

Motion is integrated in simulated time by :meth:`Vehicle.advance`, piece by
piece (a segment, a service stop), so a vehicle ends a leg exactly at its
stop whatever the step; a cart moves at its speed (capped by the gateway's
``target_speed``), a drone climbs, cruises and descends. Power comes from
``sim.energy``; a vehicle at its depot with nothing to do charges. Faults
(``vehicle_stop``, ``gps_lost``, ``low_battery``) and the cart controller's
e-stop hold it. Everything that happens is queued as a progress event for
MQTT and the serial link.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from sim.battery import LFP, NMC, Pack
from sim.energy import CartEnergy, DroneEnergy
from sim.geo import Point, along, bearing_deg, distance_m
from sim.mission import Action, Mission, MissionError
from sim.roads import RoadError, RoadGraph
from sim.scenario import VehicleScenario, VehicleType
from sim.vehicle_routes import (
    DRONE_CLIMB_MS,
    DRONE_DESCENT_MS,
    Motion,
    Segment,
    cart_leg,
    cart_path,
    drone_leg,
)

RESERVE_SOC = 0.05
"""Below this the vehicle stops (a cart where it is; a drone lands where it is)."""
DOCK_RADIUS_M = 15.0
CHARGED_SOC = 0.999
"""A charger stops here (the taper would approach 100 % for ever)."""
CHARGER_W = {VehicleType.CART: 400.0, VehicleType.DRONE: 300.0}
CART_CELLS, DRONE_CELLS = 16, 6


class State(StrEnum):
    IDLE = "idle"
    CHARGING = "charging"
    MOVING = "moving"
    SERVICING = "servicing"
    EMPTY = "battery_empty"


@dataclass(frozen=True, slots=True)
class ProgressEvent:
    ts: float
    vehicle: str
    mission_id: str | None
    event: str
    """accepted, departed, arrived, serviced, completed, stopped, resumed, failed, aborted."""
    stop_index: int | None
    stop_id: str | None
    lat: float
    lon: float
    soc: float
    payload_kg: float
    detail: str = ""

    def to_json(self) -> dict[str, object]:
        return {
            "ts": round(self.ts, 3),
            "vehicle": self.vehicle,
            "mission_id": self.mission_id,
            "event": self.event,
            "stop_index": self.stop_index,
            "stop_id": self.stop_id,
            "lat": round(self.lat, 7),
            "lon": round(self.lon, 7),
            "soc": round(self.soc, 4),
            "payload_kg": round(self.payload_kg, 3),
            "detail": self.detail,
        }


class Vehicle:
    def __init__(
        self,
        spec: VehicleScenario,
        depot: Point,
        *,
        seed: int,
        roads: RoadGraph | None = None,
        ambient_c: Callable[[float], float] = lambda ts: 20.0,
    ) -> None:
        self.spec = spec
        self.id = spec.id
        self.depot = depot
        self.roads = roads
        self._ambient = ambient_c
        self.is_drone = spec.type is VehicleType.DRONE
        cells, chemistry = (DRONE_CELLS, NMC) if self.is_drone else (CART_CELLS, LFP)
        self.pack = Pack.build(chemistry, cells, spec.battery_wh, spec.soc, seed, spec.id)
        self.drone_energy = DroneEnergy(
            spec.frame_kg, spec.battery_kg, spec.rotors, spec.rotor_diameter_m, spec.efficiency
        )
        self.cart_energy = CartEnergy(
            spec.empty_mass_kg,
            spec.rolling_resistance,
            spec.drivetrain_efficiency,
            spec.aux_power_w,
        )
        self.cruise_ms = spec.speed_kmh / 3.6
        self.position = depot
        self.altitude_m = 0.0
        self.course_deg = 0.0
        self.speed_ms = 0.0
        self.payload_kg = 0.0
        self.odometer_m = 0.0
        self.energy_used_wh = 0.0
        self.state = State.IDLE
        self.mission: Mission | None = None
        self.stop_index = 0
        self._segments: list[Segment] = []
        self._fraction = 0.0
        self._service_left_s = 0.0
        self._returning = False
        self.faults: set[str] = set()
        """Active vehicle faults: vehicle_stop, gps_lost."""
        self.holds: set[str] = set()
        """Why the cart controller keeps a cart still: estop, await_speed, watchdog."""
        self.speed_limit_ms: float | None = None
        self.events: list[ProgressEvent] = []
        self._blocked = False
        self._landing = False
        self.now = 0.0

    # ---- state seen by devices ----

    @property
    def docked(self) -> bool:
        return (
            self.state in (State.IDLE, State.CHARGING)
            and self.altitude_m == 0.0
            and distance_m(self.position, self.depot) <= DOCK_RADIUS_M
        )

    @property
    def blocked(self) -> bool:
        if self.faults & {"vehicle_stop"}:
            return True
        if not self.is_drone and "gps_lost" in self.faults:
            return True  # the cart's localisation fault stops it (docs/devices.md)
        return bool(self.holds)

    @property
    def on_mission(self) -> bool:
        return self.state in (State.MOVING, State.SERVICING)

    # ---- missions ----

    def assign(self, mission: Mission, ts: float) -> None:
        """Take ``mission`` (replacing any in progress); MissionError if it cannot be flown."""
        if mission.vehicle is not None and mission.vehicle != self.id:
            raise MissionError(f"vehicle: mission is for {mission.vehicle}, this is {self.id}")
        if self.state is State.EMPTY:
            raise MissionError("the battery is empty")
        load = self.payload_kg
        for i, stop in enumerate(mission.stops):
            if stop.action is Action.LOAD:
                load += stop.kg
                if load > self.spec.payload_kg + 1e-9:
                    raise MissionError(
                        f"stops[{i}]: load would reach {load:g} kg; "
                        f"payload_kg is {self.spec.payload_kg:g}"
                    )
            elif stop.action is Action.UNLOAD:
                if stop.kg > load + 1e-9:
                    raise MissionError(f"stops[{i}]: unloads {stop.kg:g} kg; {load:g} kg aboard")
                load -= stop.kg
        if not self.is_drone:
            # Route every leg now, so a stop off the road network refuses the mission.
            here = self.position
            for i, stop in enumerate(mission.stops):
                try:
                    cart_path(here, stop.location, stop.waypoints, self.roads)
                except RoadError as exc:
                    raise MissionError(f"stops[{i}]: {exc}") from None
                here = stop.location
            if mission.return_to_depot:
                try:
                    cart_path(here, self.depot, (), self.roads)
                except RoadError as exc:
                    raise MissionError(f"return to depot: {exc}") from None
        if self.on_mission and self.mission is not None:
            self._event(ts, "aborted", detail=f"replaced by {mission.mission_id}")
        self.mission = mission
        self.stop_index = 0
        self._returning = False
        self._event(ts, "accepted", detail=f"{len(mission.stops)} stops")
        self._start_leg(ts)

    def _start_leg(self, ts: float) -> None:
        assert self.mission is not None
        if self.stop_index < len(self.mission.stops):
            stop = self.mission.stops[self.stop_index]
            target, waypoints = stop.location, stop.waypoints
        else:
            self._returning = True
            target, waypoints = self.depot, ()
        if self.altitude_m == 0.0 and distance_m(self.position, target) < 0.5:
            self._segments = []  # already there: served without moving
        elif self.is_drone:
            self._segments = drone_leg(
                self.position, target, waypoints, self.spec.cruise_altitude_m, self.altitude_m
            )
        else:
            self._segments = cart_leg(cart_path(self.position, target, waypoints, self.roads))
        self._fraction = 0.0
        self.state = State.MOVING
        self._event(ts, "departed")
        if not self._segments:
            self._arrive(ts)

    def _arrive(self, ts: float) -> None:
        self.speed_ms = 0.0
        assert self.mission is not None
        if self._returning:
            self._event(ts, "completed")
            self.mission = None
            self._returning = False
            self.state = State.IDLE
            return
        self._event(ts, "arrived")
        self._service_left_s = self.mission.stops[self.stop_index].service_s
        self.state = State.SERVICING

    def _serviced(self, ts: float) -> None:
        assert self.mission is not None
        stop = self.mission.stops[self.stop_index]
        if stop.action is Action.LOAD:
            self.payload_kg += stop.kg
        elif stop.action is Action.UNLOAD:
            self.payload_kg = max(0.0, self.payload_kg - stop.kg)
        self._event(ts, "serviced", detail=f"{stop.action.value} {stop.kg:g} kg")
        self.stop_index += 1
        if self.stop_index >= len(self.mission.stops) and not self.mission.return_to_depot:
            self._event(ts, "completed")
            self.mission = None
            self.state = State.IDLE
            return
        self._start_leg(ts)

    # ---- faults ----

    def set_soc(self, soc: float, ts: float) -> None:
        self.pack.set_soc(soc)
        self._check_battery(ts)

    # ---- time ----

    def advance_to(self, ts: float) -> None:
        """Move this vehicle to simulated time ``ts``; vehicles move independently, so a
        device on one vehicle brings only that vehicle up to date."""
        if ts > self.now:
            self.advance(self.now, ts - self.now)

    def advance(self, ts: float, dt: float) -> None:
        """Move simulated time from ``ts`` to ``ts + dt``."""
        if dt < 0:
            raise ValueError(f"time only moves forwards, asked for {dt} s")
        done = 0.0
        transitions = 0
        while dt - done > 1e-9:
            # Phases never cross the hour: the air temperature the battery sees is the
            # hour's, so the result does not depend on how time is stepped.
            hour_end = (math.floor((ts + done) / 3600.0) + 1) * 3600.0
            budget = min(dt - done, hour_end - (ts + done))
            used = self._phase(ts + done, budget)
            done += used
            # A phase may take no time (a zero-length stop); a run of them is a bug.
            transitions = transitions + 1 if used <= 0 else 0
            if transitions > 10_000:
                raise RuntimeError(f"vehicle {self.id}: no progress in {transitions} phases")
        self.now = ts + dt

    def _phase(self, ts: float, budget: float) -> float:
        """Run one phase (a segment, a stop, a rest) for at most ``budget`` s; time used."""
        ambient = self._ambient(ts)
        self._track_block(ts)
        if self.state is State.IDLE:
            self.speed_ms = 0.0
            if self.docked and self.pack.soc < CHARGED_SOC:
                self.state = State.CHARGING
            else:
                self.pack.draw(0.0, budget, ambient)
                return budget
        if self.state is State.CHARGING:
            power = CHARGER_W[self.spec.type]
            used = min(budget, self.pack.seconds_to_charge(power, CHARGED_SOC))
            self.pack.charge(power, used, ambient)
            if used < budget or self.pack.soc >= CHARGED_SOC - 1e-12:
                self.pack.set_soc(max(self.pack.soc, CHARGED_SOC))
                self.state = State.IDLE
            return used
        if self.state is State.EMPTY:
            self.speed_ms = 0.0
            self.pack.draw(0.0, budget, ambient)
            return budget
        if self.state is State.SERVICING:
            used = min(budget, self._service_left_s)
            self._draw(0.0, used, ambient)
            self._service_left_s -= used
            if self._service_left_s <= 1e-9:
                self._serviced(ts + used)
            return used
        return self._move(ts, budget, ambient)

    def _move(self, ts: float, budget: float, ambient: float) -> float:
        if self.blocked:
            self.speed_ms = 0.0
            if self.is_drone and self.altitude_m > 0 and not self._landing:
                # An emergency landing where it is; the leg is flown again from here later.
                self._segments = [
                    Segment(self.position, self.position, self.altitude_m, 0.0, Motion.DESCEND)
                ]
                self._fraction = 0.0
                self._landing = True
            elif not self.is_drone or self.altitude_m == 0.0:
                self._draw(0.0, budget, ambient)
                return budget
        segment = self._segments[0]
        speed = self._speed(segment)
        remaining = segment.length_m * (1.0 - self._fraction)
        needed = remaining / speed if speed > 0 else budget
        used = min(budget, needed)
        fraction = self._fraction + (
            used * speed / segment.length_m if segment.length_m > 0 else 1.0
        )
        self._fraction = min(1.0, fraction)
        previous = self.position
        self.position = along(segment.a, segment.b, self._fraction)
        self.altitude_m = segment.alt_a + (segment.alt_b - segment.alt_a) * self._fraction
        self.odometer_m += distance_m(previous, self.position)
        if segment.motion in (Motion.GROUND, Motion.CRUISE) and segment.horizontal_m > 0:
            self.course_deg = bearing_deg(segment.a, segment.b)
            self.speed_ms = speed
        else:
            self.speed_ms = 0.0
        self._draw(speed, used, ambient)
        if self._check_battery(ts + used):
            return used
        if self._fraction >= 1.0 - 1e-12:
            self._segments.pop(0)
            self._fraction = 0.0
            if not self._segments:
                if self._landing:
                    # Down after a fault: the leg is flown again from here once it clears.
                    self._landing = False
                    if not self.blocked:
                        self._start_leg(ts + used)
                else:
                    self._arrive(ts + used)
        return used

    def _speed(self, segment: Segment) -> float:
        if segment.motion is Motion.CLIMB:
            return DRONE_CLIMB_MS
        if segment.motion is Motion.DESCEND:
            return DRONE_DESCENT_MS
        speed = self.cruise_ms
        if self.speed_limit_ms is not None and self.speed_limit_ms > 0:
            speed = min(speed, self.speed_limit_ms)
        return speed

    def _draw(self, speed: float, seconds: float, ambient: float) -> None:
        if seconds <= 0:
            return
        if self.is_drone:
            power = (
                self.drone_energy.power_w(self.payload_kg)
                if self.altitude_m > 0 or speed > 0
                else 0.0
            )
        else:
            power = self.cart_energy.power_w(self.payload_kg, speed)
        self.energy_used_wh += power * seconds / 3600.0
        self.pack.draw(power, seconds, ambient)

    def _check_battery(self, ts: float) -> bool:
        if self.pack.soc > RESERVE_SOC or self.state is State.EMPTY:
            return False
        if self.state in (State.IDLE, State.CHARGING) and self.docked:
            return False
        self.state = State.EMPTY
        self.speed_ms = 0.0
        if self.is_drone:
            self.altitude_m = 0.0  # an emergency landing; its descent is not simulated
        self._segments = []
        self._event(ts, "failed", detail=f"battery at {self.pack.soc:.0%}")
        return True

    def _track_block(self, ts: float) -> None:
        blocked = self.blocked
        if blocked == self._blocked:
            return
        self._blocked = blocked
        if blocked:
            reasons = sorted(self.faults | self.holds)
            self._event(ts, "stopped", detail=", ".join(reasons))
            return
        self._event(ts, "resumed")
        if (
            self.state is State.MOVING
            and self.is_drone
            and not self._segments
            and not self._landing
        ):
            self._start_leg(ts)

    def _event(self, ts: float, event: str, detail: str = "") -> None:
        mission = self.mission
        stop = None
        if mission is not None and self.stop_index < len(mission.stops) and not self._returning:
            stop = mission.stops[self.stop_index]
        self.events.append(
            ProgressEvent(
                ts,
                self.id,
                mission.mission_id if mission else None,
                event,
                self.stop_index if stop else None,
                stop.id if stop else ("depot" if self._returning else None),
                self.position.lat,
                self.position.lon,
                self.pack.soc,
                self.payload_kg,
                detail,
            )
        )
