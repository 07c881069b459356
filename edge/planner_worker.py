"""The planner worker: turns stored plan requests into plans.

Requests arrive from coordinators' systems (MQTT commands, later the web page)
and wait in the ``plans`` table with status ``requested``. Each is solved in a
child process (`kakashi plan`): OR-Tools and PyVRP take 100 MB and more, which
must not stay resident in a gateway with 1 GB of RAM, and a solver crash must
not take the service with it. A solved plan is stored with status
``dispatched``, which (with the uplink on) queues each vehicle's mission in the
same transaction; a failure is stored as ``failed`` with the planner's words.
"""

from __future__ import annotations

import asyncio
import json
import logging
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

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


async def run_planner_worker(
    storage: Storage, *, budget_s: float = DEFAULT_BUDGET_S, poll_s: float = POLL_S
) -> None:
    """Solve pending requests, oldest first, one at a time, until cancelled."""
    while True:
        for request in await asyncio.to_thread(pending_requests, storage):
            await solve_request(storage, request, budget_s)
        await asyncio.sleep(poll_s)


def pending_requests(storage: Storage) -> list[PlanRequest]:
    with storage.locked() as db:
        rows = db.conn.execute(
            "SELECT id, data FROM plans WHERE status = 'requested' ORDER BY created, id"
        ).fetchall()
    requests = []
    for plan_id, data in rows:
        try:
            problem = json.loads(data)["problem"]
        except (ValueError, KeyError, TypeError) as exc:
            _mark_failed(storage, str(plan_id), f"stored request is unreadable: {exc}")
            continue
        requests.append(PlanRequest(str(plan_id), problem))
    return requests


async def solve_request(storage: Storage, request: PlanRequest, budget_s: float) -> bool:
    """Solve one request in a child process; True when a plan was stored."""
    with tempfile.TemporaryDirectory(prefix="kakashi-plan-") as tmp:
        problem_file = Path(tmp) / "problem.json"
        plan_file = Path(tmp) / "plan.json"
        await asyncio.to_thread(problem_file.write_text, json.dumps(request.problem))
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "planner.cli",
            "plan",
            str(problem_file),
            "--budget",
            f"{budget_s}s",
            "--out",
            str(plan_file),
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE,
        )
        try:
            _, stderr = await asyncio.wait_for(proc.communicate(), budget_s + STARTUP_ALLOWANCE_S)
        except TimeoutError:
            proc.kill()
            await proc.wait()
            error = f"the planner did not finish within {budget_s + STARTUP_ALLOWANCE_S:.0f} s"
            await asyncio.to_thread(_mark_failed, storage, request.plan_id, error)
            return False
        except asyncio.CancelledError:
            proc.kill()
            await proc.wait()
            raise
        said = stderr.decode(errors="replace").strip()
        if proc.returncode != 0:
            error = said[-ERROR_TAIL_CHARS:] or f"planner exited with {proc.returncode}"
            await asyncio.to_thread(_mark_failed, storage, request.plan_id, error)
            return False
        plan = json.loads(await asyncio.to_thread(plan_file.read_text))
    await asyncio.to_thread(storage.write_plan, request.plan_id, plan, status="dispatched")
    await asyncio.to_thread(
        storage.record_event,
        "plan",
        f"plan {request.plan_id} dispatched: {said.splitlines()[-1] if said else 'solved'}",
        source="planner",
    )
    log.info("plan %s dispatched", request.plan_id)
    return True


def _mark_failed(storage: Storage, plan_id: str, error: str) -> None:
    log.warning("plan %s failed: %s", plan_id, error)
    with storage.transaction() as db:
        row = db.conn.execute("SELECT data FROM plans WHERE id = ?", (plan_id,)).fetchone()
        try:
            data = json.loads(row[0]) if row else {}
        except ValueError:
            data = {"unreadable": row[0]}
        data["error"] = error
        db.conn.execute(
            "UPDATE plans SET status = 'failed', data = ? WHERE id = ?",
            (json.dumps(data, sort_keys=True), plan_id),
        )
    storage.record_event(
        "plan", f"plan {plan_id} failed: {error}", severity="warning", source="planner"
    )
