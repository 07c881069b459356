"""The problem as an OR-Tools routing model, solved under a time budget.

Scaled integers: milliseconds, grams, cubic centimetres, milliwatt-hours and
milli-units of cost. Travel times are rounded up, so a plan feasible for the
solver stays feasible when recomputed in double precision.

Load: with pickups and unpaired deliveries on one route, the vehicle leaves with
every unpaired delivery on board. The load dimension starts at a free value tied
to the total of those deliveries (a second, counting dimension), so pickups can
never be mistaken for goods to deliver. Without pickups this reduces to the
usual accumulating demand, which is the form the solver handles best.

Drone energy depends on the payload of each leg, which the routing library's
dimensions cannot express. The model uses a lower bound on each leg's payload
(a delivery's goods are on board before it, a pickup's after it); the plan's
exact energy is recomputed afterwards and the caller tightens the drone's budget
(`energy_scale`) when the estimate fell short.
"""

from __future__ import annotations

import math
from typing import Any

from planner.layout import Layout
from planner.problem import Problem, StopKind, Vehicle, VehicleKind
from planner.search import RawSolution, SearchRequest
from planner.validate import Eligibility

MS = 1000  # solver time units per second
FORBIDDEN = 10**12  # a leg that cannot be made: above any horizon or battery
UNLIMITED = 2**53  # a capacity the file leaves open (volume, by default)
STRATEGIES = {
    "parallel-insertion+gls": ("PARALLEL_CHEAPEST_INSERTION", "GUIDED_LOCAL_SEARCH"),
    "local-insertion+gls": ("LOCAL_CHEAPEST_INSERTION", "GUIDED_LOCAL_SEARCH"),
    "savings+gls": ("SAVINGS", "GUIDED_LOCAL_SEARCH"),
    "defaults": ("PATH_CHEAPEST_ARC", "GUIDED_LOCAL_SEARCH"),
}


def _scaled(value: float, scale: float) -> int:
    return FORBIDDEN if math.isinf(value) else math.ceil(value * scale - 1e-9)


