"""`kakashi demo`: the simulator and the service together, with no broker or hardware.

The simulated probe runs as a child process that speaks Modbus TCP, exactly as a
real device would, so the demo exercises the same code path as a farm.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import sys
from importlib.resources import files
from pathlib import Path
from string import Template

from edge.config import Config, parse_config
from edge.service import Service

log = logging.getLogger(__name__)

SIM_START_TIMEOUT_S = 30.0
SIM_STOP_TIMEOUT_S = 5.0


def demo_config_text(sim_port: int, web_port: int, data_dir: Path) -> str:
    """The demo's configuration file, for a probe on ``sim_port``."""
    template = Template(files("edge").joinpath("demo.toml").read_text(encoding="utf-8"))
    return template.substitute(sim_port=sim_port, web_port=web_port, data_dir=data_dir.as_posix())


def demo_config(sim_port: int, web_port: int, data_dir: Path) -> Config:
    return parse_config(demo_config_text(sim_port, web_port, data_dir), "<kakashi demo>")


async def start_simulated_probe(seed: int = 1) -> tuple[asyncio.subprocess.Process, int]:
    """Start the simulated soil probe on a free loopback port; return it and the port."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "sim.probe_main",
        "--host",
        "127.0.0.1",
        "--port",
        "0",
        "--profile",
        "dfrobot_sen0604",
        "--unit",
        "1",
        "--seed",
        str(seed),
        "--update-s",
        "1.0",
        stdout=asyncio.subprocess.PIPE,
    )
    assert proc.stdout is not None
    try:
        line = await asyncio.wait_for(proc.stdout.readline(), SIM_START_TIMEOUT_S)
    except TimeoutError:
        await stop_process(proc)
        raise RuntimeError("the simulated probe did not start listening in time") from None
    text = line.decode(errors="replace").strip()
    if not text.startswith("listening "):
        await stop_process(proc)
        raise RuntimeError(f"the simulated probe failed to start (said {text!r})")
    port = int(text.rsplit(":", 1)[1])
    return proc, port


async def stop_process(proc: asyncio.subprocess.Process) -> None:
    if proc.returncode is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        proc.terminate()
    try:
        await asyncio.wait_for(proc.wait(), SIM_STOP_TIMEOUT_S)
    except TimeoutError:
        with contextlib.suppress(ProcessLookupError):
            proc.kill()
        await proc.wait()


async def run_demo(web_port: int, data_dir: Path) -> int:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    sim, sim_port = await start_simulated_probe()
    log.info("simulated soil probe listening on 127.0.0.1:%d (pid %d)", sim_port, sim.pid)

    def announce(host: str, port: int) -> None:
        print(f"Kakashi demo is running: open http://{host}:{port}/  (Ctrl-C stops it)", flush=True)

    try:
        service = Service(demo_config(sim_port, web_port, data_dir), on_web_listening=announce)
        clean = await service.run(stop)
    finally:
        await stop_process(sim)
    return 0 if clean else 1
