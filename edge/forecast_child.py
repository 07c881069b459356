"""One forecasting pass in a child process: ``python -m edge.forecast_child``.

Why a child: onnxruntime, numpy and the yield models add about 55 MB to a
process (bench/forecast.py), and the forecaster needs them for a second an hour.
Kept in the service they would double its idle memory on a 1 GB gateway; in a
child that exits they cost nothing between runs, as the planner's solvers do
(``edge.planner_worker``). The child gets the service's configuration as a pickle
on stdin (the same code, the same version: trusted), opens the same database
(SQLite WAL: the service's writer and this one take turns), forecasts every
field, stores the forecasts (queued for MQTT in the same transaction when the
uplink is on: the uplink's drain also looks for rows other processes queued)
and the suggested pickups, and exits. Its log lines go to stderr, which the
service re-logs.
"""

from __future__ import annotations

import argparse
import logging
import pickle
import sys
import time
from pathlib import Path

from edge.config import Config
from edge.forecasting import FieldForecasts
from edge.storage import Storage
from edge.uplink import outbox_policy

log = logging.getLogger(__name__)


def forecast_once(config: Config, model_dir: Path, now: float) -> int:
    """Forecast every field of ``config`` at ``now``; returns how many were stored."""
    storage_cfg = config.storage
    policy = outbox_policy(config) if config.mqtt.enabled else None
    with Storage.open(
        Path(storage_cfg.path),
        raw_retention_days=storage_cfg.raw_retention_days,
        disk_budget_bytes=int(storage_cfg.disk_budget_mb * 1024 * 1024),
        outbox=policy,
    ) as storage:
        return FieldForecasts(config, storage, model_dir).run_once(now)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m edge.forecast_child")
    parser.add_argument("--model-dir", type=Path, required=True)
    args = parser.parse_args(argv)
    # Bare messages: the service re-logs each line under its own logger and time.
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(message)s")
    config = pickle.load(sys.stdin.buffer)
    if not isinstance(config, Config):
        print(f"expected a Config on stdin, found {type(config).__name__}", file=sys.stderr)
        return 2
    stored = forecast_once(config, args.model_dir, time.time())
    log.info("forecast: %d field(s) forecast", stored)
    return 0


if __name__ == "__main__":
    sys.exit(main())
