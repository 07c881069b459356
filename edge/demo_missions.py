"""The demo's stand-in for the broker: dispatched missions reach the simulated fleet.

On a farm the gateway publishes each vehicle's mission over MQTT (``edge.uplink``),
and the vehicles (or the simulator) subscribe. ``kakashi demo`` runs with no
broker, so a dispatched plan would move nothing; this relay hands the same
mission JSON (``edge.uplink.mission.mission_of``, the contract the simulator
reads) to the simulator's control API instead. It only exists in the demo.

It reads the ``plans`` table through its own read-only connection (SQLite WAL:
readers never block the service's writer) and remembers what it has sent, so a
plan is relayed once; plans already dispatched when the demo starts are not
sent again.
"""

from __future__ import annotations

import asyncio
import json
import logging
import sqlite3
import urllib.error
import urllib.request
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from edge.uplink.mission import fleet_missions

log = logging.getLogger(__name__)

POLL_S = 1.0
POST_TIMEOUT_S = 5.0


def dispatched_plans(db_path: Path) -> list[tuple[str, dict[str, Any]]]:
    """Every dispatched plan: (id, its stored data), oldest first."""
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        rows = conn.execute(
            "SELECT id, data FROM plans WHERE status = 'dispatched' ORDER BY created, id"
        ).fetchall()
    finally:
        conn.close()
    found = []
    for plan_id, data in rows:
        try:
            found.append((str(plan_id), json.loads(data)))
        except ValueError:
            log.warning("demo missions: plan %s: stored data is not JSON; skipped", plan_id)
    return found


def post_mission(control_url: str, mission: dict[str, Any]) -> str | None:
    """Give the simulator one mission; None when accepted, else why not."""
    request = urllib.request.Request(
        f"{control_url}/vehicles/{mission['vehicle']}/mission",
        data=json.dumps(mission).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=POST_TIMEOUT_S) as answer:
            reply = json.loads(answer.read())
    except urllib.error.HTTPError as e:
        return f"HTTP {e.code}: {e.read()[:300]!r}"
    except (OSError, ValueError) as e:
        return str(e)
    return None if reply.get("accepted") else str(reply.get("error"))


async def relay_missions(
    db_path: Path, control_url: str, vehicles: Iterable[str], *, poll_s: float = POLL_S
) -> None:
    """Until cancelled: send each newly dispatched plan's missions to the simulator."""
    fleet = list(vehicles)
    sent = {plan_id for plan_id, _ in await asyncio.to_thread(dispatched_plans, db_path)}
    while True:
        await asyncio.sleep(poll_s)
        try:
            plans = await asyncio.to_thread(dispatched_plans, db_path)
        except sqlite3.Error as e:
            log.warning("demo missions: cannot read plans: %s", e)
            continue
        for plan_id, data in plans:
            if plan_id in sent:
                continue
            sent.add(plan_id)
            plan = data.get("plan")
            missions = fleet_missions(plan_id, plan if isinstance(plan, dict) else {}, fleet)
            for mission in missions:
                error = await asyncio.to_thread(post_mission, control_url, mission)
                if error is None:
                    log.info(
                        "demo: mission %s (%d stops) given to the simulated %s",
                        mission["mission_id"],
                        len(mission["stops"]),
                        mission["vehicle"],
                    )
                else:
                    log.warning(
                        "demo: simulator refused mission %s: %s", mission["mission_id"], error
                    )
