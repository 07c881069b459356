"""A printable per-vehicle run sheet for drivers, drone pilots and the coordinator."""

from __future__ import annotations

from planner.plan import Plan, VisitKind
from planner.problem import Problem


def clock(seconds: float) -> str:
    s = round(seconds)
    return f"{s // 3600:02d}:{s % 3600 // 60:02d}"


def run_sheet(problem: Problem, plan: Plan) -> str:
    lines = [f"Plan: {problem.name or 'untitled'} (solver {plan.solver}, cost {plan.cost:.2f})"]
    if not plan.feasible:
        lines.append("WARNING: this plan failed the checker: " + "; ".join(plan.notes))
    names = {s.id: s.name for s in problem.stops} | {s.id: s.name for s in problem.sites}
    for route in plan.routes:
        vehicle = problem.vehicle(route.vehicle_id)
        lines += [
            "",
            f"== {vehicle.id} ({vehicle.kind.value}{', ' + vehicle.name if vehicle.name else ''})",
            f"   {len(route.stop_ids)} stops, {route.distance_m / 1000:.2f} km, "
            f"cost {route.cost:.2f}" + (f", {route.energy_wh:.0f} Wh" if vehicle.drone else ""),
            # The stop goes last, whole: a driver must never read a clipped name.
            "   #  arrive  start  leave  action     load kg  battery Wh  stop",
        ]
        for n, visit in enumerate(route.visits):
            action = {
                VisitKind.START: "leave",
                VisitKind.DELIVERY: "deliver",
                VisitKind.PICKUP: "pick up",
                VisitKind.END: "return",
            }[visit.kind]
            battery = "" if visit.battery_after_wh is None else f"{visit.battery_after_wh:.0f}"
            label = visit.place_id + (
                f" ({names[visit.place_id]})" if names.get(visit.place_id) else ""
            )
            lines.append(
                f"  {n:2d}  {clock(visit.arrival_s)}  {clock(visit.start_s)}  "
                f"{clock(visit.departure_s)}  {action:9}  "
                f"{visit.load_after.kg:7.1f}  {battery:>10}  {label}"
            )
    if plan.dropped:
        lines += ["", "Not planned:"]
        lines += [f"  - {d.stop_id}: {d.reason}" for d in plan.dropped]
    return "\n".join(lines) + "\n"
