"""The planner worker: turns stored plan requests into plans.

Requests arrive from coordinators' systems (MQTT commands) and the web page,
and wait in the ``plans`` table with status ``requested``. Each is solved in a
child process (`kakashi plan`) within its own time budget (``budget_s``, else
the worker's default): OR-Tools and PyVRP take 100 MB and more, which must not
stay resident in a gateway with 1 GB of RAM, and a solver crash must not take
the service with it. A solved plan is stored ``proposed`` when the request asked
a coordinator to confirm it (the page does), else ``dispatched``, which (with
the uplink on) queues each vehicle's mission in the same transaction; a failure
is stored as ``failed`` with the planner's words (edge/logistics/plans.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from edge.child import run_python_module
from edge.logistics.plans import mark_failed, store_solved
from edge.storage import Storage

log = logging.getLogger(__name__)

POLL_S = 5.0
DEFAULT_BUDGET_S = 10.0
# A solve gets its budget plus time to start Python, import the solvers and
# write the plan; beyond that the child is killed and the request fails.
STARTUP_ALLOWANCE_S = 60.0
ERROR_TAIL_CHARS = 2000


@dataclass(frozen=True, slots=True)
class PlanRequest:
    plan_id: str
    problem: dict[str, Any]
    budget_s: float | None = None
    """The request's own budget; None: the worker's default."""


async def run_planner_worker(
    storage: Storage,
    *,
    budget_s: float = DEFAULT_BUDGET_S,
    poll_s: float = POLL_S,
    wake: asyncio.Event | None = None,
) -> None:
    """Solve pending requests, oldest first, one at a time, until cancelled.

    ``wake`` is set by whoever stores a request in this process (the page), so a
    coordinator waits for the solver, not for the next poll; the poll still
    finds requests stored by other means (MQTT commands, another process).
    """
    while True:
        await solve_pending(storage, budget_s)
        if wake is None:
            await asyncio.sleep(poll_s)
            continue
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(wake.wait(), poll_s)
        wake.clear()


async def solve_pending(storage: Storage, default_budget_s: float = DEFAULT_BUDGET_S) -> int:
    """Solve every request waiting now, each within its own budget (else the
    default); return how many plans were stored."""
    solved = 0
    for request in await asyncio.to_thread(pending_requests, storage):
        solved += await solve_request(storage, request, request.budget_s or default_budget_s)
    return solved


def pending_requests(storage: Storage) -> list[PlanRequest]:
    with storage.locked() as db:
        rows = db.conn.execute(
            "SELECT id, data FROM plans WHERE status = 'requested' ORDER BY created, id"
        ).fetchall()
    requests = []
    for plan_id, data in rows:
        try:
            request = json.loads(data)
            problem = request["problem"]
            budget = request.get("budget_s")
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            _mark_failed(storage, str(plan_id), f"stored request is unreadable: {exc}")
            continue
        budget_s = float(budget) if isinstance(budget, int | float) and budget > 0 else None
        requests.append(PlanRequest(str(plan_id), problem, budget_s))
    return requests


async def solve_request(
    storage: Storage, request: PlanRequest, budget_s: float | None = None
) -> bool:
    """Solve one request in a child process; True when a plan was stored.

    ``budget_s`` overrides the request's own budget (None: the request's, else
    the default)."""
    if budget_s is None:
        budget_s = request.budget_s or DEFAULT_BUDGET_S
    with tempfile.TemporaryDirectory(prefix="kakashi-plan-") as tmp:
        problem_file = Path(tmp) / "problem.json"
        plan_file = Path(tmp) / "plan.json"
        await asyncio.to_thread(problem_file.write_text, json.dumps(request.problem))
        args = ["plan", str(problem_file), "--budget", f"{budget_s}s", "--out", str(plan_file)]
        child = await run_python_module(
            "planner.cli", args, timeout_s=budget_s + STARTUP_ALLOWANCE_S
        )
        if child.returncode is None:
            error = f"the planner did not finish within {budget_s + STARTUP_ALLOWANCE_S:.0f} s"
            await asyncio.to_thread(_mark_failed, storage, request.plan_id, error)
            return False
        said = child.stderr.strip()
        if not child.ok:
            error = said[-ERROR_TAIL_CHARS:] or f"planner exited with {child.returncode}"
            await asyncio.to_thread(_mark_failed, storage, request.plan_id, error)
            return False
        plan = json.loads(await asyncio.to_thread(plan_file.read_text))
    status = await asyncio.to_thread(
        store_solved, storage, request.plan_id, plan, budget_s=budget_s
    )
    if status not in ("proposed", "dispatched"):
        log.info("plan %s solved but left %s", request.plan_id, status)
        return False
    await asyncio.to_thread(
        storage.record_event,
        "plan",
        f"plan {request.plan_id} {status}: {said.splitlines()[-1] if said else 'solved'}",
        source="planner",
        data={"plan": request.plan_id, "action": status},
    )
    log.info("plan %s %s", request.plan_id, status)
    return True


def _mark_failed(storage: Storage, plan_id: str, error: str) -> None:
    if not mark_failed(storage, plan_id, error):
        return  # cancelled meanwhile: the coordinator no longer waits for it
    log.warning("plan %s failed: %s", plan_id, error)
    storage.record_event(
        "plan",
        f"plan {plan_id} failed: {error}",
        severity="warning",
        source="planner",
        data={"plan": plan_id, "action": "failed"},
    )
