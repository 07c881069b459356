"""Ingest benchmark: how fast the batched writer stores readings, what it costs
in CPU, and how much memory an idle `kakashi run` holds.

Prints one line per figure, then one JSON object as the last line:
{"readings_per_s": ..., "cpu_s_per_100k": ..., "idle_rss_mb": ...}

The idle process runs the demo configuration against the simulated probe (one
device polled every 2 s, the web server up), which is what a quiet gateway does.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.ingest_writer import measure_writer  # noqa: E402
from edge.demo import demo_config_text  # noqa: E402


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


def _wait_for_readings(url: str, deadline: float) -> None:
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as res:
                if json.loads(res.read()):
                    return
        except OSError:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"no readings at {url} in time")


def measure_idle_rss(idle_s: float) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        sim = subprocess.Popen(
            [sys.executable, "-m", "sim.probe_main", "--host", "127.0.0.1", "--port", "0"],
            stdout=subprocess.PIPE,
            text=True,
            cwd=ROOT,
        )
        run = None
        try:
            assert sim.stdout is not None
            sim_port = int(sim.stdout.readline().strip().rsplit(":", 1)[1])
            web_port = _free_port()
            config = Path(tmp) / "idle.toml"
            config.write_text(demo_config_text(sim_port, web_port, Path(tmp)))
            run = subprocess.Popen(
                [sys.executable, "-m", "edge.cli", "run", "--config", str(config)],
                stderr=subprocess.DEVNULL,
                cwd=ROOT,
            )
            _wait_for_readings(
                f"http://127.0.0.1:{web_port}/api/readings/latest", time.monotonic() + 60
            )
            time.sleep(idle_s)
            peak = _peak_rss_mb(run.pid)
        finally:
            for proc in (run, sim):
                if proc is not None and proc.poll() is None:
                    proc.send_signal(signal.SIGTERM)
                    proc.wait(30)
        return peak


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
