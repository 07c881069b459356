"""Monitoring API latency on a full storage: what the page's endpoints cost when
the database holds 30 days of 10 s readings for 20 points (5 probes x 4 points,
~5.2 million raw rows, all still raw as with the default 30-day retention),
after the maintenance run the service starts with has summarised every
complete hour into the hourly summary cache (its time is printed too).

The app is called in-process (Starlette's TestClient, the auth middleware
included, a viewer's API token), so the figures are the server's work without
the network. Prints one line per endpoint, then one JSON object as the last
line: {"rows": ..., "backfill_s": ..., "p50_ms": {endpoint: ms}, "p90_ms": {...}}.

    python bench/web_api.py [--days 30] [--repeat 15]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from starlette.testclient import TestClient  # noqa: E402

from drivers.reading import Reading  # noqa: E402
from edge.config import Config, load_config  # noqa: E402
from edge.service import Service  # noqa: E402
from edge.storage import Storage  # noqa: E402
from edge.web.access import Role  # noqa: E402
from edge.web.app import create_app  # noqa: E402
from tests.edge.web.conftest import token_for  # noqa: E402

PROBES = 5
POINTS = (("moisture", "%"), ("temperature", "°C"), ("ec", "µS/cm"), ("ph", "pH"))
STEP_S = 10.0
BATCH = 20_000


def village_with_probes(path: Path) -> Config:
    config = load_config(ROOT / "examples" / "village.toml")
    base = config.devices["soil-north-1"]
    fields = list(config.site.fields)
    devices = {
        f"soil-{i + 1}": base.model_copy(update={"unit": i + 1, "field": fields[i % len(fields)]})
        for i in range(PROBES)
    }
    storage = config.storage.model_copy(update={"path": path})
    return config.model_copy(update={"devices": devices, "storage": storage})


def fill(storage: Storage, devices: list[str], days: float, now: float) -> int:
    start = now - days * 86_400
    polls = int(days * 86_400 / STEP_S)
    batch: list[Reading] = []
    rows = 0
    for i in range(polls):
        ts = start + i * STEP_S
        for d, dev in enumerate(devices):
            for p, (point, unit) in enumerate(POINTS):
                batch.append(Reading(dev, point, ts, 20.0 + (i + d + p) % 97 / 7, unit))
        if len(batch) >= BATCH:
            rows += storage.write_readings(batch)
            batch = []
    rows += storage.write_readings(batch)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=float, default=30.0)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "kakashi.db"
        config = village_with_probes(db)
        service = Service(config)
        storage = Storage.open(db, disk_budget_bytes=config.storage.disk_budget_mb * 1024 * 1024)
        service.storage = storage
        now = time.time()
        t0 = time.perf_counter()
        rows = fill(storage, list(config.devices), args.days, now)
        print(f"filled {rows} readings in {time.perf_counter() - t0:.0f} s", flush=True)
        t0 = time.perf_counter()
        storage.maintain(now)
        backfill_s = round(time.perf_counter() - t0, 2)
        print(f"maintenance (summary backfill) in {backfill_s} s", flush=True)
        client = TestClient(create_app(service))
        client.headers["Authorization"] = f"Bearer {token_for(storage, Role.VIEWER)}"
        day, month = now - 86_400, now - 30 * 86_400
        endpoints = {
            "readings/latest": "/api/readings/latest",
            "readings 1h raw": f"/api/readings/soil-1/moisture?start={now - 3600}&end={now}",
            "readings 24h raw": f"/api/readings/soil-1/moisture?start={day}&end={now}",
            "readings 30d hourly": f"/api/readings/soil-1/moisture?start={month}&end={now}",
            "devices": "/api/devices",
            "fields": "/api/fields",
            "field": "/api/fields/north-paddy",
            "forecasts/latest": "/api/forecasts/latest",
            "alerts": "/api/alerts",
            "health": "/api/health",
            "metrics": "/metrics",
        }
        p50: dict[str, float] = {}
        p90: dict[str, float] = {}
        for name, url in endpoints.items():
            times = []
            for _ in range(args.repeat):
                t = time.perf_counter()
                answer = client.get(url)
                times.append((time.perf_counter() - t) * 1000)
                assert answer.status_code == 200, (url, answer.text)
            p50[name] = round(statistics.median(times), 1)
            p90[name] = round(statistics.quantiles(times, n=10)[-1], 1)
            print(
                f"{name:22} p50 {p50[name]:7.1f} ms  p90 {p90[name]:7.1f} ms  "
                f"{len(answer.content)} bytes",
                flush=True,
            )
        client.close()
        storage.close()
    print(json.dumps({"rows": rows, "backfill_s": backfill_s, "p50_ms": p50, "p90_ms": p90}))


if __name__ == "__main__":
    main()