class OrToolsModel:
    def __init__(
        self, problem: Problem, layout: Layout, eligibility: Eligibility, request: SearchRequest
    ) -> None:
        from ortools.constraint_solver import pywrapcp

        self.problem = problem
        self.request = request
        self.stops = [s for s in problem.stops if s.id not in request.skip]
        used_sites = sorted({v.start for v in problem.vehicles} | {v.end for v in problem.vehicles})
        self.node_place = [layout.stop_index[s.id] for s in self.stops] + [
            layout.site_index[s] for s in used_sites
        ]
        site_node = {s: len(self.stops) + i for i, s in enumerate(used_sites)}
        self.manager = pywrapcp.RoutingIndexManager(
            len(self.node_place),
            len(problem.vehicles),
            [site_node[v.start] for v in problem.vehicles],
            [site_node[v.end] for v in problem.vehicles],
        )
        self.routing = pywrapcp.RoutingModel(self.manager)
        self.layout = layout
        self.stop_node = {s.id: i for i, s in enumerate(self.stops)}
        self._horizon = self._horizon_ms()
        self._costs_and_time()
        self._loads()
        self._energy()
        self._pairs()
        self._allowed(eligibility)
        self._disjunctions()
        self._commitments()

    # -- arcs ---------------------------------------------------------------
    def _distance(self, vehicle: Vehicle) -> list[list[float]]:
        rows = self.layout.matrix(vehicle.kind).distance_m
        return [[rows[a][b] for b in self.node_place] for a in self.node_place]

    def _service(self) -> list[float]:
        return [s.service_s for s in self.stops] + [0.0] * (len(self.node_place) - len(self.stops))

    def _costs_and_time(self) -> None:
        routing = self.routing
        service = self._service()
        time_cb: dict[tuple[VehicleKind, float], int] = {}
        cost_cb: dict[tuple[VehicleKind, float], int] = {}
        self.max_arc_cost = 1
        evaluators = []
        for v, vehicle in enumerate(self.problem.vehicles):
            dist = self._distance(vehicle)
            key = (vehicle.kind, vehicle.speed_mps)
            if key not in time_cb:
                time_cb[key] = routing.RegisterTransitMatrix(
                    [
                        [_scaled(d / vehicle.speed_mps, MS) + _scaled(service[i], MS) for d in row]
                        for i, row in enumerate(dist)
                    ]
                )
            ckey = (vehicle.kind, vehicle.cost_per_km)
            if ckey not in cost_cb:
                # Cost in milli-units: cost_per_km * km * 1000 = cost_per_km * metres.
                matrix = [[_cost(d * vehicle.cost_per_km) for d in row] for row in dist]
                self.max_arc_cost = max(
                    self.max_arc_cost, max(c for row in matrix for c in row if c < FORBIDDEN)
                )
                cost_cb[ckey] = routing.RegisterTransitMatrix(matrix)
            routing.SetArcCostEvaluatorOfVehicle(cost_cb[ckey], v)
            routing.SetFixedCostOfVehicle(_cost(vehicle.fixed_cost * 1000), v)
            evaluators.append(time_cb[key])
        routing.AddDimensionWithVehicleTransits(
            evaluators, self._horizon, self._horizon, False, "time"
        )
        self.time = routing.GetDimensionOrDie("time")
        for stop in self.stops:
            cumul = self.time.CumulVar(self.manager.NodeToIndex(self.stop_node[stop.id]))
            if not stop.windows:
                continue
            windows = sorted((_ms(w.start_s), _ms(w.end_s, up=False)) for w in stop.windows)
            cumul.SetRange(windows[0][0], max(e for _, e in windows))
            reach = windows[0][1]
            for start, end in windows[1:]:
                if start > reach + 1:
                    cumul.RemoveInterval(reach + 1, start - 1)
                reach = max(reach, end)
        for v, vehicle in enumerate(self.problem.vehicles):
            lo, hi = _ms(vehicle.shift.start_s), _ms(vehicle.shift.end_s, up=False)
            self.time.CumulVar(routing.Start(v)).SetRange(lo, hi)
            self.time.CumulVar(routing.End(v)).SetRange(lo, hi)
            routing.AddVariableMinimizedByFinalizer(self.time.CumulVar(routing.End(v)))

    def _horizon_ms(self) -> int:
        ends = [v.shift.end_s for v in self.problem.vehicles]
        return _ms(max(ends)) + 1

    # -- loads --------------------------------------------------------------
    def _loads(self) -> None:
        paired = {s for p in self.problem.pairs for s in (p.pickup, p.delivery)}
        has_pickups = any(s.kind is StopKind.PICKUP for s in self.stops)
        carried = any(v.initial_load.kg or v.initial_load.m3 for v in self.problem.vehicles)
        for unit, scale in (("kg", 1000.0), ("m3", 1_000_000.0)):
            amounts = [getattr(s.demand, unit) for s in self.stops]
            initial = [_units(getattr(v.initial_load, unit), scale) for v in self.problem.vehicles]
            if not any(amounts) and not any(initial):
                continue
            caps = [_cap(getattr(v.payload_limit(), unit), scale) for v in self.problem.vehicles]
            extra = len(self.node_place) - len(self.stops)
            if not has_pickups and not carried:
                demand = [_units(a, scale) for a in amounts] + [0] * extra
                cb = self.routing.RegisterUnaryTransitVector(demand)
                self.routing.AddDimensionWithVehicleCapacity(cb, 0, caps, True, f"load_{unit}")
                continue
            signed = [
                _units(a, scale) * (1 if s.kind is StopKind.PICKUP else -1)
                for a, s in zip(amounts, self.stops, strict=True)
            ] + [0] * extra
            depot_goods = [
                _units(a, scale) if s.kind is StopKind.DELIVERY and s.id not in paired else 0
                for a, s in zip(amounts, self.stops, strict=True)
            ] + [0] * extra
            load_cb = self.routing.RegisterUnaryTransitVector(signed)
            self.routing.AddDimensionWithVehicleCapacity(load_cb, 0, caps, False, f"load_{unit}")
            count_cb = self.routing.RegisterUnaryTransitVector(depot_goods)
            total = sum(depot_goods) + max(initial, default=0)
            self.routing.AddDimensionWithVehicleCapacity(
                count_cb, 0, [total] * len(caps), True, f"loaded_{unit}"
            )
            load = self.routing.GetDimensionOrDie(f"load_{unit}")
            loaded = self.routing.GetDimensionOrDie(f"loaded_{unit}")
            solver = self.routing.solver()
            for v in range(len(caps)):
                solver.Add(
                    load.CumulVar(self.routing.Start(v))
                    == loaded.CumulVar(self.routing.End(v)) + initial[v]
                )

    # -- drone energy -------------------------------------------------------
    def _energy(self) -> None:
        drones = [v for v in self.problem.vehicles if v.drone is not None]
        if not drones:
            return
        # Every delivery's goods are aboard before it, paired or not; a pickup's after it.
        extra = len(self.node_place) - len(self.stops)
        on_arrival = [s.demand.kg if s.kind is StopKind.DELIVERY else 0.0 for s in self.stops]
        on_leaving = [s.demand.kg if s.kind is StopKind.PICKUP else 0.0 for s in self.stops]
        on_arrival += [0.0] * extra
        on_leaving += [0.0] * extra
        zero = self.routing.RegisterUnaryTransitVector([0] * len(self.node_place))
        evaluators, caps = [], []
        for vehicle in self.problem.vehicles:
            drone = vehicle.drone
            if drone is None:
                evaluators.append(zero)
                caps.append(0)
                continue
            scale = self.request.energy_scale.get(vehicle.id, 1.0) * 1000.0
            dist = self._distance(vehicle)
            matrix = [
                [
                    _scaled(
                        drone.energy.leg_wh(d, on_leaving[i] + on_arrival[j], vehicle.speed_mps)
                        if not math.isinf(d)
                        else d,
                        scale,
                    )
                    for j, d in enumerate(row)
                ]
                for i, row in enumerate(dist)
            ]
            evaluators.append(self.routing.RegisterTransitMatrix(matrix))
            usable = vehicle.start_battery_wh() - drone.battery_wh * drone.reserve_fraction
            caps.append(max(0, math.floor(usable * 1000.0)))
        self.routing.AddDimensionWithVehicleTransitAndCapacity(evaluators, 0, caps, True, "energy")

    # -- structure ----------------------------------------------------------
    def _index(self, stop_id: str) -> int:
        return int(self.manager.NodeToIndex(self.stop_node[stop_id]))

    def _pairs(self) -> None:
        solver = self.routing.solver()
        for pair in self.problem.pairs:
            if pair.pickup not in self.stop_node or pair.delivery not in self.stop_node:
                continue
            p, d = self._index(pair.pickup), self._index(pair.delivery)
            self.routing.AddPickupAndDelivery(p, d)
            solver.Add(self.routing.VehicleVar(p) == self.routing.VehicleVar(d))
            solver.Add(self.time.CumulVar(p) <= self.time.CumulVar(d))

    def _allowed(self, eligibility: Eligibility) -> None:
        position = {v.id: i for i, v in enumerate(self.problem.vehicles)}
        for stop in self.stops:
            allowed = {position[v] for v in eligibility.vehicles.get(stop.id, ())}
            barred = [v for v in range(len(position)) if v not in allowed]
            if barred:
                # SetAllowedVehiclesForIndex is unusable from Python in OR-Tools 9.15 (its
                # Span argument accepts no Python type); removing values is equivalent.
                self.routing.VehicleVar(self._index(stop.id)).RemoveValues(barred)

    def _disjunctions(self) -> None:
        # A required stop may still be dropped at a cost above any plan's, so the
        # solver always returns its best partial plan instead of nothing.
        fixed = sum(_cost(v.fixed_cost * 1000) for v in self.problem.vehicles)
        required = min(10 * (fixed + (len(self.node_place) + 1) * self.max_arc_cost) + 1, 10**13)
        partner_of_delivery = {p.delivery: p.pickup for p in self.problem.pairs}
        pickup_extra = {p.pickup: self.problem.stop(p.delivery).penalty for p in self.problem.pairs}
        for stop in self.stops:
            if stop.id in partner_of_delivery and partner_of_delivery[stop.id] in self.stop_node:
                penalty = 0  # its pickup carries the pair's penalty
            elif stop.required:
                penalty = required
            else:
                penalty = _cost((stop.penalty + pickup_extra.get(stop.id, 0.0)) * 1000)
            self.routing.AddDisjunction([self._index(stop.id)], penalty)

    def _commitments(self) -> None:
        solver = self.routing.solver()
        position = {v.id: i for i, v in enumerate(self.problem.vehicles)}
        for vehicle_id, stops in self.request.commitments.items():
            previous = self.routing.Start(position[vehicle_id])
            for stop_id in stops:
                index = self._index(stop_id)
                solver.Add(self.routing.NextVar(previous) == index)
                previous = index

    # -- search -------------------------------------------------------------
    def solve(self, strategy: str, budget_s: float) -> RawSolution | None:
        from ortools.constraint_solver import pywrapcp, routing_enums_pb2

        first, meta = STRATEGIES[strategy]
        params = pywrapcp.DefaultRoutingSearchParameters()
        params.first_solution_strategy = getattr(routing_enums_pb2.FirstSolutionStrategy, first)
        params.local_search_metaheuristic = getattr(
            routing_enums_pb2.LocalSearchMetaheuristic, meta
        )
        params.time_limit.FromMilliseconds(max(1, int(budget_s * 1000)))
        if self.request.max_iterations is not None:
            params.solution_limit = self.request.max_iterations
        hint = self._hint()
        if hint is not None:
            solution = self.routing.SolveFromAssignmentWithParameters(hint, params)
        else:
            solution = self.routing.SolveWithParameters(params)
        if solution is None:
            return None
        return RawSolution(self._routes(solution), f"ortools:{strategy}")

    def _hint(self) -> Any:
        hint = self.request.hint
        if not hint:
            return None
        routes = [
            [self._index(s) for s in hint.get(v.id, ()) if s in self.stop_node]
            for v in self.problem.vehicles
        ]
        return self.routing.ReadAssignmentFromRoutes(routes, True)

    def _routes(self, solution: Any) -> dict[str, tuple[str, ...]]:
        routes: dict[str, tuple[str, ...]] = {}
        for v, vehicle in enumerate(self.problem.vehicles):
            index = self.routing.Start(v)
            stops: list[str] = []
            index = solution.Value(self.routing.NextVar(index))
            while not self.routing.IsEnd(index):
                stops.append(self.stops[self.manager.IndexToNode(index)].id)
                index = solution.Value(self.routing.NextVar(index))
            if stops:
                routes[vehicle.id] = tuple(stops)
        return routes


def _ms(seconds: float, up: bool = True) -> int:
    value = seconds * MS
    return math.ceil(value - 1e-9) if up else math.floor(value + 1e-9)


def _units(amount: float, scale: float) -> int:
    return math.ceil(amount * scale - 1e-9)


def _cap(amount: float, scale: float) -> int:
    return UNLIMITED if math.isinf(amount) else math.floor(amount * scale + 1e-9)


def _cost(value: float) -> int:
    return FORBIDDEN if math.isinf(value) else round(value)


def solve_with_ortools(
    problem: Problem,
    layout: Layout,
    eligibility: Eligibility,
    request: SearchRequest,
    strategy: str,
) -> RawSolution | None:
    """Build and solve; the budget covers the search, not the model building."""
    return OrToolsModel(problem, layout, eligibility, request).solve(strategy, request.budget_s)
