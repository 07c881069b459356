"""The control API's routes: inspect the world, inject faults, irrigate, dispatch, set the pace.

    GET    /state                  weather, fields, vehicles, harvests now
    GET    /endpoints              where every bus listens
    GET    /fields/<id>            a field's season day by day, the harvest it is heading for
    GET    /faults                 scheduled and active faults
    POST   /faults                 {"kind", "target", "duration_s"?, "after_s"? | "at"?, params...}
    DELETE /faults/<id>            end a fault now
    POST   /irrigate               {"field", "mm"}
    POST   /vehicles/<id>/mission  a mission (the JSON of docs/simulator.md)
    GET    /vehicles/<id>/events   the vehicle's recent progress events
    POST   /clock                  {"speed"}: change the pace of simulated time

A fault added without ``at`` or ``after_s`` starts now. Every error is a 4xx
with ``{"error": "..."}`` naming the key at fault.
"""

from __future__ import annotations

import json
import math
from typing import TYPE_CHECKING, Any

from sim.clock import ScaledClock
from sim.scenario_load import fault_from_mapping

if TYPE_CHECKING:
    from sim.runtime import Simulation

Response = tuple[int, Any]


class ControlApi:
    def __init__(self, simulation: Simulation) -> None:
        self.sim = simulation

    async def handle(self, method: str, path: str, body: bytes) -> Response:
        parts = [p for p in path.split("/") if p]
        route = (method, *parts)
        if route == ("GET", "state"):
            self.sim.sync()
            return 200, self.sim.world.state()
        if route == ("GET", "endpoints"):
            return 200, self.sim.endpoints()
        if route == ("GET", "faults"):
            now = self.sim.clock.now()
            return 200, [f.to_json(now) for f in self.sim.board.faults.values()]
        if route == ("POST", "faults"):
            return await self._add_fault(body)
        if len(parts) == 2 and method == "DELETE" and parts[0] == "faults":
            return await self._end_fault(parts[1])
        if len(parts) == 2 and parts[0] == "fields":
            if method != "GET":
                return 405, {"error": f"{method} is not allowed on fields"}
            if parts[1] not in self.sim.world.fields:
                return 404, {"error": f"no field {parts[1]!r}"}
            self.sim.sync()
            return 200, self.sim.world.field_report(parts[1])
        if route == ("POST", "irrigate"):
            return self._irrigate(body)
        if len(parts) == 3 and parts[0] == "vehicles" and parts[2] in ("mission", "events"):
            return self._vehicle(method, parts[1], parts[2], body)
        if route == ("POST", "clock"):
            return self._clock(body)
        known = {"state", "endpoints", "faults", "fields", "irrigate", "vehicles", "clock"}
        if parts and parts[0] in known:
            return 405, {"error": f"{method} is not allowed on /{'/'.join(parts)}"}
        return 404, {"error": f"no such resource: {path}"}

    async def _add_fault(self, body: bytes) -> Response:
        item = _json_object(body)
        if isinstance(item, str):
            return 400, {"error": item}
        problems: list[str] = []

        def problem(key: str | None, message: str) -> None:
            problems.append(f"{key}: {message}" if key else message)

        scenario = self.sim.scenario
        now = self.sim.clock.now()
        fault = fault_from_mapping(
            item,
            scenario.devices,
            scenario.buses,
            scenario.vehicles,
            scenario.clock.start,
            problem,
            now_s=now - self.sim.world.start_ts,
        )
        if fault is None:
            return 400, {"error": "; ".join(problems)}
        scheduled = self.sim.board.add(fault, "api")
        await self.sim.tick()
        return 201, scheduled.to_json(self.sim.clock.now())

    async def _end_fault(self, text: str) -> Response:
        try:
            fault_id = int(text)
        except ValueError:
            return 400, {"error": f"fault id: expected an integer, found {text!r}"}
        try:
            ended = self.sim.board.end(fault_id, self.sim.clock.now())
        except KeyError:
            return 404, {"error": f"no fault {fault_id}"}
        await self.sim.tick()
        return 200, ended.to_json(self.sim.clock.now())

    def _irrigate(self, body: bytes) -> Response:
        item = _json_object(body)
        if isinstance(item, str):
            return 400, {"error": item}
        field, mm = item.get("field"), item.get("mm")
        if field not in self.sim.world.fields:
            known = ", ".join(self.sim.world.fields) or "none"
            return 400, {"error": f"field: no field {field!r}; fields are: {known}"}
        if isinstance(mm, bool) or not isinstance(mm, int | float) or not 0 < mm <= 500:
            return 400, {"error": f"mm: expected a number from 0 (excluded) to 500, found {mm!r}"}
        day = self.sim.world.irrigate(str(field), float(mm), self.sim.synced_now())
        return 200, {"field": field, "mm": mm, "day": day.isoformat()}

    def _vehicle(self, method: str, vehicle_id: str, leaf: str, body: bytes) -> Response:
        if vehicle_id not in self.sim.world.vehicles:
            return 404, {"error": f"no vehicle {vehicle_id!r}"}
        if leaf == "events":
            if method != "GET":
                return 405, {"error": f"{method} is not allowed on events"}
            return 200, [e.to_json() for e in self.sim.events[vehicle_id]]
        if method != "POST":
            return 405, {"error": f"{method} is not allowed on mission"}
        mission_id, error = self.sim.handle_mission(vehicle_id, body)
        if error is not None:
            return 400, {"mission_id": mission_id, "accepted": False, "error": error}
        return 200, {"mission_id": mission_id, "accepted": True, "error": None}

    def _clock(self, body: bytes) -> Response:
        item = _json_object(body)
        if isinstance(item, str):
            return 400, {"error": item}
        speed = item.get("speed")
        if (
            isinstance(speed, bool)
            or not isinstance(speed, int | float)
            or not math.isfinite(speed)
            or speed <= 0
        ):
            return 400, {"error": f"speed: expected a number > 0, found {speed!r}"}
        if not isinstance(self.sim.clock, ScaledClock):
            return 409, {"error": "this simulation's clock is advanced by hand"}
        self.sim.sync()
        self.sim.clock.set_speed(float(speed))
        return 200, {"speed": self.sim.clock.speed}


def _json_object(body: bytes) -> dict[str, Any] | str:
    try:
        value = json.loads(body or b"{}")
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        return f"body is not JSON: {exc}"
    if not isinstance(value, dict):
        return f"body: expected a JSON object, found {type(value).__name__}"
    return value
