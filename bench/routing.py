"""Routing benchmark: Kakashi's planner against plain OR-Tools on Solomon VRPTW instances.

    bench/routing.py [--budget S ...] [--workers N] [INSTANCE ...]

Defaults: the six instances in bench/data at 5 s and 30 s. For each instance and
budget it prints distance (recomputed in double precision from the routes),
vehicles, gap to the best-known distance (bench/data/bks.csv, fleet size free),
and feasibility as judged by the planner's independent checker; then the same
for plain OR-Tools defaults (PATH_CHEAPEST_ARC + GUIDED_LOCAL_SEARCH, every
customer mandatory, registered matrices) on the same budget. The last line is
one JSON object for the smallest budget.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import os
import resource
import sys
from dataclasses import dataclass
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from planner.problem import Problem  # noqa: E402
from planner.solomon import read_solomon  # noqa: E402
from planner.solve import solve  # noqa: E402

DATA = ROOT / "bench" / "data"
DEFAULT_INSTANCES = ["C101", "C201", "R101", "R201", "RC101", "RC201"]


@dataclass(frozen=True)
class Outcome:
    distance: float | None  # None: no solution
    vehicles: int
    feasible: bool
    solver: str


def best_known() -> dict[str, float]:
    with (DATA / "bks.csv").open() as f:
        return {row["instance"]: float(row["distance_bks"]) for row in csv.DictReader(f)}


def run_kakashi(
    problem: Problem, budget_s: float, workers: int, engines: tuple[str, ...]
) -> Outcome:
    plan = solve(problem, budget_s, workers=workers, engines=engines)
    complete = plan.feasible and not plan.dropped
    return Outcome(plan.distance_m, len(plan.routes), complete, plan.solver)


def run_plain_ortools(problem: Problem, budget_s: float) -> Outcome:
    """OR-Tools as a user would first write it: defaults, all visits mandatory."""
    from ortools.constraint_solver import pywrapcp, routing_enums_pb2

    places = [problem.sites[0].location] + [s.location for s in problem.stops]
    dist = [[math.hypot(a.lon - b.lon, a.lat - b.lat) for b in places] for a in places]
    service = [0.0] + [s.service_s for s in problem.stops]
    n, fleet = len(places), len(problem.vehicles)
    manager = pywrapcp.RoutingIndexManager(n, fleet, 0)
    routing = pywrapcp.RoutingModel(manager)
    cost = routing.RegisterTransitMatrix([[round(d * 1000) for d in row] for row in dist])
    routing.SetArcCostEvaluatorOfAllVehicles(cost)
    travel = routing.RegisterTransitMatrix(
        [
            [math.ceil(d * 1000 - 1e-9) + round(service[i] * 1000) for d in row]
            for i, row in enumerate(dist)
        ]
    )
    horizon = round(problem.vehicles[0].shift.end_s * 1000)
    routing.AddDimension(travel, horizon, horizon, False, "time")
    time_dim = routing.GetDimensionOrDie("time")
    for i, stop in enumerate(problem.stops, start=1):
        w = stop.windows[0]
        time_dim.CumulVar(manager.NodeToIndex(i)).SetRange(
            round(w.start_s * 1000), round(w.end_s * 1000)
        )
    demand = routing.RegisterUnaryTransitVector([0] + [round(s.demand.kg) for s in problem.stops])
    cap = round(problem.vehicles[0].capacity.kg)
    routing.AddDimensionWithVehicleCapacity(demand, 0, [cap] * fleet, True, "load")
    params = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = routing_enums_pb2.FirstSolutionStrategy.PATH_CHEAPEST_ARC
    params.local_search_metaheuristic = (
        routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
    )
    params.time_limit.FromMilliseconds(int(budget_s * 1000))
    solution = routing.SolveWithParameters(params)
    if solution is None:
        return Outcome(None, 0, False, "ortools-defaults")
    total, used = 0.0, 0
    for v in range(fleet):
        index = routing.Start(v)
        nxt = solution.Value(routing.NextVar(index))
        if not routing.IsEnd(nxt):
            used += 1
        while not routing.IsEnd(index):
            nxt = solution.Value(routing.NextVar(index))
            total += dist[manager.IndexToNode(index)][manager.IndexToNode(nxt)]
            index = nxt
    return Outcome(total, used, True, "ortools-defaults")


def _gap(distance: float | None, bks: float) -> float | None:
    return None if distance is None else 100.0 * (distance / bks - 1.0)


def _fmt(x: float | None, spec: str) -> str:
    return "-" if x is None else format(x, spec)


def _mean(values: list[float | None]) -> float | None:
    # A missing solution has no gap; the mean over solved instances would flatter.
    present = [v for v in values if v is not None]
    return None if not values or len(present) < len(values) else sum(present) / len(present)


def _peak_mb(who: int) -> float:
    return resource.getrusage(who).ru_maxrss / 1024  # kB on Linux


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--budget", type=float, action="append", help="seconds (repeatable)")
    parser.add_argument("--workers", type=int, default=2, help="planner worker processes")
    parser.add_argument(
        "instances", nargs="*", help="Solomon files (default: the six in bench/data)"
    )
    args = parser.parse_args(argv)
    budgets = sorted(args.budget or [5.0, 30.0])
    paths = [Path(p) for p in args.instances] or [DATA / f"{n}.txt" for n in DEFAULT_INSTANCES]
    bks = best_known()
    summary: dict[float, dict[str, object]] = {}
    header = (
        f"{'instance':8} {'budget':>6} | {'kakashi':>9} {'veh':>3} {'gap%':>6} {'ok':>3} "
        f"{'winner':24} | {'or-only':>9} {'gap%':>6} | {'pyvrp':>9} {'gap%':>6} | "
        f"{'defaults':>9} {'veh':>3} {'gap%':>6} {'ok':>3}"
    )
    print(header)
    print("-" * len(header))
    for budget in budgets:
        gaps: list[float | None] = []
        base_gaps: list[float | None] = []
        feasible = base_feasible = 0
        for path in paths:
            problem = read_solomon(path)
            name = problem.name or path.stem
            known = bks.get(name)
            ours = run_kakashi(problem, budget, args.workers, ("ortools", "pyvrp"))
            or_only = run_kakashi(problem, budget, args.workers, ("ortools",))
            py_only = run_kakashi(problem, budget, 1, ("pyvrp",))
            base = run_plain_ortools(problem, budget)
            gap = _gap(ours.distance if ours.feasible else None, known) if known else None
            base_gap = _gap(base.distance, known) if known else None
            gaps.append(gap)
            base_gaps.append(base_gap)
            feasible += ours.feasible
            base_feasible += base.feasible
            side = [
                (
                    o.distance if o.feasible else None,
                    _gap(o.distance, known) if o.feasible and known else None,
                )
                for o in (or_only, py_only)
            ]
            print(
                f"{name:8} {budget:6.0f} | {_fmt(ours.distance, '9.2f')} {ours.vehicles:3d} "
                f"{_fmt(gap, '6.2f')} {'yes' if ours.feasible else 'NO':>3} {ours.solver:24} | "
                f"{_fmt(side[0][0], '9.2f')} {_fmt(side[0][1], '6.2f')} | "
                f"{_fmt(side[1][0], '9.2f')} {_fmt(side[1][1], '6.2f')} | "
                f"{_fmt(base.distance, '9.2f')} {base.vehicles:3d} {_fmt(base_gap, '6.2f')} "
                f"{'yes' if base.feasible else 'NO':>3}",
                flush=True,
            )
        summary[budget] = {
            "budget_s": budget,
            "instances": len(paths),
            "feasible": feasible,
            "mean_gap_pct": None if _mean(gaps) is None else round(_mean(gaps) or 0.0, 3),
            "baseline_feasible": base_feasible,
            "baseline_mean_gap_pct": None
            if _mean(base_gaps) is None
            else round(_mean(base_gaps) or 0.0, 3),
        }
        print(f"budget {budget:g} s: {json.dumps(summary[budget])}", flush=True)
    print(
        f"peak RSS: planner process {_peak_mb(resource.RUSAGE_SELF):.0f} MB, "
        f"largest search child {_peak_mb(resource.RUSAGE_CHILDREN):.0f} MB"
    )
    print(json.dumps(summary[budgets[0]]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
