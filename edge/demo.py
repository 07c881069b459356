"""`kakashi demo`: the simulated mountain village and the service together, with
no broker and no hardware.

The simulator runs as a child process that speaks Modbus TCP, Modbus RTU on
pseudo-terminals and NMEA 0183, exactly as the village's devices would, so the
demo exercises the same code path as a farm. Signing in needs no setup step:
the demo admin ``demo`` gets a fresh random password at every start, printed
next to the URL.

The simulated season is played from today's date, and a fresh data directory
first receives the season so far (the simulator's replay of its sensors from
planting to its clock's start, ``sim.history``), so forecasts, trends and
season charts have something to show from the first minute.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import signal
import time
from pathlib import Path

from drivers.reading import Quality, Reading
from edge.auth.bootstrap import demo_admin
from edge.config import Config, load_config
from edge.demo_missions import relay_missions
from edge.service import Service
from edge.storage import Storage
from sim.process import DEMO_DATABASE, start_demo_simulator

log = logging.getLogger(__name__)

DEMO_USER = "demo"
DEMO_ORDERS = Path(__file__).resolve().parent.parent / "examples" / "demo_orders.json"
"""Residents' deliveries the village starts with, so a coordinator has something
to plan (the install is editable, as for the scenario: scripts/lib.sh)."""
HISTORY_BATCH = 5000
"""Readings per transaction while loading the history: few commits (each one
fsyncs), and never the whole file in memory."""


def prepare_database(config: Config, history: Path | None, with_orders: bool, began: float) -> str:
    """Everything the demo stores before the service starts, in one opening of the
    database: the season so far (when the simulator wrote it), the residents'
    orders (in a new data directory) and the demo admin with a fresh random
    password, returned to be printed next to the URL (no default password)."""
    with Storage.open(Path(config.storage.path)) as storage:
        if history is not None:
            loading = time.perf_counter()
            count = load_history(storage, history)
            log.info(
                "season so far: %d readings loaded in %.1f s (the simulator started in "
                "%.1f s, replaying them included)",
                count,
                time.perf_counter() - loading,
                loading - began,
            )
            history.unlink(missing_ok=True)
        if with_orders:
            orders = load_demo_orders(storage, config)
            log.info("demo: %d residents' orders waiting on the logistics page", orders)
        return demo_admin(storage, DEMO_USER)


SEASON_KEY = "demo.season"
"""In ``meta``: "loading" while the season so far is being stored, "loaded" after."""


def needs_season(db_path: Path) -> bool:
    """Whether the season so far should be (re)loaded: a new data directory, or one
    whose loading was interrupted (storing it again is harmless: a reading of the
    same point and time replaces itself). A directory that recorded readings of its
    own before this marker existed keeps its past untouched."""
    if not db_path.exists():
        return True
    with Storage.open(db_path) as storage, storage.locked() as db:
        row = db.conn.execute("SELECT value FROM meta WHERE key = ?", (SEASON_KEY,)).fetchone()
        if row is not None:
            return str(row[0]) != "loaded"
        return not db.conn.execute("SELECT 1 FROM latest LIMIT 1").fetchone()


def _mark_season(storage: Storage, state: str) -> None:
    with storage.transaction() as db:
        db.conn.execute(
            "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (SEASON_KEY, state)
        )


def load_demo_orders(storage: Storage, config: Config, orders_file: Path = DEMO_ORDERS) -> int:
    """Store the demo's sample orders, each checked as any order from outside is;
    returns how many were new."""
    from edge.logistics.orders import check_order, configured_sites, store_order

    orders = json.loads(orders_file.read_text(encoding="utf-8"))["orders"]
    sites = configured_sites(config)
    stored = 0
    for order in orders:
        check_order(order, sites, set(config.vehicles))
        stored += not store_order(storage, order).duplicate
    return stored


def load_history(storage: Storage, history: Path) -> int:
    """Store the simulator's history (JSON lines of readings) in batches; returns
    how many were stored. Marked in ``meta`` so an interrupted load is done again."""
    stored = 0
    _mark_season(storage, "loading")
    with history.open(encoding="utf-8") as lines:
        batch: list[Reading] = []
        for line in lines:
            row = json.loads(line)
            batch.append(
                Reading(
                    row["device"],
                    row["point"],
                    float(row["ts"]),
                    row["value"],
                    row["unit"],
                    Quality(row["quality"]),
                )
            )
            if len(batch) >= HISTORY_BATCH:
                stored += storage.write_readings(batch)
                batch = []
        stored += storage.write_readings(batch)
    _mark_season(storage, "loaded")
    return stored


async def run_demo(web_port: int, data_dir: Path) -> int:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    # A data directory that already holds its season keeps its own past: the
    # simulator need not replay it.
    fresh = await asyncio.to_thread(needs_season, data_dir / DEMO_DATABASE)
    began = time.perf_counter()
    sim = await start_demo_simulator(data_dir, web_port, history=fresh)
    log.info(
        "simulated mountain village running (pid %d), control API %s",
        sim.proc.pid,
        sim.control_url,
    )

    password = ""

    def announce(host: str, port: int) -> None:
        print(
            f"Kakashi demo is running: open http://{host}:{port}/  "
            f"sign in as {DEMO_USER} / {password}  (Ctrl-C stops it)",
            flush=True,
        )

    try:
        if sim.config_path is None:
            raise RuntimeError("the simulator wrote no gateway configuration")
        config = await asyncio.to_thread(load_config, sim.config_path)
        db_path = Path(config.storage.path)
        history = sim.endpoints.get("history")
        password = await asyncio.to_thread(
            prepare_database, config, None if history is None else Path(history), fresh, began
        )
        # No broker in the demo: dispatched missions go to the simulator directly.
        relay = asyncio.create_task(relay_missions(db_path, sim.control_url, config.vehicles))
        try:
            clean = await Service(config, on_web_listening=announce).run(stop)
        finally:
            relay.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await relay
    finally:
        await sim.stop()
    return 0 if clean else 1
