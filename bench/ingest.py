"""Ingest benchmark: how fast the batched writer stores readings, what it costs
in CPU, and how much memory an idle `kakashi run` holds.

Prints one line per figure, then one JSON object as the last line:
{"readings_per_s": ..., "cpu_s_per_100k": ..., "idle_rss_mb": ...}

The idle process runs the demo village's configuration against the simulator
(its probes, weather station and vehicles polled, the web server up): what a
quiet gateway does.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.ingest_writer import measure_writer  # noqa: E402
from edge.auth.bootstrap import issue_token  # noqa: E402
from edge.storage import Storage  # noqa: E402
from edge.web.access import Role  # noqa: E402
from sim.process import DEMO_DATABASE, start_demo_simulator  # noqa: E402


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _peak_rss_mb(pid: int) -> float:
    # VmHWM is the kernel's own high-water mark of resident memory: a true peak,
    # not a sample that might miss a spike.
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmHWM for pid {pid}")


def _wait_for_readings(url: str, token: str, deadline: float) -> None:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(request, timeout=2) as res:
                if json.loads(res.read()):
                    return
        except OSError:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"no readings at {url} in time")


def measure_idle_rss(idle_s: float) -> float:
    """Peak RSS of `kakashi run` on the demo village (the simulator runs beside it)."""
    with tempfile.TemporaryDirectory() as tmp:
        return asyncio.run(_idle_rss(Path(tmp), idle_s))


async def _idle_rss(data_dir: Path, idle_s: float) -> float:
    web_port = _free_port()
    sim = await start_demo_simulator(data_dir, web_port)
    run = None
    try:
        assert sim.config_path is not None
        # The API needs a signed-in caller: a viewer's token, made before the start.
        with Storage.open(data_dir / DEMO_DATABASE) as storage:
            token = issue_token(storage, "bench", Role.VIEWER)
        run = await asyncio.create_subprocess_exec(
            *[sys.executable, "-m", "edge.cli", "run", "--config", str(sim.config_path)],
            stderr=asyncio.subprocess.DEVNULL,
            cwd=ROOT,
        )
        url = f"http://127.0.0.1:{web_port}/api/readings/latest"
        await asyncio.to_thread(_wait_for_readings, url, token, time.monotonic() + 90)
        await asyncio.sleep(idle_s)
        return _peak_rss_mb(run.pid)
    finally:
        if run is not None and run.returncode is None:
            run.send_signal(signal.SIGTERM)
            await asyncio.wait_for(run.wait(), 30)
        await sim.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--readings", type=int, default=200_000)
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--idle-s", type=float, default=20.0)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(dir=os.environ.get("KAKASHI_BENCH_DIR")) as tmp:
        writer = measure_writer(Path(tmp) / "bench.db", total=args.readings, batch=args.batch)
    print(
        f"batched writer: {writer['readings_per_s']:,.0f} readings/s "
        f"(batches of {args.batch}, synchronous=FULL, WAL)"
    )
    print(f"batched writer: {writer['cpu_s_per_100k']:.2f} CPU s per 100,000 readings")
    idle = measure_idle_rss(args.idle_s)
    print(f"idle `kakashi run`: peak RSS {idle:.1f} MB after {args.idle_s:.0f} s")
    print(
        json.dumps(
            {
                "readings_per_s": round(writer["readings_per_s"]),
                "cpu_s_per_100k": round(writer["cpu_s_per_100k"], 3),
                "idle_rss_mb": round(idle, 1),
            }
        )
    )


if __name__ == "__main__":
    main()
