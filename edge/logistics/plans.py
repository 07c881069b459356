"""Plans: requested, solved, proposed to the coordinator, dispatched to the vehicles.

Lifecycle (docs/planner.md, "Lifecycle")::

    requested --solved--> proposed --dispatch--> dispatched --newer dispatch--> superseded
              --solved, dispatch "auto"-------> dispatched
              --planner refused or crashed--> failed
    requested/proposed --cancel--> cancelled

A row's ``data`` keeps the request (``problem``, ``budget_s``, ``dispatch``,
``orders``, ``requested_by``, ``epoch_s``, ``skipped``) and gains ``plan`` (the
planner's JSON) when solved, or ``error`` when not. Dispatching sets the plan's
orders ``planned``, supersedes the plan dispatched before (its orders not in
the new plan go back to ``confirmed``) and queues the vehicles' missions, all in
one transaction: a crash leaves either the old plan in force or the new one.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import secrets
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal
from zoneinfo import ZoneInfo

from edge.config import Config
from edge.logistics.errors import Conflict, NotFound, Rejected
from edge.logistics.orders import ID_RULE, PLANNABLE, Stored, json_type, list_orders
from edge.logistics.problem import build_problem, order_of_stop
from edge.storage.lean_import import Database
from edge.storage.store import Storage
from edge.storage.timestamps import from_ms, now_ms, to_ms

STATUSES = ("requested", "proposed", "dispatched", "superseded", "failed", "cancelled")
Dispatch = Literal["auto", "confirm"]
MIN_BUDGET_S, MAX_BUDGET_S = 1, 300
PAGE_BUDGETS_S = (5, 10, 30, 60)
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$")


@dataclass(frozen=True, slots=True)
class PlanRecord:
    id: str
    status: str
    created: float
    updated: float
    actor: str
    data: dict[str, Any]

    @property
    def problem(self) -> dict[str, Any]:
        problem = self.data.get("problem")
        return problem if isinstance(problem, dict) else {}

    @property
    def plan(self) -> dict[str, Any] | None:
        plan = self.data.get("plan")
        return plan if isinstance(plan, dict) else None

    @property
    def routes(self) -> list[dict[str, Any]]:
        plan = self.plan
        return [
            r for r in (plan or {}).get("routes", ()) if isinstance(r, dict) and r.get("visits")
        ]

    @property
    def error(self) -> str | None:
        error = self.data.get("error")
        return str(error) if error else None

    @property
    def budget_s(self) -> float | None:
        budget = self.data.get("budget_s")
        return float(budget) if isinstance(budget, int | float) else None

    @property
    def orders(self) -> list[str]:
        return [str(o) for o in self.data.get("orders", ())]

    @property
    def requested_by(self) -> str:
        return str(self.data.get("requested_by") or self.actor)

    def epoch_s(self, timezone: str) -> float:
        """The local midnight problem times count from (the creation day's, for
        requests from other systems that do not say)."""
        epoch = self.data.get("epoch_s")
        if isinstance(epoch, int | float):
            return float(epoch)
        zone = ZoneInfo(timezone)
        day = dt.datetime.fromtimestamp(self.created, zone).date()
        return dt.datetime.combine(day, dt.time(), zone).timestamp()

    def names(self) -> dict[str, str]:
        """Stop, site and vehicle ids -> names given in the problem."""
        out: dict[str, str] = {}
        for key in ("sites", "stops", "vehicles"):
            for item in self.problem.get(key, ()):
                if isinstance(item, dict) and item.get("id"):
                    out[str(item["id"])] = str(item.get("name") or item["id"])
        return out

    def served_orders(self) -> list[str]:
        """Orders of this request that the plan visits."""
        visited = {
            order_of_stop(str(v.get("id")))
            for r in self.routes
            for v in r["visits"]
            if v.get("kind") in ("pickup", "delivery")
        }
        return [o for o in self.orders if o in visited]


# -- requests -----------------------------------------------------------------------


def check_budget(budget_s: Any) -> float:
    if isinstance(budget_s, bool) or not isinstance(budget_s, int | float):
        raise Rejected([f"budget_s: expected a number of seconds, found {budget_s!r}"])
    if not MIN_BUDGET_S <= budget_s <= MAX_BUDGET_S:
        raise Rejected(
            [f"budget_s: expected {MIN_BUDGET_S} to {MAX_BUDGET_S} s, found {budget_s:g}"]
        )
    return float(budget_s)


def request_plan(
    storage: Storage,
    config: Config,
    *,
    budget_s: float,
    actor: str,
    now: float,
    source: str = "web",
) -> PlanRecord:
    """Store a plan request for every new or confirmed order, and every order of
    the plan on the road not yet done, proposed to the coordinator once solved.
    Conflict when there is nothing to plan.

    The orders on the road are included because dispatching the new plan
    supersedes the old one: its vehicles get new missions, and a stop left out of
    them would be served by nobody. The new plan starts the vehicles at their
    depots (re-planning from their live positions, ``planner.replan``, is not
    wired into the service yet), so its times are an upper bound for a vehicle
    already out."""
    budget = check_budget(budget_s)
    if not config.vehicles:
        raise Conflict("no vehicles are configured ([vehicles] in the configuration)")
    orders = list(reversed(list_orders(storage, sorted(PLANNABLE | {"planned"}))))
    if not orders:
        raise Conflict("no new or confirmed orders to plan")
    built = build_problem(config, orders, now)
    if not built.orders:
        reasons = "; ".join(f"{s['id']}: {s['reason']}" for s in built.skipped)
        raise Conflict(f"none of the open orders can be planned: {reasons}")
    local = dt.datetime.fromtimestamp(now, ZoneInfo(config.site.timezone))
    plan_id = f"p-{local:%Y%m%d-%H%M%S}-{secrets.token_hex(2)}"
    data = {
        "problem": built.problem,
        "budget_s": budget,
        "dispatch": "confirm",
        "orders": built.orders,
        "skipped": built.skipped,
        "notes": built.notes,
        "requested_by": actor,
        "epoch_s": built.epoch_s,
        "day": built.day,
    }
    when = to_ms(now)
    with storage.transaction() as db:
        db.conn.execute(
            "INSERT INTO plans (id, created, status, data, updated, actor) "
            "VALUES (?, ?, 'requested', ?, ?, ?)",
            (plan_id, when, json.dumps(data, sort_keys=True, allow_nan=False), when, actor),
        )
    storage.record_event(
        "plan",
        f"plan {plan_id} requested for {len(built.orders)} order(s), budget {budget:g} s"
        + (f", {len(built.skipped)} left out" if built.skipped else ""),
        source=source,
        actor=actor,
        data={"plan": plan_id, "action": "request", "orders": built.orders},
    )
    return get_plan(storage, plan_id)


def check_plan_request(problem: Any) -> None:
    """Raise Rejected listing every problem the planner finds in ``problem``."""
    from planner.errors import InvalidProblemError
    from planner.problem_json import problem_from_dict
    from planner.validate import validate

    if not isinstance(problem, dict):
        raise Rejected([f"problem: expected an object, found {json_type(problem)}"])
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


def store_plan_request(
    storage: Storage,
    plan_id: str,
    problem: Mapping[str, Any],
    *,
    dispatch: Dispatch = "auto",
    budget_s: float | None = None,
    actor: str = "system",
) -> Stored:
    """A whole problem from a coordinators' system. The same id with the same
    problem is accepted again (whatever became of it); with another, refused."""
    problem_json = json.dumps(problem, sort_keys=True)
    data: dict[str, Any] = {"problem": problem, "dispatch": dispatch, "requested_by": actor}
    if budget_s is not None:
        data["budget_s"] = check_budget(budget_s)
    with storage.transaction() as db:
        row = db.conn.execute("SELECT data, status FROM plans WHERE id = ?", (plan_id,)).fetchone()
        if row is not None:
            try:
                stored_problem = json.dumps(json.loads(row[0]).get("problem"), sort_keys=True)
            except (ValueError, AttributeError):
                stored_problem = ""
            if stored_problem != problem_json:
                raise Rejected(
                    [
                        f"plan_id: plan {plan_id!r} exists with other content "
                        f"(status {row[1]}); use a new id"
                    ]
                )
            return Stored(plan_id, str(row[1]), duplicate=True)
        when = now_ms()
        db.conn.execute(
            "INSERT INTO plans (id, created, status, data, updated, actor) "
            "VALUES (?, ?, 'requested', ?, ?, ?)",
            (plan_id, when, json.dumps(data, sort_keys=True), when, actor),
        )
    return Stored(plan_id, "requested", duplicate=False)


# -- results ------------------------------------------------------------------------


def store_solved(
    storage: Storage, plan_id: str, plan: Mapping[str, Any], *, budget_s: float | None = None
) -> str:
    """Store the planner's answer to a request (found within ``budget_s``); return
    the status it now has.

    ``proposed`` when the request asked to confirm, else ``dispatched`` at once.
    A request cancelled while it was being solved stays cancelled.
    """
    with storage.transaction() as db:
        row = _row(db, plan_id)
        if row is None:
            raise NotFound(f"no plan {plan_id!r}")
        if row.status != "requested":
            return row.status
        data = {**row.data, "plan": dict(plan)}
        if budget_s is not None:
            data["solved_budget_s"] = budget_s
        if data.get("dispatch") == "confirm":
            _update(db, plan_id, "proposed", data, row.actor)
            return "proposed"
        _dispatch(db, storage, row, data, "planner")
        return "dispatched"


def mark_failed(storage: Storage, plan_id: str, error: str) -> bool:
    """Store why a request failed; False when it was no longer waiting (cancelled)."""
    with storage.transaction() as db:
        row = db.conn.execute(
            "SELECT data, status, actor FROM plans WHERE id = ?", (plan_id,)
        ).fetchone()
        if row is None or row[1] not in ("requested",):
            return False
        try:
            data = json.loads(row[0])
        except ValueError:
            data = {"unreadable": row[0]}
        if not isinstance(data, dict):
            data = {"unreadable": data}
        data["error"] = error
        _update(db, plan_id, "failed", data, str(row[2]))
    return True


# -- coordinator actions -------------------------------------------------------------


def dispatch_plan(storage: Storage, plan_id: str, *, actor: str, source: str = "web") -> PlanRecord:
    with storage.transaction() as db:
        row = _row(db, plan_id)
        if row is None:
            raise NotFound(f"no plan {plan_id!r}")
        if row.status != "proposed":
            raise Conflict(
                f"plan {plan_id} is {row.status}; only a proposed plan can be dispatched"
            )
        superseded = _dispatch(db, storage, row, dict(row.data), actor)
    record = get_plan(storage, plan_id)
    vehicles = [r["vehicle"] for r in record.routes]
    storage.record_event(
        "plan",
        f"plan {plan_id} dispatched: {len(vehicles)} mission(s) ({', '.join(vehicles) or 'none'})"
        + (f"; superseded {', '.join(superseded)}" if superseded else ""),
        source=source,
        actor=actor,
        data={
            "plan": plan_id,
            "action": "dispatch",
            "vehicles": vehicles,
            "superseded": superseded,
        },
    )
    return record


def cancel_plan(storage: Storage, plan_id: str, *, actor: str, source: str = "web") -> PlanRecord:
    with storage.transaction() as db:
        row = _row(db, plan_id)
        if row is None:
            raise NotFound(f"no plan {plan_id!r}")
        if row.status not in ("requested", "proposed"):
            raise Conflict(
                f"plan {plan_id} is {row.status}; "
                "only a requested or proposed plan can be cancelled"
            )
        _update(db, plan_id, "cancelled", row.data, actor)
    storage.record_event(
        "plan",
        f"plan {plan_id} cancelled",
        source=source,
        actor=actor,
        data={"plan": plan_id, "action": "cancel"},
    )
    return get_plan(storage, plan_id)


def get_plan(storage: Storage, plan_id: str) -> PlanRecord:
    with storage.locked() as db:
        row = _row(db, plan_id)
    if row is None:
        raise NotFound(f"no plan {plan_id!r}")
    return row


def list_plans(storage: Storage, limit: int = 20) -> list[PlanRecord]:
    """Newest first."""
    with storage.locked() as db:
        rows = db.conn.execute(
            "SELECT id, status, created, updated, actor, data FROM plans "
            "ORDER BY created DESC, id DESC LIMIT ?",
            (limit,),
        ).fetchall()
    return [_record(row) for row in rows]


def current_plan(storage: Storage) -> PlanRecord | None:
    """The plan the vehicles are on: the newest dispatched."""
    with storage.locked() as db:
        row = db.conn.execute(
            "SELECT id, status, created, updated, actor, data FROM plans "
            "WHERE status = 'dispatched' "
            "ORDER BY updated DESC, created DESC LIMIT 1"
        ).fetchone()
    return None if row is None else _record(row)


# -- inside a transaction ----------------------------------------------------------------


def _dispatch(
    db: Database, storage: Storage, row: PlanRecord, data: dict[str, Any], actor: str
) -> list[str]:
    """Dispatch ``row`` with ``data``; return the ids of the plans it supersedes."""
    when = now_ms()
    data = {**data, "dispatched_at": from_ms(when), "dispatched_by": actor}
    older = [
        _record(r)
        for r in db.conn.execute(
            "SELECT id, status, created, updated, actor, data FROM plans "
            "WHERE status = 'dispatched' AND id != ?",
            (row.id,),
        ).fetchall()
    ]
    record = PlanRecord(row.id, "dispatched", row.created, from_ms(when), actor, data)
    served = record.served_orders()
    for old in older:
        db.conn.execute(
            "UPDATE plans SET status = 'superseded', updated = ? WHERE id = ?", (when, old.id)
        )
        back = [o for o in old.orders if o not in served]
        if back:
            db.conn.execute(
                f"UPDATE orders SET status = 'confirmed', updated = ? "
                f"WHERE status = 'planned' AND id IN ({', '.join('?' for _ in back)})",
                (when, *back),
            )
    if served:
        db.conn.execute(
            f"UPDATE orders SET status = 'planned', updated = ? "
            "WHERE status IN ('new', 'confirmed', 'planned') "
            f"AND id IN ({', '.join('?' for _ in served)})",
            (when, *served),
        )
    _update(db, row.id, "dispatched", data, actor, when)
    outbox = storage.outbox
    plan = data.get("plan")
    if outbox is not None and isinstance(plan, dict):
        # The same messages Storage.write_plan queues, in this transaction.
        outbox.enqueue(db, outbox.messages.plan(row.id, to_ms(row.created), plan))
    return [old.id for old in older]


def _update(
    db: Database,
    plan_id: str,
    status: str,
    data: Mapping[str, Any],
    actor: str,
    when: int | None = None,
) -> None:
    db.conn.execute(
        "UPDATE plans SET status = ?, data = ?, updated = ?, actor = ? WHERE id = ?",
        (
            status,
            json.dumps(dict(data), sort_keys=True, allow_nan=False),
            now_ms() if when is None else when,
            actor,
            plan_id,
        ),
    )


def _row(db: Database, plan_id: str) -> PlanRecord | None:
    row = db.conn.execute(
        "SELECT id, status, created, updated, actor, data FROM plans WHERE id = ?", (plan_id,)
    ).fetchone()
    return None if row is None else _record(row)


def _record(row: Sequence[Any]) -> PlanRecord:
    try:
        data = json.loads(row[5])
    except ValueError:
        data = {}
    created = from_ms(int(row[2]))
    return PlanRecord(
        str(row[0]),
        str(row[1]),
        created,
        from_ms(int(row[3])) if row[3] is not None else created,
        str(row[4] or "system"),
        data if isinstance(data, dict) else {},
    )
