"""Orders and plan requests arriving from coordinators' systems: checked, then stored.

An order is one stop in the planner's PROBLEM.json form (docs/planner.md), and
is checked by the planner's own reader, so it is held to exactly the rules of a
problem file; a plan request is a whole problem, checked by the reader and by
the planner's validation (references, capacities, reachability). Accepted
orders go to the ``orders`` table (status ``new``), accepted plan requests to
``plans`` (status ``requested``) for the planner to pick up. Both are
idempotent: the same id with the same content is accepted again, the same id
with other content is refused.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from edge.config import Config
from edge.storage.store import Storage
from edge.storage.timestamps import now_ms

ORDER_KEYS = frozenset(
    {"id", "name", "kind", "location", "windows", "vehicles", "kg", "m3", "service_s"}
    | {"required", "penalty", "site"}
)
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$")
ID_RULE = "1 to 64 of A-Z, a-z, 0-9, '_', '.', ':' and '-', starting with a letter or digit"


class Rejected(Exception):  # noqa: N818 - a refusal of input, reported to its sender
    """Input that cannot be accepted; ``errors`` lists every reason, each naming its key."""

    def __init__(self, errors: Sequence[str]) -> None:
        self.errors = list(errors)
        super().__init__("; ".join(self.errors))


@dataclass(frozen=True, slots=True)
class Stored:
    id: str
    status: str
    duplicate: bool


def configured_sites(config: Config) -> list[dict[str, Any]]:
    """The site's depots and collection points in PROBLEM.json form."""
    sites = []
    for kind, places in (
        ("depot", config.site.depots),
        ("collection_point", config.site.collection_points),
    ):
        for site_id, place in places.items():
            loc = place.location
            sites.append(
                {"id": site_id, "kind": kind, "name": place.name, "location": [loc.lat, loc.lon]}
            )
    return sites


def check_order(order: Any, sites: Sequence[Mapping[str, Any]], vehicles: set[str]) -> None:
    """Raise Rejected listing everything wrong with ``order``."""
    from planner.errors import InvalidProblemError
    from planner.problem_json import problem_from_dict

    if not isinstance(order, dict):
        raise Rejected([f"order: expected an object, found {_json_type(order)}"])
    errors = []
    order_id = order.get("id")
    if not isinstance(order_id, str) or not _ID.match(order_id):
        errors.append(f"order.id: expected an id of {ID_RULE}, found {order_id!r}")
    for key in sorted(set(order) - ORDER_KEYS):
        errors.append(f"order.{key}: unknown key; expected one of {', '.join(sorted(ORDER_KEYS))}")
    try:
        problem_from_dict({"sites": list(sites), "stops": [order], "vehicles": []})
    except InvalidProblemError as e:
        errors += [_as_order(error) for error in e.errors]
    site_ids = {str(s["id"]) for s in sites}
    site = order.get("site")
    if isinstance(site, str) and site not in site_ids:
        known = ", ".join(sorted(site_ids)) or "none"
        errors.append(f"order.site: no depot or collection point {site!r}; known: {known}")
    allowed = order.get("vehicles")
    if isinstance(allowed, list):
        for vehicle in allowed:
            if isinstance(vehicle, str) and vehicle not in vehicles:
                known = ", ".join(sorted(vehicles)) or "none"
                errors.append(f"order.vehicles: no vehicle {vehicle!r}; known: {known}")
    if errors:
        raise Rejected(errors)


def store_order(storage: Storage, order: Mapping[str, Any]) -> Stored:
    order_id = str(order["id"])
    data = json.dumps(order, sort_keys=True)
    kind = str(order.get("kind", "delivery"))
    with storage.transaction() as db:
        row = db.conn.execute(
            "SELECT data, status FROM orders WHERE id = ?", (order_id,)
        ).fetchone()
        if row is not None:
            if row[0] != data:
                raise Rejected(
                    [
                        f"order.id: order {order_id!r} exists with other content "
                        f"(status {row[1]}); use a new id"
                    ]
                )
            return Stored(order_id, str(row[1]), duplicate=True)
        when = now_ms()
        db.conn.execute(
            "INSERT INTO orders (id, kind, status, data, created, updated) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (order_id, kind, "new", data, when, when),
        )
    return Stored(order_id, "new", duplicate=False)


def check_plan_request(problem: Any) -> None:
    """Raise Rejected listing every problem the planner finds in ``problem``."""
    from planner.errors import InvalidProblemError
    from planner.problem_json import problem_from_dict
    from planner.validate import validate

    if not isinstance(problem, dict):
        raise Rejected([f"problem: expected an object, found {_json_type(problem)}"])
    if isinstance(problem.get("roads"), str):
        # A file name would make the gateway read its own files for a remote sender.
        raise Rejected(["problem.roads: give the road network inline (GeoJSON), not a file name"])
    try:
        validate(problem_from_dict(problem))
    except InvalidProblemError as e:
        raise Rejected([f"problem: {error}" for error in e.errors]) from None


def plan_id_of(value: Any) -> str:
    if value is None:
        return f"req-{uuid.uuid4().hex[:12]}"
    if not isinstance(value, str) or not _ID.match(value):
        raise Rejected([f"plan_id: expected an id of {ID_RULE}, found {value!r}"])
    return value


def store_plan_request(storage: Storage, plan_id: str, problem: Mapping[str, Any]) -> Stored:
    data = json.dumps({"problem": problem}, sort_keys=True)
    with storage.transaction() as db:
        row = db.conn.execute("SELECT data, status FROM plans WHERE id = ?", (plan_id,)).fetchone()
        if row is not None:
            if row[0] != data:
                raise Rejected(
                    [
                        f"plan_id: plan {plan_id!r} exists with other content "
                        f"(status {row[1]}); use a new id"
                    ]
                )
            return Stored(plan_id, str(row[1]), duplicate=True)
        db.conn.execute(
            "INSERT INTO plans (id, created, status, data) VALUES (?, ?, ?, ?)",
            (plan_id, now_ms(), "requested", data),
        )
    return Stored(plan_id, "requested", duplicate=False)


def _as_order(error: str) -> str:
    # The planner names the stop by its place in a problem file; here it is the order.
    return re.sub(r'^stops\[0\](?: "[^"]*")?', "order", error)


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    return type(value).__name__
