"""Uplink benchmark: how fast a backlog drains to a real mosquitto, what it costs
in CPU, and how much memory the gateway holds while a large backlog drains.

A database is filled with ``--messages`` outbox messages (one reading each, as a
gateway that lost its broker for days would hold), then the uplink drains it to
a mosquitto on loopback with no backlog rate limit. Acknowledged messages are
counted from the outbox itself, so no subscriber's CPU is measured.

Prints one line per figure, then one JSON object as the last line:
{"messages": ..., "drain_msgs_per_s": ..., "cpu_ms_per_1000": ..., "peak_rss_mb": ...}
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import json
import os
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from drivers.reading import Reading  # noqa: E402
from edge.config import parse_config  # noqa: E402
from edge.storage.store import Storage  # noqa: E402
from edge.uplink import outbox_policy  # noqa: E402
from edge.uplink.build import build  # noqa: E402
from edge.uplink.settings import UplinkSettings  # noqa: E402

DEVICES = 100
T0 = 1_750_000_000.0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def _mosquitto(workdir: Path) -> tuple[subprocess.Popen[bytes], int]:
    exe = shutil.which("mosquitto") or "/usr/sbin/mosquitto"
    port = _free_port()
    conf = workdir / "mosquitto.conf"
    lines = [f"listener {port} 127.0.0.1", "allow_anonymous true", "persistence false"]
    if os.geteuid() == 0:
        lines.append("user root")
    conf.write_text("\n".join(lines) + "\n")
    proc = subprocess.Popen([exe, "-c", str(conf)], stderr=subprocess.DEVNULL)
    for _ in range(200):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return proc, port
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("mosquitto did not start")


def _fill(storage: Storage, messages: int) -> None:
    """``messages`` outbox messages: each batch holds one reading of each of 100 devices."""
    for batch in range(messages // DEVICES):
        ts = T0 + batch * 10
        storage.write_readings(
            [Reading(f"probe-{d}", "moisture", ts, 30.0 + d / 10, "%") for d in range(DEVICES)]
        )


async def _drain(storage: Storage, port: int, messages: int) -> tuple[float, float, float]:
    text = f'[site]\nid = "bench"\nname = "Bench"\n[mqtt]\nenabled = true\nport = {port}\n'
    config = parse_config(text, "bench.toml")
    settings = dataclasses.replace(
        UplinkSettings.from_config(config),
        host="127.0.0.1",
        backlog_rate=1e9,
        max_inflight=64,
        ha_discovery=False,
    )
    uplink = build(config, storage, None, device_states=None, settings=settings)
    peak = _rss_mb()
    task = asyncio.create_task(uplink.run())
    while not uplink.drain_stats.draining:  # noqa: ASYNC110 - a benchmark's own polling
        await asyncio.sleep(0.01)
    cpu0, wall0 = time.process_time(), time.monotonic()
    while uplink.drain_stats.acknowledged < messages:
        await asyncio.sleep(0.2)
        peak = max(peak, _rss_mb())
    wall, cpu = time.monotonic() - wall0, time.process_time() - cpu0
    if uplink.connections != 1:
        print(f"warning: the drain needed {uplink.connections} connections: {uplink.last_error}")
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    return wall, cpu, peak


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=100_000)
    args = parser.parse_args()
    messages = args.messages - args.messages % DEVICES
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        text = '[site]\nid = "bench"\nname = "Bench"\n[mqtt]\nenabled = true\n'
        policy = outbox_policy(parse_config(text, "bench.toml"))
        with Storage.open(workdir / "bench.db", outbox=policy) as storage:
            started = time.monotonic()
            _fill(storage, messages)
            print(
                f"filled the outbox with {messages} messages in {time.monotonic() - started:.1f} s"
            )
            print(f"RSS with the backlog stored, before connecting: {_rss_mb():.1f} MB")
            broker, port = _mosquitto(workdir)
            try:
                wall, cpu, peak = asyncio.run(_drain(storage, port, messages))
            finally:
                broker.terminate()
                broker.wait(10)
    rate = messages / wall
    cpu_per_1000 = cpu / messages * 1000 * 1000
    print(f"drained {messages} messages in {wall:.1f} s: {rate:.0f} messages/s")
    print(f"CPU: {cpu_per_1000:.1f} ms per 1000 messages (this process, broker excluded)")
    max_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS while draining: {peak:.1f} MB (process maximum {max_rss:.1f} MB)")
    print(
        json.dumps(
            {
                "messages": messages,
                "drain_msgs_per_s": round(rate),
                "cpu_ms_per_1000": round(cpu_per_1000, 1),
                "peak_rss_mb": round(peak, 1),
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
