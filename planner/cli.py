"""`kakashi plan PROBLEM.json`: plan from a file, write the plan and its exports."""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Any

from planner.errors import InvalidProblemError
from planner.geojson_export import plan_to_geojson
from planner.plan_json import plan_to_dict
from planner.problem import VehicleKind
from planner.problem_json import load_problem
from planner.qgc_export import route_to_qgc_plan
from planner.runsheet import run_sheet
from planner.solve import solve


def parse_budget(text: str) -> float:
    """ "5s", "500ms", "2m" or plain seconds."""
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*(ms|s|m)?\s*", text)
    if match is None:
        raise argparse.ArgumentTypeError(f"budget {text!r}: expected e.g. 5s, 500ms, 2m")
    value = float(match.group(1))
    unit = match.group(2) or "s"
    seconds = value / 1000 if unit == "ms" else value * 60 if unit == "m" else value
    if seconds <= 0:
        raise argparse.ArgumentTypeError("the budget must be positive")
    return seconds


def add_plan_command(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    cmd = subparsers.add_parser(
        "plan", help="plan routes for drones and carts from a PROBLEM.json file"
    )
    cmd.add_argument("problem", type=Path, help="the problem file (see docs/planner.md)")
    cmd.add_argument("--budget", type=parse_budget, default=5.0, help="search time, e.g. 5s")
    cmd.add_argument("--out", type=Path, help="write the plan as JSON here (default: stdout)")
    cmd.add_argument("--geojson", type=Path, help="write routes and stops as GeoJSON here")
    cmd.add_argument("--qgc-dir", type=Path, help="write one QGroundControl .plan per drone here")
    cmd.add_argument("--runsheet", type=Path, help="write the per-vehicle run sheet here")
    cmd.add_argument("--seed", type=int, default=0)
    cmd.add_argument("--workers", type=int, default=2, help="parallel searches (default 2)")
    cmd.set_defaults(func=plan_main)


def _write(path: Path, data: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2) + "\n")


def plan_main(args: argparse.Namespace) -> int:
    try:
        problem = load_problem(args.problem)
        plan = solve(problem, args.budget, seed=args.seed, workers=args.workers)
    except InvalidProblemError as exc:
        print(f"{args.problem}: {len(exc.errors)} error(s):", file=sys.stderr)
        for error in exc.errors:
            print(f"  {error}", file=sys.stderr)
        return 2
    document = plan_to_dict(plan)
    if args.out is not None:
        _write(args.out, document)
    else:
        print(json.dumps(document, indent=2))
    if args.geojson is not None:
        _write(args.geojson, plan_to_geojson(problem, plan))
    if args.qgc_dir is not None:
        for route in plan.routes:
            if problem.vehicle(route.vehicle_id).kind is VehicleKind.DRONE:
                _write(args.qgc_dir / f"{route.vehicle_id}.plan", route_to_qgc_plan(problem, route))
    sheet = run_sheet(problem, plan)
    if args.runsheet is not None:
        args.runsheet.parent.mkdir(parents=True, exist_ok=True)
        args.runsheet.write_text(sheet)
    summary = (
        f"{len(plan.routes)} route(s), {plan.distance_m / 1000:.2f} km, cost {plan.cost:.2f}, "
        f"{len(plan.dropped)} dropped, solver {plan.solver}"
    )
    print(summary, file=sys.stderr)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="kakashi")
    add_plan_command(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    code: int = args.func(args)
    return code


if __name__ == "__main__":
    sys.exit(main())
