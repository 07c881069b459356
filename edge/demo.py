"""`kakashi demo`: the simulated mountain village and the service together, with
no broker and no hardware.

The simulator runs as a child process that speaks Modbus TCP, Modbus RTU on
pseudo-terminals and NMEA 0183, exactly as the village's devices would, so the
demo exercises the same code path as a farm. Signing in needs no setup step:
the demo admin ``demo`` gets a fresh random password at every start, printed
next to the URL.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from pathlib import Path

from edge.auth.bootstrap import demo_admin
from edge.config import load_config
from edge.service import Service
from edge.storage import Storage
from sim.process import start_demo_simulator

log = logging.getLogger(__name__)

DEMO_USER = "demo"


def _demo_password(db_path: Path) -> str:
    """The demo admin with a fresh random password, so the demo needs no setup
    step and yet has no default password: it is printed next to the URL."""
    with Storage.open(db_path) as storage:
        return demo_admin(storage, DEMO_USER)


async def run_demo(web_port: int, data_dir: Path) -> int:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    sim = await start_demo_simulator(data_dir, web_port)
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
        password = await asyncio.to_thread(_demo_password, Path(config.storage.path))
        clean = await Service(config, on_web_listening=announce).run(stop)
    finally:
        await sim.stop()
    return 0 if clean else 1
