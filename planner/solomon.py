"""Solomon (1987) VRPTW instances in their original text format, as planar problems.

Benchmark convention: Euclidean distances in double precision, travel time equal
to distance (speed 1), service times included, the file's vehicle count an
upper bound on the fleet, objective total distance (cost 1 per unit, no fixed
cost). Customer 0 is the depot; its due date closes every shift.
"""

from __future__ import annotations

from pathlib import Path

from planner.geo import Location
from planner.problem import Amount, Problem, Site, Stop, StopKind, TimeWindow, Vehicle, VehicleKind


class SolomonFormatError(ValueError):
    pass


def read_solomon(path: Path, max_customers: int | None = None) -> Problem:
    lines = path.read_text().splitlines()
    name = lines[0].strip() if lines else path.stem
    try:
        at = next(i for i, line in enumerate(lines) if line.strip().upper().startswith("NUMBER"))
        fleet, capacity = (int(x) for x in lines[at + 1].split()[:2])
    except (StopIteration, ValueError, IndexError) as exc:
        raise SolomonFormatError(f"{path}: no 'NUMBER CAPACITY' vehicle section") from exc
    rows: list[list[float]] = []
    for number, line in enumerate(lines, start=1):
        parts = line.split()
        if len(parts) != 7 or not parts[0].isdigit():
            continue
        try:
            rows.append([float(p) for p in parts])
        except ValueError as exc:
            raise SolomonFormatError(f"{path}:{number}: not a customer row: {line!r}") from exc
    if not rows or rows[0][0] != 0:
        raise SolomonFormatError(f"{path}: the first customer row must be the depot (0)")
    depot = rows[0]
    customers = rows[1:] if max_customers is None else rows[1 : max_customers + 1]
    site = Site("depot", Location(lat=depot[2], lon=depot[1]))
    stops = tuple(
        Stop(
            id=str(int(r[0])),
            location=Location(lat=r[2], lon=r[1]),
            kind=StopKind.DELIVERY,
            demand=Amount(kg=r[3]),
            service_s=r[6],
            windows=(TimeWindow(r[4], r[5]),),
        )
        for r in customers
    )
    shift = TimeWindow(depot[4], depot[5])
    vehicles = tuple(
        Vehicle(
            id=f"v{i + 1}",
            kind=VehicleKind.CART,
            start="depot",
            end="depot",
            capacity=Amount(kg=float(capacity)),
            speed_mps=1.0,
            shift=shift,
            cost_per_km=1000.0,  # one cost unit per distance unit
        )
        for i in range(fleet)
    )
    return Problem(
        sites=(site,),
        stops=stops,
        vehicles=vehicles,
        cart_detour_factor=1.0,
        planar=True,
        name=name,
    )
