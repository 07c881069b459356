"""Forecast benchmark: onnxruntime latency and throughput of the shipped yield models,
the memory they add to a process, and their held-out accuracy (from metadata).

Prints one line per figure, then one JSON object as the last line:
{"p50_ms": ..., "p99_ms": ..., "fields_per_s": ..., "rss_added_mb": ...,
 "rmse_mid": ..., "rmse_climatology_mid": ...}

Latency is one field (batch 1) through onnxruntime with one intra-op thread,
over every shipped model; throughput is 10,000 fields in one batch, one
thread. The full forecast of a field (features from a season of daily data,
model, calibrated band) is timed as well. Memory is measured in fresh
interpreters: resident memory after importing numpy and onnxruntime and
loading every shipped model, minus what the interpreter held before, once
from a bare interpreter and once from one that has imported ``edge.service``
(the JSON figure: what forecasting adds to the running service). Accuracy figures are the
maize model's RMSE at 60 % of the season on held-out years and the
climatology baseline's (other crops are printed above the JSON line).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
import numpy.typing as npt  # noqa: E402

from models.daily import DailySeries  # noqa: E402
from models.features import FEATURE_NAMES, GROUP_COLUMNS, Group  # noqa: E402
from models.forecaster import Forecaster  # noqa: E402
from models.readings import SiteLocation  # noqa: E402
from models.registry import SHIPPED_DIR, ModelRegistry  # noqa: E402

RUNS = 3000
BATCH = 10_000

_RSS_PROBE = """
import sys
sys.path.insert(0, {root!r})
{preload}
def rss():
    for line in open('/proc/self/status'):
        if line.startswith('VmRSS:'):
            return int(line.split()[1]) / 1024
before = rss()
from models.registry import ModelRegistry, SHIPPED_DIR
registry = ModelRegistry([SHIPPED_DIR], crops={crops})
registry.refresh()
assert registry.crops(), 'no shipped model loaded'
print(rss() - before)
"""


def rss_added_mb(preload: str = "", crops: tuple[str, ...] | None = None) -> float:
    """Resident memory that loading onnxruntime and the shipped models (of ``crops``,
    None for all) adds to a fresh interpreter that has run ``preload`` first."""
    probe = _RSS_PROBE.format(root=str(ROOT), preload=preload, crops=crops)
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout
    return float(out.strip().splitlines()[-1])


def rows_within_ranges(registry: ModelRegistry, crop: str, n: int) -> npt.NDArray[np.float32]:
    """Feature rows drawn uniformly inside the model's training ranges."""
    model = registry.active(crop)
    assert model is not None
    rng = np.random.default_rng(0)
    lo = np.array([r.lo for r in model.info.ranges])
    hi = np.array([r.hi for r in model.info.ranges])
    rows: npt.NDArray[np.float32] = (lo + rng.random((n, len(FEATURE_NAMES))) * (hi - lo)).astype(
        np.float32
    )
    return rows


def season(days: int) -> DailySeries:
    rng = np.random.default_rng(1)
    tmin = 15 + rng.normal(0, 2, days)
    return DailySeries(
        dt.date(2024, 5, 1),
        tmin,
        tmin + 10,
        rng.exponential(3, days),
        4 + rng.normal(0, 0.5, days),
        np.zeros(days),
        25 + rng.normal(0, 1, days),
        27 + rng.normal(0, 1, days),
    )


def main() -> None:
    registry = ModelRegistry([SHIPPED_DIR])
    registry.refresh()
    crops = registry.crops()
    latencies: list[float] = []
    fields_per_s: list[float] = []
    for crop in crops:
        model = registry.active(crop)
        assert model is not None
        rows = rows_within_ranges(registry, crop, RUNS)
        probes = list(GROUP_COLUMNS[Group.SOIL_SHALLOW] + GROUP_COLUMNS[Group.SOIL_DEEP])
        rows[::3, probes] = np.nan  # some fields without soil probes
        for i in range(100):
            model.predict_raw(rows[i : i + 1])
        for i in range(RUNS):
            t0 = time.perf_counter()
            model.predict_raw(rows[i : i + 1])
            latencies.append(time.perf_counter() - t0)
        batch = rows_within_ranges(registry, crop, BATCH)
        t0 = time.perf_counter()
        model.predict_raw(batch)
        rate = BATCH / (time.perf_counter() - t0)
        fields_per_s.append(rate)
        size = model.info.path.stat().st_size / 1e6
        print(f"{crop}: {model.info.label}, {size:.2f} MB, {rate:,.0f} fields/s in one batch")
    ms = np.array(latencies) * 1000
    p50, p99 = float(np.percentile(ms, 50)), float(np.percentile(ms, 99))
    print(f"onnxruntime, batch 1, one thread: p50 {p50:.3f} ms, p99 {p99:.3f} ms per field")

    forecaster = Forecaster(registry, SiteLocation(lat=40.0))
    series = season(60)
    full: list[float] = []
    for _ in range(300):
        t0 = time.perf_counter()
        forecaster.forecast_series("f1", "maize", series, 0.0)
        full.append(time.perf_counter() - t0)
    print(
        "whole forecast of one field from 60 daily values (features, model, band): "
        f"p50 {1000 * float(np.median(full)):.3f} ms"
    )

    bare = rss_added_mb()
    print(
        f"RSS added to a bare interpreter by numpy, onnxruntime and all {len(crops)} "
        f"shipped models: {bare:.1f} MB"
    )
    # The service has loaded its own modules (and with them json, logging,
    # threading, hashlib/OpenSSL, ssl) before the forecaster first runs.
    rss = rss_added_mb("import edge.service")
    print(f"RSS the same adds to a process that has imported the service: {rss:.1f} MB")
    one = rss_added_mb("import edge.service", ("maize",))
    print(f"... with only the model of the one crop a gateway grows (maize): {one:.1f} MB")
    figures: dict[str, dict[str, float]] = {}
    for crop in crops:
        model = registry.active(crop)
        assert model is not None
        mid = model.info.evaluation["all_sensors"]["60%"]
        figures[crop] = mid
        print(
            f"{crop} at 60 % of the season (held-out years): RMSE {mid['rmse']:.2f} t/ha, "
            f"climatology {mid['rmse_climatology']:.2f} t/ha "
            f"(ratio {mid['rmse_ratio']:.2f}), coverage {mid['coverage_p10_p90']:.0%}"
        )
    headline = figures.get("maize", next(iter(figures.values())))
    print(
        json.dumps(
            {
                "p50_ms": round(p50, 4),
                "p99_ms": round(p99, 4),
                "fields_per_s": round(float(np.min(fields_per_s))),
                "rss_added_mb": round(rss, 1),
                "rmse_mid": round(headline["rmse"], 3),
                "rmse_climatology_mid": round(headline["rmse_climatology"], 3),
            }
        )
    )


if __name__ == "__main__":
    main()
